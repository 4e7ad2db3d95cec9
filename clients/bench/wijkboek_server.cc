#include "clients/bench/wijkboek_server.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "clients/bench/child_process.h"

namespace bench {
namespace {

using child_process::DescribeWaitStatus;
using child_process::ReadFile;
using child_process::Trim;

// Polls `condition` every 10 ms until it holds or `seconds` pass; its last value.
template <typename Condition>
bool PollFor(double seconds, Condition condition) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace

WijkboekServer::~WijkboekServer() { (void)Stop(); }

const std::vector<std::string>& WijkboekServer::limit_flags() {
  if (limits_known_) return limit_flags_;
  limits_known_ = true;
  std::string help;
  if (FILE* p = ::popen((binary_ + " --help 2>&1").c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, p)) > 0;) help.append(buffer, n);
    ::pclose(p);
  }
  if (help.find("--max-append-rate") != std::string::npos) {
    limit_flags_.insert(limit_flags_.end(), {"--max-append-rate", "0"});
  }
  if (help.find("--max-subscriptions") != std::string::npos) {
    limit_flags_.insert(limit_flags_.end(), {"--max-subscriptions", "100000"});
  }
  return limit_flags_;
}

absl::Status WijkboekServer::Start(const std::string& data_dir) {
  if (running()) return absl::FailedPreconditionError("wijkboekd is already running");
  data_dir_ = data_dir;
  log_path_ = (std::filesystem::path(data_dir).parent_path() / "wijkboekd.log").string();
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  std::filesystem::remove(data_dir + "/grpc.addr", ec);

  std::vector<std::string> args = {binary_,       "--data-dir",    data_dir,     "--grpc-listen",
                                   "127.0.0.1:0", "--http-listen", "127.0.0.1:0"};
  const auto& limits = limit_flags();
  args.insert(args.end(), limits.begin(), limits.end());
  auto pid = child_process::Spawn(args, log_path_);
  if (!pid.ok()) return pid.status();
  pid_ = *pid;

  std::string address;
  PollFor(60, [&] {
    if (Reaped()) return true;
    const std::string content = ReadFile(data_dir + "/grpc.addr");
    if (!content.empty() && content.back() == '\n') address = Trim(content);
    return !address.empty();
  });
  if (!running()) {
    return absl::UnavailableError(absl::StrCat(binary_, " ", DescribeWaitStatus(status_),
                                               " before serving; its log ends:\n", LogTail()));
  }
  if (address.empty()) {
    (void)Stop();
    return absl::UnavailableError(absl::StrCat(
        binary_, " wrote no ", data_dir, "/grpc.addr within 60 s; its log ends:\n", LogTail()));
  }
  address_ = address;
  token_ = Trim(ReadFile(data_dir + "/admin.token"));
  if (token_.empty())
    return absl::UnavailableError(absl::StrCat("no token in ", data_dir, "/admin.token"));
  return absl::OkStatus();
}

bool WijkboekServer::Reaped() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    pid_ = -1;
    return true;
  }
  return false;
}

absl::Status WijkboekServer::Stop() {
  if (!running()) return absl::OkStatus();
  ::kill(pid_, SIGTERM);
  if (PollFor(30, [&] { return Reaped(); })) {
    if (WIFEXITED(status_) && WEXITSTATUS(status_) == 0) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("wijkboekd ", DescribeWaitStatus(status_),
                                            " after SIGTERM; its log ends:\n", LogTail()));
  }
  ::kill(pid_, SIGKILL);
  PollFor(10, [&] { return Reaped(); });
  return absl::DeadlineExceededError("wijkboekd did not stop within 30 s of SIGTERM; killed it");
}

std::string WijkboekServer::LogTail() const {
  const std::string log = ReadFile(log_path_);
  return log.size() > 3000 ? log.substr(log.size() - 3000) : log;
}

}  // namespace bench
