#pragma once
// One Subscribe call: history from storage, one caught_up marker, then live events from the hub.
//
// Ownership: gRPC owns the reactor; it deletes itself in OnDone, after detaching from the hub.
// Threads: "pump ownership" (pumping_) is held by exactly one thread at a time; only that thread
// reads storage, picks the next message and starts a write. At most one write is in flight.
// Everything shared with the hub's thread is guarded by mu_. Finish and StartWrite are called
// outside mu_.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "services/api/limits.h"
#include "services/api/subscription_hub.h"
#include "storage/event_store.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace api {

struct SubscribeLimits {
  std::size_t catch_up_batch = 256;    // events read from storage at a time
  std::size_t live_queue = 4096;       // events queued for a slow subscriber before it falls back
  std::uint64_t checkpoint_every = 256;  // positions examined without a message
  std::chrono::milliseconds checkpoint_interval{2000};
};

// SubscribeRequest.batch_events is capped at this many events per batch; a batch also stops
// growing once its events hold about kSubscribeBatchBytes.
inline constexpr std::uint32_t kMaxSubscribeBatchEvents = 4096;
inline constexpr std::size_t kSubscribeBatchBytes = 1u << 20;

class SubscribeReactor final : public grpc::ServerWriteReactor<wijkboek::v1::SubscribeResponse>,
                               public LiveSink {
 public:
  // `store` and `hub` must outlive the call.
  // `lease` (may be null) is held until the call is done: the principal's subscription slot.
  SubscribeReactor(const storage::EventStore* store, SubscriptionHub* hub,
                   const wijkboek::v1::SubscribeRequest& request, SubscribeLimits limits,
                   std::unique_ptr<SubscriptionSlots::Lease> lease = nullptr);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;
  bool OnLive(const std::vector<EventMessage>& events) override;
  void OnClose() override;

 private:
  // What the pump decided: write `message`, finish with `status`, or go idle (neither).
  struct Step {
    EventMessage message;
    std::optional<grpc::Status> finish;
  };

  void Pump();                                     // requires pump ownership; releases it
  Step NextLocked(std::unique_lock<std::mutex>& l);  // may unlock to read storage
  // The next matching event from `source` (history_ or queue_) (batched: the next matching
  // events, up to batch_events_), else a due checkpoint.
  std::optional<Step> TakeLocked(std::deque<EventMessage>& source);
  std::optional<Step> CheckpointLocked(bool force_due);
  [[nodiscard]] absl::Status ReadHistory(storage::Position from);
  bool Matches(const wijkboek::v1::Event& e) const;
  EventMessage Marker(bool caught_up, storage::Position position);

  const storage::EventStore* store_;
  SubscriptionHub* hub_;
  const std::vector<std::string> prefixes_;
  const std::vector<std::string> types_;
  const SubscribeLimits limits_;
  const std::size_t batch_events_;  // 0: one event per message; else up to this many per batch
  const std::unique_ptr<SubscriptionSlots::Lease> lease_;

  std::mutex mu_;
  bool pumping_ = false;                  // guarded by mu_
  bool finished_ = false;                 // guarded by mu_: Finish was called
  bool cancelled_ = false;                // guarded by mu_
  bool live_ = false;                     // guarded by mu_: attached to the hub
  bool overflowed_ = false;               // guarded by mu_: hub detached us; catch up again
  std::deque<EventMessage> queue_;        // guarded by mu_: live events not yet examined
  storage::Position next_ = 1;            // guarded by mu_: next position to examine
  storage::Position reported_ = 0;        // guarded by mu_: last position told to the client
  std::chrono::steady_clock::time_point reported_at_;  // guarded by mu_
  bool sent_caught_up_ = false;           // pump owner only
  std::deque<EventMessage> history_;      // pump owner only
  EventMessage in_flight_;                // pump owner only: kept alive until OnWriteDone
};

}  // namespace api
