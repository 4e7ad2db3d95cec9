#pragma once
// The JSON API: turns a routed request into a Views query, runs it against the projector's model
// and prints the answer with protobuf's JSON mapping (snake_case field names, like the CLI), so
// HTTP and gRPC say the same thing. Also /healthz.
//
// No Beast here: the session does the waiting (min_position, time travel) and the HTTP framing.
// Threads: any; the query runs inside Projector::Read (shared lock) or on an as-of model, the
// printing outside the lock.
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/message.h"
#include "services/gateway/router.h"
#include "services/gateway/url.h"
#include "services/projections/time_travel.h"

namespace projections {
class Projector;
}
namespace storage {
class EventStore;
}

namespace gateway {

// A complete answer before HTTP framing.
struct HttpAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
};

inline constexpr char kJsonType[] = "application/json; charset=utf-8";

// Lends a query the model to answer from and the day it takes as "today": the live views under
// the projector's read lock (LiveViews), or a time-travel model (AsOfViews).
using ModelLender = std::function<void(
    const std::function<void(const projections::Model& model, absl::CivilDay today)>& use)>;
ModelLender LiveViews(const projections::Projector& projector);
ModelLender AsOfViews(projections::AsOfModel as_of);

// A query ready to run: on the live views once they reached `min_position`, or, when `as_of` is
// not kNow, on the model the projector's TimeTravel folds for it.
struct ApiQuery {
  std::uint64_t min_position = 0;
  projections::AsOf as_of;
  std::function<HttpAnswer(const ModelLender&)> run;
};

// Parses the parameters of `route` (an API route other than kLive and kApiNotFound).
// INVALID_ARGUMENT names the bad parameter (also: more than one as_of_* parameter).
[[nodiscard]] absl::StatusOr<ApiQuery> PrepareApiQuery(Route route, const std::string& id,
                                                       const QueryParams& params);

// The JSON error answer for `status` (its HTTP status from HttpStatusFor).
HttpAnswer ErrorAnswer(const absl::Status& status);
// `message` as JSON (protobuf's JSON mapping, proto field names).
HttpAnswer JsonAnswer(const google::protobuf::Message& message);

// Whether the server is ready to serve: the store answers (its newest event reads), its writer
// has not stopped after a failed write, and the views are at most `max_lag` events behind the
// head. What /healthz, /metrics and the gRPC health service report.
struct Readiness {
  bool ready = false;
  const char* status = "unavailable";  // "ok", "lagging", "writer_failed" or "unavailable"
  std::uint64_t head = 0;
  std::uint64_t views = 0;
  std::uint64_t lag = 0;
};
Readiness CheckReadiness(const storage::EventStore* store, const projections::Projector* projector,
                         std::uint64_t max_lag);

// {"status":"ok"|"lagging"|"writer_failed"|"unavailable","log_head":N,"views_position":M,
// "lag":K}: 200 when CheckReadiness says ready, else 503.
HttpAnswer HealthAnswer(const storage::EventStore* store, const projections::Projector* projector,
                        std::uint64_t max_lag);

}  // namespace gateway
