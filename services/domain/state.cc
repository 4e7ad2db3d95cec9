// The rules: Decide and the status transition table. Apply and undo are in state_apply.cc, the
// snapshot encoding in state_snapshot.cc; services/domain/README.md lists every rule.
#include "services/domain/state.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace domain {

using wijkboek::v1::ActionStatus;
using wijkboek::v1::Payload;
namespace v1 = ::wijkboek::v1;

namespace {

template <typename... Args>
absl::Status Refuse(const Args&... args) {
  return absl::FailedPreconditionError(absl::StrCat(args...));
}

}  // namespace

bool IsKnownStatus(int status) {
  return status != v1::ACTION_STATUS_UNSPECIFIED && v1::ActionStatus_IsValid(status);
}

// ---- Statuses -----------------------------------------------------------------------------------

std::string StatusName(ActionStatus status) {
  switch (status) {
    case v1::ACTION_STATUS_UNSPECIFIED:
      return "unspecified";
    case v1::ACTION_STATUS_PLANNED:
      return "planned";
    case v1::ACTION_STATUS_IN_PROGRESS:
      return "in_progress";
    case v1::ACTION_STATUS_ONGOING:
      return "ongoing";
    case v1::ACTION_STATUS_EXTENDED:
      return "extended";
    case v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK:
      return "continued_in_regular_work";
    case v1::ACTION_STATUS_COMPLETED:
      return "completed";
    case v1::ACTION_STATUS_STOPPED:
      return "stopped";
    default:
      return absl::StrCat("status ", static_cast<int>(status));
  }
}

std::optional<ActionStatus> ParseStatusName(std::string_view text) {
  std::string name(text);
  std::replace(name.begin(), name.end(), '-', '_');
  constexpr std::string_view kPrefix = "action_status_";
  if (name.rfind(kPrefix, 0) == 0) name.erase(0, kPrefix.size());
  for (int n = v1::ACTION_STATUS_PLANNED; n <= v1::ACTION_STATUS_STOPPED; ++n) {
    if (name == StatusName(static_cast<ActionStatus>(n))) return static_cast<ActionStatus>(n);
  }
  return std::nullopt;
}

std::string StatusNamesForPeople() {
  std::string names;
  for (int n = v1::ACTION_STATUS_PLANNED; n <= v1::ACTION_STATUS_STOPPED; ++n) {
    std::string name = StatusName(static_cast<ActionStatus>(n));
    std::replace(name.begin(), name.end(), '_', '-');
    absl::StrAppend(&names, names.empty() ? "" : ", ", name);
  }
  return names;
}

// The table in README.md. Working statuses (in progress, ongoing, extended) move freely among
// each other and may end in any way; a completed action may get a sequel (extended, or continued
// in regular work); regular work may still be stopped; stopped is final.
bool IsAllowedTransition(ActionStatus from, ActionStatus to) {
  if (from == to || !IsKnownStatus(to)) return false;
  switch (from) {
    case v1::ACTION_STATUS_PLANNED:
      return to == v1::ACTION_STATUS_IN_PROGRESS || to == v1::ACTION_STATUS_ONGOING ||
             to == v1::ACTION_STATUS_STOPPED;
    case v1::ACTION_STATUS_IN_PROGRESS:
    case v1::ACTION_STATUS_ONGOING:
    case v1::ACTION_STATUS_EXTENDED:
      return to != v1::ACTION_STATUS_PLANNED;
    case v1::ACTION_STATUS_COMPLETED:
      return to == v1::ACTION_STATUS_EXTENDED || to == v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK;
    case v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK:
      return to == v1::ACTION_STATUS_STOPPED;
    default:  // STOPPED is final; UNSPECIFIED and unknown numbers go nowhere
      return false;
  }
}

std::vector<ActionStatus> AllowedTransitionsFrom(ActionStatus from) {
  std::vector<ActionStatus> out;
  for (int s = v1::ActionStatus_MIN; s <= v1::ActionStatus_MAX; ++s) {
    if (IsAllowedTransition(from, static_cast<ActionStatus>(s))) {
      out.push_back(static_cast<ActionStatus>(s));
    }
  }
  return out;
}

// ---- Decide -------------------------------------------------------------------------------------

absl::Status ProgrammeState::CurrentPartner(std::string_view subject, std::string_view role,
                                            const std::string& partner_id) const {
  auto it = partners_.find(partner_id);
  if (it != partners_.end() && it->second) return absl::OkStatus();
  return Refuse(std::string(subject), ": ", std::string(role), " '", partner_id,
                "' is not a current partner",
                it == partners_.end() ? " (it never joined; record PartnerJoined first)"
                                      : " (it left the programme)");
}

absl::Status ProgrammeState::ActiveAction(const std::string& action_id, std::string_view what,
                                          const Action** out) const {
  auto it = actions_.find(action_id);
  if (it == actions_.end()) {
    return Refuse("action ", action_id,
                  " does not exist; an action's first event must be ActionStarted");
  }
  if (it->second.status == v1::ACTION_STATUS_STOPPED) {
    return Refuse("action ", action_id, " is stopped; ", std::string(what));
  }
  *out = &it->second;
  return absl::OkStatus();
}

absl::Status ProgrammeState::DecideActionStarted(const v1::ActionStarted& e) const {
  const std::string subject = absl::StrCat("action ", e.action_id());
  if (actions_.contains(e.action_id())) {
    return Refuse(subject,
                  " already exists; an action starts once and action ids are unique (record "
                  "further events on it, or choose another id)");
  }
  if (e.status() != v1::ACTION_STATUS_UNSPECIFIED && !IsKnownStatus(e.status())) {
    return absl::InvalidArgumentError(absl::StrCat(
        subject, ": status ", static_cast<int>(e.status()), " is not a known ActionStatus"));
  }
  if (!goals_.contains(e.goal_id())) {
    return Refuse(subject, ": goal ", e.goal_id(),
                  " does not exist; define it with GoalDefined first");
  }
  if (!e.owner_partner_id().empty()) {
    absl::Status s = CurrentPartner(subject, "owner partner", e.owner_partner_id());
    if (!s.ok()) {
      return Refuse(s.message(),
                    "; name a current partner as owner, or leave the owner empty (an ownership "
                    "gap)");
    }
  }
  for (const std::string& p : e.partner_ids()) {
    if (absl::Status s = CurrentPartner(subject, "coalition partner", p); !s.ok()) return s;
  }
  if (e.status() == v1::ACTION_STATUS_STOPPED) {
    return Refuse(subject,
                  " cannot start as stopped; start it with the status it had (e.g. "
                  "in_progress), then record ActionStatusChanged to stopped");
  }
  return absl::OkStatus();
}

absl::Status ProgrammeState::DecideOwnershipTransferred(const v1::OwnershipTransferred& e) const {
  const Action* action = nullptr;
  if (absl::Status s = ActiveAction(e.action_id(), "its ownership cannot be transferred", &action);
      !s.ok()) {
    return s;
  }
  const std::string subject = absl::StrCat("action ", e.action_id());
  if (e.from_partner_id() != action->owner) {
    if (action->owner.empty()) {
      return Refuse(subject, ": from_partner_id is '", e.from_partner_id(),
                    "' but the action has no owner; leave from_partner_id empty");
    }
    if (e.from_partner_id().empty()) {
      return Refuse(subject, ": from_partner_id is empty but the action's owner is '",
                    action->owner, "'; name the current owner");
    }
    return Refuse(subject, ": from_partner_id '", e.from_partner_id(),
                  "' is not the action's owner; its owner is '", action->owner, "'");
  }
  if (absl::Status s = CurrentPartner(subject, "new owner", e.to_partner_id()); !s.ok()) return s;
  if (e.to_partner_id() == action->owner) {
    return Refuse(subject, ": partner '", e.to_partner_id(), "' is already its owner");
  }
  return absl::OkStatus();
}

absl::Status ProgrammeState::DecideStatusChanged(const v1::ActionStatusChanged& e) const {
  const std::string subject = absl::StrCat("action ", e.action_id());
  if (!IsKnownStatus(e.status())) {
    return absl::InvalidArgumentError(absl::StrCat(
        subject, ": status ", static_cast<int>(e.status()), " is not a known ActionStatus"));
  }
  const Action* action = nullptr;
  if (absl::Status s =
          ActiveAction(e.action_id(), "its status cannot change (stopped is final)", &action);
      !s.ok()) {
    return s;
  }
  if (action->status == e.status()) {
    return Refuse(subject, " is already ", StatusName(e.status()),
                  "; record a status change only when the status changes");
  }
  if (!IsAllowedTransition(action->status, e.status())) {
    std::vector<std::string> allowed;
    for (ActionStatus s : AllowedTransitionsFrom(action->status)) allowed.push_back(StatusName(s));
    return Refuse(subject, ": status cannot change from ", StatusName(action->status), " to ",
                  StatusName(e.status()), "; allowed from ", StatusName(action->status), ": ",
                  absl::StrJoin(allowed, ", "));
  }
  return absl::OkStatus();
}

absl::Status ProgrammeState::DecideActivityScheduled(const v1::ActivityScheduled& e) const {
  const std::string subject = absl::StrCat("activity ", e.activity_id());
  if (activities_.contains(e.activity_id())) {
    return Refuse(subject, " already exists; activity ids are unique");
  }
  if (!e.pillar_id().empty() && !pillars_.contains(e.pillar_id())) {
    return Refuse(subject, ": pillar ", e.pillar_id(),
                  " does not exist; define it with PillarDefined first, or leave it empty");
  }
  if (!e.organiser_partner_id().empty()) {
    return CurrentPartner(subject, "organiser partner", e.organiser_partner_id());
  }
  return absl::OkStatus();
}

// PartnerJoined, PartnerProfileUpdated, PartnerLeft.
absl::Status ProgrammeState::DecidePartnerEvent(const Payload& payload) const {
  switch (payload.event_case()) {
    case Payload::kPartnerJoined: {
      const auto& e = payload.partner_joined();
      if (IsCurrentPartner(e.partner_id())) {
        return Refuse("partner ", e.partner_id(),
                      " is already a current partner; use PartnerProfileUpdated to change its "
                      "profile");
      }
      return absl::OkStatus();
    }
    case Payload::kPartnerProfileUpdated: {
      const std::string& id = payload.partner_profile_updated().partner_id();
      if (IsCurrentPartner(id)) return absl::OkStatus();
      return Refuse("partner ", id, " is not a current partner",
                    partners_.contains(id) ? " (it left the programme)" : " (it never joined)",
                    "; only a current partner's profile can be updated");
    }
    case Payload::kPartnerLeft: {
      const std::string& id = payload.partner_left().partner_id();
      if (IsCurrentPartner(id)) return absl::OkStatus();
      return Refuse(
          "partner ", id, " is not a current partner",
          partners_.contains(id) ? " (it already left the programme)" : " (it never joined)",
          "; only a current partner can leave");
    }
    default:
      return absl::OkStatus();
  }
}

// PillarDefined, GoalDefined, KpiDefined, MeasurementRecorded.
absl::Status ProgrammeState::DecideStructureEvent(const Payload& payload) const {
  switch (payload.event_case()) {
    case Payload::kPillarDefined: {
      const std::string& id = payload.pillar_defined().pillar_id();
      if (pillars_.contains(id)) {
        return Refuse("pillar ", id, " already exists; pillar ids are unique");
      }
      return absl::OkStatus();
    }
    case Payload::kGoalDefined: {
      const auto& e = payload.goal_defined();
      if (auto it = goals_.find(e.goal_id()); it != goals_.end()) {
        return Refuse("goal ", e.goal_id(), " already exists (in pillar ", it->second,
                      "); goal ids are unique across the programme");
      }
      if (!pillars_.contains(e.pillar_id())) {
        return Refuse("goal ", e.goal_id(), ": pillar ", e.pillar_id(),
                      " does not exist; define it with PillarDefined first");
      }
      return absl::OkStatus();
    }
    case Payload::kKpiDefined: {
      const auto& e = payload.kpi_defined();
      if (kpis_.contains(e.kpi_id())) {
        return Refuse("kpi ", e.kpi_id(), " already exists; kpi ids are unique");
      }
      if (!pillars_.contains(e.pillar_id())) {
        return Refuse("kpi ", e.kpi_id(), ": pillar ", e.pillar_id(),
                      " does not exist; define it with PillarDefined first");
      }
      if (!e.goal_id().empty()) {
        auto goal = goals_.find(e.goal_id());
        if (goal == goals_.end()) {
          return Refuse("kpi ", e.kpi_id(), ": goal ", e.goal_id(),
                        " does not exist; define it with GoalDefined first, or leave it empty");
        }
        if (goal->second != e.pillar_id()) {
          return Refuse("kpi ", e.kpi_id(), ": goal ", e.goal_id(), " belongs to pillar ",
                        goal->second, ", not to pillar ", e.pillar_id());
        }
      }
      return absl::OkStatus();
    }
    case Payload::kMeasurementRecorded: {
      const auto& e = payload.measurement_recorded();
      auto kpi = kpis_.find(e.kpi_id());
      if (kpi == kpis_.end()) {
        return Refuse("kpi ", e.kpi_id(),
                      " does not exist; define it with KpiDefined before recording measurements");
      }
      if (!e.measurement_id().empty() && kpi->second.contains(e.measurement_id())) {
        return Refuse("kpi ", e.kpi_id(), ": measurement ", e.measurement_id(),
                      " was already recorded; measurement ids are unique per KPI");
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

// PartnerJoinedAction, ResultRecorded, CapacityCommitted, FundsAllocated.
absl::Status ProgrammeState::DecideActionEvent(const Payload& payload) const {
  switch (payload.event_case()) {
    case Payload::kPartnerJoinedAction: {
      const auto& e = payload.partner_joined_action();
      const Action* action = nullptr;
      if (absl::Status s = ActiveAction(e.action_id(), "no partners can join it", &action);
          !s.ok()) {
        return s;
      }
      const std::string subject = absl::StrCat("action ", e.action_id());
      if (absl::Status s = CurrentPartner(subject, "partner", e.partner_id()); !s.ok()) return s;
      if (action->owner == e.partner_id()) {
        return Refuse(subject, ": partner '", e.partner_id(), "' is already its owner");
      }
      if (std::binary_search(action->members.begin(), action->members.end(), e.partner_id())) {
        return Refuse(subject, ": partner '", e.partner_id(), "' has already joined it");
      }
      return absl::OkStatus();
    }
    case Payload::kResultRecorded: {
      const auto& e = payload.result_recorded();
      const Action* action = nullptr;
      if (absl::Status s = ActiveAction(e.action_id(), "no results can be recorded", &action);
          !s.ok()) {
        return s;
      }
      if (!e.result_id().empty() && action->result_ids.contains(e.result_id())) {
        return Refuse("action ", e.action_id(), ": result ", e.result_id(),
                      " was already recorded; result ids are unique per action");
      }
      return absl::OkStatus();
    }
    case Payload::kCapacityCommitted: {
      const auto& e = payload.capacity_committed();
      const Action* action = nullptr;
      if (absl::Status s =
              ActiveAction(e.action_id(), "no capacity can be committed to it", &action);
          !s.ok()) {
        return s;
      }
      const std::string subject = absl::StrCat("action ", e.action_id());
      if (absl::Status s = CurrentPartner(subject, "partner", e.partner_id()); !s.ok()) return s;
      if (action->owner != e.partner_id() &&
          !std::binary_search(action->members.begin(), action->members.end(), e.partner_id())) {
        return Refuse(subject, ": partner '", e.partner_id(),
                      "' neither owns nor has joined it; record PartnerJoinedAction first");
      }
      return absl::OkStatus();
    }
    case Payload::kFundsAllocated: {
      const auto& e = payload.funds_allocated();
      const Action* action = nullptr;
      if (absl::Status s = ActiveAction(e.action_id(), "no funds can be allocated to it", &action);
          !s.ok()) {
        return s;
      }
      if (!e.partner_id().empty()) {
        return CurrentPartner(absl::StrCat("action ", e.action_id()), "funding partner",
                              e.partner_id());
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

// DecisionRecorded, SignalRaised (ActivityScheduled has its own).
absl::Status ProgrammeState::DecideCommunityEvent(const Payload& payload) const {
  switch (payload.event_case()) {
    case Payload::kDecisionRecorded: {
      const std::string& id = payload.decision_recorded().decision_id();
      if (decisions_.contains(id)) {
        return Refuse("decision ", id, " already exists; decision ids are unique");
      }
      return absl::OkStatus();
    }
    case Payload::kSignalRaised: {
      const auto& e = payload.signal_raised();
      if (signals_.contains(e.signal_id())) {
        return Refuse("signal ", e.signal_id(), " already exists; signal ids are unique");
      }
      if (!pillars_.contains(e.pillar_id())) {
        return Refuse("signal ", e.signal_id(), ": pillar ", e.pillar_id(),
                      " does not exist; define it with PillarDefined first");
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

absl::Status ProgrammeState::Decide(const Payload& payload) const {
  switch (payload.event_case()) {
    case Payload::kPartnerJoined:
    case Payload::kPartnerProfileUpdated:
    case Payload::kPartnerLeft:
      return DecidePartnerEvent(payload);
    case Payload::kProgrammeDescribed:
      return absl::OkStatus();
    case Payload::kPillarDefined:
    case Payload::kGoalDefined:
    case Payload::kKpiDefined:
    case Payload::kMeasurementRecorded:
      return DecideStructureEvent(payload);
    case Payload::kActionStarted:
      return DecideActionStarted(payload.action_started());
    case Payload::kOwnershipTransferred:
      return DecideOwnershipTransferred(payload.ownership_transferred());
    case Payload::kActionStatusChanged:
      return DecideStatusChanged(payload.action_status_changed());
    case Payload::kPartnerJoinedAction:
    case Payload::kResultRecorded:
    case Payload::kCapacityCommitted:
    case Payload::kFundsAllocated:
      return DecideActionEvent(payload);
    case Payload::kActivityScheduled:
      return DecideActivityScheduled(payload.activity_scheduled());
    case Payload::kDecisionRecorded:
    case Payload::kSignalRaised:
      return DecideCommunityEvent(payload);
    case Payload::kPrincipalRegistered:
    case Payload::kTokenIssued:
    case Payload::kTokenRevoked:
      return DecideCredentialEvent(payload);
    case Payload::EVENT_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("no event set");
}

}  // namespace domain
