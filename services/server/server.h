#pragma once
// wijkboekd's wiring: opens the data directory, the store and the credentials, and serves gRPC.
//
// Lifecycle: Start() once, then Shutdown() once (from the thread that handles signals); the
// destructor closes storage after the gRPC server has drained.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "services/api/event_log_service.h"
#include "services/api/subscription_hub.h"
#include "services/auth/authenticator.h"
#include "storage/event_store.h"

namespace server {

struct Config {
  std::string data_dir = "wijkboek-data";
  std::string grpc_listen = "127.0.0.1:50051";
  int shutdown_grace_seconds = 10;
};

class Server {
 public:
  explicit Server(Config config) : config_(std::move(config)) {}
  ~Server();

  // Opens everything and starts serving. Errors name what could not be opened or bound.
  [[nodiscard]] absl::Status Start();
  // Stops accepting, ends subscriptions, lets accepted calls finish (bounded by the grace
  // period), then lets the writer drain. Returns when all of that is done.
  void Shutdown();

  const std::string& grpc_address() const { return grpc_address_; }
  bool admin_token_created() const { return admin_token_created_; }

 private:
  Config config_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<storage::EventStore> store_;
  std::unique_ptr<api::SubscriptionHub> hub_;
  std::unique_ptr<api::EventLogService> event_log_;
  std::unique_ptr<grpc::Server> grpc_;
  std::string grpc_address_;
  bool admin_token_created_ = false;
};

}  // namespace server
