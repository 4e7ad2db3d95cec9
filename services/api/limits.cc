#include "services/api/limits.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace api {

AppendRateLimiter::AppendRateLimiter(double events_per_second, double burst, Clock clock)
    : rate_(events_per_second),
      burst_(std::max(burst, 1.0)),
      clock_(clock ? std::move(clock) : Clock(std::chrono::steady_clock::now)) {}

absl::Status AppendRateLimiter::Take(const std::string& principal, std::size_t events,
                                     std::chrono::milliseconds* retry_after) {
  if (rate_ <= 0) return absl::OkStatus();
  const auto now = clock_();
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = buckets_.try_emplace(principal, Bucket{burst_, now});
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.at).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.at = now;
  if (b.tokens > 0) {
    b.tokens -= static_cast<double>(events);
    return absl::OkStatus();
  }
  // Until the bucket holds a token again.
  const auto wait = std::chrono::milliseconds(
      static_cast<std::int64_t>(std::ceil((-b.tokens + 1) / rate_ * 1000.0)));
  *retry_after = wait;
  return absl::ResourceExhaustedError(
      absl::StrCat("principal ", principal, " appends faster than its limit of ", rate_,
                   " events per second (bursts up to ", burst_, "); retry in ", wait.count(),
                   " ms"));
}

absl::Status SubscriptionSlots::Acquire(const std::string& principal,
                                        std::unique_ptr<Lease>* lease) {
  {
    absl::MutexLock lock(&mu_);
    std::size_t& n = in_use_[principal];
    if (n >= per_principal_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("principal ", principal, " already has ", n,
                       " live subscriptions, the most one principal may hold; end one first"));
    }
    ++n;
  }
  *lease = std::make_unique<Lease>(this, principal);
  return absl::OkStatus();
}

std::size_t SubscriptionSlots::InUse(const std::string& principal) const {
  absl::MutexLock lock(&mu_);
  auto it = in_use_.find(principal);
  return it == in_use_.end() ? 0 : it->second;
}

void SubscriptionSlots::Release(const std::string& principal) {
  absl::MutexLock lock(&mu_);
  auto it = in_use_.find(principal);
  if (it == in_use_.end()) return;
  if (--it->second == 0) in_use_.erase(it);
}

}  // namespace api
