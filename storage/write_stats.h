#pragma once
// Private to storage/: the writer's counters for EventStore::Stats.
//
// Written only on the writer thread, read from any thread: every field is an atomic updated with
// relaxed order (a scrape may see a group's count before its latency; monitoring tolerates that).
#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "storage/event_store.h"

namespace storage {

// A fixed-bucket histogram, Prometheus style. One writer; any number of readers.
template <std::size_t N>
class AtomicHistogram {
 public:
  explicit AtomicHistogram(const std::array<double, N>& bounds) : bounds_(bounds) {}

  void Observe(double value) {
    std::size_t i = 0;
    while (i < N && value > bounds_[i]) ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    // One writer: load and store need no read-modify-write.
    sum_.store(sum_.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
  }

  HistogramSnapshot Snapshot() const {
    HistogramSnapshot s;
    s.bounds.assign(bounds_.begin(), bounds_.end());
    for (const auto& c : counts_) s.counts.push_back(c.load(std::memory_order_relaxed));
    s.sum = sum_.load(std::memory_order_relaxed);
    s.count = count_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  const std::array<double, N> bounds_;
  std::array<std::atomic<std::uint64_t>, N + 1> counts_{};
  std::atomic<double> sum_{0};
  std::atomic<std::uint64_t> count_{0};
};

struct WriteStats {
  std::atomic<std::uint64_t> groups{0};
  std::atomic<std::uint64_t> events{0};
  std::atomic<std::uint64_t> failed_writes{0};
  std::atomic<bool> failed{false};
  AtomicHistogram<12> group_events{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096}};
  AtomicHistogram<14> write_seconds{{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                     0.05, 0.1, 0.25, 0.5, 1, 2.5}};
};

}  // namespace storage
