#include "services/gateway/api.h"

#include <google/protobuf/util/json_util.h>

#include <type_traits>

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

// "Today" for the agenda and stale-action queries on the live views: the server's local date,
// exactly as the gRPC Views service takes it, so both answer the same.
absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()); }

// Runs `query` on the lent model (under the projector's read lock for the live views) and prints
// its answer outside the lock.
template <typename Response, typename Query>
HttpAnswer Run(const ModelLender& lend, Query query) {
  absl::StatusOr<Response> response = absl::InternalError("query did not run");
  lend([&](const Model& model, absl::CivilDay today) { response = query(model, today); });
  if (!response.ok()) return ErrorAnswer(response.status());
  return JsonAnswer(*response);
}

// The query of `request` as a function of (model, today): `query` is one of
// services/projections/queries.h, with or without the day.
template <typename Request, typename Response, typename Query>
absl::StatusOr<Response> Ask(Query query, const Model& model, const Request& request,
                             absl::CivilDay today) {
  if constexpr (std::is_invocable_v<Query, const Model&, const Request&, absl::CivilDay>) {
    return query(model, request, today);
  } else {
    return query(model, request);
  }
}

// Binds a parsed request to its query function.
template <typename Request, typename Response, typename... Extra>
absl::StatusOr<ApiQuery> Bind(Request request,
                              absl::StatusOr<Response> (*query)(const Model&, const Request&,
                                                                Extra...)) {
  absl::StatusOr<projections::AsOf> as_of = projections::AsOfOf(request);
  if (!as_of.ok()) return as_of.status();
  ApiQuery q;
  q.min_position = request.min_position();
  q.as_of = *as_of;
  q.run = [request = std::move(request), query](const ModelLender& lend) {
    return Run<Response>(lend, [&](const Model& m, absl::CivilDay today) {
      return Ask<Request, Response>(query, m, request, today);
    });
  };
  return q;
}

absl::StatusOr<ApiQuery> ProjectBook(const QueryParams& params) {
  auto request = ProjectBookRequest(params);
  if (!request.ok()) return request.status();
  auto format = ProjectBookFormat(params);
  if (!format.ok()) return format.status();
  absl::StatusOr<ApiQuery> q = Bind(*request, &projections::GetProjectBook);
  if (!q.ok() || *format == BookFormat::kJson) return q;
  q->run = [request = *request, format = *format](const ModelLender& lend) {
    absl::StatusOr<v1::GetProjectBookResponse> book = absl::InternalError("query did not run");
    lend([&](const Model& m, absl::CivilDay) { book = projections::GetProjectBook(m, request); });
    if (!book.ok()) return ErrorAnswer(book.status());
    if (format == BookFormat::kMarkdown) {
      return HttpAnswer{200, "text/markdown; charset=utf-8", book->markdown()};
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

ModelLender LiveViews(const Projector& projector) {
  return [&projector](const std::function<void(const Model&, absl::CivilDay)>& use) {
    const absl::CivilDay today = Today();
    projector.Read([&](const Model& model) { use(model, today); });
  };
}

ModelLender AsOfViews(projections::AsOfModel as_of) {
  return [as_of = std::move(as_of)](const std::function<void(const Model&, absl::CivilDay)>& use) {
    use(*as_of.model, as_of.today);
  };
}

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
      return Then(AgendaRequest(params), [](auto r) { return Bind(std::move(r), &pj::GetAgenda); });
    case Route::kFunds:
      return Then(FundsRequest(params), [](auto r) { return Bind(std::move(r), &pj::GetFunds); });
    case Route::kOwnershipGaps:
      return Then(OwnershipGapsRequest(params),
                  [](auto r) { return Bind(std::move(r), &pj::ListOwnershipGaps); });
    case Route::kProjectBook:
      return ProjectBook(params);
    default:
      return absl::NotFoundError("no such API endpoint");
  }
}

Readiness CheckReadiness(const storage::EventStore* store, const Projector* projector,
                         std::uint64_t max_lag) {
  Readiness r;
  if (store == nullptr || projector == nullptr) return r;
  // Reading the newest event proves the log answers, not only that the head counter exists.
  r.head = store->Head();
  const bool readable = r.head == 0 || store->ReadAt(r.head).ok();
  r.views = projector->position();
  r.lag = r.head > r.views ? r.head - r.views : 0;
  r.status = !readable                      ? "unavailable"
             : store->WriterFailed() ? "writer_failed"
             : r.lag > max_lag              ? "lagging"
                                            : "ok";
  r.ready = std::string_view(r.status) == "ok";
  return r;
}

HttpAnswer HealthAnswer(const storage::EventStore* store, const Projector* projector,
                        std::uint64_t max_lag) {
  if (store == nullptr || projector == nullptr) {
    return HttpAnswer{503, kJsonType, "{\"status\":\"unavailable\"}"};
  }
  const Readiness r = CheckReadiness(store, projector, max_lag);
  std::string body = absl::StrCat("{\"status\":\"", r.status, "\",\"log_head\":", r.head,
                                  ",\"views_position\":", r.views, ",\"lag\":", r.lag, "}");
  return HttpAnswer{r.ready ? 200 : 503, kJsonType, std::move(body)};
}

}  // namespace gateway
