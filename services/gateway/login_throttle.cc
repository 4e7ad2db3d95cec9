#include "services/gateway/login_throttle.h"

#include <utility>

namespace gateway {

using std::chrono::steady_clock;

LoginThrottle::LoginThrottle(std::size_t max_failures, std::chrono::seconds window, Clock clock)
    : max_failures_(max_failures),
      window_(window),
      clock_(clock ? std::move(clock) : Clock(steady_clock::now)) {}

void LoginThrottle::DropOld(std::deque<steady_clock::time_point>& failures,
                            steady_clock::time_point now) const {
  while (!failures.empty() && failures.front() + window_ <= now) failures.pop_front();
}

std::chrono::seconds LoginThrottle::WaitFor(const std::string& address) {
  if (max_failures_ == 0) return std::chrono::seconds(0);
  const auto now = clock_();
  std::lock_guard lock(mu_);
  auto it = failures_.find(address);
  if (it == failures_.end()) return std::chrono::seconds(0);
  DropOld(it->second, now);
  if (it->second.size() < max_failures_) return std::chrono::seconds(0);
  auto wait = std::chrono::ceil<std::chrono::seconds>(it->second.front() + window_ - now);
  return std::max(wait, std::chrono::seconds(1));
}

void LoginThrottle::Failed(const std::string& address) {
  if (max_failures_ == 0) return;
  const auto now = clock_();
  std::lock_guard lock(mu_);
  if (failures_.size() >= kMaxAddresses && !failures_.contains(address)) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      DropOld(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    if (failures_.size() >= kMaxAddresses) failures_.clear();
  }
  auto& list = failures_[address];
  DropOld(list, now);
  list.push_back(now);
  while (list.size() > max_failures_) list.pop_front();
}

void LoginThrottle::Succeeded(const std::string& address) {
  std::lock_guard lock(mu_);
  failures_.erase(address);
}

}  // namespace gateway
