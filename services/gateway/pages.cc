#include "services/gateway/pages.h"

#include "absl/strings/str_cat.h"
#include "services/gateway/errors.h"
#include "services/gateway/url.h"

namespace gateway {

std::string LoginPage(std::string_view error) {
  std::string error_html;
  if (!error.empty()) {
    error_html =
        absl::StrCat("<p class=\"fout\" role=\"alert\" id=\"fout\">", HtmlEscape(error), "</p>\n");
  }
  return absl::StrCat(R"(<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inloggen — wijkboek</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f6f8;color:#1a1a1a;margin:0;line-height:1.5}
main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.5rem;margin-top:0}
label{display:block;font-weight:600;margin-bottom:.3rem}
input{width:100%;box-sizing:border-box;font-size:1rem;padding:.6rem;border:1px solid #6b7280;border-radius:4px}
input:focus,button:focus{outline:3px solid #1d4ed8;outline-offset:2px}
button{margin-top:1rem;font-size:1rem;padding:.6rem 1.2rem;background:#1d4ed8;color:#fff;border:0;border-radius:4px;cursor:pointer}
.fout{background:#fde8e8;color:#8a1c1c;border:1px solid #f1aeae;padding:.6rem;border-radius:4px}
.uitleg{color:#4b5563;font-size:.9rem}
</style>
</head>
<body>
<main>
<h1>Inloggen bij wijkboek</h1>
)",
                      error_html, R"(<form method="post" action="/login">
<label for="token">Toegangscode</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus)",
                      error.empty() ? "" : " aria-describedby=\"fout\"", R"(>
<button type="submit">Inloggen</button>
</form>
<p class="uitleg">De toegangscode krijgt u van het programmateam.</p>
</main>
</body>
</html>
)");
}

std::string SessionCookie(std::string_view token, bool secure) {
  // Tokens are "wbk_" + base64url, so they need no quoting; percent-encode anything else so a
  // strange token can never split the header.
  return absl::StrCat(std::string(kSessionCookie), "=", PercentEncode(token),
                      "; HttpOnly; SameSite=Strict; Path=/", secure ? "; Secure" : "");
}

std::string ClearedSessionCookie(bool secure) {
  return absl::StrCat(std::string(kSessionCookie),
                      "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; "
                      "Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                      secure ? "; Secure" : "");
}

std::optional<Credential> CredentialOf(std::string_view authorization_header,
                                       std::string_view cookie_header) {
  if (!authorization_header.empty()) return Credential{std::string(authorization_header), false};
  auto cookie = CookieValue(cookie_header, kSessionCookie);
  if (!cookie || cookie->empty()) return std::nullopt;
  auto token = PercentDecode(*cookie, false);
  if (!token) return std::nullopt;
  return Credential{absl::StrCat("Bearer ", *token), true};
}

}  // namespace gateway
