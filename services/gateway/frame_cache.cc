#include "services/gateway/frame_cache.h"

#include "services/gateway/sse_format.h"

namespace gateway {

std::shared_ptr<const EventFrame> FrameCache::Find(std::uint64_t position) {
  std::lock_guard l(mu_);
  const auto& slot = slots_[position % slots_.size()];
  if (slot && slot->position == position) return slot;
  return nullptr;
}

std::shared_ptr<const EventFrame> FrameCache::Get(const wijkboek::v1::Event& event) {
  if (auto hit = Find(event.position())) return hit;
  // Printed outside the lock: two feeds missing at once both print, and one copy wins.
  auto frame = std::make_shared<EventFrame>();
  frame->position = event.position();
  frame->stream = event.stream();
  frame->type = event.type();
  frame->json = EventJson(event);
  std::lock_guard l(mu_);
  slots_[event.position() % slots_.size()] = frame;
  return frame;
}

}  // namespace gateway
