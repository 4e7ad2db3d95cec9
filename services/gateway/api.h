#pragma once
// The JSON API: turns a routed request into a Views query, runs it against the projector's model
// and prints the answer with protobuf's JSON mapping (snake_case field names, like the CLI), so
// HTTP and gRPC say the same thing. Also /healthz.
//
// No Beast here: the session does the waiting (min_position) and the HTTP framing.
// Threads: any; the query runs inside Projector::Read (shared lock), the printing outside it.
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "services/gateway/router.h"
#include "services/gateway/url.h"

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

// A query ready to run once the views reached `min_position`.
struct ApiQuery {
  std::uint64_t min_position = 0;
  std::function<HttpAnswer(const projections::Projector&)> run;
};

// Parses the parameters of `route` (an API route other than kLive and kApiNotFound).
// INVALID_ARGUMENT names the bad parameter.
[[nodiscard]] absl::StatusOr<ApiQuery> PrepareApiQuery(Route route, const std::string& id,
                                                       const QueryParams& params);

// The JSON error answer for `status` (its HTTP status from HttpStatusFor).
HttpAnswer ErrorAnswer(const absl::Status& status);
// `message` as JSON (protobuf's JSON mapping, proto field names).
HttpAnswer JsonAnswer(const google::protobuf::Message& message);

// {"status":"ok"|"lagging"|"unavailable","log_head":N,"views_position":M,"lag":K}: 200 when the
// store answers and the views are at most `max_lag` events behind the head, else 503.
HttpAnswer HealthAnswer(const storage::EventStore* store, const projections::Projector* projector,
                        std::uint64_t max_lag);

}  // namespace gateway
