#pragma once
// Building HTTP responses: the headers every answer carries (security, caching), gzip when the
// client takes it, HEAD without a body, and the shapes we answer with (JSON error, redirect,
// page). Internal to services/gateway.
#include <boost/beast/http.hpp>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "services/gateway/api.h"

namespace gateway {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// The web app loads only its own files; inline styles are allowed because chart libraries set
// them (and the project book carries its own), inline scripts are not. Only this origin may frame
// a page (the app may show the project book in a frame); plugins are off.
inline constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

// A response to `request` with the common headers; body and content type as given. Call Finish
// before sending.
Response MakeResponse(const Request& request, http::status status, std::string_view content_type,
                      std::string body);
Response MakeResponse(const Request& request, const HttpAnswer& answer);
// {"error":{...}} with the status's HTTP code.
Response ErrorResponse(const Request& request, const absl::Status& status);
// 303 See Other to `location`.
Response Redirect(const Request& request, std::string_view location);

// Compresses the body when the client accepts gzip and it is worth it (adds Vary either way for
// compressible types), sets Content-Length, and drops the body of a HEAD answer.
void Finish(const Request& request, Response& response);

}  // namespace gateway
