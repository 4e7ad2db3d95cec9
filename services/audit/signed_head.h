#pragma once
// Signed heads: the server's Ed25519 signature over (position, head hash, time), so that an
// auditor who keeps one can later prove that the log still extends it. This file is the
// checking side, which needs no key of its own; head_signer.h makes them.
//
// The signature covers exactly the bytes documented on message SignedHead in eventlog.proto:
//   "wijkboek signed head v1\nposition=<position>\nhash=<hex>\nsigned_at=<unix micros>\n"
//
// Threads: every function may be called from any thread.
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace audit {

inline constexpr std::size_t kPublicKeySize = 32;
inline constexpr std::size_t kSignatureSize = 64;

// The exact bytes a signed head's signature covers.
std::string SignedHeadBytes(std::uint64_t position, std::string_view hash,
                            std::int64_t signed_at_unix_micros);

// The first 16 lowercase hex characters of SHA-256(public_key).
std::string KeyId(std::string_view public_key);

// Checks a signed head on its own: 32-byte hash and key, 64-byte signature, a key_id that belongs
// to the key, signed_at in whole microseconds, and a signature that verifies over
// SignedHeadBytes. INVALID_ARGUMENT naming the field when something is malformed or the signature
// does not verify. Whose key it is, is the caller's question (compare key_id with one you trust).
[[nodiscard]] absl::Status CheckSignedHead(const wijkboek::v1::SignedHead& head);

// Whether `hash`, the log's hash at the signed head's position now, is the hash that was signed.
// FAILED_PRECONDITION saying that the log was rewritten at or before that position when not.
[[nodiscard]] absl::Status CheckHashAtSignedHead(const wijkboek::v1::SignedHead& head,
                                                 std::string_view hash);

// signed_at as unix microseconds; INVALID_ARGUMENT when it has sub-microsecond digits (a signer
// never writes those, so the signed bytes could not be reproduced).
[[nodiscard]] absl::StatusOr<std::int64_t> SignedAtMicros(const wijkboek::v1::SignedHead& head);

// A signed head from text as `wijkboek audit head` prints it (protobuf JSON, one object) or as
// the server appends them to <data-dir>/signed-heads.jsonl (one per line: the last one counts).
// Parses only; call CheckSignedHead to check it. INVALID_ARGUMENT when there is none or the last
// non-empty line is not a SignedHead.
[[nodiscard]] absl::StatusOr<wijkboek::v1::SignedHead> ParseSignedHead(std::string_view text);

// One line of JSON (protobuf JSON mapping, proto field names), without the newline.
std::string SignedHeadJson(const wijkboek::v1::SignedHead& head);

// "position P (hash 1a2b3c4d…, signed 2026-11-23T21:26:21.123456Z by key 0123456789abcdef)", for
// messages.
std::string DescribeSignedHead(const wijkboek::v1::SignedHead& head);

}  // namespace audit
