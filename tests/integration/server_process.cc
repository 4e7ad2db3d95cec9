#include "server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <vector>

#include "clients/bench/child_process.h"

#ifndef WIJKBOEKD_PATH
#error "WIJKBOEKD_PATH must name the wijkboekd binary (set by tests/integration/CMakeLists.txt)"
#endif

namespace itest {

using child_process::DescribeWaitStatus;
using child_process::ReadFile;
using child_process::Trim;

ServerProcess::ServerProcess() {
  char tmpl[] = "/tmp/wijkboek-itest-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
    return;
  }
  root_ = tmpl;
  data_dir_ = root_ / "data";
  log_path_ = root_ / "server.log";
}

ServerProcess::~ServerProcess() {
  if (running()) Kill();
  stub_.reset();
  channel_.reset();
  if (::testing::Test::HasFailure()) {
    std::cerr << "---- wijkboekd log (" << log_path_.string() << "), tail ----\n"
              << LogTail() << "\n---- end of wijkboekd log ----\n";
  }
  const char* keep = std::getenv("WIJKBOEK_ITEST_KEEP");
  if (keep != nullptr && std::string(keep) == "1") {
    std::cerr << "keeping " << root_.string() << "\n";
    return;
  }
  std::error_code ec;
  if (!root_.empty()) std::filesystem::remove_all(root_, ec);
}

::testing::AssertionResult ServerProcess::Start() {
  if (root_.empty()) return ::testing::AssertionFailure() << "no temp dir";
  if (running()) return ::testing::AssertionFailure() << "server already running";
  // A stale address from an earlier run would let us connect to nothing.
  std::error_code ec;
  std::filesystem::remove(data_dir_ / "grpc.addr", ec);
  std::filesystem::remove(data_dir_ / "http.addr", ec);
  if (auto r = Spawn(); !r) return r;
  return WaitUntilServing();
}

::testing::AssertionResult ServerProcess::Restart() { return Start(); }

::testing::AssertionResult ServerProcess::StartRefused(std::string_view message_part) {
  if (root_.empty()) return ::testing::AssertionFailure() << "no temp dir";
  if (running()) return ::testing::AssertionFailure() << "server already running";
  if (auto r = Spawn(); !r) return r;
  if (!WaitUntil([&] { return Reaped(); }, kStartDeadline)) {
    Kill();
    return ::testing::AssertionFailure()
           << "wijkboekd still runs " << kStartDeadline.count()
           << " s after start; expected it to refuse. Log tail:\n"
           << LogTail();
  }
  const std::string log = LogTail(64 * 1024);
  if (!WIFEXITED(status_) || WEXITSTATUS(status_) == 0) {
    return ::testing::AssertionFailure()
           << "wijkboekd " << DescribeWaitStatus(status_) << "; expected a non-zero exit. Log:\n"
           << log;
  }
  if (log.find(message_part) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "wijkboekd refused, but its output lacks \"" << message_part << "\". Log:\n"
           << log;
  }
  return ::testing::AssertionSuccess() << "wijkboekd " << DescribeWaitStatus(status_);
}

::testing::AssertionResult ServerProcess::Spawn() {
  std::vector<std::string> args = {WIJKBOEKD_PATH, "--data-dir",    data_dir_.string(),
                                   "--grpc-listen", grpc_listen_, "--http-listen",
                                   http_listen_};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  // Dies with the test binary, even when it crashes.
  auto pid = child_process::Spawn(args, log_path_.string());
  if (!pid.ok()) return ::testing::AssertionFailure() << pid.status().message();
  pid_ = *pid;
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult ServerProcess::WaitUntilServing() {
  const auto addr_file = data_dir_ / "grpc.addr";
  std::string addr;
  const bool ready = WaitUntil(
      [&] {
        if (Reaped()) return true;
        const std::string content = ReadFile(addr_file);
        // Written atomically, but insist on the full line anyway.
        if (!content.empty() && content.back() == '\n') addr = Trim(content);
        return !addr.empty();
      },
      kStartDeadline);
  if (!running()) {
    return ::testing::AssertionFailure()
           << "wijkboekd " << DescribeWaitStatus(status_) << " before serving; log tail:\n"
           << LogTail();
  }
  if (!ready) {
    Kill();
    return ::testing::AssertionFailure()
           << "no " << addr_file << " within " << kStartDeadline.count() << " s; log tail:\n"
           << LogTail();
  }
  // A wildcard listener is reached through loopback (its certificate names 127.0.0.1, not 0.0.0.0).
  if (addr.rfind("0.0.0.0:", 0) == 0) addr = "127.0.0.1:" + addr.substr(8);
  address_ = addr;
  // Written before grpc.addr, so it is complete by now.
  http_address_ = Trim(ReadFile(data_dir_ / "http.addr"));
  token_ = Trim(ReadFile(data_dir_ / "admin.token"));
  if (token_.empty()) {
    return ::testing::AssertionFailure() << "empty or missing " << data_dir_ / "admin.token";
  }

  grpc::ChannelArguments channel_args;
  channel_args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);  // never route 127.0.0.1 via a proxy
  channel_ = grpc::CreateCustomChannel(address_, credentials_, channel_args);
  if (!channel_->WaitForConnected(std::chrono::system_clock::now() + kStartDeadline)) {
    return ::testing::AssertionFailure() << "cannot connect to " << address_ << "; log tail:\n"
                                         << LogTail();
  }
  stub_ = wijkboek::v1::EventLog::NewStub(channel_);
  return ::testing::AssertionSuccess();
}

bool ServerProcess::Reaped() {
  if (pid_ <= 0) return true;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = status;
    pid_ = -1;
    return true;
  }
  return false;
}

int ServerProcess::Stop() {
  if (!running()) {
    ADD_FAILURE() << "Stop(): server not running";
    return -1;
  }
  ::kill(pid_, SIGTERM);
  // Wait by watching our channel rather than sleeping: an idle sync-API channel reads its socket
  // only from gRPC's 5 s backup poller, so the server's GOAWAY/PING would go unanswered that
  // long and hold up its graceful shutdown. A connectivity watch polls the connection now.
  const auto until = std::chrono::steady_clock::now() + kStopDeadline;
  while (!Reaped() && std::chrono::steady_clock::now() < until) {
    if (channel_) {
      channel_->WaitForStateChange(channel_->GetState(false), std::chrono::system_clock::now() +
                                                                  std::chrono::milliseconds(10));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (running()) {
    ADD_FAILURE() << "wijkboekd did not exit within " << kStopDeadline.count()
                  << " s of SIGTERM; killing it";
    Kill();
    return -1;
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

void ServerProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = status;
  pid_ = -1;
}

void ServerProcess::Authorize(grpc::ClientContext* context,
                              std::chrono::milliseconds deadline) const {
  context->AddMetadata("authorization", "Bearer " + token_);
  SetDeadline(context, deadline);
}

void ServerProcess::SetDeadline(grpc::ClientContext* context, std::chrono::milliseconds deadline) {
  context->set_deadline(std::chrono::system_clock::now() + deadline);
}

std::string ServerProcess::LogTail(size_t max_bytes) const {
  const std::string log = ReadFile(log_path_);
  if (log.size() <= max_bytes) return log;
  return "..." + log.substr(log.size() - max_bytes);
}

}  // namespace itest
