// The Views service over real gRPC against the real wijkboekd: a small programme is appended
// through EventLog, then every view is read back, with min_position for read-your-writes, its
// deadline, authentication, NOT_FOUND / INVALID_ARGUMENT, and a restart that keeps the views.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "eventlog_helpers.h"
#include "views_helpers.h"

namespace itest {
namespace {

using std::chrono::milliseconds;

// ---- The programme ---------------------------------------------------------------------------

v1::ProposedEvent Partner(const std::string& id, const std::string& name, const std::string& sector,
                          const std::string& role) {
  v1::Payload p;
  auto* e = p.mutable_partner_joined();
  e->set_partner_id(id);
  e->set_name(name);
  e->set_sector(sector);
  if (!role.empty()) e->add_roles(role);
  return MakeEvent(std::move(p));
}

v1::ProposedEvent Goal(const std::string& id, const std::string& title, uint32_t number) {
  v1::Payload p;
  auto* e = p.mutable_goal_defined();
  e->set_goal_id(id);
  e->set_pillar_id("jeugd");
  e->set_title(title);
  e->set_number(number);
  return MakeEvent(std::move(p));
}

v1::ProposedEvent Start(const std::string& id, const std::string& goal, const std::string& title,
                        const std::string& owner, std::vector<std::string> members,
                        v1::ActionStatus status, const std::string& occurred_on) {
  v1::Payload p;
  auto* e = p.mutable_action_started();
  e->set_action_id(id);
  e->set_goal_id(goal);
  e->set_title(title);
  e->set_owner_partner_id(owner);
  for (auto& m : members) e->add_partner_ids(m);
  e->set_status(status);
  e->set_occurred_on(occurred_on);
  return MakeEvent(std::move(p));
}

v1::ProposedEvent Result(const std::string& action, const std::string& summary, double value,
                         const std::string& unit) {
  v1::Payload p;
  auto* e = p.mutable_result_recorded();
  e->set_action_id(action);
  e->set_summary(summary);
  e->set_value(value);
  e->set_unit(unit);
  return MakeEvent(std::move(p));
}

v1::ProposedEvent Activity(const std::string& id, const std::string& title, const std::string& from,
                           const std::string& to) {
  v1::Payload p;
  auto* e = p.mutable_activity_scheduled();
  e->set_activity_id(id);
  e->set_title(title);
  e->set_starts_on(from);
  e->set_ends_on(to);
  e->set_pillar_id("jeugd");
  e->set_organiser_partner_id("woej");
  return MakeEvent(std::move(p));
}

// Appends one pillar with three goals (one without actions), four partners (one leaves), a KPI
// with a measurement, four actions (one without owner, one whose owner leaves, one stale since
// 2023, one completed) with results, capacity and money, and two activities. Returns the last
// position.
uint64_t AppendProgramme(ServerProcess& server) {
  v1::Payload describe;
  describe.mutable_programme_described()->set_name("Sterk voor Noord");
  describe.mutable_programme_described()->set_area("Leidschendam-Noord");
  describe.mutable_programme_described()->set_horizon_year(2043);
  MustAppend(server, MakeRequest("programme", {MakeEvent(describe)}));
  v1::Payload pillar;
  pillar.mutable_pillar_defined()->set_pillar_id("jeugd");
  pillar.mutable_pillar_defined()->set_name("Jeugd en onderwijs");
  pillar.mutable_pillar_defined()->set_ambition("Elk kind krijgt kansen");
  MustAppend(server, MakeRequest("pillar-jeugd", {MakeEvent(pillar), Goal("vve", "Meer vve", 1),
                                                  Goal("taal", "Taal op niveau", 2),
                                                  Goal("ouders", "Ouders betrokken", 3)}));
  MustAppend(server, MakeRequest("partner-bieb", {Partner("bieb", "Bibliotheek aan de Vliet",
                                                          "cultuur", "trekker:jeugd")}));
  MustAppend(server,
             MakeRequest("partner-vidomes", {Partner("vidomes", "Vidomes", "wonen", "bestuur")}));
  MustAppend(server, MakeRequest("partner-woej", {Partner("woej", "Welzijn Woej", "welzijn", "")}));
  MustAppend(server, MakeRequest("partner-jgz", {Partner("jgz", "JGZ", "zorg", "")}));

  v1::Payload kpi = MakeKpiDefined("taalniveau").payload();
  kpi.mutable_kpi_defined()->set_pillar_id("jeugd");
  kpi.mutable_kpi_defined()->set_baseline(60);
  kpi.mutable_kpi_defined()->set_target_10y(70);
  kpi.mutable_kpi_defined()->set_target_20y(80);
  v1::Payload measurement;
  measurement.mutable_measurement_recorded()->set_kpi_id("taalniveau");
  measurement.mutable_measurement_recorded()->set_measurement_id("m-2024");
  measurement.mutable_measurement_recorded()->set_value(65);
  measurement.mutable_measurement_recorded()->set_period("2023-2024");
  MustAppend(server, MakeRequest("kpi-taalniveau", {MakeEvent(kpi), MakeEvent(measurement)}));

  v1::Payload join;
  join.mutable_partner_joined_action()->set_action_id("taalmaatjes");
  join.mutable_partner_joined_action()->set_partner_id("woej");
  v1::Payload capacity;
  capacity.mutable_capacity_committed()->set_action_id("taalmaatjes");
  capacity.mutable_capacity_committed()->set_partner_id("bieb");
  capacity.mutable_capacity_committed()->set_hours_per_week(4);
  v1::Payload funds;
  funds.mutable_funds_allocated()->set_action_id("taalmaatjes");
  funds.mutable_funds_allocated()->set_partner_id("bieb");
  funds.mutable_funds_allocated()->set_amount_cents(500000);
  funds.mutable_funds_allocated()->set_source("gemeente");
  MustAppend(server,
             MakeRequest("action-taalmaatjes",
                         {Start("taalmaatjes", "taal", "Taalmaatjes", "bieb", {"vidomes"},
                                v1::ACTION_STATUS_IN_PROGRESS, "2024-01-15"),
                          MakeEvent(join), Result("taalmaatjes", "Koppels gemaakt", 75, "koppels"),
                          Result("taalmaatjes", "Taalwandelingen", 4, "wandelingen"),
                          Result("taalmaatjes", "Taalcafe | gestart", 2, "avonden"),
                          Result("taalmaatjes", "Training <herkennen>", 12, "deelnemers"),
                          MakeEvent(capacity), MakeEvent(funds)}));
  MustAppend(server,
             MakeRequest("action-taalcafe", {Start("taalcafe", "taal", "Taalcafé", "", {"woej"},
                                                   v1::ACTION_STATUS_PLANNED, "")}));
  MustAppend(server,
             MakeRequest("action-vve", {Start("vve", "vve", "Warme toeleiding", "jgz", {"bieb"},
                                              v1::ACTION_STATUS_ONGOING, "2023-01-01")}));
  MustAppend(server,
             MakeRequest("action-grofvuil",
                         {Start("grofvuil", "vve", "Afgeronde pilot", "vidomes", {},
                                v1::ACTION_STATUS_IN_PROGRESS, "2023-01-01"),
                          MakeActionStatusChanged("grofvuil", v1::ACTION_STATUS_COMPLETED)}));
  v1::Payload left;
  left.mutable_partner_left()->set_partner_id("jgz");
  MustAppend(server, MakeRequest("partner-jgz", {MakeEvent(left)}));
  return MustAppend(server,
                    MakeRequest("programme",
                                {Activity("doe-mee", "Doe mee! Weken", "2099-07-01", "2099-07-20"),
                                 Activity("oud", "Nieuwjaarsborrel", "2020-01-05", "")}))
      .last_position();
}

using ViewsTest = ServerTest;

TEST_F(ViewsTest, EveryViewShowsTheProgrammeAtTheLastPosition) {
  const uint64_t last = AppendProgramme(server_);
  ASSERT_GT(last, 0u);
  using S = v1::Views::Stub;

  const auto programme =
      MustCall(server_, &S::GetProgramme, AtLeast<v1::GetProgrammeRequest>(last));
  EXPECT_EQ(programme.as_of_position(), last);
  EXPECT_EQ(programme.name(), "Sterk voor Noord");
  EXPECT_EQ(programme.partner_count(), 3u);
  EXPECT_EQ(programme.action_count(), 4u);
  EXPECT_EQ(programme.result_count(), 4u);
  ASSERT_EQ(programme.pillars_size(), 1);
  EXPECT_EQ(programme.pillars(0).goals_size(), 3);
  EXPECT_EQ(programme.pillars(0).goals(0).goal_id(), "vve");
  EXPECT_EQ(programme.pillars(0).latest_results_size(), 4);
  EXPECT_EQ(programme.pillars(0).latest_results(0).summary(), "Training <herkennen>");
  ASSERT_EQ(programme.pillars(0).kpis_size(), 1);
  EXPECT_DOUBLE_EQ(programme.pillars(0).kpis(0).progress_10y_percent(), 50);

  const auto partners = MustCall(server_, &S::ListPartners, AtLeast<v1::ListPartnersRequest>(last));
  EXPECT_EQ(partners.as_of_position(), last);
  ASSERT_EQ(partners.partners_size(), 3);
  EXPECT_EQ(partners.partners(0).partner_id(), "bieb");
  EXPECT_EQ(partners.partners(0).collaborators_size(), 3);  // vidomes, woej, jgz

  v1::GetPartnerRequest partner_req = AtLeast<v1::GetPartnerRequest>(last);
  partner_req.set_partner_id("bieb");
  const auto bieb = MustCall(server_, &S::GetPartner, partner_req);
  EXPECT_EQ(bieb.as_of_position(), last);
  ASSERT_EQ(bieb.owned_actions_size(), 1);
  EXPECT_EQ(bieb.owned_actions(0).results_size(), 3);  // lists show the newest three
  EXPECT_EQ(bieb.owned_actions(0).result_count(), 4u);
  ASSERT_EQ(bieb.member_actions_size(), 1);
  EXPECT_EQ(bieb.member_actions(0).action_id(), "vve");

  v1::ListActionsRequest list_req = AtLeast<v1::ListActionsRequest>(last);
  list_req.set_page_size(3);
  const auto page1 = MustCall(server_, &S::ListActions, list_req);
  EXPECT_EQ(page1.as_of_position(), last);
  EXPECT_EQ(page1.total_count(), 4u);
  ASSERT_EQ(page1.actions_size(), 3);
  EXPECT_EQ(page1.actions(0).action_id(), "taalcafe");
  ASSERT_FALSE(page1.next_page_token().empty());
  list_req.set_page_token(page1.next_page_token());
  const auto page2 = MustCall(server_, &S::ListActions, list_req);
  ASSERT_EQ(page2.actions_size(), 1);
  EXPECT_EQ(page2.actions(0).action_id(), "vve");
  EXPECT_TRUE(page2.next_page_token().empty());
  list_req.Clear();
  list_req.set_query("KOPPELS");
  list_req.set_partner_id("woej");
  const auto found = MustCall(server_, &S::ListActions, list_req);
  ASSERT_EQ(found.actions_size(), 1);
  EXPECT_EQ(found.actions(0).action_id(), "taalmaatjes");

  v1::GetActionRequest action_req = AtLeast<v1::GetActionRequest>(last);
  action_req.set_action_id("taalmaatjes");
  const auto action = MustCall(server_, &S::GetAction, action_req);
  EXPECT_EQ(action.as_of_position(), last);
  ASSERT_EQ(action.action().results_size(), 4);
  EXPECT_TRUE(action.action().results(0).has_value());
  EXPECT_DOUBLE_EQ(action.action().results(0).value(), 75);
  EXPECT_GT(action.action().results(0).recorded_at().seconds(), 0);
  EXPECT_EQ(action.action().results(0).recorded_by(), "admin");
  EXPECT_EQ(action.action().owner_partner_id(), "bieb");
  EXPECT_EQ(action.action().pillar_id(), "jeugd");
  EXPECT_DOUBLE_EQ(action.action().hours_per_week(), 4);
  EXPECT_EQ(action.action().funds_cents(), 500000);
  EXPECT_GE(action.action().status_history_size(), 1);

  const auto graph =
      MustCall(server_, &S::GetCollaboration, AtLeast<v1::GetCollaborationRequest>(last));
  EXPECT_EQ(graph.as_of_position(), last);
  EXPECT_EQ(graph.edges_size(), 4);  // bieb–vidomes, bieb–woej, vidomes–woej, bieb–jgz
  for (const auto& e : graph.edges()) EXPECT_EQ(e.shared_actions(), 1u) << e.ShortDebugString();

  const auto gaps =
      MustCall(server_, &S::ListOwnershipGaps, AtLeast<v1::ListOwnershipGapsRequest>(last));
  EXPECT_EQ(gaps.as_of_position(), last);
  std::vector<std::string> got;
  for (const auto& g : gaps.gaps()) {
    got.push_back(v1::GapKind_Name(g.kind()) + " " +
                  (g.action_id().empty() ? g.goal_id() : g.action_id()));
    EXPECT_FALSE(g.reason().empty());
  }
  EXPECT_EQ(got, (std::vector<std::string>{"GAP_KIND_GOAL_WITHOUT_ACTION ouders",
                                           "GAP_KIND_NO_OWNER taalcafe", "GAP_KIND_OWNER_LEFT vve",
                                           "GAP_KIND_STALE vve"}));

  const auto kpis = MustCall(server_, &S::ListKpis, AtLeast<v1::ListKpisRequest>(last));
  EXPECT_EQ(kpis.as_of_position(), last);
  ASSERT_EQ(kpis.kpis_size(), 1);
  EXPECT_DOUBLE_EQ(kpis.kpis(0).latest_value(), 65);
  EXPECT_DOUBLE_EQ(kpis.kpis(0).progress_20y_percent(), 25);

  const auto agenda = MustCall(server_, &S::GetAgenda, AtLeast<v1::GetAgendaRequest>(last));
  EXPECT_EQ(agenda.as_of_position(), last);
  ASSERT_EQ(agenda.activities_size(), 1);  // from today on
  EXPECT_EQ(agenda.activities(0).activity_id(), "doe-mee");
  v1::GetAgendaRequest agenda_req = AtLeast<v1::GetAgendaRequest>(last);
  agenda_req.set_from_date("2020-01-01");
  EXPECT_EQ(MustCall(server_, &S::GetAgenda, agenda_req).activities_size(), 2);

  const auto funds = MustCall(server_, &S::GetFunds, AtLeast<v1::GetFundsRequest>(last));
  EXPECT_EQ(funds.as_of_position(), last);
  EXPECT_EQ(funds.total_cents(), 500000);
  ASSERT_EQ(funds.by_pillar_size(), 1);
  EXPECT_EQ(funds.by_pillar(0).amount_cents(), 500000);
  ASSERT_EQ(funds.by_partner_size(), 1);
  EXPECT_EQ(funds.by_partner(0).name(), "Bibliotheek aan de Vliet");

  const auto book = MustCall(server_, &S::GetProjectBook, AtLeast<v1::GetProjectBookRequest>(last));
  EXPECT_EQ(book.as_of_position(), last);
  EXPECT_NE(book.markdown().find("# Projectenboek Sterk voor Noord"), std::string::npos);
  EXPECT_NE(book.markdown().find("Stand van zaken op positie " + std::to_string(last)),
            std::string::npos);
  EXPECT_NE(book.markdown().find("| Activiteit | Resultaat | Status |"), std::string::npos);
  EXPECT_NE(book.markdown().find("Taalcafe \\| gestart"), std::string::npos);
  EXPECT_NE(book.markdown().find("**Afgerond**"), std::string::npos);
  EXPECT_EQ(book.html().rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(book.html().find("Training &lt;herkennen&gt;"), std::string::npos);
}

TEST_F(ViewsTest, MinPositionReadsYourOwnWrites) {
  const uint64_t last = AppendProgramme(server_);
  for (int i = 0; i < 5; ++i) {
    const std::string summary = "direct gelezen " + std::to_string(i);
    const uint64_t written =
        MustAppend(server_,
                   MakeRequest("action-taalmaatjes", {Result("taalmaatjes", summary, i, "x")}))
            .last_position();
    ASSERT_GT(written, last);
    v1::GetActionRequest req = AtLeast<v1::GetActionRequest>(written);
    req.set_action_id("taalmaatjes");
    const auto a = MustCall(server_, &v1::Views::Stub::GetAction, req);
    EXPECT_GE(a.as_of_position(), written);
    ASSERT_GT(a.action().results_size(), 0);
    EXPECT_EQ(a.action().results(a.action().results_size() - 1).summary(), summary);
  }
}

TEST_F(ViewsTest, WaitingCallIsAnsweredWhenTheEventArrives) {
  const uint64_t last = AppendProgramme(server_);
  v1::GetActionRequest req = AtLeast<v1::GetActionRequest>(last + 1);
  req.set_action_id("taalmaatjes");
  auto waiting = std::async(std::launch::async, [&] {
    return Call(server_, &v1::Views::Stub::GetAction, req, milliseconds(20000));
  });
  // The call is parked on the server; the next append releases it.
  EXPECT_EQ(waiting.wait_for(milliseconds(200)), std::future_status::timeout);
  MustAppend(server_, MakeRequest("action-taalmaatjes", {Result("taalmaatjes", "later", 1, "x")}));
  const auto answer = waiting.get();
  ASSERT_TRUE(answer.status.ok()) << Describe(answer.status);
  EXPECT_EQ(answer.response.as_of_position(), last + 1);
  EXPECT_EQ(answer.response.action().results(4).summary(), "later");
}

TEST_F(ViewsTest, MinPositionBeyondTheLogEndsInDeadlineExceeded) {
  const uint64_t last = AppendProgramme(server_);
  const auto start = std::chrono::steady_clock::now();
  const auto a = Call(server_, &v1::Views::Stub::GetProgramme,
                      AtLeast<v1::GetProgrammeRequest>(last + 1000), milliseconds(1500));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(a.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << Describe(a.status);
  EXPECT_LT(took, std::chrono::seconds(10));
  // The server answers just before the deadline, so its message normally wins the race with the
  // client's own timeout; when it does, it says how far the views got.
  if (a.status.error_message() != "Deadline Exceeded") {
    EXPECT_TRUE(StatusIs(
        a.status, grpc::StatusCode::DEADLINE_EXCEEDED,
        "views reached position " + std::to_string(last) + ", not " + std::to_string(last + 1000)));
  }
  // The server is unharmed and answers at once without min_position.
  EXPECT_TRUE(Call(server_, &v1::Views::Stub::GetProgramme, v1::GetProgrammeRequest()).status.ok());
}

TEST_F(ViewsTest, EveryRpcNeedsAToken) {
  using S = v1::Views::Stub;
  const auto none = Call(server_, &S::GetProgramme, v1::GetProgrammeRequest(),
                         ServerProcess::kRpcDeadline, Auth::kNone);
  EXPECT_TRUE(StatusIs(none.status, grpc::StatusCode::UNAUTHENTICATED)) << Describe(none.status);
  const auto wrong = Call(server_, &S::ListActions, v1::ListActionsRequest(),
                          ServerProcess::kRpcDeadline, Auth::kWrongToken);
  EXPECT_TRUE(StatusIs(wrong.status, grpc::StatusCode::UNAUTHENTICATED)) << Describe(wrong.status);
  // Also when the call would otherwise wait for min_position.
  const auto waiting = Call(server_, &S::GetProjectBook, AtLeast<v1::GetProjectBookRequest>(99),
                            ServerProcess::kRpcDeadline, Auth::kNone);
  EXPECT_TRUE(StatusIs(waiting.status, grpc::StatusCode::UNAUTHENTICATED));
}

TEST_F(ViewsTest, UnknownIdsAndBadFiltersAreRefusedWithTheirName) {
  const uint64_t last = AppendProgramme(server_);
  using S = v1::Views::Stub;
  v1::GetPartnerRequest partner = AtLeast<v1::GetPartnerRequest>(last);
  partner.set_partner_id("bestaat-niet");
  EXPECT_TRUE(StatusIs(Call(server_, &S::GetPartner, partner).status, grpc::StatusCode::NOT_FOUND,
                       "bestaat-niet"));
  v1::GetActionRequest action = AtLeast<v1::GetActionRequest>(last);
  action.set_action_id("ook-niet");
  EXPECT_TRUE(StatusIs(Call(server_, &S::GetAction, action).status, grpc::StatusCode::NOT_FOUND,
                       "ook-niet"));
  v1::ListActionsRequest list;
  list.set_page_size(501);
  EXPECT_TRUE(StatusIs(Call(server_, &S::ListActions, list).status,
                       grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
  list.set_page_size(0);
  list.set_page_token("rommel");
  EXPECT_TRUE(StatusIs(Call(server_, &S::ListActions, list).status,
                       grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  v1::GetAgendaRequest agenda;
  agenda.set_from_date("31-12-2025");
  EXPECT_TRUE(StatusIs(Call(server_, &S::GetAgenda, agenda).status,
                       grpc::StatusCode::INVALID_ARGUMENT, "from_date"));
}

TEST_F(ViewsTest, ViewsAreTheSameAfterARestart) {
  const uint64_t last = AppendProgramme(server_);
  using S = v1::Views::Stub;
  auto snapshot = [&] {
    std::vector<std::string> out;
    v1::GetActionRequest action = AtLeast<v1::GetActionRequest>(last);
    action.set_action_id("taalmaatjes");
    v1::GetPartnerRequest partner = AtLeast<v1::GetPartnerRequest>(last);
    partner.set_partner_id("bieb");
    out.push_back(
        MustCall(server_, &S::GetProgramme, AtLeast<v1::GetProgrammeRequest>(last)).DebugString());
    out.push_back(
        MustCall(server_, &S::ListPartners, AtLeast<v1::ListPartnersRequest>(last)).DebugString());
    out.push_back(MustCall(server_, &S::GetPartner, partner).DebugString());
    out.push_back(
        MustCall(server_, &S::ListActions, AtLeast<v1::ListActionsRequest>(last)).DebugString());
    out.push_back(MustCall(server_, &S::GetAction, action).DebugString());
    out.push_back(
        MustCall(server_, &S::GetCollaboration, AtLeast<v1::GetCollaborationRequest>(last))
            .DebugString());
    out.push_back(
        MustCall(server_, &S::ListOwnershipGaps, AtLeast<v1::ListOwnershipGapsRequest>(last))
            .DebugString());
    out.push_back(
        MustCall(server_, &S::ListKpis, AtLeast<v1::ListKpisRequest>(last)).DebugString());
    out.push_back(
        MustCall(server_, &S::GetAgenda, AtLeast<v1::GetAgendaRequest>(last)).DebugString());
    out.push_back(
        MustCall(server_, &S::GetFunds, AtLeast<v1::GetFundsRequest>(last)).DebugString());
    out.push_back(MustCall(server_, &S::GetProjectBook, AtLeast<v1::GetProjectBookRequest>(last))
                      .DebugString());
    return out;
  };
  const std::vector<std::string> before = snapshot();
  ASSERT_EQ(server_.Stop(), 0);
  ASSERT_TRUE(server_.Restart());
  const std::vector<std::string> after = snapshot();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i], before[i]) << "view " << i;
}

}  // namespace
}  // namespace itest
