#include "clients/cli/importer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "services/domain/schema.h"
#include "services/domain/state.h"

namespace wijkboek::importer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string RealFile() { return ReadFile(WIJKBOEK_DEMO_FILE); }
Json Fixture() { return Json::parse(ReadFile(WIJKBOEK_FIXTURE_FILE)); }

ImportPlan MustPlan(const std::string& text) {
  absl::StatusOr<ImportPlan> plan = PlanImport(text);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *std::move(plan) : ImportPlan();
}

const v1::AppendRequest* RequestFor(const ImportPlan& plan, const std::string& stream) {
  for (const v1::AppendRequest& request : plan.requests) {
    if (request.stream() == stream) return &request;
  }
  ADD_FAILURE() << "no request for " << stream;
  return nullptr;
}

std::vector<std::string> Types(const v1::AppendRequest& request) {
  std::vector<std::string> types;
  for (const v1::ProposedEvent& event : request.events()) {
    types.push_back(domain::EventType(event.payload()));
  }
  return types;
}

// The status message, expected to be INVALID_ARGUMENT for `json`.
std::string Refusal(const Json& json) {
  absl::StatusOr<ImportPlan> plan = PlanImport(json.dump());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument) << json.dump().substr(0, 200);
  return std::string(plan.status().message());
}

TEST(PlanImport, RealFileMapsToTheExpectedCounts) {
  ImportPlan plan = MustPlan(RealFile());
  EXPECT_EQ(plan.counts.programmes, 1);
  EXPECT_EQ(plan.counts.pillars, 4);
  EXPECT_EQ(plan.counts.goals, 30);
  EXPECT_EQ(plan.counts.partners, 37);
  EXPECT_EQ(plan.counts.actions, 65);
  EXPECT_EQ(plan.counts.results, 63 + 57);   // result texts + figures
  EXPECT_EQ(plan.counts.status_changes, 3);  // the three stopped actions
  EXPECT_EQ(plan.counts.decisions, 30);
  EXPECT_EQ(plan.counts.Events(), 290);
  EXPECT_EQ(plan.requests.size(), 1u + 4 + 37 + 65 + 1);
  int events = 0;
  for (const v1::AppendRequest& request : plan.requests) events += request.events_size();
  EXPECT_EQ(events, plan.counts.Events());
}

TEST(PlanImport, RequestsComeProgrammePillarsPartnersActionsDecisions) {
  ImportPlan plan = MustPlan(RealFile());
  std::vector<std::string> order;
  for (const v1::AppendRequest& request : plan.requests) {
    std::string kind = request.stream().substr(0, request.stream().find('-'));
    if (order.empty() || order.back() != kind) order.push_back(kind);
    EXPECT_TRUE(request.expected_revision().any()) << request.stream();
  }
  EXPECT_THAT(order, ElementsAre("programme", "pillar", "partner", "action", "programme"));
  EXPECT_THAT(Types(plan.requests.front()), ElementsAre("ProgrammeDescribed"));
  EXPECT_EQ(plan.requests.front().events(0).payload().programme_described().name(),
            "Sterk voor Noord");
  EXPECT_EQ(plan.requests.front().events(0).payload().programme_described().horizon_year(), 2041u);
}

TEST(PlanImport, EveryEventPassesTheLogsShapeRulesInItsStream) {
  for (const std::string& text : {RealFile(), Fixture().dump()}) {
    ImportPlan plan = MustPlan(text);
    for (const v1::AppendRequest& request : plan.requests) {
      for (const v1::ProposedEvent& event : request.events()) {
        EXPECT_TRUE(domain::ValidateForStream(event.payload(), request.stream(), "payload").ok())
            << request.stream() << ": " << event.payload().ShortDebugString();
        EXPECT_TRUE(domain::IsUuid(event.event_id()));
        EXPECT_EQ(event.metadata().at("source"), "wijkboek-import");
      }
    }
  }
}

// The server decides every event against the committed log (services/domain/state.h): a goal
// needs its pillar, an action its goal and current partners, results an action that is not
// stopped, STOPPED is no initial status. Folding the plan in order must pass every rule.
TEST(PlanImport, TheProgrammesRulesAcceptThePlanInOrder) {
  for (const std::string& text : {RealFile(), Fixture().dump()}) {
    ImportPlan plan = MustPlan(text);
    domain::ProgrammeState state;
    for (const v1::AppendRequest& request : plan.requests) {
      for (const v1::ProposedEvent& event : request.events()) {
        absl::Status decided = state.Decide(event.payload());
        ASSERT_TRUE(decided.ok()) << request.stream() << ": " << decided;
        state.Apply(event.payload());
      }
    }
    EXPECT_EQ(state.ActionStatusOf("fvw-containertuintjes"),
              text.size() > 50000 ? v1::ACTION_STATUS_STOPPED : v1::ACTION_STATUS_UNSPECIFIED);
  }
}

TEST(PlanImport, PillarRequestDefinesThePillarThenAllItsGoals) {
  ImportPlan plan = MustPlan(RealFile());
  const v1::AppendRequest* fvw = RequestFor(plan, "pillar-fijn-en-veilig-wonen");
  ASSERT_NE(fvw, nullptr);
  ASSERT_EQ(fvw->events_size(), 1 + 13);
  EXPECT_EQ(fvw->events(0).payload().pillar_defined().ambition(),
            "Prinsenhof en De Heuvel/Amstelwijk zijn diverse wijken waar inwoners prettig en "
            "veilig wonen");
  EXPECT_EQ(fvw->events(2).payload().goal_defined().goal_id(), "fvw-afval-en-ongedierte");
  EXPECT_EQ(fvw->events(2).payload().goal_defined().number(), 2u);
  // Bijlage-4 headings and the "Andere initiatieven" grouping are goals too (actions use them),
  // without a number.
  EXPECT_EQ(fvw->events(7).payload().goal_defined().goal_id(), "fvw-meeuwen");
  EXPECT_EQ(fvw->events(7).payload().goal_defined().number(), 0u);
  EXPECT_EQ(fvw->events(13).payload().goal_defined().goal_id(), "fvw-andere-initiatieven");
}

TEST(PlanImport, OwnerIsTheFirstListedPartnerAndTheRestAreCoalition) {
  ImportPlan plan = MustPlan(RealFile());
  const v1::AppendRequest* request = RequestFor(plan, "action-jo-brugfunctionaris");
  ASSERT_NE(request, nullptr);
  const v1::ActionStarted& started = request->events(0).payload().action_started();
  EXPECT_EQ(started.owner_partner_id(), "de-waterlelie");
  EXPECT_THAT(started.partner_ids(), ElementsAre("de-margriet", "de-trampoline", "kwadraad"));
  EXPECT_EQ(started.goal_id(), "jo-ouderbetrokkenheid");
  EXPECT_EQ(started.status(), v1::ACTION_STATUS_EXTENDED);
}

TEST(PlanImport, ActionWithoutPartnersHasNoOwner) {
  ImportPlan plan = MustPlan(RealFile());
  const v1::AppendRequest* request = RequestFor(plan, "action-jo-ve-vanaf-2-jaar");
  ASSERT_NE(request, nullptr);
  const v1::ActionStarted& started = request->events(0).payload().action_started();
  EXPECT_EQ(started.owner_partner_id(), "");
  EXPECT_TRUE(started.partner_ids().empty());
  EXPECT_EQ(started.status(), v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK);
}

TEST(PlanImport, StoppedActionStartsInProgressAndStopsAfterItsResults) {
  ImportPlan plan = MustPlan(RealFile());
  const v1::AppendRequest* request = RequestFor(plan, "action-fvw-containertuintjes");
  ASSERT_NE(request, nullptr);
  EXPECT_THAT(Types(*request), ElementsAre("ActionStarted", "ResultRecorded", "ResultRecorded",
                                           "ActionStatusChanged"));
  EXPECT_EQ(request->events(0).payload().action_started().status(), v1::ACTION_STATUS_IN_PROGRESS);
  const v1::ActionStatusChanged& stop = request->events(3).payload().action_status_changed();
  EXPECT_EQ(stop.status(), v1::ACTION_STATUS_STOPPED);
  EXPECT_EQ(stop.note(), "Status in de evaluatie: Afgerond");
  int stopped = 0;
  for (const v1::AppendRequest& r : plan.requests) {
    for (int i = 0; i < r.events_size(); ++i) {
      if (!r.events(i).payload().has_action_status_changed()) continue;
      ++stopped;
      EXPECT_EQ(i, r.events_size() - 1) << r.stream() << ": the stop must come last";
    }
  }
  EXPECT_EQ(stopped, 3);
}

TEST(PlanImport, ResultTextAndFiguresBecomeResults) {
  ImportPlan plan = MustPlan(RealFile());
  const v1::AppendRequest* request = RequestFor(plan, "action-fz-bereik-taalleerders");
  ASSERT_NE(request, nullptr);
  ASSERT_EQ(request->events_size(), 1 + 1 + 22);
  const v1::ResultRecorded& text = request->events(1).payload().result_recorded();
  EXPECT_EQ(text.result_id(), "resultaat");
  EXPECT_THAT(text.summary(), HasSubstr("Taalmaatjes"));
  EXPECT_FALSE(text.has_value());

  const v1::ResultRecorded& range = request->events(3).payload().result_recorded();
  EXPECT_EQ(range.summary(), "gemiddeld aantal deelnemers leesclubs per keer: 30-40 deelnemers");
  EXPECT_FALSE(range.has_value());  // a range keeps its text, but has no single value

  const v1::ResultRecorded& pairs = request->events(5).payload().result_recorded();
  EXPECT_EQ(pairs.summary(), "taalkoppels (taalmaatjes) gemaakt en begeleid (2023): 75 koppels");
  EXPECT_EQ(pairs.value(), 75);
  EXPECT_EQ(pairs.unit(), "koppels");
  EXPECT_EQ(pairs.result_id(), "taalkoppels-taalmaatjes-gemaakt-en-begeleid-2023");

  std::set<std::string> ids;
  for (int i = 1; i < request->events_size(); ++i) {
    EXPECT_TRUE(ids.insert(request->events(i).payload().result_recorded().result_id()).second)
        << "result ids repeat within the action";
  }
}

TEST(PlanImport, LongActivityTextGetsAShortTitleAndKeepsTheFullText) {
  ImportPlan plan = MustPlan(RealFile());
  for (const v1::AppendRequest& request : plan.requests) {
    if (!request.events(0).payload().has_action_started()) continue;
    EXPECT_LE(request.events(0).payload().action_started().title().size(), 3u * 120)
        << request.stream();
  }
  const v1::ActionStarted& started = RequestFor(plan, "action-jo-warme-begeleiding-ouders-ve")
                                         ->events(0)
                                         .payload()
                                         .action_started();
  EXPECT_THAT(started.title(), HasSubstr("Om de warme begeleiding van ouders"));
  EXPECT_THAT(started.title(), Not(HasSubstr("\n")));
  EXPECT_THAT(started.description(), HasSubstr("Inzet medewerker Spel en Opvoedpunt uitbreiden."));
  EXPECT_THAT(started.description(), HasSubstr("Status in de evaluatie: Afgerond"));
  const v1::ActionStarted& short_one = RequestFor(plan, "action-fz-routekaart-financiele-hulp")
                                           ->events(0)
                                           .payload()
                                           .action_started();
  EXPECT_EQ(short_one.title(), "Makkelijk vindbare financiële hulp.");
  EXPECT_EQ(short_one.description(), "Status in de evaluatie: In uitvoering");
}

TEST(PlanImport, TimelineBecomesDecisionsWithADateOnlyWhenItIsAFullDate) {
  ImportPlan plan = MustPlan(RealFile());
  const v1::AppendRequest& decisions = plan.requests.back();
  ASSERT_EQ(decisions.stream(), "programme");
  ASSERT_EQ(decisions.events_size(), 30);
  const v1::DecisionRecorded& first = decisions.events(0).payload().decision_recorded();
  EXPECT_EQ(first.body(), "Programma");
  EXPECT_EQ(first.title(),
            "Programmateam actief zichtbaar en bereikbaar voor inwoners en partners");
  EXPECT_EQ(first.occurred_on(), "");
  EXPECT_THAT(first.text(), HasSubstr("Datum: september 2020"));
  EXPECT_EQ(first.decision_id(), "2020-09-programmateam-actief-zichtbaar-en-bereikbaar-voor");
  int dated = 0;
  for (const v1::ProposedEvent& event : decisions.events()) {
    dated += event.payload().decision_recorded().occurred_on().empty() ? 0 : 1;
  }
  EXPECT_EQ(dated, 6);  // 2023-01-01, 2024-05-01, 2024-05-16, 2024-07-01, 2024-09-30, 2024-11-07
}

TEST(PlanImport, SameInputGivesTheSameRequestsAndIds) {
  ImportPlan a = MustPlan(RealFile());
  ImportPlan b = MustPlan(RealFile());
  ASSERT_EQ(a.requests.size(), b.requests.size());
  std::set<std::string> ids;
  for (std::size_t i = 0; i < a.requests.size(); ++i) {
    EXPECT_EQ(a.requests[i].SerializeAsString(), b.requests[i].SerializeAsString());
    for (const v1::ProposedEvent& event : a.requests[i].events()) ids.insert(event.event_id());
  }
  EXPECT_EQ(ids.size(), 290u) << "every event has its own id";
  EXPECT_EQ(ImportEventId("action-x", "ActionStarted"), ImportEventId("action-x", "ActionStarted"));
  EXPECT_NE(ImportEventId("action-x", "ActionStarted"), ImportEventId("action-y", "ActionStarted"));
  EXPECT_TRUE(std::regex_match(
      ImportEventId("programme", "ProgrammeDescribed"),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
}

TEST(PlanImport, AnyProgrammeOfThatShape) {
  ImportPlan plan = MustPlan(Fixture().dump());
  EXPECT_EQ(plan.counts.pillars, 2);
  EXPECT_EQ(plan.counts.goals, 3);
  EXPECT_EQ(plan.counts.partners, 3);
  EXPECT_EQ(plan.counts.actions, 4);
  EXPECT_EQ(plan.counts.results, 6);
  EXPECT_EQ(plan.counts.status_changes, 1);
  EXPECT_EQ(plan.counts.decisions, 2);

  const v1::PartnerJoined& hovenier =
      RequestFor(plan, "partner-hovenier-jansen")->events(0).payload().partner_joined();
  EXPECT_EQ(hovenier.sector(), "");  // a partner without a sector is allowed
  EXPECT_THAT(RequestFor(plan, "partner-dorpsraad")->events(0).payload().partner_joined().roles(),
              ElementsAre("bestuur", "trekker:samen"));

  const v1::AppendRequest* plan_request = RequestFor(plan, "action-gr-bomenplan");
  const v1::ActionStarted& started = plan_request->events(0).payload().action_started();
  EXPECT_EQ(started.owner_partner_id(), "gemeente-voorbeeld");
  EXPECT_THAT(started.partner_ids(), ElementsAre("hovenier-jansen", "dorpsraad"));
  EXPECT_EQ(started.status(), v1::ACTION_STATUS_COMPLETED);
  EXPECT_EQ(plan_request->events(4).payload().result_recorded().summary(),
            "kosten per boom: 42,5 EUR (bron: activiteit)");
  EXPECT_EQ(plan_request->events(4).payload().result_recorded().value(), 42.5);

  const v1::ActionStarted& no_owner =
      RequestFor(plan, "action-gr-afvalbakken")->events(0).payload().action_started();
  EXPECT_EQ(no_owner.owner_partner_id(), "");
  EXPECT_EQ(no_owner.description(), "");

  const v1::ActionStarted& long_one =
      RequestFor(plan, "action-sa-buurtkamer")->events(0).payload().action_started();
  EXPECT_THAT(long_one.title(), ::testing::StartsWith("De buurtkamer in het dorpshuis is op"));
  EXPECT_THAT(long_one.title(), ::testing::EndsWith("…"));  // its first sentence is too long
  EXPECT_LE(long_one.title().size(), 120u + 2);
  EXPECT_THAT(long_one.description(), HasSubstr("In 2025 wordt bekeken"));
  EXPECT_EQ(long_one.status(), v1::ACTION_STATUS_PLANNED);

  const v1::AppendRequest& decisions = plan.requests.back();
  EXPECT_EQ(decisions.events(0).payload().decision_recorded().occurred_on(), "2023-03-14");
  EXPECT_EQ(decisions.events(1).payload().decision_recorded().occurred_on(), "");
  EXPECT_THAT(decisions.events(1).payload().decision_recorded().text(),
              HasSubstr("Datum: voorjaar 2024"));
}

TEST(PlanImportValidation, UnknownSectorNamesThePartner) {
  Json json = Fixture();
  json["partners"][1]["sector"] = "horeca";
  EXPECT_THAT(Refusal(json), HasSubstr("partners[1] (hovenier-jansen): unknown sector \"horeca\"; "
                                       "expected one of afvalbeheer, bewoners"));
}

TEST(PlanImportValidation, UnknownStatusNamesTheAction) {
  Json json = Fixture();
  json["actions"][3]["status_code"] = "bezig";
  EXPECT_THAT(Refusal(json),
              HasSubstr("actions[3] (sa-buurtkamer): unknown status_code \"bezig\"; expected one "
                        "of completed, in_progress, ongoing, extended, "
                        "continued_in_regular_work, stopped, planned"));
}

TEST(PlanImportValidation, DanglingGoalAndPartnerAreNamed) {
  Json json = Fixture();
  json["actions"][0]["goal"] = "gr-bestaat-niet";
  json["actions"][2]["partners"] = {"gemeente-voorbeeld", "woningstichting"};
  std::string message = Refusal(json);
  EXPECT_THAT(message,
              HasSubstr("actions[0] (gr-bomenplan): goal \"gr-bestaat-niet\" is not a goal"));
  EXPECT_THAT(message, HasSubstr("actions[2] (gr-containertuin): partner \"woningstichting\" is "
                                 "not a partner in this file"));
  EXPECT_THAT(message, HasSubstr("2 problems in the file; nothing was imported"));
}

TEST(PlanImportValidation, GoalOfAnotherPillarIsRefused) {
  Json json = Fixture();
  json["actions"][0]["goal"] = "sa-ontmoeten";
  EXPECT_THAT(Refusal(json), HasSubstr("actions[0] (gr-bomenplan): goal \"sa-ontmoeten\" belongs "
                                       "to pillar \"samen\", not \"groen\""));
}

TEST(PlanImportValidation, DuplicateIdsAndMissingNamesAreNamed) {
  Json json = Fixture();
  json["partners"][2]["id"] = "dorpsraad";
  json["pillars"][1]["name"] = "";
  json["actions"][1].erase("title");
  json["pillars"][0]["goals"][1]["related_goal"] = "gr-weg";
  std::string message = Refusal(json);
  EXPECT_THAT(message, HasSubstr("partners[2] (dorpsraad): duplicate partner id \"dorpsraad\" "
                                 "(also partners[0] (dorpsraad))"));
  EXPECT_THAT(message, HasSubstr("pillars[1] (samen): missing name"));
  EXPECT_THAT(message, HasSubstr("actions[1] (gr-afvalbakken): missing title"));
  EXPECT_THAT(message, HasSubstr("pillars[0].goals[1] (gr-zwerfafval): related_goal \"gr-weg\""));
}

TEST(PlanImportValidation, MalformedIdsTypesAndJsonAreRefused) {
  Json json = Fixture();
  json["actions"][0]["id"] = "Bomen Plan";
  json["partners"][0]["roles"] = "bestuur";
  json["actions"][0]["figures"][0]["value"] = true;
  std::string message = Refusal(json);
  EXPECT_THAT(message, HasSubstr("actions[0] (Bomen Plan): id \"Bomen Plan\" is not an id"));
  EXPECT_THAT(message, HasSubstr("partners[0] (dorpsraad): roles must be a list of strings"));
  EXPECT_THAT(message, HasSubstr("figures[0]: value must be a number"));

  EXPECT_THAT(std::string(PlanImport("{\"programme\": ").status().message()),
              HasSubstr("not valid JSON"));
  EXPECT_EQ(PlanImport("[1, 2]").status().code(), absl::StatusCode::kInvalidArgument);
  // A number past the range of a double is refused, not thrown (found by tests/fuzz).
  absl::Status huge = PlanImport(R"({"programme": {"horizon_year": 2e308}})").status();
  EXPECT_EQ(huge.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(huge.message()), HasSubstr("2e308"));
  EXPECT_THAT(Refusal(Json::object()), HasSubstr("programme: missing"));
}

TEST(ShortTitle, KeepsShortTextAndShortensLongText) {
  EXPECT_EQ(ShortTitle("Flatcoach."), "Flatcoach.");
  EXPECT_EQ(ShortTitle("Eerste regel.\nTweede regel."), "Eerste regel.");
  std::string sentence =
      "Dit is de eerste zin, o.a. met een afkorting. Nog een" + std::string(100, 'x');
  EXPECT_EQ(ShortTitle(sentence), "Dit is de eerste zin, o.a. met een afkorting.");
  std::string words;
  for (int i = 0; i < 40; ++i) words += "woord ";
  std::string title = ShortTitle(words);
  EXPECT_LE(title.size(), 120u + 2);
  EXPECT_EQ(title.substr(title.size() - 3), "…");
  EXPECT_EQ(title.substr(0, 6), "woord ");
  // Code points, not bytes: 120 "é" (240 bytes) fit.
  std::string accents;
  for (int i = 0; i < 120; ++i) accents += "é";
  EXPECT_EQ(ShortTitle(accents), accents);
}

TEST(Slugify, LowercasesFoldsAccentsAndCutsAtAHyphen) {
  EXPECT_EQ(Slugify("Tuinkamer van Noord geopend", 100), "tuinkamer-van-noord-geopend");
  EXPECT_EQ(Slugify("Financiële zelfredzaamheid (2023)", 100), "financiele-zelfredzaamheid-2023");
  EXPECT_EQ(Slugify("  --Één   twee-- ", 100), "een-twee");
  EXPECT_EQ(Slugify("aaaa bbbb cccc", 9), "aaaa-bbbb");
  EXPECT_EQ(Slugify("€ ×", 10), "");
}

}  // namespace
}  // namespace wijkboek::importer
