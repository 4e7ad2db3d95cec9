#include "clients/cli/views_client.h"

namespace wijkboek::client {

ViewsClient::ViewsClient(std::shared_ptr<grpc::ChannelInterface> channel, std::string token,
                         std::chrono::milliseconds default_timeout)
    : stub_(v1::Views::NewStub(std::move(channel))),
      authorization_("Bearer " + std::move(token)),
      default_timeout_(default_timeout) {}

template <typename Response, typename Invoke>
absl::StatusOr<Response> ViewsClient::Call(Invoke invoke, std::optional<Deadline> deadline) const {
  return UnaryCall<Response>(authorization_, deadline.value_or(Clock::now() + default_timeout_),
                             invoke);
}

// One definition per RPC: the same call with its own types.
#define WIJKBOEK_VIEWS_RPC(Method, Request, Response)                                        \
  absl::StatusOr<v1::Response> ViewsClient::Method(const v1::Request& request,               \
                                                   std::optional<Deadline> deadline) const { \
    return Call<v1::Response>(                                                               \
        [&](grpc::ClientContext* context, v1::Response* response) {                          \
          return stub_->Method(context, request, response);                                  \
        },                                                                                   \
        deadline);                                                                           \
  }

WIJKBOEK_VIEWS_RPC(GetProgramme, GetProgrammeRequest, GetProgrammeResponse)
WIJKBOEK_VIEWS_RPC(ListPartners, ListPartnersRequest, ListPartnersResponse)
WIJKBOEK_VIEWS_RPC(GetPartner, GetPartnerRequest, GetPartnerResponse)
WIJKBOEK_VIEWS_RPC(ListActions, ListActionsRequest, ListActionsResponse)
WIJKBOEK_VIEWS_RPC(GetAction, GetActionRequest, GetActionResponse)
WIJKBOEK_VIEWS_RPC(GetCollaboration, GetCollaborationRequest, GetCollaborationResponse)
WIJKBOEK_VIEWS_RPC(ListOwnershipGaps, ListOwnershipGapsRequest, ListOwnershipGapsResponse)
WIJKBOEK_VIEWS_RPC(ListKpis, ListKpisRequest, ListKpisResponse)
WIJKBOEK_VIEWS_RPC(GetAgenda, GetAgendaRequest, GetAgendaResponse)
WIJKBOEK_VIEWS_RPC(GetFunds, GetFundsRequest, GetFundsResponse)
WIJKBOEK_VIEWS_RPC(GetProjectBook, GetProjectBookRequest, GetProjectBookResponse)

#undef WIJKBOEK_VIEWS_RPC

}  // namespace wijkboek::client
