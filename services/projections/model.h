#pragma once
// The programme as the views see it: a plain-data fold of the log, in position order.
//
// Model is what the Views service queries and what time travel rebuilds from a prefix of the log.
// It holds view messages from wijkboek/v1/views.proto directly, so a query is mostly a copy.
// Derived data that depends on many entities (collaborators, the collaboration graph, ownership
// gaps, KPI progress, the project book) is computed at query time (see queries.h).
//
// Threads: not synchronised; the Projector guards it (see projector.h).
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "storage/event_store.h"
#include "wijkboek/v1/events.pb.h"
#include "wijkboek/v1/views.pb.h"

namespace projections {

struct Model {
  // Last position folded into the model; 0 = empty.
  std::uint64_t position = 0;

  wijkboek::v1::ProgrammeDescribed programme;  // the latest description, if any

  // PillarView holds name and ambition only; goals, counts, results and KPIs are filled at query
  // time from the maps below.
  std::map<std::string, wijkboek::v1::PillarView> pillars;
  // GoalView with its action_ids in start order.
  std::map<std::string, wijkboek::v1::GoalView> goals;
  // PartnerView with owned/member action ids and last activity; collaborators at query time.
  std::map<std::string, wijkboek::v1::PartnerView> partners;
  // ActionView complete: results, status history, capacity, funds, last activity, owner_left.
  std::map<std::string, wijkboek::v1::ActionView> actions;
  // KpiView with its measurements and latest_value; progress at query time.
  std::map<std::string, wijkboek::v1::KpiView> kpis;
  std::map<std::string, wijkboek::v1::ActivityView> activities;

  // Money: per provider partner ("" = none given) and per source, in cents. Per pillar is the sum
  // of the pillar's actions' funds_cents.
  std::map<std::string, std::int64_t> funds_by_partner;
  std::map<std::string, std::int64_t> funds_by_source;

  // Keys of entities changed since the last snapshot, e.g. "action/taalmaatjes" (see projector).
  std::set<std::string> dirty;

  // Folds one committed event. `payload` is the parsed e.payload. Events must come in position
  // order without gaps; an event that the rules would have refused cannot be in the log, but the
  // fold must not crash on one (e.g. a result for an unknown action is ignored).
  void Apply(const storage::StoredEvent& e, const wijkboek::v1::Payload& payload);

  bool operator==(const Model& other) const;  // ignores `dirty`
};

}  // namespace projections
