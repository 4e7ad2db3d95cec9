#pragma once
// The export format for auditors and other tools: one JSON object per line, one event per line,
// each carrying the exact hashed bytes (the envelope, base64) beside its readable form, so that a
// verifier needs nothing but the file (export_verifier.h).
//
// CloudEvents 1.0, structured mode (the default):
//   specversion "1.0"; id = event_id; source (given by the exporter); type =
//   "wijkboek.v1.<Type>"; subject = stream; time = recorded_at (RFC 3339, UTC);
//   datacontenttype "application/json"; data = the payload's event as protobuf JSON (proto field
//   names); extensions position and revision (decimal strings: CloudEvents integers stop at
//   2^31), recordedby, hash and prevhash (lowercase hex), envelope (base64 of the stored
//   RecordedEnvelope; hash = SHA-256(prev_hash || envelope)). Metadata travels in the envelope.
// json: the wijkboek.v1.Event message as protobuf JSON (proto field names), envelope included.
//
// Threads: pure functions, callable from any thread.
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace audit {

enum class ExportFormat { kCloudEvents, kJson };

inline constexpr char kCloudEventsSpecVersion[] = "1.0";
inline constexpr char kEventTypePrefix[] = "wijkboek.v1.";

// "cloudevents" or "json"; INVALID_ARGUMENT naming both for anything else.
[[nodiscard]] absl::StatusOr<ExportFormat> ParseExportFormat(std::string_view name);

// One line of the export (without the newline) for an event read with include_envelope, in its
// readable form as the server sent it. INVALID_ARGUMENT when the event has no envelope, no
// payload, or a field JSON cannot hold (a string that is not UTF-8, a time past year 9999).
[[nodiscard]] absl::StatusOr<std::string> EncodeExportLine(const wijkboek::v1::Event& event,
                                                           ExportFormat format,
                                                           std::string_view source);

// The Event exactly as the envelope bytes say it, with `hash` = SHA-256(prev_hash || envelope):
// what an honest server sends for them. INVALID_ARGUMENT when the bytes are not a
// RecordedEnvelope or its payload is not a wijkboek.v1.Payload.
[[nodiscard]] absl::StatusOr<wijkboek::v1::Event> EventFromEnvelope(std::string_view envelope);

}  // namespace audit
