#include "fault_env.h"

#include <cstdlib>
#include <random>
#include <string>

namespace itest {
namespace {

const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

int FaultCycles() {
  const char* value = Env("WIJKBOEK_FAULT_CYCLES");
  if (value == nullptr) return 20;
  const int cycles = std::atoi(value);
  return cycles >= 1 ? cycles : 1;
}

std::uint64_t FaultSeed() {
  if (const char* value = Env("WIJKBOEK_FAULT_SEED")) return std::stoull(value);
  std::random_device device;
  return (std::uint64_t{device()} << 32) | device();
}

}  // namespace itest
