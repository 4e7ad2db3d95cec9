// The Views queries over hand-built models: every view, filter, page and gap kind, KPI progress
// and the project book. No store, no gRPC: a Model is plain data (see model.h).
#include "services/projections/queries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "services/projections/queries_test_model.h"

namespace projections {
namespace {

namespace v1 = ::wijkboek::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testmodel::ActionIds;
using testmodel::kToday;
using testmodel::ModelBuilder;
using testmodel::Ok;
using testmodel::Programme;

// ---- Programme ---------------------------------------------------------------------------

TEST(GetProgramme, SummarisesEachPillar) {
  const Model m = Programme();
  const auto r = Ok(GetProgramme(m, {}));
  EXPECT_EQ(r.name(), "Sterk voor Noord");
  EXPECT_EQ(r.area(), "Leidschendam-Noord");
  EXPECT_EQ(r.as_of_position(), m.position);
  EXPECT_EQ(r.partner_count(), 3u);  // jgz left
  EXPECT_EQ(r.action_count(), 5u);
  EXPECT_EQ(r.result_count(), 5u);
  ASSERT_EQ(r.pillars_size(), 2);
  const v1::PillarView& jeugd = r.pillars(0);
  EXPECT_EQ(jeugd.pillar_id(), "jeugd");
  EXPECT_EQ(jeugd.ambition(), "Elk kind krijgt kansen");
  ASSERT_EQ(jeugd.goals_size(), 2);
  EXPECT_EQ(jeugd.goals(0).goal_id(), "vve");  // by number
  EXPECT_EQ(jeugd.goals(1).goal_id(), "taal");
  EXPECT_EQ(jeugd.action_count(), 3u);
  EXPECT_EQ(jeugd.result_count(), 5u);
  ASSERT_EQ(jeugd.actions_by_status_size(), 3);  // planned, in progress, ongoing
  EXPECT_EQ(jeugd.actions_by_status(0).status(), v1::ACTION_STATUS_PLANNED);
  EXPECT_EQ(jeugd.actions_by_status(0).count(), 1u);
  EXPECT_EQ(jeugd.actions_by_status(1).status(), v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_EQ(jeugd.actions_by_status(2).status(), v1::ACTION_STATUS_ONGOING);
  ASSERT_EQ(jeugd.kpis_size(), 2);
  EXPECT_DOUBLE_EQ(jeugd.kpis(0).progress_10y_percent(), 50);  // taalniveau
  const v1::PillarView& wonen = r.pillars(1);
  EXPECT_EQ(wonen.actions_by_status_size(), 2);  // completed, extended
  EXPECT_EQ(wonen.result_count(), 0u);
}

TEST(GetProgramme, LatestResultsAreTheFiveNewestAcrossActions) {
  ModelBuilder b;
  b.Pillar("p", "P", "").Goal("g", "p", "G", 1).Partner("x", "X", "s");
  b.Action("a1", "g", "A1", "x", {}, v1::ACTION_STATUS_IN_PROGRESS, "2024-01-01");
  b.Action("a2", "g", "A2", "x", {}, v1::ACTION_STATUS_IN_PROGRESS, "2024-01-01");
  for (int i = 0; i < 4; ++i) {
    b.Result("a1", "a1-" + std::to_string(i), "2024-02-01");
    b.Result("a2", "a2-" + std::to_string(i), "2024-02-01");
  }
  const auto r = Ok(GetProgramme(b.model(), {}));
  std::vector<std::string> summaries;
  for (const auto& res : r.pillars(0).latest_results()) summaries.push_back(res.summary());
  EXPECT_THAT(summaries, ElementsAre("a2-3", "a1-3", "a2-2", "a1-2", "a2-1"));
}

TEST(GetProgramme, PillarsFollowTheOrderTheyWereDefinedIn) {
  Model m = Programme();
  m.pillars["jeugd"].set_defined_at_position(9);
  m.pillars["wonen"].set_defined_at_position(3);
  m.pillars["aaa"].set_pillar_id("aaa");  // no position: last
  const auto r = Ok(GetProgramme(m, {}));
  ASSERT_EQ(r.pillars_size(), 3);
  EXPECT_EQ(r.pillars(0).pillar_id(), "wonen");
  EXPECT_EQ(r.pillars(1).pillar_id(), "jeugd");
  EXPECT_EQ(r.pillars(2).pillar_id(), "aaa");
  const std::string md = Ok(GetProjectBook(m, {})).markdown();
  EXPECT_LT(md.find("## Fijn en veilig wonen"), md.find("## Jeugd en onderwijs"));
}

TEST(GetProgramme, EmptyModelAnswersAtPositionZero) {
  const auto r = Ok(GetProgramme(Model{}, {}));
  EXPECT_EQ(r.pillars_size(), 0);
  EXPECT_EQ(r.as_of_position(), 0u);
}

// ---- Partners ----------------------------------------------------------------------------

TEST(ListPartners, CurrentPartnersByNameWithCollaborators) {
  const auto r = Ok(ListPartners(Programme(), {}));
  ASSERT_EQ(r.partners_size(), 3);
  EXPECT_EQ(r.partners(0).partner_id(), "bieb");
  EXPECT_EQ(r.partners(1).partner_id(), "vidomes");
  EXPECT_EQ(r.partners(2).partner_id(), "woej");
  // bieb works with vidomes and woej on taalmaatjes and afvalprikken, with jgz on vve.
  const auto& c = r.partners(0).collaborators();
  ASSERT_EQ(c.size(), 3);
  EXPECT_EQ(c[0].partner_id(), "vidomes");
  EXPECT_EQ(c[0].shared_actions(), 2u);
  EXPECT_EQ(c[0].name(), "Vidomes");
  EXPECT_EQ(c[1].partner_id(), "woej");
  EXPECT_EQ(c[1].shared_actions(), 2u);
  EXPECT_EQ(c[2].partner_id(), "jgz");
  EXPECT_EQ(c[2].shared_actions(), 1u);
}

TEST(ListPartners, IncludeLeftAddsPartnersThatLeft) {
  v1::ListPartnersRequest req;
  req.set_include_left(true);
  const auto r = Ok(ListPartners(Programme(), req));
  ASSERT_EQ(r.partners_size(), 4);
  EXPECT_EQ(r.partners(1).partner_id(), "jgz");
  EXPECT_FALSE(r.partners(1).active());
}

TEST(ListPartners, FiltersBySectorCaseInsensitively) {
  v1::ListPartnersRequest req;
  req.set_sector("Wonen");
  const auto r = Ok(ListPartners(Programme(), req));
  ASSERT_EQ(r.partners_size(), 1);
  EXPECT_EQ(r.partners(0).partner_id(), "vidomes");
}

TEST(ListPartners, RoleMatchesExactlyOrAsPrefixBeforeColon) {
  v1::ListPartnersRequest req;
  req.set_role("bestuur");
  EXPECT_EQ(Ok(ListPartners(Programme(), req)).partners_size(), 2);
  req.set_role("trekker");
  const auto r = Ok(ListPartners(Programme(), req));
  ASSERT_EQ(r.partners_size(), 1);
  EXPECT_EQ(r.partners(0).partner_id(), "bieb");
  req.set_role("trek");  // a prefix of the word is not a role
  EXPECT_EQ(Ok(ListPartners(Programme(), req)).partners_size(), 0);
}

TEST(GetPartner, ReturnsOwnedAndMemberActionsWithTrimmedResults) {
  v1::GetPartnerRequest req;
  req.set_partner_id("bieb");
  const Model m = Programme();
  const auto r = Ok(GetPartner(m, req));
  EXPECT_EQ(r.partner().name(), "Bibliotheek aan de Vliet");
  EXPECT_EQ(r.partner().collaborators_size(), 3);
  EXPECT_THAT(ActionIds(r.owned_actions()), ElementsAre("taalmaatjes"));
  EXPECT_THAT(ActionIds(r.member_actions()), ElementsAre("vve-toeleiding", "afvalprikken"));
  EXPECT_EQ(r.owned_actions(0).results_size(), kResultsPerListedAction);
  EXPECT_EQ(r.owned_actions(0).result_count(), 4u);
  EXPECT_EQ(r.as_of_position(), m.position);
}

TEST(GetPartner, UnknownPartnerIsNotFoundNamingIt) {
  v1::GetPartnerRequest req;
  req.set_partner_id("onbekend");
  const auto r = GetPartner(Programme(), req);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("onbekend"));
  EXPECT_EQ(GetPartner(Programme(), {}).status().code(), absl::StatusCode::kInvalidArgument);
}

// ---- Actions -----------------------------------------------------------------------------

TEST(ListActions, AllInPillarGoalActionOrder) {
  const auto r = Ok(ListActions(Programme(), {}));
  EXPECT_THAT(ActionIds(r.actions()),
              ElementsAre("taalcafe", "taalmaatjes", "vve-toeleiding", "afvalprikken", "grofvuil"));
  EXPECT_EQ(r.total_count(), 5u);
  EXPECT_TRUE(r.next_page_token().empty());
}

TEST(ListActions, ShowsAtMostThreeNewestResultsPerAction) {
  v1::ListActionsRequest req;
  req.set_goal_id("taal");
  const auto r = Ok(ListActions(Programme(), req));
  const v1::ActionView& a = r.actions(1);
  ASSERT_EQ(a.action_id(), "taalmaatjes");
  ASSERT_EQ(a.results_size(), 3);
  EXPECT_EQ(a.results(0).summary(), "Koppels gemaakt in 2023");  // oldest of the newest three
  EXPECT_EQ(a.results(2).summary(), "Training herkennen laaggeletterdheid");
  EXPECT_EQ(a.result_count(), 4u);
}

TEST(ListActions, FiltersByPillarGoalStatusAndPartner) {
  const Model m = Programme();
  v1::ListActionsRequest req;
  req.set_pillar_id("wonen");
  EXPECT_THAT(ActionIds(Ok(ListActions(m, req)).actions()),
              ElementsAre("afvalprikken", "grofvuil"));
  req.Clear();
  req.set_goal_id("vve");
  EXPECT_THAT(ActionIds(Ok(ListActions(m, req)).actions()), ElementsAre("vve-toeleiding"));
  req.Clear();
  req.set_status(v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_THAT(ActionIds(Ok(ListActions(m, req)).actions()), ElementsAre("taalmaatjes"));
  req.Clear();
  req.set_partner_id("bieb");  // owner of one, member of two
  EXPECT_THAT(ActionIds(Ok(ListActions(m, req)).actions()),
              ElementsAre("taalmaatjes", "vve-toeleiding", "afvalprikken"));
  req.set_pillar_id("jeugd");  // filters combine
  EXPECT_THAT(ActionIds(Ok(ListActions(m, req)).actions()),
              ElementsAre("taalmaatjes", "vve-toeleiding"));
}

TEST(ListActions, FreeTextMatchesTitleDescriptionAndResultsCaseInsensitively) {
  const Model m = Programme();
  v1::ListActionsRequest req;
  req.set_query("TAAL");
  EXPECT_THAT(ActionIds(Ok(ListActions(m, req)).actions()), ElementsAre("taalcafe", "taalmaatjes"));
  req.set_query("vrijwilligers");  // description
  EXPECT_THAT(ActionIds(Ok(ListActions(m, req)).actions()), ElementsAre("taalmaatjes"));
  req.set_query("ouders WIJK");  // every word, in a result summary
  EXPECT_THAT(ActionIds(Ok(ListActions(m, req)).actions()), ElementsAre("vve-toeleiding"));
  req.set_query("TAALCAFÉ");  // non-ASCII capitals fold too
  EXPECT_THAT(ActionIds(Ok(ListActions(m, req)).actions()), ElementsAre("taalcafe", "taalmaatjes"));
  req.set_query("taal fiets");
  EXPECT_EQ(Ok(ListActions(m, req)).total_count(), 0u);
}

TEST(ListActions, PagesWithTokenAndTotalCount) {
  const Model m = Programme();
  v1::ListActionsRequest req;
  req.set_page_size(2);
  std::vector<std::string> seen;
  int pages = 0;
  do {
    const auto r = Ok(ListActions(m, req));
    EXPECT_EQ(r.total_count(), 5u);
    for (const auto& a : r.actions()) seen.push_back(a.action_id());
    req.set_page_token(r.next_page_token());
    ++pages;
  } while (!req.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(seen,
              ElementsAre("taalcafe", "taalmaatjes", "vve-toeleiding", "afvalprikken", "grofvuil"));
}

TEST(ListActions, TokenResumesAfterTheLastActionShownEvenWhenActionsAreAdded) {
  Model m = Programme();
  v1::ListActionsRequest req;
  req.set_page_size(2);
  const auto first = Ok(ListActions(m, req));
  ASSERT_FALSE(first.next_page_token().empty());
  // An action that sorts before the page boundary appears between the two calls.
  m.actions["aaa"].set_action_id("aaa");
  m.actions["aaa"].set_goal_id("taal");
  m.actions["aaa"].set_pillar_id("jeugd");
  req.set_page_token(first.next_page_token());
  const auto second = Ok(ListActions(m, req));
  EXPECT_THAT(ActionIds(second.actions()), ElementsAre("vve-toeleiding", "afvalprikken"));
}

TEST(ListActions, RejectsBadTokenAndTooLargePage) {
  v1::ListActionsRequest req;
  req.set_page_token("not-a-token!");
  auto r = ListActions(Programme(), req);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("page_token"));
  req.set_page_token("YWJj");  // valid base64, not ours
  EXPECT_EQ(ListActions(Programme(), req).status().code(), absl::StatusCode::kInvalidArgument);
  req.Clear();
  req.set_page_size(501);
  r = ListActions(Programme(), req);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("500"));
  req.set_page_size(500);
  EXPECT_TRUE(ListActions(Programme(), req).ok());
  req.Clear();
  req.set_status(static_cast<v1::ActionStatus>(42));
  EXPECT_EQ(ListActions(Programme(), req).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ListActions, UnknownFilterIdsAreNotFound) {
  v1::ListActionsRequest req;
  req.set_pillar_id("geen");
  EXPECT_EQ(ListActions(Programme(), req).status().code(), absl::StatusCode::kNotFound);
  req.Clear();
  req.set_goal_id("geen");
  EXPECT_EQ(ListActions(Programme(), req).status().code(), absl::StatusCode::kNotFound);
  req.Clear();
  req.set_partner_id("geen");
  const auto r = ListActions(Programme(), req);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("partner 'geen'"));
}

TEST(GetAction, ReturnsAllResultsAndHistory) {
  v1::GetActionRequest req;
  req.set_action_id("taalmaatjes");
  const auto r = Ok(GetAction(Programme(), req));
  EXPECT_EQ(r.action().results_size(), 4);
  EXPECT_EQ(r.action().status_history_size(), 1);
  EXPECT_EQ(r.action().owner_partner_id(), "bieb");
  req.set_action_id("nergens");
  const auto missing = GetAction(Programme(), req);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("nergens"));
}

// ---- Collaboration -----------------------------------------------------------------------

TEST(GetCollaboration, EdgesWeightedBySharedActionsHeaviestFirst) {
  const auto r = Ok(GetCollaboration(Programme(), {}));
  ASSERT_GE(r.edges_size(), 3);
  // vidomes–woej share taalmaatjes, grofvuil and afvalprikken.
  EXPECT_EQ(r.edges(0).partner_a(), "vidomes");
  EXPECT_EQ(r.edges(0).partner_b(), "woej");
  EXPECT_EQ(r.edges(0).shared_actions(), 3u);
  EXPECT_THAT(r.edges(0).action_ids(), ElementsAre("afvalprikken", "grofvuil", "taalmaatjes"));
  for (const auto& e : r.edges()) EXPECT_LT(e.partner_a(), e.partner_b());
  for (int i = 1; i < r.edges_size(); ++i) {
    EXPECT_GE(r.edges(i - 1).shared_actions(), r.edges(i).shared_actions());
  }
  ASSERT_EQ(r.nodes_size(), 4);  // jgz left, but owns an action, so it is in the graph
  EXPECT_EQ(r.nodes(0).partner_id(), "woej");
  EXPECT_EQ(r.nodes(0).action_count(), 4u);
  EXPECT_EQ(r.nodes(0).name(), "Welzijn Woej");
  EXPECT_EQ(r.nodes(0).sector(), "welzijn");
}

TEST(GetCollaboration, PillarFilterKeepsOnlyThatPillarsActions) {
  v1::GetCollaborationRequest req;
  req.set_pillar_id("wonen");
  const auto r = Ok(GetCollaboration(Programme(), req));
  ASSERT_EQ(r.edges_size(), 3);
  EXPECT_EQ(r.edges(0).shared_actions(), 2u);  // vidomes–woej: grofvuil, afvalprikken
  EXPECT_EQ(r.nodes_size(), 3);                // no jgz
  req.set_pillar_id("geen");
  EXPECT_EQ(GetCollaboration(Programme(), req).status().code(), absl::StatusCode::kNotFound);
}

TEST(GetCollaboration, ShowsCurrentPartnersWithoutActions) {
  Model m = Programme();
  m.partners["nieuw"].set_partner_id("nieuw");
  m.partners["nieuw"].set_active(true);
  const auto r = Ok(GetCollaboration(m, {}));
  ASSERT_EQ(r.nodes_size(), 5);
  EXPECT_EQ(r.nodes(4).partner_id(), "nieuw");
  EXPECT_EQ(r.nodes(4).action_count(), 0u);
}

// ---- Ownership gaps ----------------------------------------------------------------------

TEST(ListOwnershipGaps, FindsEveryKind) {
  const auto r = Ok(ListOwnershipGaps(Programme(), {}, kToday));
  std::vector<std::pair<std::string, v1::GapKind>> got;
  for (const auto& g : r.gaps())
    got.emplace_back(g.action_id().empty() ? g.goal_id() : g.action_id(), g.kind());
  EXPECT_THAT(got,
              ElementsAre(std::pair{std::string("taalcafe"), v1::GAP_KIND_NO_OWNER},
                          std::pair{std::string("vve-toeleiding"), v1::GAP_KIND_OWNER_LEFT},
                          std::pair{std::string("vve-toeleiding"), v1::GAP_KIND_STALE},
                          std::pair{std::string("ontmoeting"), v1::GAP_KIND_GOAL_WITHOUT_ACTION}));
  const v1::OwnershipGap& stale = r.gaps(2);
  EXPECT_EQ(stale.days_since_activity(),
            static_cast<uint32_t>(kToday - absl::CivilDay(2023, 5, 1)));
  EXPECT_THAT(stale.reason(), HasSubstr("geen resultaat of statuswijziging"));
  EXPECT_THAT(stale.reason(), HasSubstr("1 mei 2023"));
  EXPECT_THAT(r.gaps(0).reason(), HasSubstr("Actie zonder eigenaar (penvoerder)"));
  EXPECT_THAT(r.gaps(1).reason(), HasSubstr("JGZ"));
  EXPECT_EQ(r.gaps(3).pillar_id(), "wonen");
  EXPECT_EQ(r.gaps(3).title(), "Meer ontmoetingsruimte");
}

TEST(ListOwnershipGaps, StaleDaysIsARequestFieldAndSkipsFinishedWork) {
  v1::ListOwnershipGapsRequest req;
  req.set_stale_days(30);  // taalmaatjes: last result 2025-04-01, 61 days ago
  const auto r = Ok(ListOwnershipGaps(Programme(), req, kToday));
  std::vector<std::string> stale;
  for (const auto& g : r.gaps()) {
    if (g.kind() == v1::GAP_KIND_STALE) stale.push_back(g.action_id());
  }
  // grofvuil (completed) never counts; afvalprikken changed status 142 days ago; taalcafe
  // started 31 days ago.
  EXPECT_THAT(stale, ElementsAre("taalcafe", "taalmaatjes", "vve-toeleiding", "afvalprikken"));
  req.set_stale_days(61);
  const auto r61 = Ok(ListOwnershipGaps(Programme(), req, kToday));
  int count = 0;
  for (const auto& g : r61.gaps()) count += g.kind() == v1::GAP_KIND_STALE ? 1 : 0;
  EXPECT_EQ(count, 3);  // exactly 61 days counts as stale; taalcafe drops out
  req.set_stale_days(kMaxStaleDays + 1);
  EXPECT_EQ(ListOwnershipGaps(Programme(), req, kToday).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ListOwnershipGaps, ContinuedInRegularWorkIsNeverStale) {
  Model m = Programme();
  m.actions["vve-toeleiding"].set_status(v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK);
  const auto r = Ok(ListOwnershipGaps(m, {}, kToday));
  for (const auto& g : r.gaps()) EXPECT_NE(g.kind(), v1::GAP_KIND_STALE) << g.action_id();
}

// ---- KPIs --------------------------------------------------------------------------------

TEST(ListKpis, ProgressFromBaselineTowardsBothTargets) {
  const auto r = Ok(ListKpis(Programme(), {}));
  ASSERT_EQ(r.kpis_size(), 3);
  EXPECT_EQ(r.kpis(0).kpi_id(), "taalniveau");  // jeugd, by id
  EXPECT_EQ(r.kpis(1).kpi_id(), "vve-bereik");
  EXPECT_EQ(r.kpis(2).kpi_id(), "bijplaatsingen");
  EXPECT_DOUBLE_EQ(r.kpis(0).latest_value(), 65);
  EXPECT_DOUBLE_EQ(r.kpis(0).progress_10y_percent(), 50);
  EXPECT_DOUBLE_EQ(r.kpis(0).progress_20y_percent(), 25);
  EXPECT_EQ(r.kpis(0).measurements_size(), 2);
  EXPECT_FALSE(r.kpis(1).has_latest_value());
  EXPECT_DOUBLE_EQ(r.kpis(1).progress_10y_percent(), 0);
  // Lower is better, and the latest value went the wrong way: clamped at 0.
  EXPECT_DOUBLE_EQ(r.kpis(2).progress_10y_percent(), 0);
}

TEST(ListKpis, ProgressIsClampedAndWorksDownwards) {
  ModelBuilder b;
  b.Pillar("p", "P", "")
      .Kpi("boven", "p", 60, 70, 80, true, {95})     // past both targets
      .Kpi("omlaag", "p", 100, 50, 20, false, {75})  // halfway down to 50
      .Kpi("gelijk", "p", 10, 10, 10, false, {9})    // target equals baseline, met
      .Kpi("gelijk-niet", "p", 10, 10, 10, true, {9});
  v1::ListKpisRequest req;
  req.set_pillar_id("p");
  const auto r = Ok(ListKpis(b.model(), req));
  std::map<std::string, v1::KpiView> by_id;
  for (const auto& k : r.kpis()) by_id[k.kpi_id()] = k;
  EXPECT_DOUBLE_EQ(by_id["boven"].progress_10y_percent(), 100);
  EXPECT_DOUBLE_EQ(by_id["boven"].progress_20y_percent(), 100);
  EXPECT_DOUBLE_EQ(by_id["omlaag"].progress_10y_percent(), 50);
  EXPECT_NEAR(by_id["omlaag"].progress_20y_percent(), 31.25, 1e-9);
  EXPECT_DOUBLE_EQ(by_id["gelijk"].progress_10y_percent(), 100);
  EXPECT_DOUBLE_EQ(by_id["gelijk-niet"].progress_10y_percent(), 0);
}

TEST(ListKpis, FiltersByPillar) {
  v1::ListKpisRequest req;
  req.set_pillar_id("wonen");
  const auto r = Ok(ListKpis(Programme(), req));
  ASSERT_EQ(r.kpis_size(), 1);
  EXPECT_EQ(r.kpis(0).kpi_id(), "bijplaatsingen");
  req.set_pillar_id("geen");
  EXPECT_EQ(ListKpis(Programme(), req).status().code(), absl::StatusCode::kNotFound);
}

// ---- Agenda ------------------------------------------------------------------------------

std::vector<std::string> ActivityIds(const v1::GetAgendaResponse& r) {
  std::vector<std::string> out;
  for (const auto& a : r.activities()) out.push_back(a.activity_id());
  return out;
}

TEST(GetAgenda, FromTodayByStartDateIncludingWhatIsUnderway) {
  const auto r = Ok(GetAgenda(Programme(), {}, kToday));
  EXPECT_THAT(ActivityIds(r), ElementsAre("lopend", "taalavond", "doe-mee"));
}

TEST(GetAgenda, DateRangeAndPillarFilter) {
  v1::GetAgendaRequest req;
  req.set_from_date("2025-01-01");
  req.set_to_date("2025-06-05");  // inclusive
  EXPECT_THAT(ActivityIds(Ok(GetAgenda(Programme(), req, kToday))),
              ElementsAre("oud", "lopend", "taalavond"));
  req.set_pillar_id("jeugd");
  EXPECT_THAT(ActivityIds(Ok(GetAgenda(Programme(), req, kToday))),
              ElementsAre("lopend", "taalavond"));
}

TEST(GetAgenda, RejectsBadDates) {
  v1::GetAgendaRequest req;
  req.set_from_date("1-6-2025");
  auto r = GetAgenda(Programme(), req, kToday);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("from_date"));
  req.set_from_date("2025-02-30");
  EXPECT_EQ(GetAgenda(Programme(), req, kToday).status().code(),
            absl::StatusCode::kInvalidArgument);
  req.set_from_date("2025-06-01");
  req.set_to_date("2025-05-01");
  r = GetAgenda(Programme(), req, kToday);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("before"));
  req.set_to_date("morgen");
  EXPECT_EQ(GetAgenda(Programme(), req, kToday).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ---- Funds -------------------------------------------------------------------------------

TEST(GetFunds, PerPillarPartnerAndSourceLargestFirst) {
  const auto r = Ok(GetFunds(Programme(), {}));
  EXPECT_EQ(r.total_cents(), 850000);
  ASSERT_EQ(r.by_pillar_size(), 2);
  EXPECT_EQ(r.by_pillar(0).id(), "jeugd");
  EXPECT_EQ(r.by_pillar(0).name(), "Jeugd en onderwijs");
  EXPECT_EQ(r.by_pillar(0).amount_cents(), 750000);
  EXPECT_EQ(r.by_pillar(1).amount_cents(), 100000);
  ASSERT_EQ(r.by_partner_size(), 3);
  EXPECT_EQ(r.by_partner(0).name(), "Bibliotheek aan de Vliet");
  EXPECT_EQ(r.by_partner(1).id(), "");
  EXPECT_EQ(r.by_partner(1).name(), "Niet opgegeven");
  ASSERT_EQ(r.by_source_size(), 2);
  EXPECT_EQ(r.by_source(0).id(), "gemeente");
  EXPECT_EQ(r.by_source(1).amount_cents(), 350000);
}

TEST(GetFunds, PillarsWithoutMoneyShowZero) {
  Model m = Programme();
  m.actions["afvalprikken"].set_funds_cents(0);
  const auto r = Ok(GetFunds(m, {}));
  ASSERT_EQ(r.by_pillar_size(), 2);
  EXPECT_EQ(r.by_pillar(1).id(), "wonen");
  EXPECT_EQ(r.by_pillar(1).amount_cents(), 0);
}

}  // namespace
}  // namespace projections
