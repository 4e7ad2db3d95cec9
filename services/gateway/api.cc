#include "services/gateway/api.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/gateway/errors.h"
#include "services/gateway/params.h"
#include "services/projections/projector.h"
#include "services/projections/queries.h"
#include "storage/event_store.h"

namespace gateway {

namespace v1 = ::wijkboek::v1;
using projections::Model;
using projections::Projector;

namespace {

// "Today" for the agenda and stale-action queries: the server's local date, exactly as the gRPC
// Views service takes it, so both answer the same.
absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()); }

// Runs `query` on the model under the projector's read lock and prints its answer outside it.
template <typename Response, typename Query>
HttpAnswer Run(const Projector& projector, Query query) {
  absl::StatusOr<Response> response = absl::InternalError("query did not run");
  projector.Read([&](const Model& model) { response = query(model); });
  if (!response.ok()) return ErrorAnswer(response.status());
  return JsonAnswer(*response);
}

// Binds a parsed request to its query function.
template <typename Request, typename Response>
ApiQuery Bind(Request request, absl::StatusOr<Response> (*query)(const Model&, const Request&)) {
  ApiQuery q;
  q.min_position = request.min_position();
  q.run = [request = std::move(request), query](const Projector& p) {
    return Run<Response>(p, [&](const Model& m) { return query(m, request); });
  };
  return q;
}

// The same for queries that take "today".
template <typename Request, typename Response>
ApiQuery BindDated(Request request, absl::StatusOr<Response> (*query)(const Model&, const Request&,
                                                                      absl::CivilDay)) {
  ApiQuery q;
  q.min_position = request.min_position();
  q.run = [request = std::move(request), query](const Projector& p) {
    absl::CivilDay today = Today();
    return Run<Response>(p, [&](const Model& m) { return query(m, request, today); });
  };
  return q;
}

absl::StatusOr<ApiQuery> ProjectBook(const QueryParams& params) {
  auto request = ProjectBookRequest(params);
  if (!request.ok()) return request.status();
  auto format = ProjectBookFormat(params);
  if (!format.ok()) return format.status();
  ApiQuery q;
  q.min_position = request->min_position();
  q.run = [request = *request, format = *format](const Projector& p) {
    absl::StatusOr<v1::GetProjectBookResponse> book = absl::InternalError("query did not run");
    p.Read([&](const Model& m) { book = projections::GetProjectBook(m, request); });
    if (!book.ok()) return ErrorAnswer(book.status());
    switch (format) {
      case BookFormat::kMarkdown:
        return HttpAnswer{200, "text/markdown; charset=utf-8", book->markdown()};
      case BookFormat::kJson:
        return JsonAnswer(*book);
      case BookFormat::kHtml:
        break;
    }
    return HttpAnswer{200, "text/html; charset=utf-8", book->html()};
  };
  return q;
}

// Applies `bind` to a parsed request, or passes the parse error on.
template <typename Request, typename BindFn>
absl::StatusOr<ApiQuery> Then(absl::StatusOr<Request> request, BindFn bind) {
  if (!request.ok()) return request.status();
  return bind(std::move(*request));
}

}  // namespace

HttpAnswer ErrorAnswer(const absl::Status& status) {
  return HttpAnswer{HttpStatusFor(status.code()), kJsonType, ErrorJson(status)};
}

HttpAnswer JsonAnswer(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = false;
  std::string body;
  auto s = google::protobuf::util::MessageToJsonString(message, &body, options);
  if (!s.ok()) {
    return ErrorAnswer(absl::InternalError(
        absl::StrCat("cannot print the answer as JSON: ", std::string(s.message()))));
  }
  return HttpAnswer{200, kJsonType, std::move(body)};
}

absl::StatusOr<ApiQuery> PrepareApiQuery(Route route, const std::string& id,
                                         const QueryParams& params) {
  namespace pj = projections;
  switch (route) {
    case Route::kProgramme:
      return Then(ProgrammeRequest(params),
                  [](auto r) { return Bind(std::move(r), &pj::GetProgramme); });
    case Route::kPartners:
      return Then(PartnersRequest(params),
                  [](auto r) { return Bind(std::move(r), &pj::ListPartners); });
    case Route::kPartner:
      return Then(PartnerRequest(id, params),
                  [](auto r) { return Bind(std::move(r), &pj::GetPartner); });
    case Route::kActions:
      return Then(ActionsRequest(params),
                  [](auto r) { return Bind(std::move(r), &pj::ListActions); });
    case Route::kAction:
      return Then(ActionRequest(id, params),
                  [](auto r) { return Bind(std::move(r), &pj::GetAction); });
    case Route::kCollaboration:
      return Then(CollaborationRequest(params),
                  [](auto r) { return Bind(std::move(r), &pj::GetCollaboration); });
    case Route::kKpis:
      return Then(KpisRequest(params), [](auto r) { return Bind(std::move(r), &pj::ListKpis); });
    case Route::kAgenda:
      return Then(AgendaRequest(params),
                  [](auto r) { return BindDated(std::move(r), &pj::GetAgenda); });
    case Route::kFunds:
      return Then(FundsRequest(params), [](auto r) { return Bind(std::move(r), &pj::GetFunds); });
    case Route::kOwnershipGaps:
      return Then(OwnershipGapsRequest(params),
                  [](auto r) { return BindDated(std::move(r), &pj::ListOwnershipGaps); });
    case Route::kProjectBook:
      return ProjectBook(params);
    default:
      return absl::NotFoundError("no such API endpoint");
  }
}

HttpAnswer HealthAnswer(const storage::EventStore* store, const Projector* projector,
                        std::uint64_t max_lag) {
  if (store == nullptr || projector == nullptr) {
    return HttpAnswer{503, kJsonType, "{\"status\":\"unavailable\"}"};
  }
  // Reading the newest event proves the log answers, not only that the head counter exists.
  std::uint64_t head = store->Head();
  bool readable = head == 0 || store->ReadAt(head).ok();
  std::uint64_t views = projector->position();
  std::uint64_t lag = head > views ? head - views : 0;
  const char* status = !readable ? "unavailable" : lag > max_lag ? "lagging" : "ok";
  std::string body = absl::StrCat("{\"status\":\"", status, "\",\"log_head\":", head,
                                  ",\"views_position\":", views, ",\"lag\":", lag, "}");
  return HttpAnswer{std::string_view(status) == "ok" ? 200 : 503, kJsonType, std::move(body)};
}

}  // namespace gateway
