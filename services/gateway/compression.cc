#include "services/gateway/compression.h"

#include <zlib.h>

namespace gateway {
namespace {

// zlib's windowBits: 15 (32 KiB window) + 16 selects the gzip wrapper instead of zlib's.
constexpr int kGzipWindowBits = 15 + 16;

}  // namespace

bool ShouldGzip(std::string_view content_type, std::size_t body_size) {
  if (body_size < kMinGzipBytes) return false;
  std::string_view type = content_type.substr(0, content_type.find(';'));
  if (type == "text/event-stream") return false;
  return type.substr(0, 5) == "text/" || type == "application/json" ||
         type == "application/javascript" || type == "application/manifest+json" ||
         type == "image/svg+xml";
}

std::optional<std::string> Gzip(std::string_view in) {
  z_stream zs{};
  // Level 6 (zlib's default) is the usual balance; API answers are compressed per request.
  if (deflateInit2(&zs, 6, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  std::size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(produced);
  return out;
}

std::optional<std::string> Gunzip(std::string_view in) {
  z_stream zs{};
  if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) return std::nullopt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace gateway
