#pragma once
// A hand-built Model for the query tests (queries_test.cc, project_book_test.cc): a Model is
// plain data (model.h), so tests fill its maps the way the fold would.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/projections/model.h"

namespace projections::testmodel {

namespace v1 = ::wijkboek::v1;

inline const absl::CivilDay kToday(2025, 6, 1);

// ---- Building a model by hand ------------------------------------------------------------

class ModelBuilder {
 public:
  ModelBuilder& Pillar(const std::string& id, const std::string& name,
                       const std::string& ambition) {
    v1::PillarView& p = m_.pillars[id];
    p.set_pillar_id(id);
    p.set_name(name);
    p.set_ambition(ambition);
    return *this;
  }
  ModelBuilder& Goal(const std::string& id, const std::string& pillar, const std::string& title,
                     uint32_t number) {
    v1::GoalView& g = m_.goals[id];
    g.set_goal_id(id);
    g.set_pillar_id(pillar);
    g.set_title(title);
    g.set_number(number);
    return *this;
  }
  ModelBuilder& Partner(const std::string& id, const std::string& name, const std::string& sector,
                        std::vector<std::string> roles = {}, bool active = true) {
    v1::PartnerView& p = m_.partners[id];
    p.set_partner_id(id);
    p.set_name(name);
    p.set_sector(sector);
    for (auto& r : roles) p.add_roles(r);
    p.set_active(active);
    return *this;
  }
  // An action as the model keeps it: in its goal's list and in its partners' lists.
  v1::ActionView& Action(const std::string& id, const std::string& goal, const std::string& title,
                         const std::string& owner, std::vector<std::string> members,
                         v1::ActionStatus status, const std::string& started_on) {
    v1::ActionView& a = m_.actions[id];
    a.set_action_id(id);
    a.set_goal_id(goal);
    a.set_pillar_id(m_.goals[goal].pillar_id());
    a.set_title(title);
    a.set_owner_partner_id(owner);
    for (auto& p : members) {
      a.add_partner_ids(p);
      m_.partners[p].add_member_action_ids(id);
    }
    if (!owner.empty()) {
      m_.partners[owner].add_owned_action_ids(id);
      a.set_owner_left(!m_.partners[owner].active());
    }
    a.set_status(status);
    a.set_started_on(started_on);
    v1::StatusChange* start = a.add_status_history();
    start->set_status(status);
    start->set_occurred_on(started_on);
    start->set_position(++position_);
    m_.goals[goal].add_action_ids(id);
    return a;
  }
  ModelBuilder& Result(const std::string& action, const std::string& summary,
                       const std::string& occurred_on, std::optional<double> value = {},
                       const std::string& unit = "") {
    v1::ActionView& a = m_.actions[action];
    v1::ResultView* r = a.add_results();
    r->set_action_id(action);
    r->set_summary(summary);
    r->set_occurred_on(occurred_on);
    if (value) r->set_value(*value);
    r->set_unit(unit);
    r->set_position(++position_);
    a.set_result_count(a.results_size());
    return *this;
  }
  ModelBuilder& Status(const std::string& action, v1::ActionStatus status, const std::string& note,
                       const std::string& occurred_on) {
    v1::ActionView& a = m_.actions[action];
    a.set_status(status);
    v1::StatusChange* s = a.add_status_history();
    s->set_status(status);
    s->set_note(note);
    s->set_occurred_on(occurred_on);
    s->set_position(++position_);
    return *this;
  }
  ModelBuilder& Kpi(const std::string& id, const std::string& pillar, double baseline, double t10,
                    double t20, bool higher_is_better, std::vector<double> measurements,
                    const std::string& unit = "%") {
    v1::KpiView& k = m_.kpis[id];
    k.set_kpi_id(id);
    k.set_pillar_id(pillar);
    k.set_name("Indicator " + id);
    k.set_unit(unit);
    k.set_baseline(baseline);
    k.set_target_10y(t10);
    k.set_target_20y(t20);
    k.set_higher_is_better(higher_is_better);
    int i = 0;
    for (double v : measurements) {
      v1::MeasurementView* m = k.add_measurements();
      m->set_measurement_id("m" + std::to_string(++i));
      m->set_value(v);
      m->set_period("202" + std::to_string(i));
      k.set_latest_value(v);
    }
    return *this;
  }
  ModelBuilder& Activity(const std::string& id, const std::string& title, const std::string& from,
                         const std::string& to, const std::string& pillar) {
    v1::ActivityView& a = m_.activities[id];
    a.set_activity_id(id);
    a.set_title(title);
    a.set_starts_on(from);
    a.set_ends_on(to);
    a.set_pillar_id(pillar);
    return *this;
  }
  ModelBuilder& Funds(const std::string& action, const std::string& partner,
                      const std::string& source, int64_t cents) {
    m_.actions[action].set_funds_cents(m_.actions[action].funds_cents() + cents);
    m_.funds_by_partner[partner] += cents;
    m_.funds_by_source[source] += cents;
    return *this;
  }
  Model& model() {
    m_.position = position_ + 100;
    return m_;
  }

 private:
  Model m_;
  uint64_t position_ = 0;
};

// A small programme: two pillars, four goals (one without actions), four partners (one left),
// five actions covering every gap kind, three KPIs, three activities and some money.
inline Model Programme() {
  ModelBuilder b;
  b.Pillar("jeugd", "Jeugd en onderwijs", "Elk kind krijgt kansen")
      .Pillar("wonen", "Fijn en veilig wonen", "Een schone, veilige wijk")
      .Goal("taal", "jeugd", "Leerachterstanden worden ingelopen", 2)
      .Goal("vve", "jeugd", "Meer deelname aan vve", 1)
      .Goal("afval", "wonen", "Minder zwerfafval", 1)
      .Goal("ontmoeting", "wonen", "Meer ontmoetingsruimte", 2)
      .Partner("bieb", "Bibliotheek aan de Vliet", "cultuur", {"bestuur", "trekker:jeugd"})
      .Partner("vidomes", "Vidomes", "wonen", {"bestuur"})
      .Partner("woej", "Welzijn Woej", "welzijn")
      .Partner("jgz", "JGZ", "zorg", {}, /*active=*/false);
  b.Action("taalmaatjes", "taal", "Taalmaatjes", "bieb", {"vidomes", "woej"},
           v1::ACTION_STATUS_IN_PROGRESS, "2024-01-15")
      .set_description("Vrijwilligers spreken wekelijks met een taalvrager");
  b.Result("taalmaatjes", "Eerste koppels", "2024-03-01", 20, "koppels")
      .Result("taalmaatjes", "Koppels gemaakt in 2023", "2024-06-01", 75, "koppels")
      .Result("taalmaatjes", "Taalcafé georganiseerd", "2025-02-01")
      .Result("taalmaatjes", "Training herkennen laaggeletterdheid", "2025-04-01", 12,
              "deelnemers");
  b.Action("taalcafe", "taal", "Taalcafé", "", {"woej"}, v1::ACTION_STATUS_PLANNED, "2025-05-01");
  b.Action("vve-toeleiding", "vve", "Warme toeleiding naar vve", "jgz", {"bieb"},
           v1::ACTION_STATUS_ONGOING, "2023-01-01");
  b.Result("vve-toeleiding", "Ouders in de wijk ingezet", "2023-05-01");
  b.Action("grofvuil", "afval", "Grofvuiltegel", "vidomes", {"woej"}, v1::ACTION_STATUS_IN_PROGRESS,
           "2022-01-01");
  b.Status("grofvuil", v1::ACTION_STATUS_COMPLETED, "Opgenomen in het beheer", "2023-01-01");
  b.Action("afvalprikken", "afval", "Afvalprikken met bewoners", "woej", {"vidomes", "bieb"},
           v1::ACTION_STATUS_IN_PROGRESS, "2024-09-01");
  b.Status("afvalprikken", v1::ACTION_STATUS_EXTENDED, "Verlengd tot eind 2025", "2025-01-10");
  b.Kpi("taalniveau", "jeugd", 60, 70, 80, true, {62, 65})
      .Kpi("bijplaatsingen", "wonen", 100, 50, 20, false, {120}, "meldingen")
      .Kpi("vve-bereik", "jeugd", 70, 90, 95, true, {});
  b.Activity("doe-mee", "Doe mee! Weken", "2025-07-14", "2025-08-22", "wonen")
      .Activity("taalavond", "Taalavond", "2025-06-05", "", "jeugd")
      .Activity("oud", "Nieuwjaarsborrel", "2025-01-05", "", "")
      .Activity("lopend", "Zomerschool", "2025-05-20", "2025-06-10", "jeugd");
  b.Funds("taalmaatjes", "bieb", "gemeente", 500000)
      .Funds("taalmaatjes", "", "Deal voor Noord", 250000)
      .Funds("afvalprikken", "vidomes", "Deal voor Noord", 100000);
  Model m = b.model();
  m.programme.set_name("Sterk voor Noord");
  m.programme.set_area("Leidschendam-Noord");
  m.programme.set_municipality("Leidschendam-Voorburg");
  m.programme.set_ambition("Samen werken aan een betere toekomst");
  return m;
}

template <typename T>
T Ok(absl::StatusOr<T> r) {
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : T();
}

template <typename List>
std::vector<std::string> ActionIds(const List& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) out.push_back(a.action_id());
  return out;
}

}  // namespace projections::testmodel
