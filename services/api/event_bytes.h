#pragma once
// The batched read path's encoder: wijkboek.v1.Event messages built straight from the stored
// bytes, without parsing payloads or metadata.
//
// A stored RecordedEnvelope (envelope.proto) is wire-compatible with Event for fields 1-5, 7,
// 8 (MetadataEntry has the shape of a map entry), 9 (bytes holding a serialised Payload read as
// the embedded Payload) and 10. Only field 6 differs: int64 recorded_at_unix_micros against
// Timestamp recorded_at. So an Event is the envelope's bytes with field 6 rewritten, followed
// by hash (11) and, when asked for, the envelope itself (12). The result parses to exactly the
// Event that ToProto (convert.h) fills, set envelope included (event_bytes_test.cc checks it).
// Payloads are not checked here: the slow path's DATA_LOSS for a payload that does not parse
// becomes a client-side parse failure of the batch (Verify finds such damage).
#include <cstddef>
#include <string>

#include "storage/envelope_wire.h"

namespace api {

// The serialised size of the Event for `event`.
[[nodiscard]] std::size_t EventBytesSize(const storage::RawEvent& event, bool include_envelope);

// Appends the serialised Event for `event` to `out`.
void AppendEventBytes(const storage::RawEvent& event, bool include_envelope, std::string* out);

// Appends `event` as one element of `repeated Event events = 1` (EventBatch.events): tag,
// length, then the Event's bytes.
void AppendBatchedEvent(const storage::RawEvent& event, bool include_envelope, std::string* out);

}  // namespace api
