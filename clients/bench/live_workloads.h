#pragma once
// The workloads only wijkboek has: live fan-out to subscribers, and view queries under appends.
//
// fanout: S subscribers (Subscribe from the head, through the callback API, `per_connection` of
// them sharing a gRPC connection) follow the live log while W writers append single events at a
// paced total rate. Each delivery's delay is its receipt time at the subscriber minus the time the
// writer received the append's acknowledgement (one process, one steady clock). A delivery can
// come before the acknowledgement (the server wakes subscribers before it answers the writer):
// such a delay is negative and counted as it is. Afterwards every subscriber must hold exactly the
// appended positions, in order, once each: `all_delivered`.
//
// views: Q query clients run a mix of Views calls (programme, partners, one partner, a page of
// actions, one action) in a closed loop while W writers append single events as fast as they can;
// the programme file is imported first so the views answer about a real programme.
#include <string>

#include "absl/status/statusor.h"
#include "clients/bench/record.h"
#include "clients/bench/wijkboek_system.h"

namespace bench {

struct FanoutOptions {
  int subscribers = 1;
  int writers = 4;
  double rate = 200;  // appended events per second, all writers together
  Clock::duration duration = std::chrono::seconds(3);
  int per_connection = 10;  // subscribers sharing one gRPC connection
};

// Runs on a freshly Reset system. DEADLINE_EXCEEDED when subscribers do not catch up or receive
// everything within a minute; the record says whether every subscriber saw every event.
[[nodiscard]] absl::StatusOr<Record> RunFanout(WijkboekSystem& system,
                                               const FanoutOptions& options);

struct ViewsOptions {
  int clients = 4;
  int writers = 2;
  LoopLimits limits;
  std::string programme_file;  // imported first; empty: none
};

[[nodiscard]] absl::StatusOr<Record> RunViews(WijkboekSystem& system, const ViewsOptions& options);

}  // namespace bench
