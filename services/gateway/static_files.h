#pragma once
// The built web app, served from `web_root`: index.html for the app's own routes, the bundler's
// hashed files under assets/ with long-lived caching, everything else revalidated.
//
// Files are read on first use and kept in memory (with their gzip form) until they change on disk
// (size or modification time), bounded by kMaxCacheBytes in total; the dashboard is small, and
// reading from memory keeps the I/O threads from waiting on the disk.
//
// Threads: Lookup may be called from any thread (the cache has its own mutex).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace gateway {

// The path relative to the web root for a decoded URL path, or nullopt when it tries to leave
// the root or names something hidden: a ".." or "." segment, a segment starting with '.', a
// backslash, a NUL, or an empty segment ("//"). "/" and "" map to "index.html".
std::optional<std::string> SafeRelativePath(std::string_view url_path);

// By extension; "application/octet-stream" for unknown ones. Text types say charset=utf-8.
std::string_view ContentTypeFor(std::string_view relative_path);

// Hashed bundler output (under assets/) may be cached for a year: a new build has new names.
bool IsImmutableAsset(std::string_view relative_path);

// An HTTP-date (RFC 9110), e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::chrono::system_clock::time_point time);

struct StaticFile {
  std::string relative_path;
  std::string_view content_type;
  std::shared_ptr<const std::string> body;
  std::shared_ptr<const std::string> gzipped;  // null when not worth compressing
  std::string etag;                            // strong, quoted
  std::string last_modified;                   // HTTP-date
  std::string_view cache_control;
};

class StaticFiles {
 public:
  static constexpr std::size_t kMaxCacheBytes = 64u << 20;
  static constexpr std::size_t kMaxFileBytes = 32u << 20;

  // `web_root` may be empty or missing: then nothing is found and the placeholder page is served.
  explicit StaticFiles(std::string web_root);

  // The regular file at `relative_path` (from SafeRelativePath) inside the root, nullopt when
  // there is none, it is too big, or it resolves (through a symlink) outside the root.
  std::optional<StaticFile> Lookup(const std::string& relative_path);
  // True when the root holds index.html (a built web app).
  bool HasIndex();

  const std::string& root() const { return root_; }

 private:
  struct Entry {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
    StaticFile file;
    std::size_t bytes = 0;
  };

  const std::string root_;
  std::mutex mu_;
  std::map<std::string, Entry> cache_;  // guarded by mu_
  std::size_t cache_bytes_ = 0;         // guarded by mu_
};

// The page served instead of the app when web_root holds no index.html (Dutch).
std::string PlaceholderPage();

}  // namespace gateway
