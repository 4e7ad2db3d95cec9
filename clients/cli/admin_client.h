#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "clients/cli/event_log_client.h"
#include "wijkboek/v1/admin.grpc.pb.h"

namespace wijkboek::client {

// A typed client for wijkboek.v1.Admin (principals and tokens; admin principals only). Every call
// carries `authorization: Bearer <token>` and a deadline: the one given, else now + the default
// timeout. Errors as the server sends them (PERMISSION_DENIED for a token that is not an
// admin's, ALREADY_EXISTS, NOT_FOUND, ...).
//
// Thread-safe. It may share its channel with the other clients.
class AdminClient {
 public:
  AdminClient(std::shared_ptr<grpc::ChannelInterface> channel, std::string token,
              std::chrono::milliseconds default_timeout);

  [[nodiscard]] absl::StatusOr<v1::RegisterPrincipalResponse> RegisterPrincipal(
      const v1::RegisterPrincipalRequest& request,
      std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::IssueTokenResponse> IssueToken(
      const v1::IssueTokenRequest& request, std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::RevokeTokenResponse> RevokeToken(
      const v1::RevokeTokenRequest& request, std::optional<Deadline> deadline = std::nullopt) const;
  [[nodiscard]] absl::StatusOr<v1::ListPrincipalsResponse> ListPrincipals(
      const v1::ListPrincipalsRequest& request,
      std::optional<Deadline> deadline = std::nullopt) const;
  // Blocks until the backup is complete; give it a deadline that fits the log's size.
  [[nodiscard]] absl::StatusOr<v1::BackupResponse> Backup(
      const v1::BackupRequest& request, std::optional<Deadline> deadline = std::nullopt) const;

 private:
  template <typename Response, typename Invoke>
  absl::StatusOr<Response> Call(Invoke invoke, std::optional<Deadline> deadline) const;

  std::unique_ptr<v1::Admin::Stub> stub_;
  std::string authorization_;
  std::chrono::milliseconds default_timeout_;
};

}  // namespace wijkboek::client
