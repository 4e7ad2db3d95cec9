#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#ifndef WIJKBOEKD_PATH
#error "WIJKBOEKD_PATH must name the wijkboekd binary (set by tests/integration/CMakeLists.txt)"
#endif

namespace itest {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(s.find_last_not_of(ws) + 1);
  s.erase(0, s.find_first_not_of(ws));
  return s;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

}  // namespace

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
  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls are allowed (the parent runs gRPC threads).
  std::vector<std::string> args = {WIJKBOEKD_PATH, "--data-dir",    data_dir_.string(),
                                   "--grpc-listen", grpc_listen_, "--http-listen",
                                   http_listen_};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = log_path_.string();
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) return ::testing::AssertionFailure() << "fork: " << std::strerror(errno);
  if (pid == 0) {
    // Die with the test binary, even when it crashes.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log_fd < 0 || null_fd < 0) ::_exit(125);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    // Do not hand our gRPC sockets and eventfds to the server.
    if (::close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 4096; ++fd) ::close(fd);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
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
