#include "services/api/subscription_hub.h"

#include <algorithm>

#include "services/api/convert.h"

namespace api {

SubscriptionHub::SubscriptionHub(const storage::EventStore* store) : published_(store->Head()) {}

bool SubscriptionHub::Attach(LiveSink* sink, storage::Position next_position) {
  std::lock_guard l(mu_);
  if (published_ >= next_position) return false;
  sinks_.push_back(sink);
  return true;
}

void SubscriptionHub::Detach(LiveSink* sink) {
  std::lock_guard l(mu_);
  sinks_.erase(std::remove(sinks_.begin(), sinks_.end(), sink), sinks_.end());
}

void SubscriptionHub::Publish(const std::vector<storage::StoredEvent>& events) {
  if (events.empty()) return;
  std::lock_guard l(mu_);
  published_ = events.back().position;
  if (sinks_.empty()) return;  // nobody listens: skip the conversion
  std::vector<EventMessage> messages;
  messages.reserve(events.size());
  for (const auto& e : events) {
    auto m = std::make_shared<wijkboek::v1::SubscribeResponse>();
    // A payload that does not parse was written by this very process a moment ago; sending the
    // envelope without it is better than stopping every subscriber.
    (void)ToProto(e, m->mutable_event());
    messages.push_back(std::move(m));
  }
  std::erase_if(sinks_, [&](LiveSink* s) { return !s->OnLive(messages); });
}

void SubscriptionHub::Close() {
  closing_.store(true, std::memory_order_release);
  std::lock_guard l(mu_);
  for (LiveSink* s : sinks_) s->OnClose();
}

std::size_t SubscriptionHub::attached() const {
  std::lock_guard l(mu_);
  return sinks_.size();
}

}  // namespace api
