#pragma once
// A real wijkboekd, started by the benchmark as a child process on loopback with its own data
// directory, so that its memory can be watched and every workload starts from an empty log.
//
// Start() runs `wijkboekd --data-dir DIR --grpc-listen 127.0.0.1:0 --http-listen 127.0.0.1:0`
// (plus --max-append-rate 0 --max-subscriptions 100000 when its --help offers them, so that
// per-principal limits never throttle the benchmark), output to DIR/../wijkboekd.log, and waits
// for DIR/grpc.addr; the admin token is read from DIR/admin.token. Stop() sends SIGTERM and waits
// (SIGKILL after a deadline). The child dies with the benchmark (PR_SET_PDEATHSIG).
//
// Owned by the suite's thread; not thread-safe.
#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace bench {

class WijkboekServer {
 public:
  explicit WijkboekServer(std::string binary) : binary_(std::move(binary)) {}
  ~WijkboekServer();  // Stop()
  WijkboekServer(const WijkboekServer&) = delete;
  WijkboekServer& operator=(const WijkboekServer&) = delete;

  // Starts the server on `data_dir` (created if missing) and waits until it serves. UNAVAILABLE,
  // with the tail of its log, when it exits first or does not serve within 60 s.
  [[nodiscard]] absl::Status Start(const std::string& data_dir);
  // SIGTERM, then waits up to 30 s (then SIGKILL). Returns what went wrong, if anything.
  absl::Status Stop();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& address() const { return address_; }
  const std::string& token() const { return token_; }
  const std::string& data_dir() const { return data_dir_; }
  // The flags added to every start (learned from --help once).
  const std::vector<std::string>& limit_flags();

 private:
  bool Reaped();
  std::string LogTail() const;

  std::string binary_;
  std::string data_dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int status_ = 0;
  std::string address_;
  std::string token_;
  bool limits_known_ = false;
  std::vector<std::string> limit_flags_;
};

}  // namespace bench
