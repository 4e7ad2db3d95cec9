#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "wijkboek/v1/eventlog.grpc.pb.h"

namespace itest {

// One wijkboekd child process on a private temp data dir, for one test.
//
// Start() creates /tmp/wijkboek-itest-XXXXXX (data/ and server.log inside), runs the server with
// `--grpc-listen 127.0.0.1:0 --http-listen 127.0.0.1:0` (or the set addresses, plus any extra
// args), waits for
// data/grpc.addr, reads data/http.addr (the HTTP gateway's address) and data/admin.token. Stop(),
// Kill() and Restart() keep the data dir, so a test can prove what survives. The destructor kills a
// still-running server and removes the temp dir; when the test failed it first prints the tail of
// the server log. Set WIJKBOEK_ITEST_KEEP=1 to keep the dir.
//
// Owned by one test thread: Start/Stop/Kill/Restart must not race each other. Stub() and
// Authorize() may be called from any thread while the server runs.
class ServerProcess {
 public:
  static constexpr std::chrono::seconds kStartDeadline{20};
  static constexpr std::chrono::seconds kStopDeadline{20};
  static constexpr std::chrono::seconds kRpcDeadline{10};

  ServerProcess();
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server on the data dir (fresh on the first call) and waits until it serves.
  // Fails with the server log's tail when the process dies or the deadline passes.
  [[nodiscard]] ::testing::AssertionResult Start();
  // SIGTERM, then waits up to kStopDeadline. Returns the exit code, or 128 + signal when a signal
  // ended it. Past the deadline: SIGKILL, a test failure, and -1.
  int Stop();
  // SIGKILL, then reaps the process.
  void Kill();
  // Starts again on the same data dir (the server must not be running).
  [[nodiscard]] ::testing::AssertionResult Restart();

  bool running() const { return pid_ > 0; }
  const std::string& address() const { return address_; }
  // The HTTP gateway's HOST:PORT; empty when the server wrote no http.addr.
  const std::string& http_address() const { return http_address_; }
  // More wijkboekd flags for the next Start/Restart, e.g. {"--http-anonymous-read"}.
  void set_extra_args(std::vector<std::string> args) { extra_args_ = std::move(args); }
  // The --grpc-listen and --http-listen of the next Start (default 127.0.0.1:0 each). A server on
  // 0.0.0.0 is reached at 127.0.0.1.
  void set_grpc_listen(std::string listen) { grpc_listen_ = std::move(listen); }
  void set_http_listen(std::string listen) { http_listen_ = std::move(listen); }
  // How the harness's own channel (Stub(), Channel()) connects: plaintext by default; for a TLS
  // server e.g. grpc::SslCredentials with the test CA.
  void set_channel_credentials(std::shared_ptr<grpc::ChannelCredentials> credentials) {
    credentials_ = std::move(credentials);
  }
  // Starts the server expecting it to refuse: succeeds when the process exits non-zero before
  // serving and its output contains `message_part`.
  [[nodiscard]] ::testing::AssertionResult StartRefused(std::string_view message_part);
  const std::string& token() const { return token_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }

  // Valid until the next Start/Restart (a restart binds a new port, hence a new channel).
  wijkboek::v1::EventLog::Stub& Stub() { return *stub_; }
  std::shared_ptr<grpc::Channel> Channel() { return channel_; }

  // Adds `authorization: Bearer <admin token>` and a deadline to a fresh context.
  void Authorize(grpc::ClientContext* context,
                 std::chrono::milliseconds deadline = kRpcDeadline) const;
  // Only the deadline, for calls that must go without (or with a hand-made) authorization.
  static void SetDeadline(grpc::ClientContext* context,
                          std::chrono::milliseconds deadline = kRpcDeadline);

  // The last `max_bytes` of the server's stdout/stderr.
  std::string LogTail(size_t max_bytes = 4000) const;

 private:
  ::testing::AssertionResult Spawn();
  ::testing::AssertionResult WaitUntilServing();
  // Non-blocking reap. True when the child has exited (status_ then holds its wait status).
  bool Reaped();

  std::filesystem::path root_;      // the mkdtemp dir
  std::filesystem::path data_dir_;  // root_/data
  std::filesystem::path log_path_;  // root_/server.log
  pid_t pid_ = -1;
  int status_ = 0;  // wait status of the last exited child
  std::string address_;
  std::string http_address_;
  std::vector<std::string> extra_args_;
  std::string grpc_listen_ = "127.0.0.1:0";
  std::string http_listen_ = "127.0.0.1:0";
  std::shared_ptr<grpc::ChannelCredentials> credentials_ = grpc::InsecureChannelCredentials();
  std::string token_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<wijkboek::v1::EventLog::Stub> stub_;
};

// Polls `condition` every few milliseconds until it holds or `deadline` passes. Returns its last
// value. The way to wait in these tests: never a bare sleep.
template <typename Condition>
bool WaitUntil(Condition condition, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= until) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace itest
