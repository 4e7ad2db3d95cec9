#pragma once
// The programme's rules on the write path: an AppendGate that decides every proposed event
// against the domain state of the committed log plus what the writer admitted earlier in the same
// group (services/domain/state.h has the rules, services/domain/README.md the table).
//
// Owner: wijkboekd's Server, which hands it to the EventStore (Options::gate, or SetGate before
// the first append) and keeps it alive as long as the store. Threads: after it was handed to the
// store, only the store's writer thread calls it (Admit, Commit, Abort); nothing else may touch
// it, so it needs no lock. Lifecycle: start it from ReplayDomainState (or a snapshot plus the
// events after it) before the first append, so that it reflects the whole committed log.
//
// Cost: Admit parses each payload and does a few hash lookups; taking back a refused request or
// a failed group walks an undo log of the changed values, never a copy of the state.
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/domain/state.h"
#include "storage/event_store.h"

namespace api {

class RulesGate final : public storage::AppendGate {
 public:
  explicit RulesGate(domain::ProgrammeState initial);

  // Decides the request's events in order, each against the state including the events before
  // it (in this request and in earlier admitted ones): first whether its writer (recorded_by, a
  // registered principal) may write it at all (PERMISSION_DENIED), then the programme's rules. All accepted: they stay applied. One
  // refused: this request's events are taken back and the refusal returned, its message
  // prefixed with the event's index: "events[2]: action taalmaatjes is stopped; ...".
  // FAILED_PRECONDITION for a rule; INVALID_ARGUMENT for a payload that does not parse or that
  // no state could accept.
  absl::Status Admit(const std::vector<storage::StoredEvent>& events) override;
  // The admitted events are durable: they can no longer be taken back.
  void Commit() override;
  // The group's write failed: takes back everything admitted since the last Commit.
  void Abort() override;

  // The state the gate decides on. Only when no append is in flight (tests, shutdown).
  const domain::ProgrammeState& state() const { return state_; }

 private:
  domain::ProgrammeState state_;  // only on the writer thread; undo recorded since last Commit
};

// Folds the whole committed log into a fresh state (at startup, until the projector provides a
// snapshot). Call before serving: appends that commit during the scan may or may not be seen.
// DATA_LOSS when a stored payload does not parse; the store's scan errors as they are.
[[nodiscard]] absl::StatusOr<domain::ProgrammeState> ReplayDomainState(
    const storage::EventStore& store);

// Folds the log after `after` into `state` (a snapshot taken at position `after`).
[[nodiscard]] absl::StatusOr<domain::ProgrammeState> ReplayDomainState(
    const storage::EventStore& store, domain::ProgrammeState state, storage::Position after);

}  // namespace api
