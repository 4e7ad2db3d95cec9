#include "services/server/server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"

namespace server {
namespace {

// The bound address, for tools that start the server on port 0. Written through a temp file and
// a rename so a reader never sees half of it.
void WriteAddressFile(const std::string& data_dir, const std::string& address) {
  std::string tmp = data_dir + "/grpc.addr.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << address << "\n";
  }
  std::filesystem::rename(tmp, data_dir + "/grpc.addr");
}

std::string HostOf(const std::string& listen) {
  auto colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
}

}  // namespace

absl::Status Server::Start() {
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", config_.data_dir, ": ", ec.message()));
  }
  ::chmod(config_.data_dir.c_str(), 0700);

  auto auth = auth::Authenticator::Open(config_.data_dir, &admin_token_created_);
  if (!auth.ok()) return auth.status();
  auth_ = std::move(*auth);

  storage::Options options;
  options.path = config_.data_dir + "/log";
  auto store = storage::EventStore::Open(options);
  if (!store.ok()) return store.status();
  store_ = std::move(*store);

  hub_ = std::make_unique<api::SubscriptionHub>(store_.get());
  api::SubscriptionHub* hub = hub_.get();
  store_->SetCommitListener([hub](const std::vector<storage::StoredEvent>& events) {
    hub->Publish(events);
  });
  event_log_ = std::make_unique<api::EventLogService>(store_.get(), hub_.get(), auth_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config_.grpc_listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(event_log_.get());
  grpc_ = builder.BuildAndStart();
  if (!grpc_ || port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config_.grpc_listen,
        " (address in use or not local?); choose another with --grpc-listen"));
  }
  grpc_address_ = absl::StrCat(HostOf(config_.grpc_listen), ":", port);
  grpc_->GetHealthCheckService()->SetServingStatus("wijkboek.v1.EventLog", true);
  WriteAddressFile(config_.data_dir, grpc_address_);
  return absl::OkStatus();
}

void Server::Shutdown() {
  if (!grpc_) return;
  grpc_->GetHealthCheckService()->Shutdown();
  // Subscriptions never end by themselves: end them first so the drain below only waits for
  // appends and reads that were accepted.
  hub_->Close();
  grpc_->Shutdown(std::chrono::system_clock::now() +
                  std::chrono::seconds(config_.shutdown_grace_seconds));
  grpc_->Wait();
  std::filesystem::remove(config_.data_dir + "/grpc.addr");
}

Server::~Server() {
  Shutdown();
  grpc_.reset();
  // The store's destructor finishes every queued append before it closes RocksDB.
  store_.reset();
}

}  // namespace server
