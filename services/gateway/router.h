#pragma once
// Which handler answers a path, which methods it takes, and whether it needs a principal.
//
// Pure: no Beast, no state. The session asks MatchRoute for every request, then checks the method
// and the credentials before it calls the handler, so those rules live in one table here.
#include <string>
#include <string_view>

namespace gateway {

enum class Route {
  // API (JSON; errors as JSON)
  kProgramme,
  kPartners,
  kPartner,  // id
  kActions,
  kAction,  // id
  kCollaboration,
  kKpis,
  kAgenda,
  kFunds,
  kOwnershipGaps,
  kProjectBook,
  kLive,         // Server-Sent Events
  kApiNotFound,  // under /api/ but no such endpoint
  // Not API
  kHealth,  // /healthz, never needs a principal
  kMetrics,  // /metrics (Prometheus), never needs a principal
  kLogin,   // GET form, POST token
  kLogout,
  kAsset,  // /assets/..., the bundler's hashed files: served without a principal
  kPage,   // everything else: a file of the web app, or index.html for client-side routes
};

struct RouteMatch {
  Route route = Route::kPage;
  std::string id;  // the {id} of /partners/{id} and /actions/{id}
};

// `path` is the decoded path without the query. A trailing slash on an API path is ignored.
RouteMatch MatchRoute(std::string_view path);

// The value of an Allow header for the route, e.g. "GET, HEAD".
std::string_view AllowedMethods(Route route);
// `method` as sent (e.g. "GET"); HEAD is allowed wherever GET is.
bool MethodAllowed(Route route, std::string_view method);

// API routes answer errors as JSON and 401 without credentials; pages redirect to /login.
bool IsApi(Route route);
// Whether the route needs an authenticated (or, in anonymous-read mode, anonymous) reader.
bool NeedsReader(Route route);

}  // namespace gateway
