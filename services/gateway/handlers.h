#pragma once
// Request → what to do: the routing table applied with credentials, method checks, login,
// logout, health and static files. Everything here answers synchronously; the two answers that
// need the connection itself (an API query that waits for min_position, and the live feed that
// takes the socket over) are handed back to the session as a Decision.
//
// Threads: any; called on the connection's strand.
#include "services/gateway/api.h"
#include "services/gateway/context.h"
#include "services/gateway/response.h"
#include "services/gateway/sse_format.h"

namespace gateway {

struct Decision {
  enum class Kind {
    kRespond,  // send `response`
    kApi,      // run `query` once the views reached its min_position
    kLive,     // hand the connection to a live feed for `live`
  };
  Kind kind = Kind::kRespond;
  Response response;
  ApiQuery query;
  LiveRequest live;
};

// Never throws on bad input; an exception here means our bug (the session answers 500).
// `peer` is the client's address (for the login throttle).
Decision Decide(Context& context, const Request& request, const std::string& peer);

// Adds the headers every live-feed response carries; exposed for the SSE stream.
std::string LiveResponseHead(const Request& request);

}  // namespace gateway
