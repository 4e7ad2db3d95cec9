#pragma once
// What a client tried to append, and the check that a (restarted) server's log honours it: shared
// by the kill -9 test in durability_test.cc and the crash-loop and disk-full tests in tests/fault.

#include <cstddef>
#include <vector>

#include "eventlog_helpers.h"

namespace itest {

struct Attempt {
  v1::AppendRequest request;
  bool acknowledged = false;  // the server answered OK
  v1::AppendResponse response;
};

struct LogCheck {
  std::vector<bool> present;  // per attempt: its events are in the log
  std::size_t lost = 0;       // acknowledged attempts whose events are missing
  std::size_t torn = 0;       // attempts with only some of their events stored
};

// Checks the log against every append attempted so far: the chain is intact and the head matches
// it; acknowledged attempts are stored once, contiguously, at their acknowledged positions; the
// others wholly or not at all; and nothing else is stored (beyond the bootstrap events). Every
// violation is recorded (EXPECT).
LogCheck ExpectLogHonoursAttempts(ServerProcess& server, const std::vector<Attempt>& attempts);

}  // namespace itest
