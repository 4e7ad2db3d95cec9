#include "services/api/rules_gate.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "wijkboek/v1/events.pb.h"

namespace api {

RulesGate::RulesGate(domain::ProgrammeState initial) : state_(std::move(initial)) {
  state_.RecordUndo(true);
  state_.ForgetUndo();
}

absl::Status RulesGate::Admit(const std::vector<storage::StoredEvent>& events) {
  const std::size_t mark = state_.UndoMark();
  wijkboek::v1::Payload payload;
  for (std::size_t i = 0; i < events.size(); ++i) {
    absl::Status refusal;
    if (!payload.ParseFromString(events[i].payload)) {
      refusal = absl::InvalidArgumentError("payload does not parse as a wijkboek.v1.Payload");
    } else if (auto actor = state_.FindActor(events[i].recorded_by); !actor) {
      refusal = absl::PermissionDeniedError(absl::StrCat(
          "principal ", events[i].recorded_by, " is not registered; nothing it sends is written"));
    } else if (refusal = state_.Authorize(*actor, payload); refusal.ok()) {
      refusal = state_.Decide(payload);
    }
    if (!refusal.ok()) {
      state_.UndoTo(mark);
      return absl::Status(refusal.code(), absl::StrCat("events[", i, "]: ", refusal.message()));
    }
    state_.Apply(payload);
  }
  return absl::OkStatus();
}

void RulesGate::Commit() { state_.ForgetUndo(); }

void RulesGate::Abort() { state_.UndoTo(0); }

absl::StatusOr<domain::ProgrammeState> ReplayDomainState(const storage::EventStore& store) {
  return ReplayDomainState(store, domain::ProgrammeState(), 0);
}

absl::StatusOr<domain::ProgrammeState> ReplayDomainState(const storage::EventStore& store,
                                                         domain::ProgrammeState state,
                                                         storage::Position after) {
  state.RecordUndo(false);
  wijkboek::v1::Payload payload;
  absl::Status bad;
  absl::Status scanned = store.ScanAll(after + 1, false, [&](const storage::StoredEvent& e) {
    if (!payload.ParseFromString(e.payload)) {
      bad = absl::DataLossError(absl::StrCat("position ", e.position, " (", e.type,
                                             "): payload does not parse as a wijkboek.v1.Payload"));
      return false;
    }
    state.Apply(payload);
    return true;
  });
  if (!scanned.ok()) return scanned;
  if (!bad.ok()) return bad;
  return state;
}

}  // namespace api
