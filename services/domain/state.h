#pragma once
// The programme's rules on write, and the small state they decide on.
//
// ProgrammeState is folded from the log (Apply) and answers one question (Decide): may this event
// be appended now? It knows ids, memberships and statuses only: enough for every rule, small
// enough to copy and to persist whole. No I/O, no gRPC, no RocksDB.
//
// Threads: none of its own; the owner synchronises.
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wijkboek/v1/events.pb.h"

namespace domain {

class ProgrammeState {
 public:
  // OK, or FAILED_PRECONDITION with a message that names the rule and the ids, e.g.
  // "action taalmaatjes: owner partner 'vidomes' is not a current partner". The payload's shape
  // was checked before (schema.h).
  [[nodiscard]] absl::Status Decide(const wijkboek::v1::Payload& payload) const;

  // Folds an event that Decide accepted (or that is in the log).
  void Apply(const wijkboek::v1::Payload& payload);

  // A compact, deterministic encoding of the whole state, and back.
  std::string Serialize() const;
  [[nodiscard]] static absl::StatusOr<ProgrammeState> Parse(std::string_view bytes);

  bool operator==(const ProgrammeState& other) const;

  // (Implementation: private members and, if useful, an undo log so a caller can take back the
  //  Apply calls of a refused request or a failed group without copying the whole state.)
};

}  // namespace domain
