#pragma once

// The CLI's input and output formats, apart from the command-line parsing and gRPC, so they can be
// tested without a server. All functions are pure or touch only the stream/file they are given.

#include <istream>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace wijkboek::cli {

// Parses `--expected`: "any", "no-stream", "exists" or a revision number (the revision of the
// stream's last event). INVALID_ARGUMENT for anything else.
[[nodiscard]] absl::StatusOr<v1::ExpectedRevision> ParseExpectedRevision(absl::string_view text);

// Parses a status as the command line writes it: planned, in-progress, ongoing, extended,
// continued-in-regular-work, completed, stopped (underscores instead of hyphens are accepted too).
// INVALID_ARGUMENT listing the choices for anything else.
[[nodiscard]] absl::StatusOr<v1::ActionStatus> ParseActionStatus(absl::string_view text);

// Reads ProposedEvents, one JSON object per line (protobuf JSON mapping, snake_case or camelCase
// field names). Blank lines are skipped; line numbers count them. An event without event_id gets
// a fresh UUIDv4. INVALID_ARGUMENT naming the 1-based line for a line that does not parse or has
// no payload, and when there is no event at all; nothing is returned partially.
[[nodiscard]] absl::StatusOr<std::vector<v1::ProposedEvent>> ReadProposedEvents(std::istream& in);

// A random (version 4) UUID in the canonical lowercase 8-4-4-4-12 form.
std::string NewUuidV4();

// The message as one line of JSON (protobuf JSON mapping, proto field names, default values left
// out), without the newline. INVALID_ARGUMENT when the message has no JSON form (e.g. a timestamp
// outside years 1-9999).
[[nodiscard]] absl::StatusOr<std::string> ToJsonLine(const google::protobuf::Message& message);

// The token in the file's first line, surrounding whitespace removed. NOT_FOUND when the file
// cannot be read, INVALID_ARGUMENT when its first line is empty.
[[nodiscard]] absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace wijkboek::cli
