#pragma once
// The closed-loop load driver every append workload uses, whatever the system: one thread per
// client, each issuing its next request as soon as the previous one was answered, and timing each
// request from the client's side (steady clock, from just before sending to just after the
// answer).
//
// A run is either timed (a warm-up whose requests are not counted, then a measured window) or
// counted (a fixed number of requests, e.g. to fill a store before a read workload). In a timed
// run a request counts when it completes inside the window.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace bench {

using Clock = std::chrono::steady_clock;

double Millis(Clock::duration d);
double Seconds(Clock::duration d);

// Percentiles over a set of samples (milliseconds), nearest rank.
struct LatencySummary {
  std::size_t count = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
};
// Sorts `samples` in place.
LatencySummary Summarize(std::vector<double>& samples);
double Percentile(const std::vector<double>& sorted, double p);

// One client of a system: RunOnce sends one request and returns when it was answered (for an
// append: a batch of events to the client's own stream, with the exact expected revision,
// acknowledged durably; for a view query: the answer). Owned by one driver thread.
class LoadClient {
 public:
  virtual ~LoadClient() = default;
  [[nodiscard]] virtual absl::Status RunOnce() = 0;
};

struct LoopLimits {
  Clock::duration warmup{};
  Clock::duration measure{};              // timed run: the window after the warm-up
  std::optional<std::uint64_t> requests;  // counted run: this many requests in all, no warm-up
  // The server's CPU seconds so far (user + system), where the system can tell; read at the
  // window's start and end.
  std::function<std::optional<double>()> server_cpu;
};

struct LoopResult {
  std::uint64_t requests = 0;  // counted (inside the window, or all of a counted run)
  double seconds = 0;          // the window, or the whole counted run
  LatencySummary latency;
  double client_cpu_seconds = 0;             // this process, all threads, in the window
  std::optional<double> server_cpu_seconds;  // the server, in the window
};

// CPU seconds (user + system) of this process so far, all threads.
double ProcessCpuSeconds();

// Runs the clients until the limits are reached. The first failing request stops the run and is
// returned, prefixed with the client's index.
[[nodiscard]] absl::StatusOr<LoopResult> RunClosedLoop(
    const std::vector<std::unique_ptr<LoadClient>>& clients, const LoopLimits& limits);

}  // namespace bench
