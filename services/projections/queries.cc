// Queries over the whole programme: overview, partners, collaboration, ownership gaps, KPIs,
// agenda and funds. Actions are in action_queries.cc, the project book in project_book.cc.
#include "services/projections/queries.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/projections/query_util.h"

namespace projections {

namespace v1 = ::wijkboek::v1;
using internal::CheckPartner;
using internal::CheckPillar;
using internal::FoldCase;
using internal::PillarOf;

namespace {

// What GetProgramme gathers per pillar in one pass over the actions.
struct PillarTally {
  std::map<int, std::uint32_t> by_status;      // ActionStatus -> actions
  std::vector<const v1::ResultView*> results;  // every result of the pillar's actions
  std::uint32_t actions = 0;
  std::uint32_t result_count = 0;
};

std::uint32_t ResultCount(const v1::ActionView& action) {
  return std::max<std::uint32_t>(action.result_count(), action.results_size());
}

v1::PillarView BuildPillar(const Model& model, const v1::PillarView& stored, PillarTally& tally) {
  v1::PillarView out;
  out.set_pillar_id(stored.pillar_id());
  out.set_name(stored.name());
  out.set_ambition(stored.ambition());
  for (const v1::GoalView* goal : internal::GoalsOf(model, stored.pillar_id())) {
    *out.add_goals() = *goal;
  }
  for (const auto& [status, count] : tally.by_status) {
    v1::StatusCount* sc = out.add_actions_by_status();
    sc->set_status(static_cast<v1::ActionStatus>(status));
    sc->set_count(count);
  }
  // Newest first: the log position orders results across actions.
  std::sort(tally.results.begin(), tally.results.end(),
            [](const v1::ResultView* a, const v1::ResultView* b) {
              return a->position() > b->position();
            });
  const size_t n = std::min<size_t>(tally.results.size(), kLatestResultsPerPillar);
  for (size_t i = 0; i < n; ++i) *out.add_latest_results() = *tally.results[i];
  for (const auto& [id, kpi] : model.kpis) {
    if (kpi.pillar_id() == stored.pillar_id()) *out.add_kpis() = internal::WithProgress(kpi);
  }
  out.set_action_count(tally.actions);
  out.set_result_count(tally.result_count);
  out.set_defined_at_position(stored.defined_at_position());
  return out;
}

// Roles match exactly or as the part before ':' ("trekker" matches "trekker:jongeren").
bool HasRole(const v1::PartnerView& partner, const std::string& role) {
  const std::string want = FoldCase(role);
  for (const auto& r : partner.roles()) {
    const std::string have = FoldCase(r);
    if (have == want || absl::StartsWith(have, want + ":")) return true;
  }
  return false;
}

v1::PartnerView WithCollaborators(const Model& model, const v1::PartnerView& partner) {
  v1::PartnerView out = partner;
  out.clear_collaborators();
  for (auto& c : internal::CollaboratorsOf(model, partner.partner_id())) {
    *out.add_collaborators() = std::move(c);
  }
  return out;
}

// ---- Ownership gaps -----------------------------------------------------------------------

bool IsClosed(v1::ActionStatus status) {
  return status == v1::ACTION_STATUS_COMPLETED || status == v1::ACTION_STATUS_STOPPED;
}

// Work that is finished or handed over to regular work can no longer stall.
bool CanStall(v1::ActionStatus status) {
  return !IsClosed(status) && status != v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK;
}

// The newest day on which the action started, got a result or changed status; nullopt when the
// model records no date at all for it.
std::optional<absl::CivilDay> LastActivityDay(const Model& model, const v1::ActionView& action) {
  std::optional<absl::CivilDay> last = internal::ParseDate(action.started_on());
  auto consider = [&last](std::optional<absl::CivilDay> day) {
    if (day && (!last || *day > *last)) last = day;
  };
  // The results on disk count through the latest day the model kept of them.
  if (auto it = model.results_on_disk.find(action.action_id()); it != model.results_on_disk.end()) {
    consider(it->second.last_day);
  }
  for (const auto& r : action.results())
    consider(internal::DayOf(r.occurred_on(), r.recorded_at()));
  for (const auto& s : action.status_history()) {
    consider(internal::DayOf(s.occurred_on(), s.recorded_at()));
  }
  if (!last) consider(internal::DayOf("", action.last_activity_at()));
  return last;
}

v1::OwnershipGap ActionGap(const Model& model, const v1::ActionView& action, v1::GapKind kind) {
  v1::OwnershipGap gap;
  gap.set_kind(kind);
  gap.set_action_id(action.action_id());
  gap.set_goal_id(action.goal_id());
  gap.set_pillar_id(PillarOf(model, action));
  gap.set_title(action.title());
  gap.set_owner_partner_id(action.owner_partner_id());
  return gap;
}

void AddActionGaps(const Model& model, const v1::ActionView& action, std::uint32_t stale_days,
                   absl::CivilDay today, std::vector<v1::OwnershipGap>& gaps) {
  if (IsClosed(action.status())) return;  // finished work needs no owner
  if (action.owner_partner_id().empty()) {
    v1::OwnershipGap gap = ActionGap(model, action, v1::GAP_KIND_NO_OWNER);
    gap.set_reason(
        "Actie zonder eigenaar (penvoerder): er is geen partner aangewezen die deze actie trekt.");
    gaps.push_back(std::move(gap));
  } else {
    auto owner = model.partners.find(action.owner_partner_id());
    const bool left =
        action.owner_left() || (owner != model.partners.end() && !owner->second.active());
    if (left) {
      v1::OwnershipGap gap = ActionGap(model, action, v1::GAP_KIND_OWNER_LEFT);
      gap.set_reason(absl::StrCat("De penvoerder (",
                                  internal::PartnerName(model, action.owner_partner_id()),
                                  ") heeft het programma verlaten; de actie heeft een nieuwe "
                                  "eigenaar nodig."));
      gaps.push_back(std::move(gap));
    }
  }
  if (!CanStall(action.status())) return;
  const std::optional<absl::CivilDay> last = LastActivityDay(model, action);
  if (!last) return;  // nothing dated: no basis to call it stalled
  const std::int64_t days = std::max<std::int64_t>(0, today - *last);
  if (days < stale_days) return;
  v1::OwnershipGap gap = ActionGap(model, action, v1::GAP_KIND_STALE);
  gap.set_days_since_activity(static_cast<std::uint32_t>(days));
  gap.set_reason(absl::StrCat("Al ", days, " dagen geen resultaat of statuswijziging vastgelegd",
                              " (laatste activiteit op ", internal::DutchDate(*last), ")."));
  gaps.push_back(std::move(gap));
}

// ---- Funds --------------------------------------------------------------------------------

void AddLines(std::map<std::string, std::pair<std::string, std::int64_t>> lines,
              google::protobuf::RepeatedPtrField<v1::FundsLine>* out) {
  for (auto& [id, line] : lines) {
    v1::FundsLine* l = out->Add();
    l->set_id(id);
    l->set_name(std::move(line.first));
    l->set_amount_cents(line.second);
  }
  std::stable_sort(out->begin(), out->end(), [](const auto& a, const auto& b) {
    return a.amount_cents() > b.amount_cents();
  });
}

}  // namespace

absl::StatusOr<v1::GetProgrammeResponse> GetProgramme(const Model& model,
                                                      const v1::GetProgrammeRequest& request) {
  v1::GetProgrammeResponse out;
  out.set_name(model.programme.name());
  out.set_ambition(model.programme.ambition());
  out.set_area(model.programme.area());
  out.set_municipality(model.programme.municipality());
  out.set_horizon_year(model.programme.horizon_year());

  std::map<std::string, PillarTally> tallies;
  std::uint32_t results = 0;
  for (const auto& [id, action] : model.actions) {
    PillarTally& t = tallies[PillarOf(model, action)];
    ++t.actions;
    ++t.by_status[action.status()];
    t.result_count += ResultCount(action);
    for (const auto& r : action.results()) t.results.push_back(&r);
    results += ResultCount(action);
  }
  for (const v1::PillarView* pillar : internal::PillarsInOrder(model)) {
    *out.add_pillars() = BuildPillar(model, *pillar, tallies[pillar->pillar_id()]);
  }
  std::uint32_t partners = 0;
  for (const auto& [id, partner] : model.partners) partners += partner.active() ? 1 : 0;
  out.set_partner_count(partners);
  out.set_action_count(static_cast<std::uint32_t>(model.actions.size()));
  out.set_result_count(results);
  out.set_as_of_position(model.position);
  return out;
}

absl::StatusOr<v1::ListPartnersResponse> ListPartners(const Model& model,
                                                      const v1::ListPartnersRequest& request) {
  const std::string sector = FoldCase(request.sector());
  std::vector<const v1::PartnerView*> matching;
  for (const auto& [id, partner] : model.partners) {
    if (!partner.active() && !request.include_left()) continue;
    if (!sector.empty() && FoldCase(partner.sector()) != sector) continue;
    if (!request.role().empty() && !HasRole(partner, request.role())) continue;
    matching.push_back(&partner);
  }
  std::stable_sort(matching.begin(), matching.end(), [](const auto* a, const auto* b) {
    return FoldCase(a->name()) < FoldCase(b->name());
  });
  v1::ListPartnersResponse out;
  for (const v1::PartnerView* p : matching) *out.add_partners() = WithCollaborators(model, *p);
  out.set_as_of_position(model.position);
  return out;
}

absl::StatusOr<v1::GetPartnerResponse> GetPartner(const Model& model,
                                                  const v1::GetPartnerRequest& request) {
  if (request.partner_id().empty()) {
    return absl::InvalidArgumentError("partner_id is required");
  }
  auto it = model.partners.find(request.partner_id());
  if (it == model.partners.end()) {
    return absl::NotFoundError(absl::StrCat("partner '", request.partner_id(), "' does not exist"));
  }
  v1::GetPartnerResponse out;
  *out.mutable_partner() = WithCollaborators(model, it->second);
  for (const auto& id : it->second.owned_action_ids()) {
    auto a = model.actions.find(id);
    if (a != model.actions.end()) {
      *out.add_owned_actions() = internal::Trimmed(a->second, kResultsPerListedAction);
    }
  }
  for (const auto& id : it->second.member_action_ids()) {
    auto a = model.actions.find(id);
    if (a != model.actions.end()) {
      *out.add_member_actions() = internal::Trimmed(a->second, kResultsPerListedAction);
    }
  }
  out.set_as_of_position(model.position);
  return out;
}

absl::StatusOr<v1::GetCollaborationResponse> GetCollaboration(
    const Model& model, const v1::GetCollaborationRequest& request) {
  if (auto s = CheckPillar(model, request.pillar_id()); !s.ok()) return s;
  std::map<std::string, std::uint32_t> action_count;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> edges;
  for (const auto& [id, action] : model.actions) {
    if (!request.pillar_id().empty() && PillarOf(model, action) != request.pillar_id()) continue;
    std::vector<std::string> people = internal::Participants(action);
    std::sort(people.begin(), people.end());
    for (size_t i = 0; i < people.size(); ++i) {
      ++action_count[people[i]];
      for (size_t j = i + 1; j < people.size(); ++j) edges[{people[i], people[j]}].push_back(id);
    }
  }
  // The whole programme's graph also shows current partners that share nothing: they matter
  // most to a programme that wants everyone to take part.
  if (request.pillar_id().empty()) {
    for (const auto& [id, partner] : model.partners) {
      if (partner.active()) action_count.try_emplace(id, 0);
    }
  }
  v1::GetCollaborationResponse out;
  for (const auto& [id, count] : action_count) {
    v1::CollaborationNode* node = out.add_nodes();
    node->set_partner_id(id);
    node->set_name(internal::PartnerName(model, id));
    auto p = model.partners.find(id);
    if (p != model.partners.end()) node->set_sector(p->second.sector());
    node->set_action_count(count);
  }
  std::stable_sort(
      out.mutable_nodes()->begin(), out.mutable_nodes()->end(),
      [](const auto& a, const auto& b) { return a.action_count() > b.action_count(); });
  for (auto& [pair, ids] : edges) {
    v1::CollaborationEdge* edge = out.add_edges();
    edge->set_partner_a(pair.first);
    edge->set_partner_b(pair.second);
    edge->set_shared_actions(static_cast<std::uint32_t>(ids.size()));
    for (auto& id : ids) edge->add_action_ids(std::move(id));
  }
  std::stable_sort(
      out.mutable_edges()->begin(), out.mutable_edges()->end(),
      [](const auto& a, const auto& b) { return a.shared_actions() > b.shared_actions(); });
  out.set_as_of_position(model.position);
  return out;
}

absl::StatusOr<v1::ListOwnershipGapsResponse> ListOwnershipGaps(
    const Model& model, const v1::ListOwnershipGapsRequest& request, absl::CivilDay today) {
  if (request.stale_days() > kMaxStaleDays) {
    return absl::InvalidArgumentError(absl::StrCat("stale_days ", request.stale_days(),
                                                   " is too large; at most ", kMaxStaleDays));
  }
  const std::uint32_t stale_days =
      request.stale_days() == 0 ? kDefaultStaleDays : request.stale_days();
  std::vector<v1::OwnershipGap> gaps;
  for (const auto& [id, action] : model.actions) {
    AddActionGaps(model, action, stale_days, today, gaps);
  }
  for (const auto& [id, goal] : model.goals) {
    // A goal "has" an action when the action names it, whatever the goal's own list says.
    const bool has_action = goal.action_ids_size() > 0 ||
                            std::any_of(model.actions.begin(), model.actions.end(),
                                        [&id](const auto& a) { return a.second.goal_id() == id; });
    if (has_action) continue;
    v1::OwnershipGap gap;
    gap.set_kind(v1::GAP_KIND_GOAL_WITHOUT_ACTION);
    gap.set_goal_id(id);
    gap.set_pillar_id(goal.pillar_id());
    gap.set_title(goal.title());
    gap.set_reason("Doel zonder acties: nog geen enkele partner werkt aan dit doel.");
    gaps.push_back(std::move(gap));
  }
  // Grouped as people read the programme: pillar, goal, action, then the kind of gap.
  std::sort(gaps.begin(), gaps.end(), [](const auto& a, const auto& b) {
    return std::forward_as_tuple(a.pillar_id(), a.goal_id(), a.action_id(), a.kind()) <
           std::forward_as_tuple(b.pillar_id(), b.goal_id(), b.action_id(), b.kind());
  });
  v1::ListOwnershipGapsResponse out;
  for (auto& g : gaps) *out.add_gaps() = std::move(g);
  out.set_as_of_position(model.position);
  return out;
}

absl::StatusOr<v1::ListKpisResponse> ListKpis(const Model& model,
                                              const v1::ListKpisRequest& request) {
  if (auto s = CheckPillar(model, request.pillar_id()); !s.ok()) return s;
  std::vector<const v1::KpiView*> kpis;
  for (const auto& [id, kpi] : model.kpis) {
    if (request.pillar_id().empty() || kpi.pillar_id() == request.pillar_id()) {
      kpis.push_back(&kpi);
    }
  }
  std::stable_sort(kpis.begin(), kpis.end(),
                   [](const auto* a, const auto* b) { return a->pillar_id() < b->pillar_id(); });
  v1::ListKpisResponse out;
  for (const v1::KpiView* kpi : kpis) *out.add_kpis() = internal::WithProgress(*kpi);
  out.set_as_of_position(model.position);
  return out;
}

absl::StatusOr<v1::GetAgendaResponse> GetAgenda(const Model& model,
                                                const v1::GetAgendaRequest& request,
                                                absl::CivilDay today) {
  absl::CivilDay from = today;
  if (!request.from_date().empty()) {
    auto parsed = internal::ParseDate(request.from_date());
    if (!parsed) {
      return absl::InvalidArgumentError(
          absl::StrCat("from_date '", request.from_date(), "' is not a date; use YYYY-MM-DD"));
    }
    from = *parsed;
  }
  std::optional<absl::CivilDay> to;
  if (!request.to_date().empty()) {
    to = internal::ParseDate(request.to_date());
    if (!to) {
      return absl::InvalidArgumentError(
          absl::StrCat("to_date '", request.to_date(), "' is not a date; use YYYY-MM-DD"));
    }
    if (*to < from) {
      return absl::InvalidArgumentError(absl::StrCat(
          "to_date ", request.to_date(), " lies before from_date ", absl::FormatCivilTime(from)));
    }
  }
  if (auto s = CheckPillar(model, request.pillar_id()); !s.ok()) return s;

  // An activity is on the agenda when its period [start, end] overlaps [from, to]. Activities
  // without a valid start date cannot be placed and are left out.
  std::vector<const v1::ActivityView*> activities;
  for (const auto& [id, activity] : model.activities) {
    if (!request.pillar_id().empty() && activity.pillar_id() != request.pillar_id()) continue;
    const auto start = internal::ParseDate(activity.starts_on());
    if (!start) continue;
    const auto end = internal::ParseDate(activity.ends_on()).value_or(*start);
    if (std::max(*start, end) < from) continue;
    if (to && *start > *to) continue;
    activities.push_back(&activity);
  }
  std::stable_sort(activities.begin(), activities.end(),
                   [](const auto* a, const auto* b) { return a->starts_on() < b->starts_on(); });
  v1::GetAgendaResponse out;
  for (const auto* a : activities) *out.add_activities() = *a;
  out.set_as_of_position(model.position);
  return out;
}

absl::StatusOr<v1::GetFundsResponse> GetFunds(const Model& model,
                                              const v1::GetFundsRequest& request) {
  static const std::string kNotGiven = "Niet opgegeven";
  // Every pillar gets a line, also at zero: a chart of the spread should show the gaps.
  std::map<std::string, std::pair<std::string, std::int64_t>> by_pillar;
  for (const auto& [id, pillar] : model.pillars) by_pillar[id] = {pillar.name(), 0};
  for (const auto& [id, action] : model.actions) {
    if (action.funds_cents() == 0) continue;
    auto& line = by_pillar[PillarOf(model, action)];
    line.second += action.funds_cents();
  }
  for (auto& [id, line] : by_pillar) {
    if (line.first.empty()) line.first = id.empty() ? "Zonder pijler" : id;
  }
  std::map<std::string, std::pair<std::string, std::int64_t>> by_partner;
  for (const auto& [id, cents] : model.funds_by_partner) {
    by_partner[id] = {id.empty() ? kNotGiven : internal::PartnerName(model, id), cents};
  }
  std::map<std::string, std::pair<std::string, std::int64_t>> by_source;
  std::int64_t total = 0;
  for (const auto& [source, cents] : model.funds_by_source) {
    by_source[source] = {source.empty() ? kNotGiven : source, cents};
    total += cents;
  }
  v1::GetFundsResponse out;
  AddLines(std::move(by_pillar), out.mutable_by_pillar());
  AddLines(std::move(by_partner), out.mutable_by_partner());
  AddLines(std::move(by_source), out.mutable_by_source());
  out.set_total_cents(total);
  out.set_as_of_position(model.position);
  return out;
}

}  // namespace projections
