#include "services/api/background_calls.h"

namespace api {

BackgroundCalls::~BackgroundCalls() {
  std::list<Worker> workers;
  {
    absl::MutexLock lock(&mu_);
    workers.swap(workers_);
  }
  for (Worker& worker : workers) worker.thread.join();
}

void BackgroundCalls::ReapLocked() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (!it->done) {
      ++it;
      continue;
    }
    // `done` is set as the work's last step, so this join waits for a thread that is returning.
    it->thread.join();
    it = workers_.erase(it);
  }
}

bool BackgroundCalls::TryRun(std::function<void()> work) {
  absl::MutexLock lock(&mu_);
  ReapLocked();
  if (static_cast<int>(workers_.size()) >= max_running_) return false;
  Worker& worker = workers_.emplace_back();
  worker.thread = std::thread([this, &worker, work = std::move(work)] {
    work();
    absl::MutexLock done_lock(&mu_);
    worker.done = true;
  });
  return true;
}

}  // namespace api
