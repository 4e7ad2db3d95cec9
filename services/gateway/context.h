#pragma once
// What every connection of one Gateway shares: the borrowed services, the options, the static
// file cache, the JSON cache of the live feed, and the registry used to close connections on
// Stop. Internal to services/gateway.
//
// Lifetime: owned by the Gateway through a shared_ptr, and held by every connection, so a
// connection destroyed late (its last handler destroyed with the io_context) still finds it.
// Threads: the pointers and options are immutable after construction; the rest says its rule.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "services/gateway/frame_cache.h"
#include "services/gateway/gateway.h"
#include "services/gateway/login_throttle.h"
#include "services/gateway/static_files.h"

namespace gateway {

// A connection the gateway can ask to close (from any thread; the close runs on its strand).
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void Close() = 0;
};

class Context {
 public:
  Context(Options options, projections::Projector* projector, const storage::EventStore* store,
          api::SubscriptionHub* hub, const auth::Authenticator* auth)
      : options(std::move(options)),
        projector(projector),
        store(store),
        hub(hub),
        auth(auth),
        static_files(this->options.web_root),
        login_throttle(this->options.login_failures_per_minute, std::chrono::seconds(60)) {}

  const Options options;
  projections::Projector* const projector;
  const storage::EventStore* const store;
  api::SubscriptionHub* const hub;
  const auth::Authenticator* const auth;
  StaticFiles static_files;
  FrameCache frames;
  LoginThrottle login_throttle;

  // Open connections (HTTP sessions and live feeds), counted by ConnectionSlot.
  std::atomic<std::size_t> connections{0};

  // Registers a connection to be closed by CloseAll; returns the id to Unregister with.
  std::uint64_t Register(std::weak_ptr<Closable> connection);
  void Unregister(std::uint64_t id);
  // Marks the gateway stopped and closes every registered connection. The list is copied under
  // the lock and closed outside it, so a connection may unregister itself meanwhile.
  void CloseAll();

  // Runs `fn` under the registry lock only while the gateway runs: for code on other threads
  // (the hub's OnLive) that posts to the io_context, which may be gone once CloseAll ran. `fn`
  // must not drop the last reference to a connection (its destructor takes this lock).
  void IfRunning(const std::function<void()>& fn);
  // Set by the Gateway before it serves: how to post to its io_context.
  void SetPoster(std::function<void(std::function<void()>)> poster);
  // Posts `fn` to the io_context unless the gateway stopped; for callbacks that arrive from
  // other threads and may outlive the io_context (the projector's NotifyWhen). `fn` should hold
  // connections only by weak_ptr, so dropping it never destroys one on a foreign thread.
  void Post(std::function<void()> fn);
  bool stopped() const;

 private:
  mutable std::mutex mu_;
  std::map<std::uint64_t, std::weak_ptr<Closable>> open_;  // guarded by mu_
  std::uint64_t next_id_ = 1;                              // guarded by mu_
  bool stopped_ = false;                                   // guarded by mu_
  std::function<void(std::function<void()>)> poster_;      // guarded by mu_
};

// Counts one open connection for as long as it lives.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(Context* context) : context_(context) { ++context_->connections; }
  ~ConnectionSlot() { --context_->connections; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  Context* context_;
};

// One line to stderr, prefixed "wijkboekd: gateway: ".
void Log(const std::string& message);

}  // namespace gateway
