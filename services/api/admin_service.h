#pragma once
// The gRPC Admin service: principals and tokens, for admin principals only.
//
// Every change is an event appended through the store's single writer (so the rules gate decides
// it with everything else, and it is durable before the answer); the Authenticator learns of it
// from the commit listener before the answer is sent, so a revoked token is refused from the
// moment RevokeToken returns.
//
// Backup runs on a thread of its own (one at a time): it flushes, links or copies files and reads
// the copy back, which may take seconds.
//
// Ownership: borrows the store and the authenticator; both must outlive this service, which must
// outlive the gRPC server (its destructor joins a running backup).
// Threads: gRPC's callback threads; append completions run on the store's answering thread.
#include <grpcpp/grpcpp.h>

#include <atomic>

#include "services/api/background_calls.h"
#include "services/auth/authenticator.h"
#include "storage/event_store.h"
#include "wijkboek/v1/admin.grpc.pb.h"

namespace api {

class AdminService final : public wijkboek::v1::Admin::CallbackService {
 public:
  // `data_dir` is the server's data directory, whose token hash and signed heads a backup copies.
  AdminService(storage::EventStore* store, const auth::Authenticator* auth, std::string data_dir)
      : store_(store), auth_(auth), data_dir_(std::move(data_dir)) {}

  grpc::ServerUnaryReactor* RegisterPrincipal(
      grpc::CallbackServerContext* context, const wijkboek::v1::RegisterPrincipalRequest* request,
      wijkboek::v1::RegisterPrincipalResponse* response) override;
  grpc::ServerUnaryReactor* IssueToken(grpc::CallbackServerContext* context,
                                       const wijkboek::v1::IssueTokenRequest* request,
                                       wijkboek::v1::IssueTokenResponse* response) override;
  grpc::ServerUnaryReactor* RevokeToken(grpc::CallbackServerContext* context,
                                        const wijkboek::v1::RevokeTokenRequest* request,
                                        wijkboek::v1::RevokeTokenResponse* response) override;
  grpc::ServerUnaryReactor* ListPrincipals(grpc::CallbackServerContext* context,
                                           const wijkboek::v1::ListPrincipalsRequest* request,
                                           wijkboek::v1::ListPrincipalsResponse* response) override;
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context,
                                   const wijkboek::v1::BackupRequest* request,
                                   wijkboek::v1::BackupResponse* response) override;

 private:
  storage::EventStore* store_;
  const auth::Authenticator* auth_;
  const std::string data_dir_;
  std::atomic<bool> backup_running_{false};  // one backup at a time
  // Threads for backups; a few, since a finished one is counted until it is reaped. Last: joined
  // before the members above go.
  BackgroundCalls backups_{4};
};

// The events that register principal `principal_id` (by the server itself) with the bootstrap
// token's hash, in stream principal-<principal_id>: what wijkboekd appends on first start.
storage::AppendRequest BootstrapAdminRequest(const std::string& principal_id,
                                             const std::string& token_hash);

}  // namespace api
