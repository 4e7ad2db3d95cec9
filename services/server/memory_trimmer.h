#pragma once
// Hands memory that malloc holds free back to the kernel, every few seconds.
//
// glibc keeps freed memory in its arenas unless it lies at the very top of one. A large answer
// (GetAction of an action with 300,000 results builds ~100 MB of messages) leaves RSS that high
// long after it was sent: with 10 million events, a freshly restarted wijkboekd went from 81 to
// 301 MiB with one such GetAction and stayed there; malloc_trim(0) brought it to 91 MiB. The
// trimmer calls malloc_trim(0) on a thread of its own; each call takes milliseconds and briefly
// holds malloc's arena locks.
//
// Threads: Start and Stop from the owner's thread; Stop is idempotent and runs in the destructor.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace server {

class MemoryTrimmer {
 public:
  explicit MemoryTrimmer(std::chrono::milliseconds interval) : interval_(interval) {}
  ~MemoryTrimmer() { Stop(); }
  MemoryTrimmer(const MemoryTrimmer&) = delete;
  MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

  void Start();
  void Stop();

 private:
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace server
