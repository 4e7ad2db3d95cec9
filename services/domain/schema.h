#pragma once
// The shape rules of the event log: which stream an event belongs in, which fields it needs, and
// what ids and dates look like. Pure functions over protobuf messages; no I/O, no gRPC, no state.
// Business rules that depend on what happened before (a goal needs its pillar, ...) are not here.
#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "wijkboek/v1/events.pb.h"

namespace domain {

// The payload's message name, e.g. "ActionStarted"; empty when no event is set.
std::string EventType(const wijkboek::v1::Payload& payload);

// The stream the payload belongs in, e.g. "action-taalmaatjes" or "programme"; empty when no
// event is set.
std::string StreamFor(const wijkboek::v1::Payload& payload);

// True for the message names of every event in Payload.
bool IsKnownEventType(std::string_view type);

// A slug: lowercase letters and digits in groups joined by single hyphens, at most 100 chars.
bool IsSlug(std::string_view id);

// A calendar date written YYYY-MM-DD.
bool IsIsoDate(std::string_view date);

// A UUID in its textual 8-4-4-4-12 hex form (either case).
bool IsUuid(std::string_view id);

// The longest text a string field may hold, in bytes, unless the caller says otherwise
// (wijkboekd --max-string-bytes).
inline constexpr std::size_t kDefaultMaxStringBytes = 16 * 1024;

// Checks one payload's shape: an event is set, required fields are present, ids are slugs, dates
// are dates, figures are finite and in range, no string is longer than `max_string_bytes`.
// INVALID_ARGUMENT naming the field, prefixed by `field_path` (e.g. "events[2].payload").
[[nodiscard]] absl::Status ValidatePayload(const wijkboek::v1::Payload& payload,
                                           std::string_view field_path,
                                           std::size_t max_string_bytes = kDefaultMaxStringBytes);

// ValidatePayload plus: the payload belongs in `stream`.
[[nodiscard]] absl::Status ValidateForStream(
    const wijkboek::v1::Payload& payload, std::string_view stream, std::string_view field_path,
    std::size_t max_string_bytes = kDefaultMaxStringBytes);

// Events that only the Admin service writes (PrincipalRegistered, TokenIssued, TokenRevoked).
bool IsCredentialEvent(const wijkboek::v1::Payload& payload);

}  // namespace domain
