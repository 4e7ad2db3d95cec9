#pragma once
// Failed logins per client address: after `max_failures` within `window`, the address waits until
// the oldest of them has left the window. Tokens carry 256 random bits, so guessing one is hopeless
// anyway; this keeps a misbehaving client from hammering the login form and the log.
//
// Memory: one small entry per address that failed within the window, at most kMaxAddresses (then
// the stalest are dropped). Threads: every method may be called from any thread.
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gateway {

class LoginThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  static constexpr std::size_t kMaxAddresses = 10000;

  // max_failures 0: no limit.
  LoginThrottle(std::size_t max_failures, std::chrono::seconds window, Clock clock = nullptr);

  // How long `address` must wait before its next attempt; zero when it may try now.
  std::chrono::seconds WaitFor(const std::string& address);
  void Failed(const std::string& address);
  void Succeeded(const std::string& address);  // forgets its failures

 private:
  void DropOld(std::deque<std::chrono::steady_clock::time_point>& failures,
               std::chrono::steady_clock::time_point now) const;

  const std::size_t max_failures_;
  const std::chrono::seconds window_;
  Clock clock_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<std::chrono::steady_clock::time_point>> failures_;
};

}  // namespace gateway
