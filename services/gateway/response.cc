#include "services/gateway/response.h"

#include "services/gateway/compression.h"
#include "services/gateway/errors.h"
#include "services/gateway/url.h"

namespace gateway {

namespace {

std::string_view ToStd(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

Response MakeResponse(const Request& request, http::status status, std::string_view content_type,
                      std::string body) {
  Response res{status, request.version()};
  res.set(http::field::server, "wijkboekd");
  res.set(http::field::content_type,
          boost::beast::string_view(content_type.data(), content_type.size()));
  res.set("X-Content-Type-Options", "nosniff");
  // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on the login
  // form's POST, and the same-origin check then refuses every browser login.
  res.set("Referrer-Policy", "same-origin");
  res.set("X-Frame-Options", "SAMEORIGIN");
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  // Views change with every event and may not be public: never stored by a cache. Static files
  // override this with their own policy.
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  return res;
}

Response MakeResponse(const Request& request, const HttpAnswer& answer) {
  return MakeResponse(request, static_cast<http::status>(answer.status), answer.content_type,
                      answer.body);
}

Response ErrorResponse(const Request& request, const absl::Status& status) {
  return MakeResponse(request, static_cast<http::status>(HttpStatusFor(status.code())), kJsonType,
                      ErrorJson(status));
}

Response Redirect(const Request& request, std::string_view location) {
  Response res = MakeResponse(request, http::status::see_other, "text/plain; charset=utf-8", "");
  res.set(http::field::location, boost::beast::string_view(location.data(), location.size()));
  return res;
}

void Finish(const Request& request, Response& response) {
  std::string_view type = ToStd(response[http::field::content_type]);
  bool compressible = ShouldGzip(type, kMinGzipBytes);
  if (compressible) response.set(http::field::vary, "Accept-Encoding");
  if (compressible && response.find(http::field::content_encoding) == response.end() &&
      ShouldGzip(type, response.body().size()) &&
      AcceptsGzip(ToStd(request[http::field::accept_encoding]))) {
    if (auto gz = Gzip(response.body()); gz && gz->size() < response.body().size()) {
      response.body() = std::move(*gz);
      response.set(http::field::content_encoding, "gzip");
    }
  }
  response.content_length(response.body().size());
  if (request.method() == http::verb::head) response.body().clear();
}

}  // namespace gateway
