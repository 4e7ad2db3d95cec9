#pragma once
// SHA-256 for the audit library: the chain hash and key ids, over OpenSSL's EVP interface.
//
// Threads: every function may be called from any thread.
#include <string>
#include <string_view>

namespace audit {

inline constexpr std::size_t kHashSize = 32;

// SHA-256(first || second), as 32 raw bytes. The chain hash is Sha256(prev_hash, envelope).
std::string Sha256(std::string_view first, std::string_view second = {});

// Lowercase hex of raw bytes, e.g. of a hash.
std::string Hex(std::string_view bytes);

}  // namespace audit
