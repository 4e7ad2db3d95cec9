#pragma once
// Memory and disk figures from Linux: a process's resident set (current and peak, from
// /proc/<pid>/status) and the bytes of the files under a directory.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace bench {

// VmRSS / VmHWM of `pid` in bytes; nullopt when the process or the field is not there.
std::optional<std::uint64_t> ResidentBytes(pid_t pid);
std::optional<std::uint64_t> PeakResidentBytes(pid_t pid);
// Starts a new peak: VmHWM becomes the current RSS (writes "5" to /proc/<pid>/clear_refs).
// False when the kernel refused; the peak then covers the process's whole life.
bool ResetPeakResident(pid_t pid);

// The sum of the sizes of the regular files below `dir` (0 when it does not exist).
std::uint64_t DirectoryBytes(const std::string& dir);

}  // namespace bench
