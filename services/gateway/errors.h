#pragma once
// The one place where status codes cross the HTTP edge: absl::Status → HTTP status and the JSON
// error body {"error":{"code":"NOT_FOUND","message":"..."}} every API error uses.
//
// Pure; no Beast.
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace gateway {

// INVALID_ARGUMENT/OUT_OF_RANGE/FAILED_PRECONDITION 400, UNAUTHENTICATED 401, PERMISSION_DENIED
// 403, NOT_FOUND 404, ALREADY_EXISTS/ABORTED 409, RESOURCE_EXHAUSTED 429, UNIMPLEMENTED 501,
// UNAVAILABLE 503, DEADLINE_EXCEEDED 504, anything else 500.
int HttpStatusFor(absl::StatusCode code);

// `s` as the contents of a JSON string (without the quotes): escapes quotes, backslashes and
// control characters, and "</" so the text is also safe inside an HTML <script>.
std::string JsonEscape(std::string_view s);

// {"error":{"code":"<CODE>","message":"<message>"}}
std::string ErrorJson(absl::StatusCode code, std::string_view message);
inline std::string ErrorJson(const absl::Status& status) {
  return ErrorJson(status.code(),
                   std::string_view(status.message().data(), status.message().size()));
}

// Text-escapes for HTML element content and attribute values.
std::string HtmlEscape(std::string_view s);

}  // namespace gateway
