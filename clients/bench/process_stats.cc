#include "clients/bench/process_stats.h"

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

}  // namespace

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
