// Folding events into the state (Apply), taking that back (undo), and the small queries.
#include <algorithm>
#include <utility>

#include "services/domain/state.h"

namespace domain {

using wijkboek::v1::ActionStatus;
using wijkboek::v1::Payload;
namespace v1 = ::wijkboek::v1;

// ---- Apply --------------------------------------------------------------------------------------

void ProgrammeState::Note(UndoStep::Kind kind, const std::string& key, std::string sub, int flag) {
  if (record_undo_) undo_.push_back(UndoStep{kind, flag, key, std::move(sub)});
}

void ProgrammeState::AddMember(Action& action, const std::string& action_id,
                               const std::string& partner_id) {
  auto at = std::lower_bound(action.members.begin(), action.members.end(), partner_id);
  if (at != action.members.end() && *at == partner_id) return;
  action.members.insert(at, partner_id);
  Note(UndoStep::Kind::kEraseMember, action_id, partner_id);
}

void ProgrammeState::RemoveMember(Action& action, const std::string& action_id,
                                  const std::string& partner_id) {
  auto at = std::lower_bound(action.members.begin(), action.members.end(), partner_id);
  if (at == action.members.end() || *at != partner_id) return;
  action.members.erase(at);
  Note(UndoStep::Kind::kInsertMember, action_id, partner_id);
}

void ProgrammeState::ApplyAction(const Payload& payload) {
  using Kind = UndoStep::Kind;
  if (payload.has_action_started()) {
    const auto& e = payload.action_started();
    auto [it, inserted] = actions_.try_emplace(e.action_id());
    if (!inserted) return;  // an action starts once; the first start counts
    Note(Kind::kEraseAction, e.action_id());
    Action& a = it->second;
    a.status = IsKnownStatus(e.status()) ? e.status() : v1::ACTION_STATUS_PLANNED;
    a.owner = e.owner_partner_id();
    for (const std::string& p : e.partner_ids()) {
      if (p != a.owner && !p.empty()) a.members.push_back(p);
    }
    std::sort(a.members.begin(), a.members.end());
    a.members.erase(std::unique(a.members.begin(), a.members.end()), a.members.end());
    return;
  }
  std::string action_id;
  switch (payload.event_case()) {
    case Payload::kPartnerJoinedAction:
      action_id = payload.partner_joined_action().action_id();
      break;
    case Payload::kOwnershipTransferred:
      action_id = payload.ownership_transferred().action_id();
      break;
    case Payload::kResultRecorded:
      action_id = payload.result_recorded().action_id();
      break;
    case Payload::kActionStatusChanged:
      action_id = payload.action_status_changed().action_id();
      break;
    default:
      return;  // capacity and funds change nothing the rules look at
  }
  auto it = actions_.find(action_id);
  if (it == actions_.end()) return;
  Action& a = it->second;
  switch (payload.event_case()) {
    case Payload::kPartnerJoinedAction: {
      const std::string& p = payload.partner_joined_action().partner_id();
      if (!p.empty() && p != a.owner) AddMember(a, action_id, p);
      break;
    }
    case Payload::kOwnershipTransferred: {
      const std::string& to = payload.ownership_transferred().to_partner_id();
      if (to.empty() || to == a.owner) break;
      Note(Kind::kSetActionOwner, action_id, a.owner);
      a.owner = to;
      RemoveMember(a, action_id, to);  // the owner is not also a coalition member
      break;
    }
    case Payload::kResultRecorded: {
      const std::string& id = payload.result_recorded().result_id();
      if (!id.empty() && a.result_ids.insert(id).second) Note(Kind::kEraseResult, action_id, id);
      break;
    }
    case Payload::kActionStatusChanged: {
      ActionStatus s = payload.action_status_changed().status();
      if (!IsKnownStatus(s) || s == a.status) break;
      Note(Kind::kSetActionStatus, action_id, {}, a.status);
      a.status = s;
      break;
    }
    default:
      break;
  }
}

void ProgrammeState::Apply(const Payload& payload) {
  using Kind = UndoStep::Kind;
  switch (payload.event_case()) {
    case Payload::kPartnerJoined: {
      const std::string& id = payload.partner_joined().partner_id();
      auto [it, inserted] = partners_.try_emplace(id, true);
      if (inserted) {
        Note(Kind::kErasePartner, id);
      } else if (!it->second) {
        it->second = true;
        Note(Kind::kSetPartnerCurrent, id, {}, 0);
      }
      break;
    }
    case Payload::kPartnerLeft: {
      const std::string& id = payload.partner_left().partner_id();
      auto it = partners_.find(id);
      if (it != partners_.end() && it->second) {
        it->second = false;
        Note(Kind::kSetPartnerCurrent, id, {}, 1);
      }
      break;
    }
    case Payload::kPillarDefined: {
      const std::string& id = payload.pillar_defined().pillar_id();
      if (pillars_.insert(id).second) Note(Kind::kErasePillar, id);
      break;
    }
    case Payload::kGoalDefined: {
      const auto& e = payload.goal_defined();
      if (goals_.try_emplace(e.goal_id(), e.pillar_id()).second)
        Note(Kind::kEraseGoal, e.goal_id());
      break;
    }
    case Payload::kKpiDefined: {
      const std::string& id = payload.kpi_defined().kpi_id();
      if (kpis_.try_emplace(id).second) Note(Kind::kEraseKpi, id);
      break;
    }
    case Payload::kMeasurementRecorded: {
      const auto& e = payload.measurement_recorded();
      auto it = kpis_.find(e.kpi_id());
      if (it != kpis_.end() && !e.measurement_id().empty() &&
          it->second.insert(e.measurement_id()).second) {
        Note(Kind::kEraseMeasurement, e.kpi_id(), e.measurement_id());
      }
      break;
    }
    case Payload::kDecisionRecorded: {
      const std::string& id = payload.decision_recorded().decision_id();
      if (decisions_.insert(id).second) Note(Kind::kEraseDecision, id);
      break;
    }
    case Payload::kActivityScheduled: {
      const std::string& id = payload.activity_scheduled().activity_id();
      if (activities_.insert(id).second) Note(Kind::kEraseActivity, id);
      break;
    }
    case Payload::kSignalRaised: {
      const std::string& id = payload.signal_raised().signal_id();
      if (signals_.insert(id).second) Note(Kind::kEraseSignal, id);
      break;
    }
    case Payload::kActionStarted:
    case Payload::kPartnerJoinedAction:
    case Payload::kOwnershipTransferred:
    case Payload::kResultRecorded:
    case Payload::kActionStatusChanged:
    case Payload::kCapacityCommitted:
    case Payload::kFundsAllocated:
      ApplyAction(payload);
      break;
    case Payload::kPrincipalRegistered:
    case Payload::kTokenIssued:
    case Payload::kTokenRevoked:
      ApplyCredential(payload);
      break;
    case Payload::kPartnerProfileUpdated:  // profiles are for the views, not for the rules
    case Payload::kProgrammeDescribed:
    case Payload::EVENT_NOT_SET:
      break;
  }
}

// ---- Undo ---------------------------------------------------------------------------------------

void ProgrammeState::RecordUndo(bool on) {
  record_undo_ = on;
  if (!on) undo_.clear();
}

void ProgrammeState::UndoTo(std::size_t mark) {
  while (undo_.size() > mark) {
    Undo(undo_.back());
    undo_.pop_back();
  }
}

void ProgrammeState::Undo(const UndoStep& step) {
  using Kind = UndoStep::Kind;
  switch (step.kind) {
    case Kind::kErasePillar:
      pillars_.erase(step.key);
      return;
    case Kind::kEraseGoal:
      goals_.erase(step.key);
      return;
    case Kind::kEraseKpi:
      kpis_.erase(step.key);
      return;
    case Kind::kEraseMeasurement:
      if (auto it = kpis_.find(step.key); it != kpis_.end()) it->second.erase(step.sub);
      return;
    case Kind::kErasePartner:
      partners_.erase(step.key);
      return;
    case Kind::kSetPartnerCurrent:
      partners_[step.key] = step.flag != 0;
      return;
    case Kind::kEraseAction:
      actions_.erase(step.key);
      return;
    case Kind::kEraseDecision:
      decisions_.erase(step.key);
      return;
    case Kind::kEraseActivity:
      activities_.erase(step.key);
      return;
    case Kind::kEraseSignal:
      signals_.erase(step.key);
      return;
    case Kind::kErasePrincipal:
      principals_.erase(step.key);
      return;
    case Kind::kEraseToken:
      tokens_.erase(step.key);
      return;
    case Kind::kUnrevokeToken:
      if (auto it = tokens_.find(step.key); it != tokens_.end()) it->second.revoked = false;
      return;
    default:
      break;
  }
  auto it = actions_.find(step.key);
  if (it == actions_.end()) return;  // cannot happen: steps are undone latest first
  Action& a = it->second;
  switch (step.kind) {
    case Kind::kSetActionStatus:
      a.status = static_cast<ActionStatus>(step.flag);
      break;
    case Kind::kSetActionOwner:
      a.owner = step.sub;
      break;
    case Kind::kEraseResult:
      a.result_ids.erase(step.sub);
      break;
    case Kind::kEraseMember: {
      auto at = std::lower_bound(a.members.begin(), a.members.end(), step.sub);
      if (at != a.members.end() && *at == step.sub) a.members.erase(at);
      break;
    }
    case Kind::kInsertMember: {
      auto at = std::lower_bound(a.members.begin(), a.members.end(), step.sub);
      if (at == a.members.end() || *at != step.sub) a.members.insert(at, step.sub);
      break;
    }
    default:
      break;
  }
}

// ---- Queries ------------------------------------------------------------------------------------

bool ProgrammeState::IsCurrentPartner(const std::string& partner_id) const {
  auto it = partners_.find(partner_id);
  return it != partners_.end() && it->second;
}

ActionStatus ProgrammeState::ActionStatusOf(const std::string& action_id) const {
  auto it = actions_.find(action_id);
  return it == actions_.end() ? v1::ACTION_STATUS_UNSPECIFIED : it->second.status;
}

std::string ProgrammeState::ActionOwnerOf(const std::string& action_id) const {
  auto it = actions_.find(action_id);
  return it == actions_.end() ? std::string() : it->second.owner;
}

bool ProgrammeState::operator==(const ProgrammeState& other) const {
  return pillars_ == other.pillars_ && goals_ == other.goals_ && kpis_ == other.kpis_ &&
         partners_ == other.partners_ && actions_ == other.actions_ &&
         decisions_ == other.decisions_ && activities_ == other.activities_ &&
         signals_ == other.signals_ && principals_ == other.principals_ &&
         tokens_ == other.tokens_;
}

}  // namespace domain
