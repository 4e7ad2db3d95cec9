#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "clients/cli/event_log_client.h"
#include "wijkboek/v1/views.grpc.pb.h"

namespace wijkboek::client {

// A typed client for wijkboek.v1.Views, the read side. Every call carries `authorization: Bearer
// <token>` and a deadline: the one given, else now + the default timeout. A request's
// `min_position` makes the server wait until its views have reached that position; past the
// deadline the call fails with DEADLINE_EXCEEDED.
//
// Errors as the server sends them: NOT_FOUND (unknown partner or action), INVALID_ARGUMENT (e.g.
// a bad date or page token), UNAUTHENTICATED, UNIMPLEMENTED (a server without the Views service),
// UNAVAILABLE / DEADLINE_EXCEEDED when the server is out of reach.
//
// Thread-safe: any number of threads may call it at once. It may share its channel with an
// EventLogClient.
class ViewsClient {
 public:
  ViewsClient(std::shared_ptr<grpc::ChannelInterface> channel, std::string token,
              std::chrono::milliseconds default_timeout);

  [[nodiscard]] absl::StatusOr<v1::GetProgrammeResponse> GetProgramme(
      const v1::GetProgrammeRequest& request,
      std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::ListPartnersResponse> ListPartners(
      const v1::ListPartnersRequest& request,
      std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::GetPartnerResponse> GetPartner(
      const v1::GetPartnerRequest& request, std::optional<Deadline> deadline = std::nullopt) const;
  // One page; follow next_page_token (with the same filters) for the next.
  [[nodiscard]] absl::StatusOr<v1::ListActionsResponse> ListActions(
      const v1::ListActionsRequest& request, std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::GetActionResponse> GetAction(
      const v1::GetActionRequest& request, std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::GetCollaborationResponse> GetCollaboration(
      const v1::GetCollaborationRequest& request,
      std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::ListOwnershipGapsResponse> ListOwnershipGaps(
      const v1::ListOwnershipGapsRequest& request,
      std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::ListKpisResponse> ListKpis(
      const v1::ListKpisRequest& request, std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::GetAgendaResponse> GetAgenda(
      const v1::GetAgendaRequest& request, std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::GetFundsResponse> GetFunds(
      const v1::GetFundsRequest& request, std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::GetProjectBookResponse> GetProjectBook(
      const v1::GetProjectBookRequest& request,
      std::optional<Deadline> deadline = std::nullopt) const;

 private:
  // Runs one unary call: `invoke(context, response)` calls the stub.
  template <typename Response, typename Invoke>
  absl::StatusOr<Response> Call(Invoke invoke, std::optional<Deadline> deadline) const;

  std::unique_ptr<v1::Views::Stub> stub_;
  std::string authorization_;  // "Bearer <token>"
  std::chrono::milliseconds default_timeout_;
};

}  // namespace wijkboek::client
