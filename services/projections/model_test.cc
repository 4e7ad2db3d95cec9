// The fold, one event type at a time, and the Model's snapshot rows. No disk, no threads.
#include "services/projections/model.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace projections {
namespace {

namespace v1 = wijkboek::v1;

constexpr std::int64_t kT0 = 1'700'000'000'000'000;  // micros

v1::Payload P(const std::string& text) {
  v1::Payload p;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &p)) << text;
  return p;
}

std::vector<std::string> Ids(const google::protobuf::RepeatedPtrField<std::string>& ids) {
  return {ids.begin(), ids.end()};
}
using Strings = std::vector<std::string>;

class ModelTest : public ::testing::Test {
 protected:
  // Folds one event at the next position, recorded one second after the previous one.
  void Fold(const std::string& text, const std::string& by = "admin") {
    storage::StoredEvent e;
    e.position = ++position_;
    e.recorded_at_unix_micros = kT0 + static_cast<std::int64_t>(position_) * 1'000'000;
    e.recorded_by = by;
    m_.Apply(e, P(text));
  }
  // A pillar, a goal and three partners.
  void Structure() {
    Fold("pillar_defined { pillar_id: 'jeugd' name: 'Jeugd en onderwijs' ambition: 'kansen' }");
    Fold("goal_defined { pillar_id: 'jeugd' goal_id: 'taal' title: 'Taal' number: 3 }");
    Fold("partner_joined { partner_id: 'bieb' name: 'Bibliotheek' sector: 'cultuur' }");
    Fold("partner_joined { partner_id: 'school' name: 'School' sector: 'onderwijs' }");
    Fold("partner_joined { partner_id: 'vidomes' name: 'Vidomes' sector: 'wonen' }");
  }
  void StartTaalmaatjes() {
    Fold("action_started { action_id: 'taalmaatjes' goal_id: 'taal' title: 'Taalmaatjes'"
         " description: 'lezen' owner_partner_id: 'bieb' partner_ids: 'school'"
         " partner_ids: 'bieb' occurred_on: '2024-01-15' planned_start: '2024-02-01'"
         " planned_end: '2025-01-31' }");
  }
  const v1::ActionView& Action(const std::string& id) { return m_.actions.at(id); }
  const v1::PartnerView& Partner(const std::string& id) { return m_.partners.at(id); }

  Model m_;
  std::uint64_t position_ = 0;
};

TEST_F(ModelTest, PartnerJoinedCreatesAnActivePartner) {
  Fold("partner_joined { partner_id: 'bieb' name: 'Bibliotheek' sector: 'cultuur'"
       " roles: 'bestuur' website: 'https://bieb.nl' occurred_on: '2023-05-01' }");
  const v1::PartnerView& p = Partner("bieb");
  EXPECT_EQ(p.name(), "Bibliotheek");
  EXPECT_EQ(p.sector(), "cultuur");
  EXPECT_EQ(Ids(p.roles()), Strings{"bestuur"});
  EXPECT_EQ(p.website(), "https://bieb.nl");
  EXPECT_TRUE(p.active());
  EXPECT_EQ(p.joined_on(), "2023-05-01");
  EXPECT_EQ(p.last_activity_position(), 1u);
  EXPECT_EQ(p.last_activity_at().seconds(), kT0 / 1'000'000 + 1);
  EXPECT_EQ(m_.position, 1u);
}

TEST_F(ModelTest, ProfileUpdateChangesOnlyTheFieldsItGives) {
  Fold("partner_joined { partner_id: 'bieb' name: 'Bibliotheek' sector: 'cultuur' roles: 'a' }");
  Fold("partner_profile_updated { partner_id: 'bieb' sector: 'onderwijs' }");
  EXPECT_EQ(Partner("bieb").name(), "Bibliotheek");
  EXPECT_EQ(Partner("bieb").sector(), "onderwijs");
  EXPECT_EQ(Ids(Partner("bieb").roles()), Strings{"a"});
  Fold("partner_profile_updated { partner_id: 'bieb' name: 'De Bieb' roles: 'b' roles: 'c' }");
  EXPECT_EQ(Partner("bieb").name(), "De Bieb");
  EXPECT_EQ(Ids(Partner("bieb").roles()), (Strings{"b", "c"}));
  EXPECT_EQ(Partner("bieb").last_activity_position(), 3u);
}

TEST_F(ModelTest, PartnerLeftMarksItsOwnedActionsAndRejoiningClearsThat) {
  Structure();
  StartTaalmaatjes();
  EXPECT_FALSE(Action("taalmaatjes").owner_left());
  Fold("partner_left { partner_id: 'bieb' occurred_on: '2025-01-01' }");
  EXPECT_FALSE(Partner("bieb").active());
  EXPECT_EQ(Partner("bieb").left_on(), "2025-01-01");
  EXPECT_TRUE(Action("taalmaatjes").owner_left());
  Fold("partner_joined { partner_id: 'bieb' name: 'Bibliotheek' occurred_on: '2025-06-01' }");
  EXPECT_TRUE(Partner("bieb").active());
  EXPECT_EQ(Partner("bieb").left_on(), "");
  EXPECT_EQ(Ids(Partner("bieb").owned_action_ids()), Strings{"taalmaatjes"});
  EXPECT_FALSE(Action("taalmaatjes").owner_left());
}

TEST_F(ModelTest, PillarAndGoalAreDefined) {
  Structure();
  EXPECT_EQ(m_.pillars.at("jeugd").name(), "Jeugd en onderwijs");
  EXPECT_EQ(m_.pillars.at("jeugd").ambition(), "kansen");
  EXPECT_GT(m_.pillars.at("jeugd").defined_at_position(), 0u);  // keeps the programme's order
  const v1::GoalView& g = m_.goals.at("taal");
  EXPECT_EQ(g.pillar_id(), "jeugd");
  EXPECT_EQ(g.title(), "Taal");
  EXPECT_EQ(g.number(), 3u);
  EXPECT_TRUE(g.action_ids().empty());
}

TEST_F(ModelTest, KpiKeepsMeasurementsInRecordOrderAndCorrectsByMeasurementId) {
  Fold("kpi_defined { kpi_id: 'vve' pillar_id: 'jeugd' name: 'VVE' unit: '%' baseline: 40"
       " target_10y: 60 target_20y: 80 higher_is_better: true }");
  EXPECT_FALSE(m_.kpis.at("vve").has_latest_value());
  Fold("measurement_recorded { kpi_id: 'vve' measurement_id: 'm1' value: 45 period: '2023' }");
  Fold("measurement_recorded { kpi_id: 'vve' measurement_id: 'm2' value: 50 period: '2024' }");
  Fold("measurement_recorded { kpi_id: 'vve' measurement_id: 'm1' value: 46 period: '2023' }");
  const v1::KpiView& k = m_.kpis.at("vve");
  EXPECT_EQ(k.unit(), "%");
  EXPECT_EQ(k.target_20y(), 80);
  EXPECT_TRUE(k.higher_is_better());
  ASSERT_EQ(k.measurements_size(), 2);
  EXPECT_EQ(k.measurements(0).value(), 46);
  EXPECT_EQ(k.measurements(0).position(), 4u);
  EXPECT_EQ(k.measurements(1).value(), 50);
  EXPECT_EQ(k.latest_value(), 50);
}

TEST_F(ModelTest, ActionStartedFillsTheActionItsGoalAndItsPartners) {
  Structure();
  StartTaalmaatjes();
  const v1::ActionView& a = Action("taalmaatjes");
  EXPECT_EQ(a.pillar_id(), "jeugd");
  EXPECT_EQ(a.title(), "Taalmaatjes");
  EXPECT_EQ(a.description(), "lezen");
  EXPECT_EQ(a.owner_partner_id(), "bieb");
  EXPECT_EQ(Ids(a.partner_ids()), Strings{"school"});  // the owner is not repeated
  EXPECT_EQ(a.status(), v1::ACTION_STATUS_PLANNED);    // UNSPECIFIED means PLANNED
  ASSERT_EQ(a.status_history_size(), 1);
  EXPECT_EQ(a.status_history(0).status(), v1::ACTION_STATUS_PLANNED);
  EXPECT_EQ(a.status_history(0).occurred_on(), "2024-01-15");
  EXPECT_EQ(a.status_history(0).position(), 6u);
  EXPECT_EQ(a.started_on(), "2024-01-15");
  EXPECT_EQ(a.planned_start(), "2024-02-01");
  EXPECT_EQ(a.planned_end(), "2025-01-31");
  EXPECT_EQ(a.last_activity_position(), 6u);
  EXPECT_EQ(Ids(m_.goals.at("taal").action_ids()), Strings{"taalmaatjes"});
  EXPECT_EQ(Ids(Partner("bieb").owned_action_ids()), Strings{"taalmaatjes"});
  EXPECT_EQ(Ids(Partner("school").member_action_ids()), Strings{"taalmaatjes"});
  EXPECT_EQ(Partner("school").last_activity_position(), 6u);
  EXPECT_EQ(Partner("vidomes").last_activity_position(), 5u);
}

TEST_F(ModelTest, ActionWithoutOwnerAndWithAnInitialStatus) {
  Structure();
  Fold("action_started { action_id: 'wees' goal_id: 'taal' title: 'Wees' status: "
       "ACTION_STATUS_IN_PROGRESS }");
  EXPECT_EQ(Action("wees").owner_partner_id(), "");
  EXPECT_FALSE(Action("wees").owner_left());
  EXPECT_EQ(Action("wees").status(), v1::ACTION_STATUS_IN_PROGRESS);
}

TEST_F(ModelTest, PartnerJoinedActionAddsAMemberOnce) {
  Structure();
  StartTaalmaatjes();
  Fold("partner_joined_action { action_id: 'taalmaatjes' partner_id: 'vidomes' }");
  Fold("partner_joined_action { action_id: 'taalmaatjes' partner_id: 'vidomes' }");
  Fold("partner_joined_action { action_id: 'taalmaatjes' partner_id: 'bieb' }");  // the owner
  EXPECT_EQ(Ids(Action("taalmaatjes").partner_ids()), (Strings{"school", "vidomes"}));
  EXPECT_EQ(Ids(Partner("vidomes").member_action_ids()), Strings{"taalmaatjes"});
  EXPECT_TRUE(Partner("bieb").member_action_ids().empty());
  // Joining is no activity of the action itself, but it is of its partners.
  EXPECT_EQ(Action("taalmaatjes").last_activity_position(), 6u);
  EXPECT_EQ(Partner("school").last_activity_position(), 9u);
}

TEST_F(ModelTest, OwnershipTransferredMovesTheActionBetweenPartners) {
  Structure();
  StartTaalmaatjes();
  Fold("ownership_transferred { action_id: 'taalmaatjes' from_partner_id: 'bieb'"
       " to_partner_id: 'school' }");
  const v1::ActionView& a = Action("taalmaatjes");
  EXPECT_EQ(a.owner_partner_id(), "school");
  EXPECT_TRUE(a.partner_ids().empty());  // the new owner left the coalition; the old one is gone
  EXPECT_TRUE(Partner("bieb").owned_action_ids().empty());
  EXPECT_EQ(Ids(Partner("school").owned_action_ids()), Strings{"taalmaatjes"});
  EXPECT_TRUE(Partner("school").member_action_ids().empty());
  EXPECT_EQ(Partner("bieb").last_activity_position(), 7u);
}

TEST_F(ModelTest, OwnershipToAPartnerThatLeftIsAnOwnerLeftGap) {
  Structure();
  Fold("action_started { action_id: 'wees' goal_id: 'taal' title: 'Wees' }");
  Fold("partner_left { partner_id: 'vidomes' }");
  Fold("ownership_transferred { action_id: 'wees' to_partner_id: 'vidomes' }");
  EXPECT_TRUE(Action("wees").owner_left());
}

TEST_F(ModelTest, ResultRecordedAppendsToTheTimelineAndIsActivity) {
  Structure();
  StartTaalmaatjes();
  Fold("result_recorded { action_id: 'taalmaatjes' summary: '12 koppels' value: 12"
       " unit: 'koppels' occurred_on: '2024-06-30' result_id: 'r1' }", "partner-bieb");
  Fold("result_recorded { action_id: 'taalmaatjes' summary: 'Feest' }");
  const v1::ActionView& a = Action("taalmaatjes");
  ASSERT_EQ(a.results_size(), 2);
  EXPECT_EQ(a.result_count(), 2u);
  const v1::ResultView& r = a.results(0);
  EXPECT_EQ(r.action_id(), "taalmaatjes");
  EXPECT_EQ(r.result_id(), "r1");
  EXPECT_EQ(r.summary(), "12 koppels");
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(r.value(), 12);
  EXPECT_EQ(r.unit(), "koppels");
  EXPECT_EQ(r.occurred_on(), "2024-06-30");
  EXPECT_EQ(r.position(), 7u);
  EXPECT_EQ(r.recorded_by(), "partner-bieb");
  EXPECT_EQ(r.recorded_at().seconds(), kT0 / 1'000'000 + 7);
  EXPECT_FALSE(a.results(1).has_value());
  EXPECT_EQ(a.last_activity_position(), 8u);
  EXPECT_EQ(Partner("school").last_activity_position(), 8u);
}

TEST_F(ModelTest, StatusChangedSetsTheStatusAndExtendsTheHistory) {
  Structure();
  StartTaalmaatjes();
  Fold("action_status_changed { action_id: 'taalmaatjes' status: ACTION_STATUS_COMPLETED"
       " note: 'klaar' occurred_on: '2025-02-01' }");
  const v1::ActionView& a = Action("taalmaatjes");
  EXPECT_EQ(a.status(), v1::ACTION_STATUS_COMPLETED);
  ASSERT_EQ(a.status_history_size(), 2);
  EXPECT_EQ(a.status_history(1).note(), "klaar");
  EXPECT_EQ(a.status_history(1).occurred_on(), "2025-02-01");
  EXPECT_EQ(a.status_history(1).position(), 7u);
  EXPECT_EQ(a.last_activity_position(), 7u);
}

TEST_F(ModelTest, CapacityKeepsEachPartnersLatestCommitmentAndSumsThem) {
  Structure();
  StartTaalmaatjes();
  Fold("capacity_committed { action_id: 'taalmaatjes' partner_id: 'bieb' hours_per_week: 4 }");
  Fold("capacity_committed { action_id: 'taalmaatjes' partner_id: 'school' hours_per_week: 2 }");
  Fold("capacity_committed { action_id: 'taalmaatjes' partner_id: 'bieb' hours_per_week: 6 }");
  const v1::ActionView& a = Action("taalmaatjes");
  ASSERT_EQ(a.capacity_size(), 2);
  EXPECT_EQ(a.capacity(0).partner_id(), "bieb");
  EXPECT_EQ(a.capacity(0).hours_per_week(), 6);
  EXPECT_EQ(a.hours_per_week(), 8);
}

TEST_F(ModelTest, FundsAddUpPerActionProviderAndSource) {
  Structure();
  StartTaalmaatjes();
  Fold("funds_allocated { action_id: 'taalmaatjes' partner_id: 'vidomes' amount_cents: 1000"
       " source: 'Deal voor Noord' }");
  Fold("funds_allocated { action_id: 'taalmaatjes' amount_cents: 250 source: 'gemeente' }");
  Fold("funds_allocated { action_id: 'taalmaatjes' partner_id: 'vidomes' amount_cents: 5"
       " source: 'gemeente' }");
  EXPECT_EQ(Action("taalmaatjes").funds_cents(), 1255);
  EXPECT_EQ(m_.funds_by_partner, (std::map<std::string, std::int64_t>{{"", 250}, {"vidomes", 1005}}));
  EXPECT_EQ(m_.funds_by_source,
            (std::map<std::string, std::int64_t>{{"Deal voor Noord", 1000}, {"gemeente", 255}}));
  EXPECT_EQ(Partner("vidomes").last_activity_position(), 9u);
}

TEST_F(ModelTest, ActivityAndProgrammeAreRecordedAndDecisionsOnlyAdvanceThePosition) {
  Fold("activity_scheduled { activity_id: 'doe-mee' title: 'Doe mee! Week' starts_on: "
       "'2025-05-01' ends_on: '2025-05-07' location: 'Noord' pillar_id: 'jeugd'"
       " organiser_partner_id: 'bieb' description: 'week' }");
  Fold("programme_described { name: 'Sterk voor Noord' municipality: 'LV' horizon_year: 2042 }");
  Fold("decision_recorded { decision_id: 'd1' body: 'DB' title: 'Besluit' }");
  Fold("signal_raised { signal_id: 's1' pillar_id: 'jeugd' summary: 'Signaal' }");
  const v1::ActivityView& a = m_.activities.at("doe-mee");
  EXPECT_EQ(a.title(), "Doe mee! Week");
  EXPECT_EQ(a.ends_on(), "2025-05-07");
  EXPECT_EQ(a.organiser_partner_id(), "bieb");
  EXPECT_EQ(m_.programme.name(), "Sterk voor Noord");
  EXPECT_EQ(m_.programme.horizon_year(), 2042u);
  EXPECT_EQ(m_.position, 4u);
}

TEST_F(ModelTest, EventsAboutUnknownEntitiesChangeNothing) {
  Structure();
  StartTaalmaatjes();
  Model before = m_;
  Fold("result_recorded { action_id: 'nope' summary: 'x' }");
  Fold("action_status_changed { action_id: 'nope' status: ACTION_STATUS_STOPPED }");
  Fold("funds_allocated { action_id: 'nope' amount_cents: 5 source: 'x' }");
  Fold("measurement_recorded { kpi_id: 'nope' value: 1 }");
  Fold("partner_left { partner_id: 'nope' }");
  Fold("action_started { action_id: 'taalmaatjes' goal_id: 'taal' title: 'Again' }");
  Fold("");  // an event whose payload did not parse
  before.position = m_.position;
  EXPECT_TRUE(before == m_);
}

TEST_F(ModelTest, DirtyNamesEveryChangedEntity) {
  Structure();
  StartTaalmaatjes();
  m_.dirty.clear();
  Fold("result_recorded { action_id: 'taalmaatjes' summary: 'x' }");
  Fold("funds_allocated { action_id: 'taalmaatjes' amount_cents: 5 source: 'x' }");
  EXPECT_EQ(m_.dirty,
            (absl::flat_hash_set<std::string>{"action/taalmaatjes", "meta/funds", "partner/bieb",
                                              "partner/school", Model::ResultKey("taalmaatjes", 0)}));
  EXPECT_EQ(Model::ResultKey("taalmaatjes", 12), "result/taalmaatjes/0000000012");
}

// Everything a full fold touched, written as rows and read back into an empty model.
TEST_F(ModelTest, SnapshotRowsRoundTrip) {
  Structure();
  StartTaalmaatjes();
  Fold("result_recorded { action_id: 'taalmaatjes' summary: 'a' value: 1 }");
  Fold("result_recorded { action_id: 'taalmaatjes' summary: 'b' }");
  Fold("capacity_committed { action_id: 'taalmaatjes' partner_id: 'bieb' hours_per_week: 4 }");
  Fold("funds_allocated { action_id: 'taalmaatjes' amount_cents: 5 source: 'x' }");
  Fold("kpi_defined { kpi_id: 'vve' pillar_id: 'jeugd' name: 'VVE' unit: '%' }");
  Fold("measurement_recorded { kpi_id: 'vve' value: 3 }");
  Fold("activity_scheduled { activity_id: 'doe-mee' title: 'Week' starts_on: '2025-05-01' }");
  Fold("programme_described { name: 'Sterk voor Noord' }");
  Fold("partner_left { partner_id: 'bieb' }");
  // Results first (in index order, as a scan gives them), then the rest backwards: a result
  // before its action must work too.
  const std::set<std::string> dirty(m_.dirty.begin(), m_.dirty.end());
  std::vector<std::string> keys;
  for (const std::string& key : dirty) {
    if (key.starts_with("result/")) keys.push_back(key);
  }
  for (auto it = dirty.rbegin(); it != dirty.rend(); ++it) {
    if (!it->starts_with("result/")) keys.push_back(*it);
  }
  Model loaded;
  for (const std::string& key : keys) {
    std::optional<std::string> row = m_.EncodeEntity(key);
    ASSERT_TRUE(row.has_value()) << key;
    ASSERT_TRUE(loaded.DecodeEntity(key, *row).ok()) << key;
  }
  loaded.position = m_.position;
  EXPECT_TRUE(loaded == m_);
  EXPECT_TRUE(loaded.dirty.empty());
}

// The action row is written field by field (to leave the results out without copying them):
// every other field of ActionView must be in it.
TEST_F(ModelTest, ActionRowHasEveryFieldButTheResults) {
  Structure();
  StartTaalmaatjes();
  Fold("result_recorded { action_id: 'taalmaatjes' summary: 'a' }");
  Fold("capacity_committed { action_id: 'taalmaatjes' partner_id: 'bieb' hours_per_week: 4 }");
  Fold("funds_allocated { action_id: 'taalmaatjes' amount_cents: 5 source: 'x' }");
  Fold("partner_left { partner_id: 'bieb' }");
  Fold("action_status_changed { action_id: 'taalmaatjes' status: ACTION_STATUS_ONGOING }");
  const v1::ActionView& full = Action("taalmaatjes");
  v1::ActionView row;
  ASSERT_TRUE(row.ParseFromString(*m_.EncodeEntity("action/taalmaatjes")));
  const auto* descriptor = v1::ActionView::descriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    if (field->name() == "results") {
      EXPECT_EQ(row.results_size(), 0);
      continue;
    }
    const auto* r = full.GetReflection();
    if (field->is_repeated()) {
      EXPECT_GT(r->FieldSize(full, field), 0) << "fill " << field->name() << " in this test";
      EXPECT_EQ(r->FieldSize(row, field), r->FieldSize(full, field)) << field->name();
    } else {
      EXPECT_TRUE(r->HasField(full, field)) << "fill " << field->name() << " in this test";
      EXPECT_TRUE(r->HasField(row, field)) << field->name() << " is missing from the row";
    }
  }
}

TEST_F(ModelTest, EntitiesThatDoNotExistEncodeAsDeletions) {
  Structure();
  EXPECT_EQ(m_.EncodeEntity("action/nope"), std::nullopt);
  EXPECT_EQ(m_.EncodeEntity(Model::ResultKey("nope", 0)), std::nullopt);
  EXPECT_EQ(m_.EncodeEntity("bogus"), std::nullopt);
}

TEST_F(ModelTest, DecodeRefusesUnknownRowsGarbageAndMissingResults) {
  Model m;
  EXPECT_EQ(m.DecodeEntity("bogus/x", "").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(m.DecodeEntity("action/x", "\xff\xff").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(m.DecodeEntity(Model::ResultKey("x", 1), "").code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(m.DecodeEntity(Model::ResultKey("x", 0), "").ok());
}

TEST_F(ModelTest, EqualityIgnoresDirtyButSeesEveryMap) {
  Structure();
  Model other = m_;
  other.dirty.clear();
  EXPECT_TRUE(other == m_);
  other.funds_by_source["x"] = 1;
  EXPECT_FALSE(other == m_);
  other = m_;
  other.partners["bieb"].set_name("Other");
  EXPECT_FALSE(other == m_);
  other = m_;
  other.position++;
  EXPECT_FALSE(other == m_);
}

}  // namespace
}  // namespace projections
