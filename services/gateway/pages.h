#pragma once
// Browser login: the Dutch login page, the session cookie, and which credential a request
// carries. The cookie holds the same bearer token the API takes (HttpOnly, so page scripts never
// see it; SameSite=Strict, so other sites cannot make the browser send it).
//
// Pure; no Beast.
#include <optional>
#include <string>
#include <string_view>

namespace gateway {

inline constexpr std::string_view kSessionCookie = "wijkboek_session";

// The login form (field `token`, label "Toegangscode", button "Inloggen"); `error` (Dutch, may be
// empty) is shown above the form.
std::string LoginPage(std::string_view error);

// Set-Cookie values that set and clear the session. `secure` adds Secure (for TLS deployments).
std::string SessionCookie(std::string_view token, bool secure);
std::string ClearedSessionCookie(bool secure);

// The credential of a request as an Authorization value ("Bearer <token>"): the Authorization
// header when present, else the session cookie. nullopt when there is neither.
struct Credential {
  std::string authorization;  // "Bearer <token>" (or whatever the header said)
  bool from_cookie = false;
};
std::optional<Credential> CredentialOf(std::string_view authorization_header,
                                       std::string_view cookie_header);

}  // namespace gateway
