#pragma once
// Stored events as bytes, for readers that pass them on without building messages (the batched
// read path, services/api/event_bytes.h). ReadEnvelopeWire walks the top-level fields of a
// RecordedEnvelope (proto/wijkboek/v1/envelope.proto) once and reports where they are; it copies
// nothing and does not look inside strings, metadata or the payload.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "storage/event_store.h"

namespace storage {

struct EnvelopeWire {
  Position position = 0;
  std::string_view stream;
  Revision stream_revision = 0;
  std::int64_t recorded_at_unix_micros = 0;
  std::string_view prev_hash;
  bool has_payload = false;  // field 9 present (proto3 leaves an empty payload out)
  // Field 6 (recorded_at_unix_micros, tag and value) is bytes [recorded_at_begin,
  // recorded_at_end) of the envelope. When it is absent (0 micros) both name the place it would
  // take: before the first field numbered above 6, or the end.
  std::size_t recorded_at_begin = 0;
  std::size_t recorded_at_end = 0;
};

// nullopt when the bytes are not a well-formed envelope: a truncated or malformed field, a known
// field with the wrong wire type, field 6 twice, or a group.
[[nodiscard]] std::optional<EnvelopeWire> ReadEnvelopeWire(std::string_view bytes);

// One stored event as its bytes. The views are valid only during the visitor's call.
struct RawEvent {
  std::string_view hash;      // 32 bytes
  std::string_view envelope;  // the stored RecordedEnvelope, exactly the hashed bytes
  EnvelopeWire fields;        // ReadEnvelopeWire(envelope)
};
// Return false to stop a scan.
using RawVisitor = std::function<bool(const RawEvent&)>;

// Reads a varint at `*at`, advancing it; false when truncated or longer than 10 bytes.
bool ReadVarint(std::string_view bytes, std::size_t* at, std::uint64_t* value);

}  // namespace storage
