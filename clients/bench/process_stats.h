#pragma once
// Memory and disk figures from Linux: a process's resident set (current and peak, from
// /proc/<pid>/status) and the bytes of the files under a directory.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bench {

// VmRSS / VmHWM of `pid` in bytes; nullopt when the process or the field is not there.
std::optional<std::uint64_t> ResidentBytes(pid_t pid);
std::optional<std::uint64_t> PeakResidentBytes(pid_t pid);
// Starts a new peak: VmHWM becomes the current RSS (writes "5" to /proc/<pid>/clear_refs).
// False when the kernel refused; the peak then covers the process's whole life.
bool ResetPeakResident(pid_t pid);

// CPU seconds (user + system) `pid` has used so far; with `reaped_children`, plus those of its
// children it has waited for. nullopt when the process is not there.
std::optional<double> CpuSeconds(pid_t pid, bool reaped_children = false);
// CPU seconds of `pid` and its live children: a server that forks a process per connection
// (PostgreSQL) as one figure. Children that exit are not counted (their time moves to the
// parent's reaped-children total at an instant no snapshot can pin down), so measure windows in
// which the connections stay open.
std::optional<double> CpuSecondsWithLiveChildren(pid_t pid);

// CPU seconds per thread of `pid` (thread id -> seconds), and each thread's name.
struct ThreadCpu {
  std::string name;
  double seconds = 0;
};
std::map<pid_t, ThreadCpu> ThreadCpuSeconds(pid_t pid);

// The sum of the sizes of the regular files below `dir` (0 when it does not exist).
std::uint64_t DirectoryBytes(const std::string& dir);

}  // namespace bench
