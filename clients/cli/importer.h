#pragma once
// The programme importer: a programme file (the shape of deploy/demo/sterk-voor-noord.json) in,
// the ordered AppendRequests that record it out. Pure: no I/O, no gRPC, so it is tested without a
// server; `wijkboek import` (import_command.cc) sends the requests.
//
// What the file becomes (clients/cli/README.md has the full table):
//   programme            -> ProgrammeDescribed                    stream programme
//   pillars[] + goals[]  -> PillarDefined, GoalDefined...         one request per pillar-<id>
//   partners[]           -> PartnerJoined                         one request per partner-<id>
//   actions[]            -> ActionStarted, ResultRecorded...,     one request per action-<id>
//                           (ActionStatusChanged STOPPED)
//   timeline[]           -> DecisionRecorded...                   one request, stream programme
// in that order, so every event finds what it refers to already recorded (a goal its pillar, an
// action its goal and partners). Each request holds one aggregate's events: the server appends
// it atomically, so an interrupted import leaves whole aggregates only.
//
// Idempotency: every event_id is derived from the stream and a stable key of the event (see
// ImportEventId), and the metadata is fixed, so importing the same file again produces
// byte-identical requests, which the server answers `deduplicated` without storing anything.
// Re-running after an interruption resumes. A file that changed since it was imported produces
// different content under the same ids, which the server refuses with ALREADY_EXISTS.
//
// Validation: the whole file is checked before anything is mapped, and every problem is reported
// (see PlanImport). Every mapped event is also checked against the event log's shape rules
// (services/domain/schema.h), so the server cannot refuse a request for its shape half-way.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace wijkboek::importer {

// How many of each kind the plan records.
struct ImportCounts {
  int programmes = 0;  // ProgrammeDescribed (0 or 1)
  int pillars = 0;
  int goals = 0;
  int partners = 0;
  int actions = 0;
  int results = 0;         // result texts and figures
  int status_changes = 0;  // ActionStatusChanged (only for stopped actions)
  int decisions = 0;       // timeline entries

  int Events() const {
    return programmes + pillars + goals + partners + actions + results + status_changes + decisions;
  }
};

struct ImportPlan {
  std::vector<v1::AppendRequest> requests;  // in the order they must be appended
  ImportCounts counts;
};

// The sectors a partner may name: the vocabulary of the Sterk voor Noord file (its README calls it
// "a fixed list"; these are the sectors the file uses). A partner may have no sector.
const std::vector<std::string>& KnownSectors();

// The status codes an action may have, as the file writes them (completed, in_progress, ...).
const std::vector<std::string>& KnownStatusCodes();

// Checks the whole file, then maps it. INVALID_ARGUMENT when the text is not JSON (with the byte
// offset) or when any entry is invalid: the message has one line per problem (at most 50), each
// naming the entry by its path and id, e.g.
//   actions[12] (jo-taalmaatjes): unknown status_code "bezig"; expected one of completed, ...
// Problems: missing or malformed required fields (ids must be slugs), duplicate ids, unknown
// sectors and status codes, an action whose pillar, goal or partners are not in the file, a goal
// whose related_goal is not in the file, fields of the wrong JSON type. On error no plan exists.
[[nodiscard]] absl::StatusOr<ImportPlan> PlanImport(std::string_view json_text);

// The event_id of an imported event: SHA-256 over "wijkboek-import", the stream and the event's
// key (e.g. "ResultRecorded/resultaat"), its first 16 bytes formatted as a UUID with version 5
// and the RFC 4122 variant. Same input, same id.
std::string ImportEventId(std::string_view stream, std::string_view key);

// A title for a long activity text: the text itself if it is one line of at most `max_chars`
// characters (code points); else its first line, or that line's first sentence, if short enough;
// else the first line cut at a word boundary with "…". Never empty for non-blank text.
std::string ShortTitle(std::string_view text, std::size_t max_chars = 120);

// Lowercase ASCII slug of free text ("Tuinkamer van Noord geopend" -> "tuinkamer-van-noord-
// geopend"); Latin-1 letters lose their accents, other characters separate words. Cut at a hyphen
// so it is at most `max_chars` long. May be empty.
std::string Slugify(std::string_view text, std::size_t max_chars);

}  // namespace wijkboek::importer
