#include "clients/bench/process_stats.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace bench {
namespace {

// A "Name:   1234 kB" line of /proc/<pid>/status, in bytes.
std::optional<std::uint64_t> StatusField(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(name.size() + 1));
    std::uint64_t kib = 0;
    if (fields >> kib) return kib * 1024;
    return std::nullopt;
  }
  return std::nullopt;
}

// A /proc/.../stat file: the command (in parentheses, may hold spaces) and the fields after it:
// state is [0], the parent [1], utime [11], stime [12], cutime [13], cstime [14].
struct Stat {
  std::string command;
  std::vector<std::string> fields;

  double Seconds(std::size_t from, std::size_t to) const {
    double ticks = 0;
    for (std::size_t i = from; i <= to; ++i) ticks += std::stod(fields[i]);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
};

std::optional<Stat> ReadStat(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  Stat stat{line.substr(open + 1, close - open - 1), {}};
  std::istringstream rest(line.substr(close + 1));
  for (std::string f; rest >> f;) stat.fields.push_back(f);
  if (stat.fields.size() < 15) return std::nullopt;
  return stat;
}

std::optional<Stat> StatOf(pid_t pid) { return ReadStat("/proc/" + std::to_string(pid) + "/stat"); }

}  // namespace

std::optional<double> CpuSeconds(pid_t pid, bool reaped_children) {
  const auto stat = StatOf(pid);
  if (!stat) return std::nullopt;
  return stat->Seconds(11, reaped_children ? 14 : 12);
}

std::optional<double> CpuSecondsWithLiveChildren(pid_t pid) {
  std::optional<double> total = CpuSeconds(pid);
  if (!total) return std::nullopt;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t child = static_cast<pid_t>(std::stol(name));
    const auto stat = StatOf(child);
    if (stat && stat->fields[1] == std::to_string(pid)) {
      if (auto cpu = CpuSeconds(child)) *total += *cpu;
    }
  }
  return total;
}

std::map<pid_t, ThreadCpu> ThreadCpuSeconds(pid_t pid) {
  std::map<pid_t, ThreadCpu> out;
  const std::string task = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (std::filesystem::directory_iterator it(task, ec), end; !ec && it != end; it.increment(ec)) {
    if (auto stat = ReadStat(it->path() / "stat")) {
      out[static_cast<pid_t>(std::stol(it->path().filename().string()))] = {stat->command,
                                                                            stat->Seconds(11, 12)};
    }
  }
  return out;
}

std::optional<std::uint64_t> ResidentBytes(pid_t pid) { return StatusField(pid, "VmRSS"); }

std::optional<std::uint64_t> PeakResidentBytes(pid_t pid) { return StatusField(pid, "VmHWM"); }

bool ResetPeakResident(pid_t pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  out << "5\n";
  out.flush();
  return static_cast<bool>(out);
}

std::uint64_t DirectoryBytes(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::uint64_t total = 0;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const std::uintmax_t size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

}  // namespace bench
