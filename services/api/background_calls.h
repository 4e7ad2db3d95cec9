#pragma once
// Runs slow unary calls (a Verify over the whole log) on threads of their own, so that gRPC's
// callback threads only start them, and bounds how many run at once.
//
// Ownership: the service that starts the calls owns this; its destructor joins every thread, so
// whatever the work borrows must outlive it. The gRPC server must have drained (every call
// finished) before that, which is what keeps the destructor from waiting long: each piece of work
// ends its call, and a cancelled call (shutdown past its grace period) is expected to stop early.
// Threads: TryRun from any thread.
#include <functional>
#include <list>
#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace api {

class BackgroundCalls {
 public:
  explicit BackgroundCalls(int max_running) : max_running_(max_running) {}
  ~BackgroundCalls();
  BackgroundCalls(const BackgroundCalls&) = delete;
  BackgroundCalls& operator=(const BackgroundCalls&) = delete;

  // Starts `work` on a new thread, unless max_running pieces of work are still running: then
  // returns false and `work` is not run.
  [[nodiscard]] bool TryRun(std::function<void()> work);

 private:
  struct Worker {
    std::thread thread;
    bool done = false;  // guarded by mu_
  };
  // Joins the threads whose work has ended.
  void ReapLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int max_running_;
  absl::Mutex mu_;
  std::list<Worker> workers_ ABSL_GUARDED_BY(mu_);  // a list: a Worker never moves once started
};

}  // namespace api
