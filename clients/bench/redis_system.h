#pragma once
// Redis Streams as a benchmarked system, spoken to with hiredis over loopback, one connection per
// client. The server (started by clients/bench/run) runs with `appendonly yes` and `appendfsync
// always`: a write is answered only after the AOF was fsynced, which Redis does once per event-
// loop round for all clients together (its group commit).
//
// Layout, the same as wijkboek's key layout in spirit: the global log is the stream `log` (one
// entry per event: stream, revision, event_id, type, payload), each event stream `s:<stream>`
// holds the log entry ids of its events, and the hash `event_ids` maps event ids to log entry ids.
// An append of B events is one Lua script (EVALSHA), atomic like a wijkboek request: it checks the
// expected revision (XLEN of the event stream) and that no event id is known, then XADDs the
// events to `log` and their ids to the event stream. A stale revision answers an error, the
// equivalent of ABORTED. What Redis does not do that wijkboek does: a hash chain, rules on write;
// and the whole data set must fit in memory.
//
// The catch-up read is XRANGE over `log` in pages (COUNT page), each page starting after the last
// entry id.
#include <string>

#include "clients/bench/system.h"

namespace bench {

class RedisSystem final : public System {
 public:
  // `address`: HOST:PORT of a running redis-server.
  RedisSystem(std::string address, int page) : address_(std::move(address)), page_(page) {}

  std::string name() const override { return "redis"; }
  absl::Status Reset() override;
  absl::StatusOr<std::unique_ptr<LoadClient>> NewAppendClient(int index, int batch) override;
  std::vector<CatchupMethod> CatchupMethods() override;
  void EndWorkload(Record& record) override;
  // From INFO cpu (used_cpu_user + used_cpu_sys).
  std::optional<double> ServerCpuSeconds() override;

 private:
  std::string address_;
  int page_;
  std::string script_sha_;  // of the append script, loaded by Reset

  absl::StatusOr<CatchupCount> ReadAll() const;
};

}  // namespace bench
