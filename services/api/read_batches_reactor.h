#pragma once
// One ReadBatches call: the events Read would send, several per message. Each EventBatch is
// built as bytes from the stored envelopes (event_bytes.h) and written raw, so the server parses
// no payload; clients see typed EventBatch messages. One write in flight, a batch of up to
// ~1 MiB (or the request's limit) read from storage per write; the next batch is read while
// the current one is written.
//
// Ownership: gRPC owns the reactor; it deletes itself in OnDone. Threads: "pump ownership"
// (pumping_) is held by one thread at a time (the constructor's, then gRPC callback threads);
// OnWriteDone may run on another thread while the owner reads storage, so the write state is
// under mu_.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "services/api/read_cursor.h"
#include "storage/event_store.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace api {

class ReadBatchesReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  // A batch stops growing once it holds this many bytes (one event may carry it past).
  static constexpr std::size_t kBatchBytes = 1u << 20;

  // `store` must outlive the call.
  ReadBatchesReactor(const storage::EventStore* store, const wijkboek::v1::ReadRequest& request);

  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  // The next step: a batch to write, or the end (no bytes), or an error.
  struct Batch {
    std::unique_ptr<std::string> bytes;
    absl::Status status;
  };

  // Requires pump ownership; releases it. Writes the ready batch when no write is in flight,
  // then reads the next one from storage while that write travels, so that storage, gRPC and
  // the client work at the same time.
  void Pump();
  Batch Produce();  // pump owner only

  const storage::EventStore* store_;
  ReadCursor cursor_;              // pump owner only
  std::optional<Batch> ready_;     // pump owner only
  grpc::ByteBuffer current_;       // replaced only while no write is in flight

  std::mutex mu_;
  bool pumping_ = false;  // guarded by mu_: a thread runs Pump
  bool writing_ = false;  // guarded by mu_: a write is in flight
  bool broken_ = false;   // guarded by mu_: a write failed (the client is gone)
};

}  // namespace api
