#include "services/gateway/url.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

namespace gateway {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Splits on `sep`, keeping empty pieces.
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return std::nullopt;
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string PercentEncode(std::string_view in) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::optional<QueryParams> QueryParams::Parse(std::string_view text) {
  QueryParams params;
  if (text.empty()) return params;
  for (std::string_view piece : Split(text, '&')) {
    if (piece.empty()) continue;  // "a=1&&b=2"
    std::size_t eq = piece.find('=');
    std::string_view raw_key = piece.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? "" : piece.substr(eq + 1);
    auto key = PercentDecode(raw_key, true);
    auto value = PercentDecode(raw_value, true);
    if (!key || !value) return std::nullopt;
    params.pairs_.emplace_back(std::move(*key), std::move(*value));
  }
  return params;
}

std::optional<std::string> QueryParams::Get(std::string_view key) const {
  for (const auto& [k, v] : pairs_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::vector<std::string> QueryParams::GetList(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : pairs_) {
    if (k != key) continue;
    for (std::string_view item : Split(v, ',')) {
      item = TrimSpaces(item);
      if (!item.empty()) out.emplace_back(item);
    }
  }
  return out;
}

std::optional<Target> SplitTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  std::size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  // A fragment never reaches a server, but a hand-made request could carry one: drop it.
  if (std::size_t hash = query.find('#'); hash != std::string_view::npos) {
    query = query.substr(0, hash);
  }
  if (std::size_t hash = raw_path.find('#'); hash != std::string_view::npos) {
    raw_path = raw_path.substr(0, hash);
  }
  // In a path '+' is a plus sign, not a space.
  auto path = PercentDecode(raw_path, false);
  if (!path) return std::nullopt;
  return Target{std::move(*path), std::string(query)};
}

std::optional<std::string> CookieValue(std::string_view cookie_header, std::string_view name) {
  for (std::string_view piece : Split(cookie_header, ';')) {
    piece = TrimSpaces(piece);
    std::size_t eq = piece.find('=');
    if (eq == std::string_view::npos) continue;
    if (TrimSpaces(piece.substr(0, eq)) != name) continue;
    std::string_view value = TrimSpaces(piece.substr(eq + 1));
    // RFC 6265 allows the value in double quotes.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  bool gzip_seen = false;
  bool gzip_ok = false;
  bool star_ok = false;
  for (std::string_view item : Split(accept_encoding, ',')) {
    std::vector<std::string_view> parts = Split(item, ';');
    std::string_view coding = TrimSpaces(parts[0]);
    double q = 1.0;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      std::string_view p = TrimSpaces(parts[i]);
      if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
        std::string number(p.substr(2));
        char* end = nullptr;
        q = std::strtod(number.c_str(), &end);
        if (end == number.c_str()) q = 0;
      }
    }
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip_seen = true;
      gzip_ok = q > 0;
    } else if (coding == "*") {
      star_ok = q > 0;
    }
  }
  return gzip_seen ? gzip_ok : star_ok;
}

std::optional<std::pair<std::string, unsigned short>> SplitHostPort(std::string_view listen) {
  std::string_view host;
  std::string_view port;
  if (!listen.empty() && listen.front() == '[') {
    std::size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return std::nullopt;
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    std::size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (host.empty() || port.empty()) return std::nullopt;
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || ptr != port.data() + port.size() || value > 65535) return std::nullopt;
  return std::make_pair(std::string(host), static_cast<unsigned short>(value));
}

}  // namespace gateway
