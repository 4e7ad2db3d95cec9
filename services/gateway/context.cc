#include "services/gateway/context.h"

#include <iostream>
#include <vector>

namespace gateway {

std::uint64_t Context::Register(std::weak_ptr<Closable> connection) {
  std::lock_guard l(mu_);
  std::uint64_t id = next_id_++;
  open_.emplace(id, std::move(connection));
  return id;
}

void Context::Unregister(std::uint64_t id) {
  std::lock_guard l(mu_);
  open_.erase(id);
}

void Context::CloseAll() {
  std::vector<std::weak_ptr<Closable>> copy;
  {
    std::lock_guard l(mu_);
    stopped_ = true;
    copy.reserve(open_.size());
    for (const auto& [id, weak] : open_) copy.push_back(weak);
  }
  for (const auto& weak : copy) {
    if (auto connection = weak.lock()) connection->Close();
  }
}

void Context::IfRunning(const std::function<void()>& fn) {
  std::lock_guard l(mu_);
  if (!stopped_) fn();
}

void Context::SetPoster(std::function<void(std::function<void()>)> poster) {
  std::lock_guard l(mu_);
  poster_ = std::move(poster);
}

void Context::Post(std::function<void()> fn) {
  std::lock_guard l(mu_);
  if (!stopped_ && poster_) poster_(std::move(fn));
}

bool Context::stopped() const {
  std::lock_guard l(mu_);
  return stopped_;
}

void Log(const std::string& message) {
  // One write per line so lines from different threads do not interleave.
  std::cerr << ("wijkboekd: gateway: " + message + "\n") << std::flush;
}

}  // namespace gateway
