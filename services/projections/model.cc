// The fold: one committed event at a time into the view messages of Model.
//
// The log holds only events the rules admitted (services/domain), so the fold trusts it, but it is
// total: an event that does not fit (about an unknown action, a second start of the same action)
// changes nothing, and never crashes. Choices the rules leave open are written where they are made.
#include <algorithm>

#include <google/protobuf/util/message_differencer.h>

#include "services/projections/model.h"

namespace projections {
namespace {

namespace v1 = wijkboek::v1;
using v1::Payload;

void SetTime(google::protobuf::Timestamp* t, std::int64_t unix_micros) {
  std::int64_t seconds = unix_micros / 1000000;
  std::int64_t micros = unix_micros % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --seconds;
  }
  t->set_seconds(seconds);
  t->set_nanos(static_cast<std::int32_t>(micros * 1000));
}

template <typename Repeated>
bool Contains(const Repeated& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

template <typename Repeated>
void Remove(Repeated* list, const std::string& value) {
  auto it = std::find(list->begin(), list->end(), value);
  if (it != list->end()) list->erase(it);
}

// Folds one event; the Model's maps are its only state.
class Fold {
 public:
  Fold(Model& m, const storage::StoredEvent& e) : m_(m), e_(e) {}

  void Apply(const Payload& p) {
    switch (p.event_case()) {
      case Payload::kPartnerJoined: PartnerJoined(p.partner_joined()); break;
      case Payload::kPartnerProfileUpdated: ProfileUpdated(p.partner_profile_updated()); break;
      case Payload::kPartnerLeft: PartnerLeft(p.partner_left()); break;
      case Payload::kPillarDefined: PillarDefined(p.pillar_defined()); break;
      case Payload::kGoalDefined: GoalDefined(p.goal_defined()); break;
      case Payload::kKpiDefined: KpiDefined(p.kpi_defined()); break;
      case Payload::kMeasurementRecorded: Measurement(p.measurement_recorded()); break;
      case Payload::kActionStarted: ActionStarted(p.action_started()); break;
      case Payload::kPartnerJoinedAction: JoinedAction(p.partner_joined_action()); break;
      case Payload::kOwnershipTransferred: Transferred(p.ownership_transferred()); break;
      case Payload::kResultRecorded: Result(p.result_recorded()); break;
      case Payload::kActionStatusChanged: StatusChanged(p.action_status_changed()); break;
      case Payload::kCapacityCommitted: Capacity(p.capacity_committed()); break;
      case Payload::kFundsAllocated: Funds(p.funds_allocated()); break;
      case Payload::kActivityScheduled: Activity(p.activity_scheduled()); break;
      case Payload::kProgrammeDescribed:
        m_.programme = p.programme_described();
        m_.dirty.insert("meta/programme");
        break;
      // Decisions and signals have no view of their own yet; their position still counts.
      case Payload::kDecisionRecorded:
      case Payload::kSignalRaised:
      case Payload::EVENT_NOT_SET:
        break;
    }
  }

 private:
  // ---- Partners ------------------------------------------------------------------------------

  void PartnerJoined(const v1::PartnerJoined& e) {
    // A partner that left may join again: its profile and action lists carry on.
    v1::PartnerView& p = m_.partners[e.partner_id()];
    p.set_partner_id(e.partner_id());
    p.set_name(e.name());
    p.set_sector(e.sector());
    *p.mutable_roles() = e.roles();
    p.set_website(e.website());
    p.set_active(true);
    p.set_joined_on(e.occurred_on());
    p.clear_left_on();
    SetOwnerLeft(p, false);
    TouchPartner(e.partner_id());
  }

  // A profile update is a patch: empty fields keep what was there (the shape rules require none
  // of them), so a partner system can send only what changed.
  void ProfileUpdated(const v1::PartnerProfileUpdated& e) {
    v1::PartnerView* p = Partner(e.partner_id());
    if (p == nullptr) return;
    if (!e.name().empty()) p->set_name(e.name());
    if (!e.sector().empty()) p->set_sector(e.sector());
    if (!e.roles().empty()) *p->mutable_roles() = e.roles();
    if (!e.website().empty()) p->set_website(e.website());
    TouchPartner(e.partner_id());
  }

  void PartnerLeft(const v1::PartnerLeft& e) {
    v1::PartnerView* p = Partner(e.partner_id());
    if (p == nullptr) return;
    p->set_active(false);
    p->set_left_on(e.occurred_on());
    SetOwnerLeft(*p, true);
    TouchPartner(e.partner_id());
  }

  // Marks the actions `p` owns as owned by a partner that left (or no longer so).
  void SetOwnerLeft(const v1::PartnerView& p, bool left) {
    for (const std::string& id : p.owned_action_ids()) {
      auto it = m_.actions.find(id);
      if (it == m_.actions.end() || it->second.owner_left() == left) continue;
      it->second.set_owner_left(left);
      m_.dirty.insert("action/" + id);
    }
  }

  // ---- Structure -----------------------------------------------------------------------------

  void PillarDefined(const v1::PillarDefined& e) {
    v1::PillarView& p = m_.pillars[e.pillar_id()];
    p.set_pillar_id(e.pillar_id());
    p.set_name(e.name());
    p.set_ambition(e.ambition());
    // The programme's own order of pillars is the order it defined them in.
    if (p.defined_at_position() == 0) p.set_defined_at_position(e_.position);
    m_.dirty.insert("pillar/" + e.pillar_id());
  }

  void GoalDefined(const v1::GoalDefined& e) {
    v1::GoalView& g = m_.goals[e.goal_id()];
    const bool moved = !g.pillar_id().empty() && g.pillar_id() != e.pillar_id();
    g.set_goal_id(e.goal_id());
    g.set_pillar_id(e.pillar_id());
    g.set_title(e.title());
    g.set_number(e.number());
    m_.dirty.insert("goal/" + e.goal_id());
    if (!moved) return;
    // The rules keep a goal in its pillar; should a redefinition move it, its actions follow.
    for (const std::string& id : g.action_ids()) {
      auto it = m_.actions.find(id);
      if (it == m_.actions.end()) continue;
      it->second.set_pillar_id(e.pillar_id());
      m_.dirty.insert("action/" + id);
    }
  }

  void KpiDefined(const v1::KpiDefined& e) {
    v1::KpiView& k = m_.kpis[e.kpi_id()];  // a redefinition keeps the measurements
    k.set_kpi_id(e.kpi_id());
    k.set_pillar_id(e.pillar_id());
    k.set_goal_id(e.goal_id());
    k.set_name(e.name());
    k.set_unit(e.unit());
    k.set_baseline(e.baseline());
    k.set_target_10y(e.target_10y());
    k.set_target_20y(e.target_20y());
    k.set_higher_is_better(e.higher_is_better());
    m_.dirty.insert("kpi/" + e.kpi_id());
  }

  // A measurement with an id seen before corrects that one in place; latest_value is the last
  // measurement in record order.
  void Measurement(const v1::MeasurementRecorded& e) {
    auto it = m_.kpis.find(e.kpi_id());
    if (it == m_.kpis.end()) return;
    v1::KpiView& k = it->second;
    v1::MeasurementView* row = nullptr;
    if (!e.measurement_id().empty()) {
      for (v1::MeasurementView& existing : *k.mutable_measurements()) {
        if (existing.measurement_id() == e.measurement_id()) row = &existing;
      }
    }
    if (row == nullptr) row = k.add_measurements();
    row->set_measurement_id(e.measurement_id());
    row->set_value(e.value());
    row->set_period(e.period());
    row->set_source(e.source());
    row->set_occurred_on(e.occurred_on());
    SetTime(row->mutable_recorded_at(), e_.recorded_at_unix_micros);
    row->set_position(e_.position);
    k.set_latest_value(k.measurements(k.measurements_size() - 1).value());
    m_.dirty.insert("kpi/" + e.kpi_id());
  }

  void Activity(const v1::ActivityScheduled& e) {
    v1::ActivityView& a = m_.activities[e.activity_id()];
    a.set_activity_id(e.activity_id());
    a.set_title(e.title());
    a.set_description(e.description());
    a.set_starts_on(e.starts_on());
    a.set_ends_on(e.ends_on());
    a.set_location(e.location());
    a.set_pillar_id(e.pillar_id());
    a.set_organiser_partner_id(e.organiser_partner_id());
    m_.dirty.insert("activity/" + e.activity_id());
  }

  // ---- Work ----------------------------------------------------------------------------------

  void ActionStarted(const v1::ActionStarted& e) {
    if (e.action_id().empty() || m_.actions.contains(e.action_id())) return;
    v1::ActionView& a = m_.actions[e.action_id()];
    a.set_action_id(e.action_id());
    a.set_goal_id(e.goal_id());
    if (v1::GoalView* g = Goal(e.goal_id())) {
      a.set_pillar_id(g->pillar_id());
      g->add_action_ids(e.action_id());
      m_.dirty.insert("goal/" + e.goal_id());
    }
    a.set_title(e.title());
    a.set_description(e.description());
    a.set_owner_partner_id(e.owner_partner_id());
    for (const std::string& id : e.partner_ids()) {
      if (id != e.owner_partner_id() && !Contains(a.partner_ids(), id)) a.add_partner_ids(id);
    }
    const v1::ActionStatus status =
        e.status() == v1::ACTION_STATUS_UNSPECIFIED ? v1::ACTION_STATUS_PLANNED : e.status();
    a.set_status(status);
    AddStatusChange(a, status, "", e.occurred_on());
    a.set_planned_start(e.planned_start());
    a.set_planned_end(e.planned_end());
    a.set_started_on(e.occurred_on());
    if (v1::PartnerView* owner = Partner(e.owner_partner_id())) {
      owner->add_owned_action_ids(e.action_id());
      a.set_owner_left(!owner->active());
    }
    for (const std::string& id : a.partner_ids()) {
      if (v1::PartnerView* member = Partner(id)) member->add_member_action_ids(e.action_id());
    }
    TouchAction(a);
  }

  void JoinedAction(const v1::PartnerJoinedAction& e) {
    v1::ActionView* a = Action(e.action_id());
    if (a == nullptr) return;
    const std::string& id = e.partner_id();
    if (!id.empty() && id != a->owner_partner_id() && !Contains(a->partner_ids(), id)) {
      a->add_partner_ids(id);
      if (v1::PartnerView* member = Partner(id)) member->add_member_action_ids(e.action_id());
      m_.dirty.insert("action/" + e.action_id());
    }
    TouchPartners(*a);  // joining is not action activity (see ActionView.last_activity_at)
  }

  // The new owner stops being a coalition member (the owner is never repeated there); the old
  // owner is not made a member: if it goes on working on the action, that is its own event.
  void Transferred(const v1::OwnershipTransferred& e) {
    v1::ActionView* a = Action(e.action_id());
    if (a == nullptr) return;
    const std::string old_owner = a->owner_partner_id();
    const std::string& to = e.to_partner_id();
    if (to != old_owner) {
      if (v1::PartnerView* p = Partner(old_owner)) {
        Remove(p->mutable_owned_action_ids(), e.action_id());
        TouchPartner(old_owner);
      }
      if (Contains(a->partner_ids(), to)) {
        Remove(a->mutable_partner_ids(), to);
        if (v1::PartnerView* p = Partner(to)) Remove(p->mutable_member_action_ids(), e.action_id());
      }
      a->set_owner_partner_id(to);
      v1::PartnerView* owner = Partner(to);
      if (owner != nullptr) owner->add_owned_action_ids(e.action_id());
      a->set_owner_left(owner != nullptr && !owner->active());
      m_.dirty.insert("action/" + e.action_id());
    }
    TouchPartners(*a);
  }

  void Result(const v1::ResultRecorded& e) {
    v1::ActionView* a = Action(e.action_id());
    if (a == nullptr) return;
    v1::ResultView* r = a->add_results();
    r->set_action_id(e.action_id());
    r->set_result_id(e.result_id());
    r->set_summary(e.summary());
    if (e.has_value()) r->set_value(e.value());
    r->set_unit(e.unit());
    r->set_occurred_on(e.occurred_on());
    SetTime(r->mutable_recorded_at(), e_.recorded_at_unix_micros);
    r->set_position(e_.position);
    r->set_recorded_by(e_.recorded_by);
    // results_size() would miss the results on disk (model.h).
    a->set_result_count(a->result_count() + 1);
    m_.dirty.insert(Model::ResultKey(e.action_id(), a->result_count() - 1));
    TouchAction(*a);
  }

  void StatusChanged(const v1::ActionStatusChanged& e) {
    v1::ActionView* a = Action(e.action_id());
    if (a == nullptr) return;
    a->set_status(e.status());
    AddStatusChange(*a, e.status(), e.note(), e.occurred_on());
    TouchAction(*a);
  }

  // Each partner's latest commitment replaces its earlier one; the action's total is their sum.
  void Capacity(const v1::CapacityCommitted& e) {
    v1::ActionView* a = Action(e.action_id());
    if (a == nullptr) return;
    v1::CapacityView* row = nullptr;
    for (v1::CapacityView& c : *a->mutable_capacity()) {
      if (c.partner_id() == e.partner_id()) row = &c;
    }
    if (row == nullptr) {
      row = a->add_capacity();
      row->set_partner_id(e.partner_id());
    }
    row->set_hours_per_week(e.hours_per_week());
    double total = 0;
    for (const v1::CapacityView& c : a->capacity()) total += c.hours_per_week();
    a->set_hours_per_week(total);
    m_.dirty.insert("action/" + e.action_id());
    TouchPartners(*a);
    TouchPartner(e.partner_id());
  }

  void Funds(const v1::FundsAllocated& e) {
    v1::ActionView* a = Action(e.action_id());
    if (a == nullptr) return;
    a->set_funds_cents(a->funds_cents() + e.amount_cents());
    m_.funds_by_partner[e.partner_id()] += e.amount_cents();
    m_.funds_by_source[e.source()] += e.amount_cents();
    m_.dirty.insert("action/" + e.action_id());
    m_.dirty.insert("meta/funds");
    TouchPartners(*a);
    TouchPartner(e.partner_id());
  }

  // ---- Helpers -------------------------------------------------------------------------------

  void AddStatusChange(v1::ActionView& a, v1::ActionStatus status, const std::string& note,
                       const std::string& occurred_on) {
    v1::StatusChange* s = a.add_status_history();
    s->set_status(status);
    s->set_note(note);
    s->set_occurred_on(occurred_on);
    SetTime(s->mutable_recorded_at(), e_.recorded_at_unix_micros);
    s->set_position(e_.position);
  }

  // A start, result or status change: the action's own activity, and its partners'.
  void TouchAction(v1::ActionView& a) {
    SetTime(a.mutable_last_activity_at(), e_.recorded_at_unix_micros);
    a.set_last_activity_position(e_.position);
    m_.dirty.insert("action/" + a.action_id());
    TouchPartners(a);
  }

  // Any event about an action is activity of its owner and its coalition.
  void TouchPartners(const v1::ActionView& a) {
    TouchPartner(a.owner_partner_id());
    for (const std::string& id : a.partner_ids()) TouchPartner(id);
  }

  void TouchPartner(const std::string& id) {
    v1::PartnerView* p = Partner(id);
    if (p == nullptr) return;
    SetTime(p->mutable_last_activity_at(), e_.recorded_at_unix_micros);
    p->set_last_activity_position(e_.position);
    m_.dirty.insert("partner/" + id);
  }

  v1::PartnerView* Partner(const std::string& id) {
    auto it = id.empty() ? m_.partners.end() : m_.partners.find(id);
    return it == m_.partners.end() ? nullptr : &it->second;
  }
  v1::ActionView* Action(const std::string& id) {
    auto it = m_.actions.find(id);
    return it == m_.actions.end() ? nullptr : &it->second;
  }
  v1::GoalView* Goal(const std::string& id) {
    auto it = m_.goals.find(id);
    return it == m_.goals.end() ? nullptr : &it->second;
  }

  Model& m_;
  const storage::StoredEvent& e_;
};

template <typename Map>
bool SameMessages(const Map& a, const Map& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first) return false;
    if (!google::protobuf::util::MessageDifferencer::Equals(ia->second, ib->second)) return false;
  }
  return true;
}

}  // namespace

void Model::Apply(const storage::StoredEvent& e, const Payload& payload) {
  Fold(*this, e).Apply(payload);
  position = e.position;
}

bool Model::operator==(const Model& other) const {
  return position == other.position &&
         google::protobuf::util::MessageDifferencer::Equals(programme, other.programme) &&
         SameMessages(pillars, other.pillars) && SameMessages(goals, other.goals) &&
         SameMessages(partners, other.partners) && SameMessages(actions, other.actions) &&
         SameMessages(kpis, other.kpis) && SameMessages(activities, other.activities) &&
         funds_by_partner == other.funds_by_partner && funds_by_source == other.funds_by_source &&
         results_on_disk == other.results_on_disk;
}

}  // namespace projections
