#include "clients/cli/admin_client.h"

namespace wijkboek::client {

AdminClient::AdminClient(std::shared_ptr<grpc::ChannelInterface> channel, std::string token,
                         std::chrono::milliseconds default_timeout)
    : stub_(v1::Admin::NewStub(std::move(channel))),
      authorization_("Bearer " + std::move(token)),
      default_timeout_(default_timeout) {}

template <typename Response, typename Invoke>
absl::StatusOr<Response> AdminClient::Call(Invoke invoke, std::optional<Deadline> deadline) const {
  return UnaryCall<Response>(authorization_, deadline.value_or(Clock::now() + default_timeout_),
                             invoke);
}

#define WIJKBOEK_ADMIN_RPC(Method, Request, Response)                                        \
  absl::StatusOr<v1::Response> AdminClient::Method(const v1::Request& request,               \
                                                   std::optional<Deadline> deadline) const { \
    return Call<v1::Response>(                                                               \
        [&](grpc::ClientContext* context, v1::Response* response) {                          \
          return stub_->Method(context, request, response);                                  \
        },                                                                                   \
        deadline);                                                                           \
  }

WIJKBOEK_ADMIN_RPC(RegisterPrincipal, RegisterPrincipalRequest, RegisterPrincipalResponse)
WIJKBOEK_ADMIN_RPC(IssueToken, IssueTokenRequest, IssueTokenResponse)
WIJKBOEK_ADMIN_RPC(RevokeToken, RevokeTokenRequest, RevokeTokenResponse)
WIJKBOEK_ADMIN_RPC(ListPrincipals, ListPrincipalsRequest, ListPrincipalsResponse)
WIJKBOEK_ADMIN_RPC(Backup, BackupRequest, BackupResponse)

#undef WIJKBOEK_ADMIN_RPC

}  // namespace wijkboek::client
