#pragma once
// wijkboekd's wiring: opens the data directory, the store, the views and the credentials, and
// serves gRPC.
//
// Startup order, and why: the store opens first (without rules); the projector loads its snapshot
// and folds the rest of the log; the rules gate starts from the projector's domain state, which is
// then exactly the committed log, and is installed with EventStore::SetGate before anything can
// append; only then does gRPC serve. The store's commit listener feeds both the subscription hub
// and the projector.
//
// Lifecycle: Start() once, then Shutdown() once (from the thread that handles signals); the
// destructor closes storage after the gRPC server has drained.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "services/api/admin_service.h"
#include "services/api/event_log_service.h"
#include "services/api/rules_gate.h"
#include "services/api/subscription_hub.h"
#include "services/api/views_service.h"
#include "services/audit/head_publisher.h"
#include "services/audit/head_signer.h"
#include "services/auth/authenticator.h"
#include "services/gateway/gateway.h"
#include "services/projections/projector.h"
#include "services/server/health_watcher.h"
#include "services/server/memory_trimmer.h"
#include "services/server/transport_security.h"
#include "storage/event_store.h"

namespace server {

struct Config {
  std::string data_dir = "wijkboek-data";
  std::string grpc_listen = "127.0.0.1:50051";
  int shutdown_grace_seconds = 10;
  // Throw the persisted views away and fold the whole log again before serving (progress on
  // stderr), e.g. after a change to how views are folded.
  bool rebuild_views = false;
  // The HTTP gateway (dashboard, JSON API, live feed); its bound address goes to
  // <data-dir>/http.addr.
  std::string http_listen = "127.0.0.1:8080";
  bool http_anonymous_read = false;
  // Mark the login cookie Secure: the dashboard is reached over HTTPS through a TLS-terminating
  // proxy.
  std::string web_root;  // the built web app; missing: a placeholder page
  std::size_t http_max_connections = 1024;
  int http_idle_timeout_seconds = 60;
  int http_write_timeout_seconds = 30;
  bool http_secure_cookie = false;
  std::size_t http_login_failures_per_minute = 10;
  // What one client may ask: request sizes, append rate and subscriptions per principal.
  api::EventLogLimits limits;
  int max_message_bytes = 4 * 1024 * 1024;  // largest gRPC request accepted
  // gRPC over TLS when tls.cert and tls.key are given; mutual TLS with tls.client_ca.
  TlsFiles tls;
  // Serve plaintext gRPC or HTTP on addresses other than loopback (transport_security.h).
  bool allow_insecure = false;
  // Sign the head this often when it moved, appending to <data-dir>/signed-heads.jsonl (also once
  // at start and at shutdown); 0 turns the periodic signing off.
  int sign_heads_every_seconds = 60;
  // Readiness (grpc.health.v1, /healthz, wijkboek_ready): the views may be this many events
  // behind the log's head.
  std::uint64_t health_max_lag = 10000;
};

class Server {
 public:
  explicit Server(Config config) : config_(std::move(config)) {}
  ~Server();

  // Opens everything and starts serving. Errors name what could not be opened or bound.
  [[nodiscard]] absl::Status Start();
  // Stops accepting, ends subscriptions, lets accepted calls finish (bounded by the grace
  // period), then stops the projector (which snapshots the views). Returns when all of that is
  // done; the destructor then lets the writer drain and closes storage.
  void Shutdown();

  const std::string& grpc_address() const { return grpc_address_; }
  const std::string& http_address() const { return http_address_; }
  // The views, for the Views service and for reporting; valid after Start() succeeded, until the
  // Server is destroyed.
  projections::Projector* projector() const { return projector_.get(); }
  bool admin_token_created() const { return admin_token_created_; }

 private:
  // The head-signing key (made on first start), GetSignedHead, and the periodic signed heads.
  [[nodiscard]] absl::Status StartHeadSigning();

  Config config_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<api::RulesGate> gate_;  // used by the store's writer: outlives store_
  std::unique_ptr<storage::EventStore> store_;
  std::unique_ptr<projections::Projector> projector_;
  std::unique_ptr<api::SubscriptionHub> hub_;
  std::unique_ptr<api::EventLogService> event_log_;
  std::unique_ptr<api::AdminService> admin_;
  std::unique_ptr<api::ViewsService> views_;
  std::unique_ptr<gateway::Gateway> gateway_;  // borrows the store, projector, hub and auth
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<HealthWatcher> health_;  // sets grpc_'s health statuses; stops before them
  std::unique_ptr<audit::HeadSigner> head_signer_;  // <data-dir>/head-signing.key
  std::unique_ptr<MemoryTrimmer> memory_trimmer_;  // malloc_trim every few seconds
  std::unique_ptr<audit::HeadPublisher> head_publisher_;  // reads the store: stops before it closes
  std::string grpc_address_;
  std::string http_address_;
  bool admin_token_created_ = false;
};

}  // namespace server
