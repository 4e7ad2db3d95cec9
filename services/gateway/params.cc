#include "services/gateway/params.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/domain/state.h"

namespace gateway {

namespace v1 = ::wijkboek::v1;

namespace {


// Generous for ids and free text, tight enough that nobody ships megabytes through a filter.
constexpr std::size_t kMaxParamLength = 1000;

// The parameter's value when present; INVALID_ARGUMENT when absurdly long.
absl::StatusOr<std::string> Text(const QueryParams& params, std::string_view name) {
  std::string value = params.Get(name).value_or("");
  if (value.size() > kMaxParamLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "query parameter ", std::string(name), ": longer than ", kMaxParamLength, " characters"));
  }
  return value;
}

}  // namespace

absl::StatusOr<v1::ActionStatus> ParseActionStatus(std::string_view text) {
  // Query strings are case-insensitive here, so ACTION_STATUS_COMPLETED works as well.
  if (auto status = domain::ParseStatusName(absl::AsciiStrToLower(std::string(text)))) {
    return *status;
  }
  return absl::InvalidArgumentError(absl::StrCat("query parameter status: unknown status '",
                                                 std::string(text), "'; use one of ",
                                                 domain::StatusNamesForPeople()));
}

std::string ActionStatusSlug(v1::ActionStatus status) {
  if (!domain::IsKnownStatus(status)) return "unspecified";
  std::string slug = domain::StatusName(status);
  std::replace(slug.begin(), slug.end(), '_', '-');
  return slug;
}

absl::StatusOr<std::uint64_t> ParseUint(std::string_view name, std::string_view value,
                                        std::uint64_t max) {
  std::uint64_t out = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || out > max) {
    return absl::InvalidArgumentError(absl::StrCat("query parameter ", std::string(name), ": '",
                                                   std::string(value.substr(0, 40)),
                                                   "' is not a whole number from 0 to ", max));
  }
  return out;
}

absl::StatusOr<bool> ParseBool(std::string_view name, std::string_view value) {
  std::string lower = absl::AsciiStrToLower(std::string(value));
  if (lower.empty() || lower == "1" || lower == "true" || lower == "yes" || lower == "on") {
    return true;
  }
  if (lower == "0" || lower == "false" || lower == "no" || lower == "off") return false;
  return absl::InvalidArgumentError(absl::StrCat("query parameter ", std::string(name), ": '",
                                                 std::string(value.substr(0, 40)),
                                                 "' is not true or false"));
}

absl::StatusOr<std::uint64_t> MinPosition(const QueryParams& params) {
  auto value = params.Get("min_position");
  if (!value) return 0;
  return ParseUint("min_position", *value, UINT64_MAX);
}

absl::StatusOr<std::optional<google::protobuf::Timestamp>> AsOfTime(const QueryParams& params) {
  auto value = params.Get("as_of_time");
  if (!value || value->empty()) return std::nullopt;
  google::protobuf::Timestamp t;
  if (!google::protobuf::util::TimeUtil::FromString(*value, &t)) {
    return absl::InvalidArgumentError(
        absl::StrCat("query parameter as_of_time: '", value->substr(0, 40),
                     "' is not an RFC 3339 time such as 2024-06-30T23:59:59+02:00"));
  }
  return t;
}

namespace {

// Which state of the views a request reads: min_position= for the live views (read your
// writes), or one of as_of_position=, as_of_time= (RFC 3339) and as_of_business_date=
// (YYYY-MM-DD) for time travel. An empty value counts as absent. Whether more than one was given
// and whether the date is a real day, the Views queries decide (projections/as_of.h), so HTTP
// and gRPC refuse the same requests with the same words.
template <typename Request>
absl::Status SetReadPoint(const QueryParams& params, Request* r) {
  absl::StatusOr<std::uint64_t> min = MinPosition(params);
  if (!min.ok()) return min.status();
  r->set_min_position(*min);
  if (auto v = params.Get("as_of_position"); v && !v->empty()) {
    absl::StatusOr<std::uint64_t> position = ParseUint("as_of_position", *v, UINT64_MAX);
    if (!position.ok()) return position.status();
    r->set_as_of_position(*position);
  }
  absl::StatusOr<std::optional<google::protobuf::Timestamp>> time = AsOfTime(params);
  if (!time.ok()) return time.status();
  if (*time) *r->mutable_as_of_time() = **time;
  absl::StatusOr<std::string> date = Text(params, "as_of_business_date");
  if (!date.ok()) return date.status();
  r->set_as_of_business_date(*date);
  return absl::OkStatus();
}

}  // namespace

// Each builder below reads its endpoint's parameters in the order the request message lists them.
#define WB_ASSIGN(lhs, expr)                    \
  auto lhs##_or = (expr);                       \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = std::move(*lhs##_or)

absl::StatusOr<v1::GetProgrammeRequest> ProgrammeRequest(const QueryParams& params) {
  v1::GetProgrammeRequest r;
  if (absl::Status s = SetReadPoint(params, &r); !s.ok()) return s;
  return r;
}

absl::StatusOr<v1::ListPartnersRequest> PartnersRequest(const QueryParams& params) {
  v1::ListPartnersRequest r;
  WB_ASSIGN(sector, Text(params, "sector"));
  WB_ASSIGN(role, Text(params, "role"));
  r.set_sector(sector);
  r.set_role(role);
  if (auto v = params.Get("include_left")) {
    WB_ASSIGN(include_left, ParseBool("include_left", *v));
    r.set_include_left(include_left);
  }
  if (absl::Status s = SetReadPoint(params, &r); !s.ok()) return s;
  return r;
}

absl::StatusOr<v1::GetPartnerRequest> PartnerRequest(const std::string& id,
                                                     const QueryParams& params) {
  v1::GetPartnerRequest r;
  r.set_partner_id(id);
  if (absl::Status s = SetReadPoint(params, &r); !s.ok()) return s;
  return r;
}

absl::StatusOr<v1::ListActionsRequest> ActionsRequest(const QueryParams& params) {
  v1::ListActionsRequest r;
  WB_ASSIGN(pillar, Text(params, "pillar"));
  WB_ASSIGN(goal, Text(params, "goal"));
  WB_ASSIGN(partner, Text(params, "partner"));
  WB_ASSIGN(query, Text(params, "q"));
  WB_ASSIGN(token, Text(params, "page_token"));
  r.set_pillar_id(pillar);
  r.set_goal_id(goal);
  r.set_partner_id(partner);
  r.set_query(query);
  r.set_page_token(token);
  if (auto v = params.Get("status"); v && !v->empty()) {
    WB_ASSIGN(status, ParseActionStatus(*v));
    r.set_status(status);
  }
  if (auto v = params.Get("page_size"); v && !v->empty()) {
    // The query itself refuses sizes over its maximum with a clear message; this only keeps the
    // number inside the field's range.
    WB_ASSIGN(size, ParseUint("page_size", *v, UINT32_MAX));
    r.set_page_size(static_cast<std::uint32_t>(size));
  }
  if (absl::Status s = SetReadPoint(params, &r); !s.ok()) return s;
  return r;
}

absl::StatusOr<v1::GetActionRequest> ActionRequest(const std::string& id,
                                                   const QueryParams& params) {
  v1::GetActionRequest r;
  r.set_action_id(id);
  if (absl::Status s = SetReadPoint(params, &r); !s.ok()) return s;
  return r;
}

absl::StatusOr<v1::GetCollaborationRequest> CollaborationRequest(const QueryParams& params) {
  v1::GetCollaborationRequest r;
  WB_ASSIGN(pillar, Text(params, "pillar"));
  r.set_pillar_id(pillar);
  if (absl::Status s = SetReadPoint(params, &r); !s.ok()) return s;
  return r;
}

absl::StatusOr<v1::ListKpisRequest> KpisRequest(const QueryParams& params) {
  v1::ListKpisRequest r;
  WB_ASSIGN(pillar, Text(params, "pillar"));
  r.set_pillar_id(pillar);
  if (absl::Status s = SetReadPoint(params, &r); !s.ok()) return s;
  return r;
}

absl::StatusOr<v1::GetAgendaRequest> AgendaRequest(const QueryParams& params) {
  v1::GetAgendaRequest r;
  WB_ASSIGN(from, Text(params, "from"));
  WB_ASSIGN(to, Text(params, "to"));
  WB_ASSIGN(pillar, Text(params, "pillar"));
  r.set_from_date(from);
  r.set_to_date(to);
  r.set_pillar_id(pillar);
  if (absl::Status s = SetReadPoint(params, &r); !s.ok()) return s;
  return r;
}

absl::StatusOr<v1::GetFundsRequest> FundsRequest(const QueryParams& params) {
  v1::GetFundsRequest r;
  if (absl::Status s = SetReadPoint(params, &r); !s.ok()) return s;
  return r;
}

absl::StatusOr<v1::ListOwnershipGapsRequest> OwnershipGapsRequest(const QueryParams& params) {
  v1::ListOwnershipGapsRequest r;
  if (auto v = params.Get("stale_days"); v && !v->empty()) {
    WB_ASSIGN(days, ParseUint("stale_days", *v, UINT32_MAX));
    r.set_stale_days(static_cast<std::uint32_t>(days));
  }
  if (absl::Status s = SetReadPoint(params, &r); !s.ok()) return s;
  return r;
}

absl::StatusOr<v1::GetProjectBookRequest> ProjectBookRequest(const QueryParams& params) {
  v1::GetProjectBookRequest r;
  WB_ASSIGN(pillar, Text(params, "pillar"));
  r.set_pillar_id(pillar);
  if (absl::Status s = SetReadPoint(params, &r); !s.ok()) return s;
  return r;
}

#undef WB_ASSIGN

absl::StatusOr<BookFormat> ProjectBookFormat(const QueryParams& params) {
  std::string format = absl::AsciiStrToLower(params.Get("format").value_or("html"));
  if (format == "html" || format.empty()) return BookFormat::kHtml;
  if (format == "markdown" || format == "md") return BookFormat::kMarkdown;
  if (format == "json") return BookFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat("query parameter format: unknown format '",
                                                 format.substr(0, 40),
                                                 "'; use html, markdown or json"));
}

}  // namespace gateway
