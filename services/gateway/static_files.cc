#include "services/gateway/static_files.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/gateway/compression.h"

namespace gateway {
namespace fs = std::filesystem;

namespace {

struct TypeEntry {
  std::string_view extension;
  std::string_view type;
};

constexpr TypeEntry kTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".js", "application/javascript; charset=utf-8"},
    {".mjs", "application/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".webmanifest", "application/manifest+json; charset=utf-8"},
    {".txt", "text/plain; charset=utf-8"},
    {".md", "text/markdown; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".avif", "image/avif"},
    {".ico", "image/x-icon"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".otf", "font/otf"},
    {".wasm", "application/wasm"},
    {".pdf", "application/pdf"},
};

std::string ToHex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::optional<std::string> ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(out).str();
}

bool Within(const fs::path& root, const fs::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // a trailing slash on the root
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> SafeRelativePath(std::string_view url_path) {
  while (!url_path.empty() && url_path.front() == '/') url_path.remove_prefix(1);
  if (url_path.empty()) return "index.html";
  std::string out;
  std::size_t start = 0;
  while (start <= url_path.size()) {
    std::size_t end = url_path.find('/', start);
    if (end == std::string_view::npos) end = url_path.size();
    std::string_view segment = url_path.substr(start, end - start);
    if (segment.empty()) {
      if (end == url_path.size()) break;  // a trailing slash: a directory, see below
      return std::nullopt;
    }
    if (segment.front() == '.') return std::nullopt;  // ".", "..", hidden files
    if (segment.find('\\') != std::string_view::npos ||
        segment.find('\0') != std::string_view::npos) {
      return std::nullopt;
    }
    if (!out.empty()) out.push_back('/');
    out.append(segment);
    start = end + 1;
  }
  // "/docs/" means the directory's index.
  if (url_path.back() == '/') out += "/index.html";
  return out;
}

std::string_view ContentTypeFor(std::string_view relative_path) {
  std::size_t slash = relative_path.rfind('/');
  std::size_t dot = relative_path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string ext(relative_path.substr(dot));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& t : kTypes) {
    if (ext == t.extension) return t.type;
  }
  return "application/octet-stream";
}

bool IsImmutableAsset(std::string_view relative_path) {
  return relative_path.substr(0, 7) == "assets/";
}

std::string HttpDate(std::chrono::system_clock::time_point time) {
  std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  // Day and month names are fixed English tokens in HTTP; do not use the locale.
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

StaticFiles::StaticFiles(std::string web_root) : root_(std::move(web_root)) {}

bool StaticFiles::HasIndex() {
  if (root_.empty()) return false;
  std::error_code ec;
  return fs::is_regular_file(fs::path(root_) / "index.html", ec);
}

std::optional<StaticFile> StaticFiles::Lookup(const std::string& relative_path) {
  if (root_.empty()) return std::nullopt;
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::path(root_), ec);
  if (ec) return std::nullopt;
  const fs::path path = fs::weakly_canonical(root / relative_path, ec);
  // SafeRelativePath already refused "..", but a symlink inside the root could still point out.
  if (ec || !Within(root, path)) return std::nullopt;
  auto status = fs::status(path, ec);
  if (ec || !fs::is_regular_file(status)) return std::nullopt;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec || size > kMaxFileBytes) return std::nullopt;
  const fs::file_time_type mtime = fs::last_write_time(path, ec);
  if (ec) return std::nullopt;

  {
    std::lock_guard l(mu_);
    auto it = cache_.find(relative_path);
    if (it != cache_.end() && it->second.size == size && it->second.mtime == mtime) {
      return it->second.file;
    }
  }

  auto body = ReadWhole(path);
  if (!body) return std::nullopt;
  StaticFile file;
  file.relative_path = relative_path;
  file.content_type = ContentTypeFor(relative_path);
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
  file.etag =
      absl::StrCat("\"", ToHex(body->size()), "-", ToHex(static_cast<std::uint64_t>(ns)), "\"");
  auto system_time = std::chrono::file_clock::to_sys(mtime);
  file.last_modified =
      HttpDate(std::chrono::time_point_cast<std::chrono::system_clock::duration>(system_time));
  file.cache_control =
      IsImmutableAsset(relative_path) ? "public, max-age=31536000, immutable" : "no-cache";
  if (ShouldGzip(file.content_type, body->size())) {
    if (auto gz = Gzip(*body); gz && gz->size() < body->size()) {
      file.gzipped = std::make_shared<const std::string>(std::move(*gz));
    }
  }
  file.body = std::make_shared<const std::string>(std::move(*body));

  std::size_t bytes = file.body->size() + (file.gzipped ? file.gzipped->size() : 0);
  std::lock_guard l(mu_);
  if (auto it = cache_.find(relative_path); it != cache_.end()) {
    cache_bytes_ -= it->second.bytes;
    cache_.erase(it);
  }
  // Over the bound: start afresh rather than track recency; a rebuilt app simply fills it again.
  if (cache_bytes_ + bytes > kMaxCacheBytes) {
    cache_.clear();
    cache_bytes_ = 0;
  }
  if (bytes <= kMaxCacheBytes) {
    cache_[relative_path] = Entry{size, mtime, file, bytes};
    cache_bytes_ += bytes;
  }
  return file;
}

std::string PlaceholderPage() {
  return R"(<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wijkboek — dashboard niet gebouwd</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
code{background:#f0f0f0;padding:.1rem .3rem;border-radius:3px}
</style>
</head>
<body>
<main>
<h1>Het dashboard is nog niet gebouwd</h1>
<p>De server draait en de gegevens zijn beschikbaar via de JSON-API
(bijvoorbeeld <a href="/api/v1/programme"><code>/api/v1/programme</code></a>) en de live-feed
(<code>/api/v1/events/live</code>), maar de webpagina's zijn niet gevonden.</p>
<p>Bouw het dashboard met <code>deploy/run</code> of wijs de server met
<code>--web-root</code> de map met de gebouwde bestanden aan.</p>
</main>
</body>
</html>
)";
}

}  // namespace gateway
