#pragma once
// The HTTP edge of wijkboekd: a read-only JSON API over the views, a live feed of committed events
// as Server-Sent Events, browser login with the same bearer tokens, and the built web app.
//
// Endpoints (GET unless noted; see README.md for parameters and answers):
//   /api/v1/programme, /partners, /partners/{id}, /actions, /actions/{id}, /collaboration, /kpis,
//   /agenda, /funds, /ownership-gaps, /project-book   the Views queries, as protobuf JSON
//   /api/v1/events/live        Server-Sent Events: id = position, data = the event as JSON
//   /healthz                   200 when the log is open and the views keep up, else 503
//   /login (GET form, POST token → cookie), /logout
//   anything else              the web app from web_root (index.html for client-side routes)
//
// Threads and ownership: the Gateway owns an io_context run by `threads` threads. Every
// connection lives on its own strand with at most one write in flight; connections are owned by
// their pending asynchronous operations (shared_ptr), and the gateway keeps only weak references
// to close them on Stop. Start and Stop are called from the owning thread; address() after Start.
//
// Limits: max_connections (more are answered 503 and closed), header_limit (431) and body_limit
// (413), idle_timeout between requests and for a whole request to arrive, write_timeout for each
// write. A live-feed client that falls more than sse_queue_events behind is detached from the
// hub and catches up from storage again (like the gRPC Subscribe), so it never holds more than
// that queue; one that does not accept a write within write_timeout is disconnected.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"

namespace api {
class SubscriptionHub;
}
namespace auth {
class Authenticator;
}
namespace projections {
class Projector;
}
namespace storage {
class EventStore;
}

namespace gateway {

struct Options {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  bool anonymous_read = false;            // unauthenticated GETs may read (a public screen)
  std::string web_root;  // the built web app; empty or without index.html: placeholder
  std::size_t max_connections = 1024;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds write_timeout{30};
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 64 * 1024;
  int threads = 2;
  // min_position waits at most this long (then 504).
  std::chrono::milliseconds max_position_wait{10000};
  // A time-travel request (as_of_*) may take this long to fold the log (then 504).
  std::chrono::milliseconds max_replay_wait{120000};
  // Live feed: a comment every this often when nothing else was written.
  std::chrono::milliseconds sse_heartbeat{15000};
  std::size_t sse_queue_events = 4096;
  // /healthz answers 503 when the views are more than this many events behind the log.
  std::uint64_t health_max_lag = 10000;
  bool secure_cookies = false;  // add Secure to the session cookie (behind TLS)
  // Failed logins one client address may make per minute before it must wait (0: no limit).
  std::size_t login_failures_per_minute = 10;
};

class Gateway {
 public:
  // Everything borrowed must outlive the Gateway (or at least its Stop()).
  Gateway(Options options, projections::Projector* projector, const storage::EventStore* store,
          api::SubscriptionHub* hub, const auth::Authenticator* auth);
  ~Gateway();  // Stop()s
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Binds and starts serving. UNAVAILABLE when the address cannot be bound, INVALID_ARGUMENT when
  // it is not HOST:PORT.
  [[nodiscard]] absl::Status Start();
  // Stops accepting, ends live feeds and open connections, joins the threads. Idempotent.
  void Stop();

  // The bound address as HOST:PORT (the real port when listen asked for 0).
  const std::string& address() const { return address_; }
  // Open connections (including live feeds), for tests and metrics.
  std::size_t connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string address_;
};

}  // namespace gateway
