#pragma once
// The gRPC Admin service: principals and tokens, for admin principals only.
//
// Every change is an event appended through the store's single writer (so the rules gate decides
// it with everything else, and it is durable before the answer); the Authenticator learns of it
// from the commit listener before the answer is sent, so a revoked token is refused from the
// moment RevokeToken returns.
//
// Ownership: borrows the store and the authenticator; both must outlive the gRPC server.
// Threads: gRPC's callback threads; append completions run on the store's writer thread.
#include <grpcpp/grpcpp.h>

#include "services/auth/authenticator.h"
#include "storage/event_store.h"
#include "wijkboek/v1/admin.grpc.pb.h"

namespace api {

class AdminService final : public wijkboek::v1::Admin::CallbackService {
 public:
  AdminService(storage::EventStore* store, const auth::Authenticator* auth)
      : store_(store), auth_(auth) {}

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

 private:
  storage::EventStore* store_;
  const auth::Authenticator* auth_;
};

// The events that register principal `principal_id` (by the server itself) with the bootstrap
// token's hash, in stream principal-<principal_id>: what wijkboekd appends on first start.
storage::AppendRequest BootstrapAdminRequest(const std::string& principal_id,
                                             const std::string& token_hash);

}  // namespace api
