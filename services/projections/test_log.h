#pragma once
// Test-only: a random but reproducible log with every event type, and a helper that appends
// payloads to a store the way the API would (stream and type from the payload).
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/domain/schema.h"
#include "storage/event_store.h"
#include "wijkboek/v1/events.pb.h"

namespace projections::test {

namespace v1 = wijkboek::v1;

// Appends each payload as its own request (or `per_request` of the same stream together).
inline absl::Status AppendAll(storage::EventStore& store, const std::vector<v1::Payload>& payloads,
                              std::uint64_t* next_id) {
  for (const v1::Payload& p : payloads) {
    storage::AppendRequest request;
    request.stream = domain::StreamFor(p);
    request.recorded_by = absl::StrCat("partner-", (*next_id) % 7);
    request.events.push_back(storage::NewEvent{absl::StrCat("event-", (*next_id)++),
                                               domain::EventType(p), p.SerializeAsString(), {}});
    absl::StatusOr<storage::AppendResult> r = store.Append(std::move(request));
    if (!r.ok()) return r.status();
  }
  return absl::OkStatus();
}

// Every event type, mostly about existing entities, sometimes not (the fold must cope).
class RandomLog {
 public:
  explicit RandomLog(std::uint32_t seed) : rng_(seed) {}

  std::vector<v1::Payload> Make(std::size_t count) {
    std::vector<v1::Payload> out;
    for (int i = 0; i < 3; ++i) {
      auto* e = out.emplace_back().mutable_pillar_defined();
      e->set_pillar_id(absl::StrCat("pillar-", i));
      e->set_name(absl::StrCat("Pillar ", i));
    }
    for (int i = 0; i < 6; ++i) {
      auto* e = out.emplace_back().mutable_goal_defined();
      e->set_goal_id(absl::StrCat("goal-", i));
      e->set_pillar_id(absl::StrCat("pillar-", i % 3));
      e->set_title(absl::StrCat("Goal ", i));
      e->set_number(i);
    }
    for (int i = 0; i < 10; ++i) out.push_back(PartnerJoined(i));
    while (out.size() < count) out.push_back(Next());
    out.resize(count);
    return out;
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string Partner() { return absl::StrCat("partner-", Pick(10)); }
  std::string Action() { return absl::StrCat("action-", Pick(actions_ + 1)); }  // may not exist
  std::string Date() { return absl::StrCat("202", Pick(6), "-0", 1 + Pick(9), "-1", Pick(10)); }

  v1::Payload PartnerJoined(int i) {
    v1::Payload p;
    auto* e = p.mutable_partner_joined();
    e->set_partner_id(absl::StrCat("partner-", i));
    e->set_name(absl::StrCat("Partner ", i));
    e->set_sector(i % 2 ? "onderwijs" : "wonen");
    e->add_roles("bestuur");
    e->set_occurred_on(Date());
    return p;
  }

  v1::Payload Next() {
    v1::Payload p;
    switch (Pick(20)) {
      case 0: {
        auto* e = p.mutable_action_started();
        e->set_action_id(absl::StrCat("action-", actions_++));
        e->set_goal_id(absl::StrCat("goal-", Pick(7)));  // goal-6 does not exist
        e->set_title(absl::StrCat("Action ", actions_));
        if (Pick(4) != 0) e->set_owner_partner_id(Partner());
        for (int i = Pick(3); i > 0; --i) e->add_partner_ids(Partner());
        e->set_occurred_on(Date());
        e->set_status(static_cast<v1::ActionStatus>(Pick(3)));
        break;
      }
      case 1: {
        auto* e = p.mutable_partner_joined_action();
        e->set_action_id(Action());
        e->set_partner_id(Partner());
        break;
      }
      case 2: {
        auto* e = p.mutable_ownership_transferred();
        e->set_action_id(Action());
        e->set_to_partner_id(Partner());
        break;
      }
      case 3: {
        auto* e = p.mutable_action_status_changed();
        e->set_action_id(Action());
        e->set_status(static_cast<v1::ActionStatus>(1 + Pick(7)));
        e->set_note("note");
        break;
      }
      case 4: {
        auto* e = p.mutable_capacity_committed();
        e->set_action_id(Action());
        e->set_partner_id(Partner());
        e->set_hours_per_week(1 + Pick(20));
        break;
      }
      case 5: {
        auto* e = p.mutable_funds_allocated();
        e->set_action_id(Action());
        if (Pick(3) != 0) e->set_partner_id(Partner());
        e->set_amount_cents(100 * (1 + Pick(1000)));
        e->set_source(Pick(2) ? "gemeente" : "Deal voor Noord");
        break;
      }
      case 6: {
        int k = Pick(3);
        if (k >= kpis_) {
          auto* e = p.mutable_kpi_defined();
          e->set_kpi_id(absl::StrCat("kpi-", kpis_++));
          e->set_pillar_id("pillar-0");
          e->set_name("KPI");
          e->set_unit("%");
          e->set_baseline(10);
          e->set_target_10y(50);
          e->set_target_20y(90);
          e->set_higher_is_better(true);
        } else {
          auto* e = p.mutable_measurement_recorded();
          e->set_kpi_id(absl::StrCat("kpi-", k));
          e->set_measurement_id(absl::StrCat("m-", Pick(5)));
          e->set_value(Pick(100));
        }
        break;
      }
      case 7: {
        if (Pick(3) == 0) return PartnerJoined(Pick(12));  // rejoin, or a new partner
        auto* e = p.mutable_partner_left();
        e->set_partner_id(Partner());
        e->set_occurred_on(Date());
        break;
      }
      case 8: {
        auto* e = p.mutable_partner_profile_updated();
        e->set_partner_id(Partner());
        if (Pick(2)) e->set_name(absl::StrCat("Renamed ", Pick(100)));
        if (Pick(2)) e->set_sector("zorg");
        break;
      }
      case 9: {
        auto* e = p.mutable_activity_scheduled();
        e->set_activity_id(absl::StrCat("activity-", Pick(20)));
        e->set_title("Doe mee");
        e->set_starts_on(Date());
        e->set_pillar_id("pillar-1");
        break;
      }
      case 10: {
        switch (Pick(3)) {
          case 0: {
            auto* e = p.mutable_decision_recorded();
            e->set_decision_id(absl::StrCat("decision-", Pick(1000000)));
            e->set_body("DB");
            e->set_title("Besluit");
            break;
          }
          case 1: {
            auto* e = p.mutable_signal_raised();
            e->set_signal_id(absl::StrCat("signal-", Pick(1000000)));
            e->set_pillar_id("pillar-2");
            e->set_summary("Signaal");
            break;
          }
          default: {
            auto* e = p.mutable_programme_described();
            e->set_name(absl::StrCat("Programme ", Pick(10)));
            e->set_horizon_year(2040 + Pick(5));
            break;
          }
        }
        break;
      }
      default: {
        auto* e = p.mutable_result_recorded();
        e->set_action_id(Action());
        e->set_summary(absl::StrCat("Result ", Pick(1000000)));
        if (Pick(2)) e->set_value(Pick(500));
        if (Pick(4) == 0) e->set_result_id(absl::StrCat("r-", Pick(1000000)));
        e->set_occurred_on(Date());
        break;
      }
    }
    return p;
  }

  std::mt19937 rng_;
  int actions_ = 0;
  int kpis_ = 0;
};

}  // namespace projections::test
