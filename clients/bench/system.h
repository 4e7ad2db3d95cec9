#pragma once
// What the suite needs from each system it compares: a fresh store, append clients, a full read,
// and its figures for memory and disk. main.cc drives every system through this interface in the
// same order with the same parameters, so the systems differ only in what they are.
//
// Threads: one thread (the suite's) calls these methods; the LoadClients a system hands out are
// each used by one driver thread at a time, concurrently with each other.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/bench/driver.h"
#include "clients/bench/record.h"

namespace bench {

// What one full read returned: the events, and the seconds it took when the method timed itself
// (to leave out opening a store); otherwise the suite times the whole call. Likewise the server's
// CPU seconds, when the method measured them itself (the one PostgreSQL backend that served it).
struct CatchupCount {
  std::uint64_t events = 0;
  std::optional<double> seconds;
  std::optional<double> server_cpu_seconds;
};

// One way to read every stored event from the start, in order: `read` checks the order and
// returns the count. The suite times it and measures CPU around it.
struct CatchupMethod {
  std::string name;  // e.g. "Read", "Subscribe", "SELECT pages of 5000"
  std::function<absl::StatusOr<CatchupCount>()> read;
};

class System {
 public:
  virtual ~System() = default;

  virtual std::string name() const = 0;

  // An empty store: a new data dir (and, for wijkboek, a freshly started server), an emptied
  // table or database. Invalidates the clients handed out before.
  [[nodiscard]] virtual absl::Status Reset() = 0;

  // A client appending `batch` events per request to stream StreamName(index) with the exact
  // expected revision. Whatever the stream needs before it can take results (wijkboek's rules want
  // the action to exist) is done here, untimed.
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<LoadClient>> NewAppendClient(int index,
                                                                                    int batch) = 0;

  // The ways this system reads its whole store back (valid until the next Reset).
  virtual std::vector<CatchupMethod> CatchupMethods() = 0;

  // Around each measured workload: memory and disk figures for the record (where the system has
  // them; only wijkboekd's memory is measured).
  virtual void BeginWorkload() {}
  virtual void EndWorkload(Record& record) {}
  // The server's CPU seconds so far (user + system, all its threads or processes), so that a run
  // can say how much CPU each event cost it; nullopt when the system cannot tell (raw RocksDB
  // runs inside the benchmark, whose own CPU is counted as the client's).
  virtual std::optional<double> ServerCpuSeconds() { return std::nullopt; }
};

}  // namespace bench
