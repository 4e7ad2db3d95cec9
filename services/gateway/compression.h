#pragma once
// gzip for response bodies (zlib). Compressing is worth it for text over ~1 KiB; images and fonts
// are compressed already, and the live feed must never be (a proxy or the browser would hold
// frames back until a compression block fills).
//
// Pure; thread-safe (no shared state).
#include <optional>
#include <string>
#include <string_view>

namespace gateway {

inline constexpr std::size_t kMinGzipBytes = 1024;

// True for JSON, HTML, CSS, JavaScript, Markdown, plain text and SVG bodies of at least
// kMinGzipBytes; false for text/event-stream and everything else.
bool ShouldGzip(std::string_view content_type, std::size_t body_size);

// The gzip member (RFC 1952) of `in`; nullopt only if zlib fails (out of memory).
std::optional<std::string> Gzip(std::string_view in);

// Inflates a gzip member; for tests and clients. nullopt when the input is not valid gzip.
std::optional<std::string> Gunzip(std::string_view in);

}  // namespace gateway
