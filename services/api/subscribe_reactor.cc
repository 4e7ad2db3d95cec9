#include "services/api/subscribe_reactor.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "services/api/convert.h"

namespace api {

using wijkboek::v1::Event;
using wijkboek::v1::SubscribeResponse;

SubscribeReactor::SubscribeReactor(const storage::EventStore* store, SubscriptionHub* hub,
                                   const wijkboek::v1::SubscribeRequest& request,
                                   SubscribeLimits limits,
                                   std::unique_ptr<SubscriptionSlots::Lease> lease)
    : store_(store),
      hub_(hub),
      prefixes_(request.filter().stream_prefixes().begin(), request.filter().stream_prefixes().end()),
      types_(request.filter().event_types().begin(), request.filter().event_types().end()),
      limits_(limits),
      batch_events_(std::min(request.batch_events(), kMaxSubscribeBatchEvents)),
      lease_(std::move(lease)) {
  // from_position 0: only events committed after this moment.
  next_ = request.from_position() == 0 ? store->Head() + 1 : request.from_position();
  reported_ = next_ - 1;
  reported_at_ = std::chrono::steady_clock::now();
  pumping_ = true;
  Pump();
}

bool SubscribeReactor::Matches(const Event& e) const {
  bool stream_ok = prefixes_.empty();
  for (const auto& p : prefixes_) stream_ok = stream_ok || absl::StartsWith(e.stream(), p);
  if (!stream_ok) return false;
  if (types_.empty()) return true;
  for (const auto& t : types_) {
    if (e.type() == t) return true;
  }
  return false;
}

EventMessage SubscribeReactor::Marker(bool caught_up, storage::Position position) {
  auto m = std::make_shared<SubscribeResponse>();
  if (caught_up) {
    m->set_caught_up(position);
  } else {
    m->set_checkpoint(position);
  }
  return m;
}

absl::Status SubscribeReactor::ReadHistory(storage::Position from) {
  absl::Status inner;
  absl::Status s = store_->ScanAll(from, false, [&](const storage::StoredEvent& e) {
    auto m = std::make_shared<SubscribeResponse>();
    if (batch_events_ > 0) {
      ToProtoForwarding(e, m->mutable_event());  // only forwarded: leave the payload as bytes
    } else {
      inner = ToProto(e, m->mutable_event());
      if (!inner.ok()) return false;
    }
    history_.push_back(std::move(m));
    return history_.size() < std::max(limits_.catch_up_batch, batch_events_);
  });
  return s.ok() ? inner : s;
}

std::optional<SubscribeReactor::Step> SubscribeReactor::CheckpointLocked(bool force_due) {
  storage::Position examined = next_ - 1;
  if (examined <= reported_) return std::nullopt;
  auto now = std::chrono::steady_clock::now();
  bool due = force_due || examined - reported_ >= limits_.checkpoint_every ||
             now - reported_at_ >= limits_.checkpoint_interval;
  if (!due) return std::nullopt;
  reported_ = examined;
  reported_at_ = now;
  return Step{Marker(false, examined), std::nullopt};
}

std::optional<SubscribeReactor::Step> SubscribeReactor::TakeLocked(
    std::deque<EventMessage>& source) {
  std::shared_ptr<SubscribeResponse> batch;
  std::size_t batch_bytes = 0;
  while (!source.empty()) {
    EventMessage m = std::move(source.front());
    source.pop_front();
    storage::Position p = m->event().position();
    if (p < next_) continue;  // live copy of an event already delivered from history
    next_ = p + 1;
    if (!Matches(m->event())) continue;
    reported_ = p;
    reported_at_ = std::chrono::steady_clock::now();
    if (batch_events_ == 0) return Step{std::move(m), std::nullopt};
    if (!batch) batch = std::make_shared<SubscribeResponse>();
    Event* added = batch->mutable_events()->add_events();
    if (&source == &history_) {
      // History messages are this call's own (ReadHistory made them, non-const, and nobody else
      // holds them): take the event instead of copying it. Live ones are shared with other
      // subscribers and copied.
      added->Swap(const_cast<SubscribeResponse*>(m.get())->mutable_event());
    } else {
      *added = m->event();
    }
    batch_bytes += added->ByteSizeLong();
    if (static_cast<std::size_t>(batch->events().events_size()) >= batch_events_ ||
        batch_bytes >= kSubscribeBatchBytes) {
      break;
    }
  }
  if (batch) return Step{std::move(batch), std::nullopt};
  return CheckpointLocked(false);
}

SubscribeReactor::Step SubscribeReactor::NextLocked(std::unique_lock<std::mutex>& l) {
  for (;;) {
    if (cancelled_) return Step{nullptr, grpc::Status::CANCELLED};
    if (hub_->closing()) {
      return Step{nullptr, grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                        "server is shutting down; resubscribe from the last "
                                        "position you received")};
    }
    if (live_ && overflowed_) {
      // The hub detached us because the client fell behind: read storage from where we are.
      live_ = false;
      overflowed_ = false;
      queue_.clear();
    }
    if (live_) {
      if (auto step = TakeLocked(queue_)) return *step;
      return Step{};  // idle until the hub has more
    }
    if (!history_.empty()) {
      if (auto step = TakeLocked(history_)) return *step;
      continue;
    }
    storage::Position from = next_;
    l.unlock();
    absl::Status s = ReadHistory(from);
    bool attached = false;
    if (s.ok() && history_.empty()) attached = hub_->Attach(this, from);
    l.lock();
    if (!s.ok()) return Step{nullptr, ToGrpc(s)};
    if (history_.empty() && attached) {
      live_ = true;
      if (!sent_caught_up_) {
        // History is complete up to here: the head when we attached, or just before the
        // requested start if that lies beyond the head.
        sent_caught_up_ = true;
        storage::Position upto = std::min<storage::Position>(next_ - 1, store_->Head());
        reported_ = upto;
        reported_at_ = std::chrono::steady_clock::now();
        return Step{Marker(true, upto), std::nullopt};
      }
    }
  }
}

void SubscribeReactor::Pump() {
  std::unique_lock l(mu_);
  Step step = NextLocked(l);
  if (step.finish) {
    finished_ = true;
    l.unlock();
    Finish(*step.finish);
    return;
  }
  if (!step.message) {
    pumping_ = false;
    return;
  }
  in_flight_ = std::move(step.message);
  l.unlock();
  StartWrite(in_flight_.get());
}

void SubscribeReactor::OnWriteDone(bool ok) {
  std::unique_lock l(mu_);
  in_flight_.reset();
  if (!ok) {
    // The stream broke (client gone); OnCancel follows or came already.
    if (finished_) return;
    finished_ = true;
    l.unlock();
    Finish(grpc::Status::CANCELLED);
    return;
  }
  l.unlock();
  Pump();
}

void SubscribeReactor::OnCancel() {
  std::unique_lock l(mu_);
  cancelled_ = true;
  if (pumping_ || finished_) return;  // the pump owner sees cancelled_ and finishes
  pumping_ = true;
  l.unlock();
  Pump();
}

bool SubscribeReactor::OnLive(const std::vector<EventMessage>& events) {
  std::unique_lock l(mu_);
  if (finished_) return false;
  // An idle subscriber takes the whole group (bounded by the store's group size); a busy one that
  // already holds a full queue falls back to storage.
  if (!queue_.empty() && queue_.size() + events.size() > limits_.live_queue) {
    overflowed_ = true;
    queue_.clear();
    return false;
  }
  queue_.insert(queue_.end(), events.begin(), events.end());
  if (pumping_) return true;
  pumping_ = true;
  l.unlock();
  Pump();  // live: only pops the queue, never reads storage
  return true;
}

void SubscribeReactor::OnClose() {
  std::unique_lock l(mu_);
  if (pumping_ || finished_) return;
  pumping_ = true;
  l.unlock();
  Pump();
}

void SubscribeReactor::OnDone() {
  hub_->Detach(this);
  delete this;
}

}  // namespace api
