#pragma once
// Pure text helpers for the HTTP edge: request targets, query strings, form bodies, cookies and
// Accept-Encoding. Nothing here knows Beast or the views, so all of it is unit-tested directly.
//
// Threads: free functions without state; QueryParams is a plain value.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gateway {

// Decodes %XX escapes; with `plus_is_space` (query strings and form bodies) also '+' → ' '.
// nullopt for a malformed escape ("%4", "%zz") or an encoded NUL, which no legitimate request
// needs and which would cut C strings short further down.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);

// Encodes everything but unreserved characters (RFC 3986), for Location headers and links.
std::string PercentEncode(std::string_view in);

// Decoded key/value pairs of a query string or an x-www-form-urlencoded body, in order.
class QueryParams {
 public:
  // Parses "a=1&b=&c" (c has an empty value). nullopt when an escape is malformed.
  static std::optional<QueryParams> Parse(std::string_view text);

  // The first value of `key`, or nullopt when absent.
  std::optional<std::string> Get(std::string_view key) const;
  // Every value of `key`, in order; values holding commas are split too ("types=A,B&types=C").
  std::vector<std::string> GetList(std::string_view key) const;
  bool Has(std::string_view key) const { return Get(key).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& pairs() const { return pairs_; }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// A request target split into its path and raw query ("/a/b?x=1" → "/a/b", "x=1").
struct Target {
  std::string path;   // percent-decoded
  std::string query;  // raw, decoded by QueryParams::Parse
};
// nullopt when the target is not an origin-form path ("*", absolute URLs, no leading '/') or the
// path has a malformed escape.
std::optional<Target> SplitTarget(std::string_view target);

// The value of cookie `name` in a Cookie header ("a=1; wijkboek_session=x"), or nullopt.
std::optional<std::string> CookieValue(std::string_view cookie_header, std::string_view name);

// True when an Accept-Encoding header admits gzip (also via "*"), i.e. not absent and not "q=0".
bool AcceptsGzip(std::string_view accept_encoding);

// Splits "host:port" or "[v6]:port". nullopt when there is no port or it is not 0–65535.
std::optional<std::pair<std::string, unsigned short>> SplitHostPort(std::string_view listen);

}  // namespace gateway
