#pragma once
// What one client may ask of the server: request sizes, the append rate and the number of live
// subscriptions, per principal. Every limit has a flag in wijkboekd (README.md lists them).
//
// Threads: AppendRateLimiter and SubscriptionSlots may be used from any thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/domain/schema.h"

namespace api {

struct RequestLimits {
  std::size_t max_events_per_append = 1000;
  std::size_t max_payload_bytes = 64 * 1024;  // one event's serialised payload
  std::size_t max_string_bytes = domain::kDefaultMaxStringBytes;  // any one text field
  std::size_t max_metadata_entries = 32;      // per event
  std::size_t max_metadata_bytes = 1024;      // one key or value
};

// A token bucket per principal: `rate` events per second on average, up to `burst` at once. A
// request is let through while the principal's bucket is not empty and then takes all its
// events, so one large batch is never refused for its size alone; the debt is paid by waiting.
class AppendRateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // rate 0: no limit.
  AppendRateLimiter(double events_per_second, double burst, Clock clock = nullptr);

  // OK (the events are taken), or RESOURCE_EXHAUSTED saying how long to wait; *retry_after is
  // then that wait.
  [[nodiscard]] absl::Status Take(const std::string& principal, std::size_t events,
                                  std::chrono::milliseconds* retry_after);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  const double rate_;
  const double burst_;
  Clock clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

// At most `per_principal` live subscriptions for each principal. A slot is held by the
// subscription and given back when it ends (the Lease's destructor).
class SubscriptionSlots {
 public:
  explicit SubscriptionSlots(std::size_t per_principal) : per_principal_(per_principal) {}

  class Lease;
  // A lease, or RESOURCE_EXHAUSTED naming the cap.
  [[nodiscard]] absl::Status Acquire(const std::string& principal, std::unique_ptr<Lease>* lease);
  std::size_t InUse(const std::string& principal) const;

 private:
  void Release(const std::string& principal);

  const std::size_t per_principal_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::size_t> in_use_ ABSL_GUARDED_BY(mu_);
};

class SubscriptionSlots::Lease {
 public:
  Lease(SubscriptionSlots* slots, std::string principal)
      : slots_(slots), principal_(std::move(principal)) {}
  ~Lease() { slots_->Release(principal_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

 private:
  SubscriptionSlots* slots_;
  std::string principal_;
};

}  // namespace api
