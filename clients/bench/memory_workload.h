#pragma once
// memory: wijkboekd's resident memory with a large log (issue 7: steady-state RSS ≤ 256 MiB with
// 10 million events stored).
//
// On a freshly Reset server, 32 clients append batches of 100 ResultRecorded events (the append
// workload's events, to 32 actions) until `events` are stored; then the views are waited for
// (a GetProgramme with min_position = the head), the server is left alone for `settle` (the
// projector snapshots every second and lets go of the results it persisted), and its RSS is
// sampled every 100 ms for `sample`. Afterwards a few view queries run: GetProgramme, ListActions,
// GetAction of the largest action (every result of it, so its answer grows with the log) and,
// for logs up to kProjectBookEvents events, the project book (one document with every result).
//
// The record (system wijkboek, workload memory): rss_bytes is the median RSS of the samples (the
// steady state), rss_peak_bytes the peak from the start of the fill to the end of the sampling,
// disk_bytes_per_event the store's directory (events, indexes and the views' rows) per stored event; extra holds the
// fill rate, the sample range, how long each query took and its answer's size, and the RSS right
// after the queries and 7 s later (wijkboekd hands freed memory back every 5 s).
#include <chrono>
#include <cstdint>

#include "absl/status/statusor.h"
#include "clients/bench/record.h"
#include "clients/bench/wijkboek_system.h"

namespace bench {

// Larger logs make the project book too big to ask for here (gigabytes of text per answer).
inline constexpr std::uint64_t kProjectBookEvents = 200000;

struct MemoryOptions {
  std::uint64_t events = 10000000;
  int clients = 32;
  int batch = 100;
  std::chrono::milliseconds settle{3000};
  std::chrono::milliseconds sample{5000};
};

[[nodiscard]] absl::StatusOr<Record> RunMemory(WijkboekSystem& system,
                                               const MemoryOptions& options);

}  // namespace bench
