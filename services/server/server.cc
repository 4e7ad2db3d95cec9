#include "services/server/server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "services/api/parse_error_interceptor.h"
#include "services/api/request_log_interceptor.h"
#include "services/api/audit_handlers.h"

namespace server {
namespace {

// The bound address, for tools that start the server on port 0. Written through a temp file and
// a rename so a reader never sees half of it.
void WriteAddressFile(const std::string& data_dir, const std::string& address,
                      const std::string& name = "grpc.addr") {
  std::string tmp = data_dir + "/" + name + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << address << "\n";
  }
  std::filesystem::rename(tmp, data_dir + "/" + name);
}

std::string HostOf(const std::string& listen) {
  auto colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
}

// --rebuild-views: folds the whole log again, telling the operator how far it is every few
// seconds (a rebuild of a million events takes tens of seconds).
absl::Status RebuildViews(projections::Projector& projector) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  Clock::time_point last_report = start;
  const auto rate = [&](std::uint64_t events) {
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return seconds > 0 ? static_cast<std::uint64_t>(events / seconds) : 0;
  };
  std::cerr << "wijkboekd: rebuilding the views from position 1" << std::endl;
  absl::Status s = projector.Rebuild([&](std::uint64_t position, std::uint64_t head) {
    if (Clock::now() - last_report < std::chrono::seconds(2)) return;
    last_report = Clock::now();
    std::cerr << "wijkboekd: rebuilding the views: " << position << " of " << head << " events ("
              << rate(position) << " events/s)" << std::endl;
  });
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat("rebuilding the views: ", s.message()));
  std::cerr << "wijkboekd: views rebuilt: " << projector.position() << " events in "
            << std::chrono::duration<double>(Clock::now() - start).count() << " s ("
            << rate(projector.position()) << " events/s)" << std::endl;
  return absl::OkStatus();
}

}  // namespace

absl::Status Server::Start() {
  // Refuse an insecure setup before anything is created or opened.
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(config_.tls);
  if (!credentials.ok()) return credentials.status();
  if (TransportOf(config_.tls) == Transport::kPlaintext) {
    if (absl::Status s =
            CheckPlaintextListen("--grpc-listen", config_.grpc_listen, config_.allow_insecure,
                                 "Pass --tls-cert and --tls-key to serve gRPC over TLS");
        !s.ok()) {
      return s;
    }
  }
  // The gateway has no TLS of its own: it belongs behind a TLS-terminating reverse proxy.
  if (absl::Status s = CheckPlaintextListen(
          "--http-listen", config_.http_listen, config_.allow_insecure,
          "The dashboard has no TLS of its own: put it behind a TLS-terminating reverse proxy");
      !s.ok()) {
    return s;
  }

  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", config_.data_dir, ": ", ec.message()));
  }
  ::chmod(config_.data_dir.c_str(), 0700);

  auto bootstrap = auth::LoadOrCreateBootstrapToken(config_.data_dir);
  if (!bootstrap.ok()) return bootstrap.status();
  admin_token_created_ = bootstrap->created;

  storage::Options options;
  options.path = config_.data_dir + "/log";
  auto store = storage::EventStore::Open(options);
  if (!store.ok()) return store.status();
  store_ = std::move(*store);

  // The views: the snapshot plus the events after its checkpoint (or everything, when asked).
  // Results stay on disk but for each action's newest few, so memory does not grow with them.
  projections::ProjectorOptions projector_options;
  projector_options.results_in_memory = 16;
  auto projector = projections::Projector::Open(store_.get(), projector_options);
  if (!projector.ok()) {
    return absl::Status(projector.status().code(),
                        absl::StrCat("opening the views: ", projector.status().message()));
  }
  projector_ = std::move(*projector);
  if (config_.rebuild_views) {
    if (absl::Status s = RebuildViews(*projector_); !s.ok()) return s;
  }

  // The rules decide on exactly the committed log. The store was opened without them because
  // their state comes from the projector, which needs the open store; nothing can append before
  // gRPC serves, so the projector's domain state is the whole log, and SetGate takes effect
  // before the first append.
  if (projector_->position() != store_->Head()) {
    return absl::InternalError(absl::StrCat("the views reached position ", projector_->position(),
                                            " but the log's head is ", store_->Head()));
  }
  domain::ProgrammeState state = projector_->DomainState();
  // Who may call: the principals and tokens in the log, kept current by the commit listener.
  auth_ = std::make_unique<auth::Authenticator>();
  if (absl::Status s = auth::LoadCredentials(*store_, state.PrincipalIds(), auth_.get()); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("reading principals and tokens: ", s.message()));
  }
  gate_ = std::make_unique<api::RulesGate>(std::move(state));
  store_->SetGate(gate_.get());

  hub_ = std::make_unique<api::SubscriptionHub>(store_.get());
  api::SubscriptionHub* hub = hub_.get();
  projections::Projector* views = projector_.get();
  auth::Authenticator* who = auth_.get();
  // Runs on the writer thread before the group's callers are answered: a token revoked by a
  // call is refused from the moment that call returns.
  store_->SetCommitListener(
      [hub, views, who](const std::vector<storage::StoredEvent>& events) {
        for (const storage::StoredEvent& e : events) who->Apply(e);
        hub->Publish(events);
        views->Notify();
      });
  projector_->Start();
  // First start (or a log from before principals existed): the operator's bootstrap token
  // becomes principal `admin`, in the log, so auditors see where access began.
  if (!auth_->HasPrincipal("admin")) {
    auto r = store_->Append(api::BootstrapAdminRequest("admin", bootstrap->hash));
    if (!r.ok()) {
      return absl::Status(r.status().code(),
                          absl::StrCat("registering the admin principal: ", r.status().message()));
    }
  }
  event_log_ = std::make_unique<api::EventLogService>(store_.get(), hub_.get(), auth_.get(),
                                                      config_.limits);
  admin_ = std::make_unique<api::AdminService>(store_.get(), auth_.get(), config_.data_dir);
  if (absl::Status s = StartHeadSigning(); !s.ok()) return s;
  views_ = std::make_unique<api::ViewsService>(projector_.get(), auth_.get());

  gateway::Options http;
  http.listen = config_.http_listen;
  http.anonymous_read = config_.http_anonymous_read;
  http.web_root = config_.web_root;
  http.max_connections = config_.http_max_connections;
  http.idle_timeout = std::chrono::seconds(config_.http_idle_timeout_seconds);
  http.write_timeout = std::chrono::seconds(config_.http_write_timeout_seconds);
  http.secure_cookies = config_.http_secure_cookie;
  http.login_failures_per_minute = config_.http_login_failures_per_minute;
  http.health_max_lag = config_.health_max_lag;
  gateway_ = std::make_unique<gateway::Gateway>(http, projector_.get(), store_.get(), hub_.get(),
                                                auth_.get());
  if (absl::Status s = gateway_->Start(); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(s.message(), "; choose another with --http-listen"));
  }
  http_address_ = gateway_->address();
  // Before grpc.addr, which tells waiting tools that the server is up.
  WriteAddressFile(config_.data_dir, http_address_, "http.addr");

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config_.grpc_listen, *credentials, &port);
  builder.SetMaxReceiveMessageSize(config_.max_message_bytes);
  builder.RegisterService(event_log_.get());
  builder.RegisterService(views_.get());
  builder.RegisterService(admin_.get());
  // One list: a second SetInterceptorCreators would replace it.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<api::ParseErrorInterceptorFactory>());
  // After the parse-error one, so the status it logs is the one sent.
  interceptors.push_back(std::make_unique<api::RequestLogInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  grpc_ = builder.BuildAndStart();
  if (!grpc_ || port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config_.grpc_listen,
        " (address in use or not local?); choose another with --grpc-listen"));
  }
  grpc_address_ = absl::StrCat(HostOf(config_.grpc_listen), ":", port);
  // Serving only while ready (the same readiness as /healthz), re-checked every second.
  health_ = std::make_unique<HealthWatcher>(grpc_->GetHealthCheckService(), store_.get(),
                                            projector_.get(), config_.health_max_lag);
  memory_trimmer_ = std::make_unique<MemoryTrimmer>(std::chrono::seconds(5));
  memory_trimmer_->Start();
  WriteAddressFile(config_.data_dir, grpc_address_);
  return absl::OkStatus();
}

absl::Status Server::StartHeadSigning() {
  bool created = false;
  auto signer = audit::HeadSigner::Open(config_.data_dir, &created);
  if (!signer.ok()) {
    return absl::Status(signer.status().code(),
                        absl::StrCat("opening the head-signing key: ", signer.status().message()));
  }
  head_signer_ = std::move(*signer);
  if (created) {
    std::cout << "wijkboekd: new head-signing key (id " << head_signer_->key_id() << ") in "
              << config_.data_dir << "/" << audit::kHeadSigningKeyFile << "\n";
  }
  event_log_->SetHeadSigner(head_signer_.get());
  if (config_.sign_heads_every_seconds <= 0) return absl::OkStatus();
  const storage::EventStore* store = store_.get();
  head_publisher_ = std::make_unique<audit::HeadPublisher>(
      head_signer_.get(), [store] { return api::CurrentHead(*store); },
      absl::StrCat(config_.data_dir, "/", audit::kSignedHeadsFile),
      std::chrono::seconds(config_.sign_heads_every_seconds));
  // A head that cannot be published is worth a warning, not a server that refuses to start.
  if (absl::Status s = head_publisher_->Start(); !s.ok()) {
    std::cerr << "wijkboekd: publishing the signed head: " << s.message() << std::endl;
  }
  return absl::OkStatus();
}

void Server::Shutdown() {
  // The gateway first: it ends its live feeds and stops reading the views and the store.
  if (gateway_) gateway_->Stop();
  if (!grpc_) return;
  if (health_) health_->Stop();
  grpc_->GetHealthCheckService()->Shutdown();
  // Subscriptions never end by themselves: end them first so the drain below only waits for
  // appends and reads that were accepted.
  hub_->Close();
  // Open AppendStreams likewise: they answer what they have read and end.
  event_log_->CloseAppendStreams();
  // Likewise views calls waiting for a min_position: answered UNAVAILABLE now.
  views_->Close();
  grpc_->Shutdown(std::chrono::system_clock::now() +
                  std::chrono::seconds(config_.shutdown_grace_seconds));
  grpc_->Wait();
  // Every accepted append was answered: sign the final head.
  if (head_publisher_) head_publisher_->Stop();
  // Every accepted append was answered: fold what is committed and snapshot the views.
  projector_->Stop();
  if (memory_trimmer_) memory_trimmer_->Stop();
  std::filesystem::remove(config_.data_dir + "/grpc.addr");
  std::filesystem::remove(config_.data_dir + "/http.addr");
}

Server::~Server() {
  Shutdown();
  health_.reset();
  grpc_.reset();
  gateway_.reset();  // borrows the projector, the store and the hub
  views_.reset();
  admin_.reset();
  event_log_.reset();
  // The projector reads the store, so it stops before the store closes (idempotent; Start may
  // have failed before Shutdown could). It stays alive until then: the commit listener may still
  // Notify it while the writer drains its queue, which a stopped projector ignores.
  if (projector_) projector_->Stop();
  head_publisher_.reset();  // reads the store
  // The store's destructor finishes every queued append before it closes RocksDB.
  store_.reset();
  projector_.reset();
  gate_.reset();  // the writer used it until the store closed
}

}  // namespace server
