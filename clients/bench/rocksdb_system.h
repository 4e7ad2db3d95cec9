#pragma once
// Raw RocksDB: the physical limit under wijkboek. The same database as wijkboekd's log (storage's
// LogDb: the same column families and options) and the same key layout and bytes (storage's
// codec: hash ‖ envelope under the position, the stream and event-id indexes, the meta head), but
// no server, no gRPC, no checks, no rules, no views: one writer thread puts `batch` events into
// one WriteBatch and writes it with sync=true. The batch is the group size of a group commit, so
// `batch` 128 shows what one fsync can carry and `batch` 1 what one fsync costs.
//
// The catch-up read has two methods: "iterator", a raw iterator over the events family (bytes
// only), and "ScanAll", storage's own read path that decodes every envelope.
//
// Threads: appends are serialised by a mutex (positions must follow each other); the suite runs it
// with one client.
#include <memory>
#include <mutex>
#include <string>

#include "clients/bench/system.h"
#include "storage/event_store.h"

namespace storage {
class LogDb;
}

namespace bench {

class RocksdbSystem final : public System {
 public:
  explicit RocksdbSystem(std::string dir);
  ~RocksdbSystem() override;

  std::string name() const override { return "rocksdb"; }
  absl::Status Reset() override;
  absl::StatusOr<std::unique_ptr<LoadClient>> NewAppendClient(int index, int batch) override;
  std::vector<CatchupMethod> CatchupMethods() override;
  void EndWorkload(Record& record) override;

  // Shared by the clients: the log's head, under mu.
  struct Head {
    std::mutex mu;
    storage::Position position = 0;
    storage::Hash hash{};
  };

 private:
  std::string dir_;
  std::unique_ptr<storage::LogDb> db_;
  Head head_;
};

}  // namespace bench
