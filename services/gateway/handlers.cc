#include "services/gateway/handlers.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/auth/authenticator.h"
#include "services/auth/policy.h"
#include "services/gateway/metrics.h"
#include "services/gateway/metrics_format.h"
#include "services/gateway/pages.h"
#include "services/gateway/router.h"
#include "services/gateway/url.h"

namespace gateway {
namespace {

std::string_view ToStd(boost::beast::string_view s) { return {s.data(), s.size()}; }

Decision Respond(Response response) {
  Decision d;
  d.response = std::move(response);
  return d;
}

// Who asks: allowed (a reader, or anonymous in anonymous-read mode), or why not.
struct Access {
  absl::Status status;        // OK, UNAUTHENTICATED or PERMISSION_DENIED
  bool stale_cookie = false;  // a session cookie that no longer names a token
};

Access Authorize(const Context& context, const Request& request) {
  auto credential =
      CredentialOf(ToStd(request[http::field::authorization]), ToStd(request[http::field::cookie]));
  if (!credential) {
    if (context.options.anonymous_read) return {};
    return {absl::UnauthenticatedError(
        "missing credentials: send 'Authorization: Bearer <token>' or log in at /login")};
  }
  auto principal = context.auth->Authenticate(credential->authorization);
  if (!principal.ok()) {
    // A stale cookie on a public screen must not lock it out; a wrong bearer token is an error
    // the caller should see.
    if (credential->from_cookie && context.options.anonymous_read) return {{}, true};
    return {principal.status(), credential->from_cookie};
  }
  if (absl::Status s = auth::Authorize(*principal, auth::Operation::kReadViews); !s.ok()) {
    return {s};
  }
  return {};
}

Response NotAllowed(const Request& request, Route route, bool api) {
  auto status =
      absl::Status(absl::StatusCode::kUnimplemented,
                   absl::StrCat("method ", std::string(ToStd(request.method_string())),
                                " is not allowed here; use ", std::string(AllowedMethods(route))));
  Response res =
      api ? ErrorResponse(request, status)
          : MakeResponse(request, http::status::method_not_allowed, "text/plain; charset=utf-8",
                         "Deze methode is hier niet toegestaan.\n");
  res.result(http::status::method_not_allowed);
  auto allow = AllowedMethods(route);
  res.set(http::field::allow, boost::beast::string_view(allow.data(), allow.size()));
  return res;
}

Response LoginForm(const Request& request, http::status status, std::string_view error) {
  return MakeResponse(request, status, "text/html; charset=utf-8", LoginPage(error));
}

// A cross-site form post would log the browser into someone else's session; SameSite does not
// cover that. A browser always sends Origin with a POST, so compare it with our Host.
bool SameOrigin(const Request& request) {
  std::string_view origin = ToStd(request[http::field::origin]);
  if (origin.empty()) return true;  // not a browser, or an old one: nothing to protect
  std::string_view host = ToStd(request[http::field::host]);
  auto scheme = origin.find("://");
  return scheme != std::string_view::npos && origin.substr(scheme + 3) == host;
}

Response HandleLogin(Context& context, const Request& request, const std::string& peer) {
  if (request.method() != http::verb::post) {
    return LoginForm(request, http::status::ok, "");
  }
  if (auto wait = context.login_throttle.WaitFor(peer); wait.count() > 0) {
    Response res = LoginForm(request, http::status::too_many_requests,
                             absl::StrCat("Te veel mislukte pogingen. Probeer het over ",
                                          wait.count(), " seconden opnieuw."));
    res.set(http::field::retry_after, std::to_string(wait.count()));
    return res;
  }
  std::string content_type =
      absl::AsciiStrToLower(std::string(ToStd(request[http::field::content_type])));
  if (content_type.rfind("application/x-www-form-urlencoded", 0) != 0) {
    return LoginForm(request, http::status::unsupported_media_type,
                     "Het formulier is in een onbekend formaat verstuurd.");
  }
  if (!SameOrigin(request)) {
    return LoginForm(request, http::status::forbidden,
                     "Inloggen kan alleen via dit formulier op deze website.");
  }
  auto form = QueryParams::Parse(request.body());
  std::string token = form
                          ? std::string(absl::StripAsciiWhitespace(form->Get("token").value_or("")))
                          : std::string();
  if (token.empty()) {
    return LoginForm(request, http::status::unauthorized, "Vul uw toegangscode in.");
  }
  auto principal = context.auth->Authenticate(absl::StrCat("Bearer ", token));
  if (!principal.ok()) {
    context.login_throttle.Failed(peer);
    return LoginForm(request, http::status::unauthorized,
                     "Deze toegangscode is niet bekend. Controleer de code en probeer het "
                     "opnieuw.");
  }
  if (!auth::Authorize(*principal, auth::Operation::kReadViews).ok()) {
    return LoginForm(request, http::status::forbidden,
                     "Met deze toegangscode kunt u het dashboard niet bekijken.");
  }
  context.login_throttle.Succeeded(peer);
  Response res = Redirect(request, "/");
  res.set(http::field::set_cookie, SessionCookie(token, context.options.secure_cookies));
  return res;
}

Response HandleLogout(const Context& context, const Request& request) {
  Response res = Redirect(request, "/login");
  res.set(http::field::set_cookie, ClearedSessionCookie(context.options.secure_cookies));
  return res;
}

bool HasExtension(std::string_view path) {
  std::size_t slash = path.rfind('/');
  std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return last.find('.') != std::string_view::npos;
}

Response ServeFile(const Request& request, const StaticFile& file) {
  auto etag = boost::beast::string_view(file.etag);
  auto cache = boost::beast::string_view(file.cache_control.data(), file.cache_control.size());
  std::string_view if_none_match = ToStd(request[http::field::if_none_match]);
  std::string_view if_modified_since = ToStd(request[http::field::if_modified_since]);
  bool not_modified =
      !if_none_match.empty()
          ? (if_none_match == "*" || if_none_match.find(file.etag) != std::string_view::npos)
          : (!if_modified_since.empty() && if_modified_since == file.last_modified);
  if (not_modified) {
    Response res = MakeResponse(request, http::status::not_modified, file.content_type, "");
    res.set(http::field::etag, etag);
    res.set(http::field::cache_control, cache);
    return res;
  }
  bool gzip = file.gzipped && AcceptsGzip(ToStd(request[http::field::accept_encoding]));
  Response res =
      MakeResponse(request, http::status::ok, file.content_type, gzip ? *file.gzipped : *file.body);
  if (gzip) res.set(http::field::content_encoding, "gzip");
  res.set(http::field::etag, etag);
  res.set(http::field::last_modified, file.last_modified);
  res.set(http::field::cache_control, cache);
  return res;
}

Response NotFoundPage(const Request& request) {
  return MakeResponse(request, http::status::not_found, "text/plain; charset=utf-8",
                      "Niet gevonden.\n");
}

Response HandleStatic(Context& context, const Request& request, Route route,
                      const std::string& path) {
  auto relative = SafeRelativePath(path);
  if (!relative) {
    return MakeResponse(request, http::status::bad_request, "text/plain; charset=utf-8",
                        "Ongeldig pad.\n");
  }
  if (auto file = context.static_files.Lookup(*relative)) return ServeFile(request, *file);
  // The bundler's files and anything that looks like a file must exist; every other path is a
  // route of the app itself, which index.html handles in the browser.
  if (route == Route::kAsset || (HasExtension(path) && *relative != "index.html")) {
    return NotFoundPage(request);
  }
  if (auto index = context.static_files.Lookup("index.html")) return ServeFile(request, *index);
  Response res =
      MakeResponse(request, http::status::ok, "text/html; charset=utf-8", PlaceholderPage());
  res.set(http::field::cache_control, "no-cache");
  return res;
}

}  // namespace

std::string LiveResponseHead(const Request& request) {
  return absl::StrCat(
      "HTTP/1.1 200 OK\r\n"
      "Server: wijkboekd\r\n"
      "Content-Type: text/event-stream; charset=utf-8\r\n"
      // no-transform: a proxy must not compress or otherwise hold frames back.
      "Cache-Control: no-store, no-transform\r\n"
      // nginx buffers responses by default; this turns it off for this one.
      "X-Accel-Buffering: no\r\n"
      "X-Content-Type-Options: nosniff\r\n"
      "Referrer-Policy: same-origin\r\n"
      // The body ends when the connection does; never reused for another request.
      "Connection: close\r\n"
      "\r\n");
}

Decision Decide(Context& context, const Request& request, const std::string& peer) {
  auto target = SplitTarget(ToStd(request.target()));
  if (!target) {
    return Respond(ErrorResponse(
        request, absl::InvalidArgumentError("malformed request target (bad %-escape?)")));
  }
  auto params = QueryParams::Parse(target->query);
  RouteMatch match = MatchRoute(target->path);
  const bool api = IsApi(match.route);
  if (!params) {
    auto status = absl::InvalidArgumentError("malformed query string (bad %-escape?)");
    return Respond(api ? ErrorResponse(request, status)
                       : MakeResponse(request, http::status::bad_request,
                                      "text/plain; charset=utf-8", "Ongeldige aanvraag.\n"));
  }
  if (!MethodAllowed(match.route, ToStd(request.method_string()))) {
    return Respond(NotAllowed(request, match.route, api));
  }

  if (NeedsReader(match.route)) {
    Access access = Authorize(context, request);
    if (!access.status.ok()) {
      Response res;
      if (api) {
        res = ErrorResponse(request, access.status);
        if (access.status.code() == absl::StatusCode::kUnauthenticated) {
          res.set(http::field::www_authenticate, "Bearer realm=\"wijkboek\"");
        }
      } else if (access.status.code() == absl::StatusCode::kUnauthenticated) {
        res = Redirect(request, "/login");
      } else {
        res = MakeResponse(request, http::status::forbidden, "text/plain; charset=utf-8",
                           "U heeft geen toegang tot het dashboard.\n");
      }
      if (access.stale_cookie) {
        res.set(http::field::set_cookie, ClearedSessionCookie(context.options.secure_cookies));
      }
      return Respond(std::move(res));
    }
  }

  switch (match.route) {
    case Route::kHealth:
      return Respond(MakeResponse(
          request, HealthAnswer(context.store, context.projector, context.options.health_max_lag)));
    case Route::kMetrics:
      return Respond(MakeResponse(
          request, HttpAnswer{200, kMetricsType,
                              MetricsText(*context.store, *context.projector, context.hub,
                                          context.connections.load(),
                                          context.options.health_max_lag)}));
    case Route::kLogin:
      return Respond(HandleLogin(context, request, peer));
    case Route::kLogout:
      return Respond(HandleLogout(context, request));
    case Route::kAsset:
    case Route::kPage:
      return Respond(HandleStatic(context, request, match.route, target->path));
    case Route::kApiNotFound:
      return Respond(ErrorResponse(
          request, absl::NotFoundError(absl::StrCat("no API endpoint ", target->path,
                                                    "; see /api/v1/programme and the README"))));
    case Route::kLive: {
      auto live = ParseLiveRequest(*params, ToStd(request["Last-Event-ID"]));
      if (!live.ok()) return Respond(ErrorResponse(request, live.status()));
      if (request.method() == http::verb::head) {
        return Respond(
            MakeResponse(request, http::status::ok, "text/event-stream; charset=utf-8", ""));
      }
      Decision d;
      d.kind = Decision::Kind::kLive;
      d.live = std::move(*live);
      return d;
    }
    default: {
      auto query = PrepareApiQuery(match.route, match.id, *params);
      if (!query.ok()) return Respond(ErrorResponse(request, query.status()));
      Decision d;
      d.kind = Decision::Kind::kApi;
      d.query = std::move(*query);
      return d;
    }
  }
}

}  // namespace gateway
