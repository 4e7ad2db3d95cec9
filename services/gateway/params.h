#pragma once
// Query strings to Views requests: one function per endpoint, so the HTTP API and the gRPC Views
// service ask the queries exactly the same thing.
//
// Pure. Unknown parameters are ignored (browsers and proxies add cache busters); a known parameter
// with a bad value is INVALID_ARGUMENT naming the parameter and what it accepts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/gateway/url.h"
#include "wijkboek/v1/events.pb.h"
#include "wijkboek/v1/views.pb.h"

namespace gateway {

// "in-progress" ↔ ACTION_STATUS_IN_PROGRESS. Parse also takes the enum's own name (as the JSON
// answers spell it), in any case. INVALID_ARGUMENT lists the accepted values.
[[nodiscard]] absl::StatusOr<wijkboek::v1::ActionStatus> ParseActionStatus(std::string_view text);
std::string ActionStatusSlug(wijkboek::v1::ActionStatus status);

// A decimal number within [0, max]; INVALID_ARGUMENT naming `name` otherwise.
[[nodiscard]] absl::StatusOr<std::uint64_t> ParseUint(std::string_view name, std::string_view value,
                                                      std::uint64_t max);
// "", "1", "true", "yes", "on" → true; "0", "false", "no", "off" → false.
[[nodiscard]] absl::StatusOr<bool> ParseBool(std::string_view name, std::string_view value);

// min_position= (0 when absent).
[[nodiscard]] absl::StatusOr<std::uint64_t> MinPosition(const QueryParams& params);
// as_of_time= as RFC 3339 (nullopt when absent or empty). Every builder below also reads
// as_of_position= and as_of_business_date= (time travel; see README.md).
[[nodiscard]] absl::StatusOr<std::optional<google::protobuf::Timestamp>> AsOfTime(
    const QueryParams& params);

[[nodiscard]] absl::StatusOr<wijkboek::v1::GetProgrammeRequest> ProgrammeRequest(
    const QueryParams& params);
[[nodiscard]] absl::StatusOr<wijkboek::v1::ListPartnersRequest> PartnersRequest(
    const QueryParams& params);
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetPartnerRequest> PartnerRequest(
    const std::string& id, const QueryParams& params);
[[nodiscard]] absl::StatusOr<wijkboek::v1::ListActionsRequest> ActionsRequest(
    const QueryParams& params);
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetActionRequest> ActionRequest(
    const std::string& id, const QueryParams& params);
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetCollaborationRequest> CollaborationRequest(
    const QueryParams& params);
[[nodiscard]] absl::StatusOr<wijkboek::v1::ListKpisRequest> KpisRequest(const QueryParams& params);
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetAgendaRequest> AgendaRequest(
    const QueryParams& params);
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetFundsRequest> FundsRequest(const QueryParams& params);
[[nodiscard]] absl::StatusOr<wijkboek::v1::ListOwnershipGapsRequest> OwnershipGapsRequest(
    const QueryParams& params);
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetProjectBookRequest> ProjectBookRequest(
    const QueryParams& params);

enum class BookFormat { kHtml, kMarkdown, kJson };
// format= html (default), markdown (also md) or json.
[[nodiscard]] absl::StatusOr<BookFormat> ProjectBookFormat(const QueryParams& params);

}  // namespace gateway
