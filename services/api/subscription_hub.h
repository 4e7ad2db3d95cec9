#pragma once
// Live fan-out of committed events to subscribers.
//
// The store calls Publish on its writer thread after every durable group, in position order. The
// hub converts the group once and hands the same immutable messages to every attached sink.
// A subscriber reads history from storage itself and attaches only once it has read everything
// committed; Attach refuses when events at or after the subscriber's next position were already
// published, so the subscriber reads storage again and tries anew. That handshake under the hub's
// lock is what makes the catch-up/live switch free of gaps and duplicates.
//
// Bounded: a sink that cannot keep up tells the hub to detach it and goes back to reading storage;
// nothing is buffered without limit.
//
// Threads: all methods are safe from any thread. Sinks are called under the hub's lock.
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/event_store.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace api {

// One message ready to send: a SubscribeResponse holding one event. Shared by all subscribers.
using EventMessage = std::shared_ptr<const wijkboek::v1::SubscribeResponse>;

class LiveSink {
 public:
  virtual ~LiveSink() = default;
  // A group of committed events, in position order. Called under the hub's lock, on the writer
  // thread: must not block and must not call into the hub. Return false to be detached (the sink
  // overflowed and will catch up from storage).
  virtual bool OnLive(const std::vector<EventMessage>& events) = 0;
  // The server is shutting down; end the stream.
  virtual void OnClose() = 0;
};

class SubscriptionHub {
 public:
  // `store` must outlive the hub. The hub starts as if everything up to the store's head had been
  // published already.
  explicit SubscriptionHub(const storage::EventStore* store);

  // Attaches `sink` if no event at or after `next_position` has been published yet, so the sink
  // will see every event from `next_position` on. Returns false otherwise: read storage again.
  // The sink must be detached before it is destroyed.
  [[nodiscard]] bool Attach(LiveSink* sink, storage::Position next_position);
  void Detach(LiveSink* sink);

  // Called by the store's commit listener.
  void Publish(const std::vector<storage::StoredEvent>& events);

  // Ends every attached stream and makes subscribers that are still catching up end theirs.
  void Close();
  bool closing() const { return closing_.load(std::memory_order_acquire); }

  std::size_t attached() const;

 private:
  mutable std::mutex mu_;
  std::vector<LiveSink*> sinks_;            // guarded by mu_
  storage::Position published_ = 0;         // guarded by mu_: last position handed to sinks
  std::atomic<bool> closing_{false};
};

}  // namespace api
