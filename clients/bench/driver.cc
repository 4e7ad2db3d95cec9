#include "clients/bench/driver.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"

namespace bench {

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest sample with at least p % of the samples at or below it.
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

LatencySummary Summarize(std::vector<double>& samples) {
  std::sort(samples.begin(), samples.end());
  LatencySummary s;
  s.count = samples.size();
  s.p50_ms = Percentile(samples, 50);
  s.p99_ms = Percentile(samples, 99);
  s.p999_ms = Percentile(samples, 99.9);
  s.max_ms = samples.empty() ? 0 : samples.back();
  return s;
}

absl::StatusOr<LoopResult> RunClosedLoop(const std::vector<std::unique_ptr<LoadClient>>& clients,
                                         const LoopLimits& limits) {
  const bool counted = limits.requests.has_value();
  std::atomic<bool> stop{false};
  // Timed runs: requests completing in [window_start, window_end) count. Written by this thread
  // before `measuring` is set (release) and read by client threads after they saw it (acquire).
  std::atomic<bool> measuring{counted};
  std::atomic<std::int64_t> remaining{counted ? static_cast<std::int64_t>(*limits.requests) : 0};
  Clock::time_point window_end = Clock::time_point::max();

  std::mutex mu;
  absl::Status first_error;            // guarded by mu
  std::vector<double> latencies;       // guarded by mu, merged at each thread's end
  std::uint64_t counted_requests = 0;  // guarded by mu

  const auto server_cpu = [&]() -> std::optional<double> {
    return limits.server_cpu ? limits.server_cpu() : std::nullopt;
  };
  double client_cpu_start = ProcessCpuSeconds();
  std::optional<double> server_cpu_start = server_cpu();

  std::vector<std::thread> threads;
  threads.reserve(clients.size());
  const Clock::time_point start = Clock::now();
  for (std::size_t i = 0; i < clients.size(); ++i) {
    threads.emplace_back([&, i] {
      std::vector<double> mine;
      mine.reserve(1 << 14);
      absl::Status error;
      while (!stop.load(std::memory_order_relaxed)) {
        if (counted && remaining.fetch_sub(1, std::memory_order_relaxed) <= 0) break;
        const Clock::time_point sent = Clock::now();
        error = clients[i]->RunOnce();
        const Clock::time_point answered = Clock::now();
        if (!error.ok()) break;
        if (measuring.load(std::memory_order_acquire) && answered < window_end) {
          mine.push_back(Millis(answered - sent));
        }
      }
      std::lock_guard lock(mu);
      if (!error.ok() && first_error.ok()) {
        first_error = absl::Status(error.code(), absl::StrCat("client ", i, ": ", error.message()));
        stop = true;
      }
      counted_requests += mine.size();
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }

  Clock::time_point window_start = start;
  if (!counted) {
    // The run's timing, not a synchronisation: the clients run freely meanwhile.
    std::this_thread::sleep_for(limits.warmup);
    client_cpu_start = ProcessCpuSeconds();
    server_cpu_start = server_cpu();
    window_start = Clock::now();
    window_end = window_start + limits.measure;
    measuring.store(true, std::memory_order_release);
    std::this_thread::sleep_for(limits.measure);
  }
  // A timed run's window closes before the join: what the clients still finish after it is not
  // the window's. A counted run ends when the last client is done.
  double client_cpu_end = 0;
  std::optional<double> server_cpu_end;
  if (!counted) {
    client_cpu_end = ProcessCpuSeconds();
    server_cpu_end = server_cpu();
    stop = true;
  }
  for (auto& t : threads) t.join();
  if (counted) {
    client_cpu_end = ProcessCpuSeconds();
    server_cpu_end = server_cpu();
  }
  const Clock::time_point end = counted ? Clock::now() : window_end;
  if (!first_error.ok()) return first_error;

  LoopResult result;
  result.requests = counted_requests;
  result.seconds = Seconds(end - window_start);
  result.latency = Summarize(latencies);
  result.client_cpu_seconds = client_cpu_end - client_cpu_start;
  if (server_cpu_start && server_cpu_end) {
    result.server_cpu_seconds = *server_cpu_end - *server_cpu_start;
  }
  return result;
}

}  // namespace bench
