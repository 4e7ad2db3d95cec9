#include "services/gateway/router.h"

#include <array>
#include <utility>

namespace gateway {
namespace {

constexpr std::string_view kApiPrefix = "/api/v1/";

// Collections: exact names under /api/v1/.
constexpr std::array<std::pair<std::string_view, Route>, 10> kCollections = {{
    {"programme", Route::kProgramme},
    {"partners", Route::kPartners},
    {"actions", Route::kActions},
    {"collaboration", Route::kCollaboration},
    {"kpis", Route::kKpis},
    {"agenda", Route::kAgenda},
    {"funds", Route::kFunds},
    {"ownership-gaps", Route::kOwnershipGaps},
    {"project-book", Route::kProjectBook},
    {"events/live", Route::kLive},
}};

// Ids are slugs; anything longer than this is no id of ours and is not worth a lookup.
constexpr std::size_t kMaxIdLength = 200;

RouteMatch MatchApi(std::string_view rest) {
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  for (const auto& [name, route] : kCollections) {
    if (rest == name) return {route, {}};
  }
  for (auto [prefix, route] : {std::pair<std::string_view, Route>{"partners/", Route::kPartner},
                               std::pair<std::string_view, Route>{"actions/", Route::kAction}}) {
    if (rest.substr(0, prefix.size()) != prefix) continue;
    std::string_view id = rest.substr(prefix.size());
    if (id.empty() || id.size() > kMaxIdLength || id.find('/') != std::string_view::npos) break;
    return {route, std::string(id)};
  }
  return {Route::kApiNotFound, {}};
}

}  // namespace

RouteMatch MatchRoute(std::string_view path) {
  if (path.substr(0, kApiPrefix.size()) == kApiPrefix) {
    return MatchApi(path.substr(kApiPrefix.size()));
  }
  if (path == "/api" || path.substr(0, 5) == "/api/") return {Route::kApiNotFound, {}};
  if (path == "/healthz") return {Route::kHealth, {}};
  if (path == "/metrics") return {Route::kMetrics, {}};
  if (path == "/login") return {Route::kLogin, {}};
  if (path == "/logout") return {Route::kLogout, {}};
  if (path.substr(0, 8) == "/assets/") return {Route::kAsset, {}};
  return {Route::kPage, {}};
}

std::string_view AllowedMethods(Route route) {
  switch (route) {
    case Route::kLogin:
      return "GET, HEAD, POST";
    case Route::kLogout:
      return "GET, POST";
    default:
      return "GET, HEAD";
  }
}

bool MethodAllowed(Route route, std::string_view method) {
  if (method == "GET") return true;
  if (method == "HEAD") return route != Route::kLogout;
  if (method == "POST") return route == Route::kLogin || route == Route::kLogout;
  return false;
}

bool IsApi(Route route) {
  switch (route) {
    case Route::kHealth:
    case Route::kMetrics:
    case Route::kLogin:
    case Route::kLogout:
    case Route::kAsset:
    case Route::kPage:
      return false;
    default:
      return true;
  }
}

bool NeedsReader(Route route) {
  switch (route) {
    case Route::kHealth:
    case Route::kMetrics:
    case Route::kLogin:
    case Route::kLogout:
    case Route::kAsset:
      return false;
    default:
      return true;
  }
}

}  // namespace gateway
