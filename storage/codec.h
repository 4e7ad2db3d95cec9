#pragma once
// Private to storage/: how the log is laid out in RocksDB and how one event is encoded.
//
// Column families and keys (all integers big-endian, so byte order is numeric order):
//   events     position (8 bytes)                      -> hash (32 bytes) || envelope bytes
//   streams    stream || 0x00 || revision (8 bytes)    -> position (8 bytes)
//   event_ids  event_id                                -> position (8 bytes)
//   meta       "head_position" -> position, "head_hash" -> hash, "schema_version" -> 8 bytes
//   views      reserved for projections; the store never touches it
// Streams may not contain NUL, so `stream || 0x00` is a prefix that no other stream shares.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/envelope_wire.h"
#include "storage/event_store.h"

namespace wijkboek::v1 {
class RecordedEnvelope;
}

namespace storage::codec {

inline constexpr char kEventsCf[] = "events";
inline constexpr char kStreamsCf[] = "streams";
inline constexpr char kEventIdsCf[] = "event_ids";
inline constexpr char kMetaCf[] = "meta";
inline constexpr char kViewsCf[] = "views";

inline constexpr absl::string_view kMetaHeadPosition = "head_position";
inline constexpr absl::string_view kMetaHeadHash = "head_hash";
inline constexpr absl::string_view kMetaSchemaVersion = "schema_version";
inline constexpr std::uint64_t kSchemaVersion = 1;

inline constexpr std::size_t kHashSize = 32;
inline constexpr Revision kMaxRevision = std::numeric_limits<Revision>::max();

std::string BigEndian64(std::uint64_t value);
// nullopt unless `bytes` is exactly 8 bytes.
std::optional<std::uint64_t> ParseBigEndian64(absl::string_view bytes);

std::string StreamPrefix(absl::string_view stream);  // stream || 0x00
std::string StreamKey(absl::string_view stream, Revision revision);
// The revision in a streams key that starts with `prefix`; nullopt when the key is malformed.
std::optional<Revision> RevisionFromStreamKey(absl::string_view key, absl::string_view prefix);

absl::string_view HashView(const Hash& hash);
std::optional<Hash> HashFromBytes(absl::string_view bytes);  // nullopt unless 32 bytes

// Decodes an `events` value. DATA_LOSS when it is too short, does not parse or names another
// position than the key it is stored under.
[[nodiscard]] absl::StatusOr<StoredEvent> DecodeEvent(Position position, absl::string_view value);

// The same checks as DecodeEvent (the envelope parses, names `position`, has a 32-byte
// prev_hash) on the top-level fields only, keeping views into `value`.
[[nodiscard]] absl::StatusOr<RawEvent> DecodeRaw(Position position, absl::string_view value);

// What the writer decided for one new event, besides the event itself.
struct EventPlacement {
  Position position = 0;
  const std::string& stream;
  Revision stream_revision = 0;
  std::int64_t recorded_at_unix_micros = 0;
  const std::string& recorded_by;
  const Hash& prev_hash;
};

// Serialises the envelope, hashes it onto prev_hash and returns the stored form. The event's
// strings are moved through `scratch` (reused to keep its allocations) rather than copied.
StoredEvent EncodeEvent(NewEvent&& event, const EventPlacement& placement,
                        wijkboek::v1::RecordedEnvelope* scratch);

}  // namespace storage::codec
