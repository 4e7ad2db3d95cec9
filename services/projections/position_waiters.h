#pragma once
// Private to projections/: the projector's position, and everyone waiting for it to reach a value,
// blocking (WaitFor) or with a callback (NotifyWhen), each bounded by a deadline.
//
// Owner: Projector::Impl. Threads: every method from any thread. Callbacks run outside the lock:
// done(true) on the thread that calls Advance, done(false) on the timer thread (or inline when the
// answer is known at once). Each callback runs exactly once.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

namespace projections {

class PositionWaiters {
 public:
  using Clock = std::chrono::steady_clock;

  PositionWaiters();  // starts the timer thread
  ~PositionWaiters();  // Close()
  PositionWaiters(const PositionWaiters&) = delete;
  PositionWaiters& operator=(const PositionWaiters&) = delete;

  std::uint64_t position() const { return position_.load(std::memory_order_acquire); }
  // Sets the position (it may go back, for a rebuild) and answers the callbacks it satisfies.
  void Advance(std::uint64_t position);

  bool WaitFor(std::uint64_t position, Clock::time_point deadline) const;
  void NotifyWhen(std::uint64_t position, Clock::time_point deadline,
                  std::function<void(bool)> done);

  // Answers every pending callback (true if reached, else false) and stops the timer. Later
  // NotifyWhen calls are answered at once. Idempotent.
  void Close();

 private:
  struct Waiter {
    std::uint64_t position;
    Clock::time_point deadline;
    std::function<void(bool)> done;
  };
  void RunTimer();

  std::atomic<std::uint64_t> position_{0};  // written under mu_, read anywhere
  mutable std::mutex mu_;
  mutable std::condition_variable reached_;  // WaitFor sleeps here
  std::condition_variable timer_wake_;
  std::list<Waiter> waiters_;  // guarded by mu_
  bool closed_ = false;        // guarded by mu_
  std::thread timer_;          // last: started once the rest is initialised
};

}  // namespace projections
