#include "services/projections/position_waiters.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace projections {

PositionWaiters::PositionWaiters() : timer_([this] { RunTimer(); }) {}

PositionWaiters::~PositionWaiters() { Close(); }

void PositionWaiters::Advance(std::uint64_t position) {
  std::vector<std::function<void(bool)>> reached;
  {
    // Stored under the lock so that a WaitFor between its check and its sleep cannot miss it.
    std::lock_guard<std::mutex> lock(mu_);
    position_.store(position, std::memory_order_release);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->position <= position) {
        reached.push_back(std::move(it->done));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  reached_.notify_all();
  for (auto& done : reached) done(true);
}

bool PositionWaiters::WaitFor(std::uint64_t position, Clock::time_point deadline) const {
  std::unique_lock<std::mutex> lock(mu_);
  return reached_.wait_until(lock, deadline, [&] { return position_.load() >= position; });
}

void PositionWaiters::NotifyWhen(std::uint64_t position, Clock::time_point deadline,
                                 std::function<void(bool)> done) {
  std::optional<bool> now;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (position_.load() >= position) {
      now = true;
    } else if (closed_ || deadline <= Clock::now()) {
      now = false;
    } else {
      waiters_.push_back(Waiter{position, deadline, std::move(done)});
    }
  }
  if (now) {
    done(*now);
  } else {
    timer_wake_.notify_one();  // the new deadline may be the earliest
  }
}

void PositionWaiters::Close() {
  std::list<Waiter> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    pending.swap(waiters_);
  }
  timer_wake_.notify_one();
  if (timer_.joinable()) timer_.join();
  const std::uint64_t reached = position();
  for (Waiter& w : pending) w.done(w.position <= reached);
}

// Sleeps until the earliest deadline, then answers every expired waiter with false.
void PositionWaiters::RunTimer() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!closed_) {
    if (waiters_.empty()) {
      timer_wake_.wait(lock);
      continue;
    }
    Clock::time_point earliest = Clock::time_point::max();
    for (const Waiter& w : waiters_) earliest = std::min(earliest, w.deadline);
    if (Clock::now() < earliest) {
      timer_wake_.wait_until(lock, earliest);
      continue;
    }
    std::vector<std::function<void(bool)>> expired;
    const Clock::time_point now = Clock::now();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->deadline <= now) {
        expired.push_back(std::move(it->done));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
    lock.unlock();
    for (auto& done : expired) done(false);
    lock.lock();
  }
}

}  // namespace projections
