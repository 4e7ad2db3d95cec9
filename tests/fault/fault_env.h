#pragma once
// Settings of the fault tests, read from the environment so that `deploy/test` runs the short mode
// and a person can run the long one by hand (tests/fault/README.md).

#include <cstdint>

namespace itest {

// WIJKBOEK_FAULT_CYCLES: kill -9 cycles of the crash-loop test (default 20; at least 1).
int FaultCycles();
// WIJKBOEK_FAULT_SEED: the seed of the random kill moments; a fresh one when unset. The test prints
// it, so that a failing run can be repeated.
std::uint64_t FaultSeed();

}  // namespace itest
