#pragma once
// Starting a server as a child process the way tools and tests want it: stdin from /dev/null,
// stdout and stderr appended to a log file, no inherited descriptors, and killed (SIGKILL) when the
// parent dies, even by a crash, so that no server outlives the run that started it.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace child_process {

// Forks and execs `args[0]` with `args`. Safe in a process that runs threads (gRPC's): everything
// is prepared before fork, and the child makes only async-signal-safe calls. The child exits 125
// when it cannot open the log, 127 when exec fails. INTERNAL when fork fails.
[[nodiscard]] absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& args,
                                          const std::string& log_path);

// "exited with code 3", "killed by signal 9": a waitpid status in words.
std::string DescribeWaitStatus(int status);

// The files a server leaves for its starter (grpc.addr, admin.token, its log): the whole file, or
// "" when it cannot be read; and the same without surrounding white space.
std::string ReadFile(const std::filesystem::path& path);
std::string Trim(std::string s);

}  // namespace child_process
