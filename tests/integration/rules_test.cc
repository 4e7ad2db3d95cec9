// The programme's rules on write, over real gRPC: every rule's refusal (FAILED_PRECONDITION, a
// message naming the rule and the ids, nothing stored), the paths that are accepted, rules that
// still hold after a restart, and concurrent requests that depend on each other: the committed
// log must be a serial order in which every event obeys the rules.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "eventlog_helpers.h"
#include "services/domain/schema.h"
#include "services/domain/state.h"

namespace itest {
namespace {

using v1::ActionStatus;
using v1::Payload;

// ---- Payloads -----------------------------------------------------------------------------------

Payload Pillar(const std::string& id) {
  Payload p;
  p.mutable_pillar_defined()->set_pillar_id(id);
  p.mutable_pillar_defined()->set_name("Pijler " + id);
  return p;
}

Payload Goal(const std::string& goal, const std::string& pillar) {
  Payload p;
  p.mutable_goal_defined()->set_goal_id(goal);
  p.mutable_goal_defined()->set_pillar_id(pillar);
  p.mutable_goal_defined()->set_title("Doel " + goal);
  return p;
}

Payload Kpi(const std::string& kpi, const std::string& pillar, const std::string& goal = "") {
  Payload p;
  auto* e = p.mutable_kpi_defined();
  e->set_kpi_id(kpi);
  e->set_pillar_id(pillar);
  e->set_goal_id(goal);
  e->set_name("KPI " + kpi);
  e->set_unit("%");
  return p;
}

Payload Measurement(const std::string& kpi, const std::string& measurement_id) {
  Payload p;
  p.mutable_measurement_recorded()->set_kpi_id(kpi);
  p.mutable_measurement_recorded()->set_measurement_id(measurement_id);
  p.mutable_measurement_recorded()->set_value(61.5);
  return p;
}

Payload Joined(const std::string& partner) {
  Payload p;
  p.mutable_partner_joined()->set_partner_id(partner);
  p.mutable_partner_joined()->set_name("Partner " + partner);
  return p;
}

Payload ProfileUpdated(const std::string& partner) {
  Payload p;
  p.mutable_partner_profile_updated()->set_partner_id(partner);
  p.mutable_partner_profile_updated()->set_sector("wonen");
  return p;
}

Payload Left(const std::string& partner) {
  Payload p;
  p.mutable_partner_left()->set_partner_id(partner);
  return p;
}

Payload Started(const std::string& action, const std::string& goal, const std::string& owner = "",
                const std::vector<std::string>& partners = {},
                ActionStatus status = v1::ACTION_STATUS_IN_PROGRESS) {
  Payload p;
  auto* e = p.mutable_action_started();
  e->set_action_id(action);
  e->set_goal_id(goal);
  e->set_title("Actie " + action);
  e->set_owner_partner_id(owner);
  for (const auto& partner : partners) e->add_partner_ids(partner);
  e->set_status(status);
  return p;
}

Payload JoinedAction(const std::string& action, const std::string& partner) {
  Payload p;
  p.mutable_partner_joined_action()->set_action_id(action);
  p.mutable_partner_joined_action()->set_partner_id(partner);
  return p;
}

Payload Transferred(const std::string& action, const std::string& from, const std::string& to) {
  Payload p;
  auto* e = p.mutable_ownership_transferred();
  e->set_action_id(action);
  e->set_from_partner_id(from);
  e->set_to_partner_id(to);
  return p;
}

Payload Result(const std::string& action, const std::string& result_id = "") {
  Payload p;
  p.mutable_result_recorded()->set_action_id(action);
  p.mutable_result_recorded()->set_summary("12 koppels");
  p.mutable_result_recorded()->set_result_id(result_id);
  return p;
}

Payload StatusChanged(const std::string& action, ActionStatus status) {
  Payload p;
  p.mutable_action_status_changed()->set_action_id(action);
  p.mutable_action_status_changed()->set_status(status);
  return p;
}

Payload Capacity(const std::string& action, const std::string& partner) {
  Payload p;
  p.mutable_capacity_committed()->set_action_id(action);
  p.mutable_capacity_committed()->set_partner_id(partner);
  p.mutable_capacity_committed()->set_hours_per_week(8);
  return p;
}

Payload Funds(const std::string& action, const std::string& partner) {
  Payload p;
  auto* e = p.mutable_funds_allocated();
  e->set_action_id(action);
  e->set_partner_id(partner);
  e->set_amount_cents(250000);
  e->set_source("Deal voor Noord");
  return p;
}

Payload Decision(const std::string& id) {
  Payload p;
  p.mutable_decision_recorded()->set_decision_id(id);
  p.mutable_decision_recorded()->set_body("Stuurgroep");
  p.mutable_decision_recorded()->set_title("Besluit " + id);
  return p;
}

Payload Activity(const std::string& id, const std::string& pillar = "",
                 const std::string& organiser = "") {
  Payload p;
  auto* e = p.mutable_activity_scheduled();
  e->set_activity_id(id);
  e->set_title("Doe mee! Week");
  e->set_starts_on("2025-05-12");
  e->set_pillar_id(pillar);
  e->set_organiser_partner_id(organiser);
  return p;
}

Payload Signal(const std::string& id, const std::string& pillar) {
  Payload p;
  p.mutable_signal_raised()->set_signal_id(id);
  p.mutable_signal_raised()->set_pillar_id(pillar);
  p.mutable_signal_raised()->set_summary("Zorgen over verlichting");
  return p;
}

Payload Described() {
  Payload p;
  p.mutable_programme_described()->set_name("Sterk voor Noord");
  return p;
}

// One request holding `payloads` (one stream: the first payload's).
v1::AppendRequest RequestOf(const std::vector<Payload>& payloads) {
  std::vector<v1::ProposedEvent> events;
  for (const Payload& p : payloads) events.push_back(MakeEvent(p));
  return MakeRequest(domain::StreamFor(payloads.front()), std::move(events));
}

// Replays the whole log through the rules: every event must be one the rules accept after the
// events before it. Fails naming the first event that is not.
::testing::AssertionResult LogObeysTheRules(const std::vector<v1::Event>& log,
                                            domain::ProgrammeState* final_state = nullptr) {
  domain::ProgrammeState state;
  for (const v1::Event& e : log) {
    if (absl::Status s = state.Decide(e.payload()); !s.ok()) {
      return ::testing::AssertionFailure()
             << "position " << e.position() << " (" << e.type() << ") breaks a rule: " << s;
    }
    state.Apply(e.payload());
  }
  if (final_state != nullptr) *final_state = std::move(state);
  return ::testing::AssertionSuccess();
}

// ---- Fixture ------------------------------------------------------------------------------------

// A small programme: pillars jeugd and wonen with goals jo-taal and wo-veilig; KPI k-taal with
// measurement m-2023; partners bibliotheek, vidomes, politie, and oud (who left); actions
// taalmaatjes (owner bibliotheek, coalition vidomes, in progress, result r-1), gestopt (stopped)
// and zonder-eigenaar (no owner); decision d-1, activity doe-mee, signal s-1.
class RulesTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    for (const auto& request : std::vector<std::vector<Payload>>{
             {Pillar("jeugd"), Goal("jo-taal", "jeugd")},
             {Pillar("wonen"), Goal("wo-veilig", "wonen")},
             {Kpi("k-taal", "jeugd", "jo-taal"), Measurement("k-taal", "m-2023")},
             {Joined("bibliotheek")},
             {Joined("vidomes")},
             {Joined("politie")},
             {Joined("oud"), Left("oud")},
             {Started("taalmaatjes", "jo-taal", "bibliotheek", {"vidomes"}),
              Result("taalmaatjes", "r-1")},
             {Started("gestopt", "jo-taal", "politie"),
              StatusChanged("gestopt", v1::ACTION_STATUS_STOPPED)},
             {Started("zonder-eigenaar", "wo-veilig")},
             {Decision("d-1"), Activity("doe-mee", "jeugd", "bibliotheek"), Signal("s-1", "wonen")},
         }) {
      const AppendResult r = Append(server_, RequestOf(request));
      ASSERT_TRUE(r.status.ok()) << "seeding " << request.front().ShortDebugString() << ": "
                                 << Describe(r.status);
    }
    seeded_head_ = MustGetHead(server_).position();
  }

  struct Case {
    std::vector<Payload> request;
    std::vector<std::string> message_parts;
  };

  // Each case is refused with FAILED_PRECONDITION, a message starting with the index of the event
  // that broke the rule and naming the rule and its ids; nothing is stored.
  void ExpectAllRefused(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(c.request.back().ShortDebugString());
      const AppendResult r = Append(server_, RequestOf(c.request));
      const std::string index = "events[" + std::to_string(c.request.size() - 1) + "]: ";
      EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::FAILED_PRECONDITION, index));
      EXPECT_EQ(r.status.error_message().rfind(index, 0), 0u) << Describe(r.status);
      for (const std::string& part : c.message_parts) {
        EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::FAILED_PRECONDITION, part));
      }
    }
    EXPECT_EQ(MustGetHead(server_).position(), seeded_head_) << "a refused request left a trace";
  }

  uint64_t seeded_head_ = 0;
};

// ---- Refusals -----------------------------------------------------------------------------------

TEST_F(RulesTest, StructureRulesRefuseAndStoreNothing) {
  ExpectAllRefused({
      {{Pillar("jeugd")}, {"pillar jeugd already exists"}},
      {{Goal("jo-taal", "wonen")}, {"goal jo-taal already exists", "in pillar jeugd"}},
      {{Goal("jg-werk", "jongeren")},
       {"goal jg-werk", "pillar jongeren does not exist", "PillarDefined"}},
      {{Kpi("k-taal", "jeugd")}, {"kpi k-taal already exists"}},
      {{Kpi("k-werk", "jongeren")}, {"kpi k-werk", "pillar jongeren does not exist"}},
      {{Kpi("k-vve", "jeugd", "jo-vve")},
       {"kpi k-vve", "goal jo-vve does not exist", "GoalDefined"}},
      {{Kpi("k-vve", "wonen", "jo-taal")},
       {"kpi k-vve", "goal jo-taal belongs to pillar jeugd, not to pillar wonen"}},
      {{Measurement("k-vve", "m-1")}, {"kpi k-vve does not exist", "KpiDefined"}},
      {{Measurement("k-taal", "m-2023")},
       {"kpi k-taal", "measurement m-2023 was already recorded"}},
  });
}

TEST_F(RulesTest, PartnerRulesRefuseAndStoreNothing) {
  ExpectAllRefused({
      {{Joined("vidomes")},
       {"partner vidomes is already a current partner", "PartnerProfileUpdated"}},
      {{ProfileUpdated("oud")}, {"partner oud is not a current partner", "left"}},
      {{ProfileUpdated("ggd")}, {"partner ggd is not a current partner", "never joined"}},
      {{Left("oud")}, {"partner oud", "already left"}},
      {{Left("ggd")}, {"partner ggd", "never joined"}},
  });
}

TEST_F(RulesTest, ActionStartedRulesRefuseAndStoreNothing) {
  ExpectAllRefused({
      {{Started("taalmaatjes", "jo-taal")}, {"action taalmaatjes already exists"}},
      {{Started("nieuw", "jo-x")}, {"action nieuw", "goal jo-x does not exist", "GoalDefined"}},
      {{Started("nieuw", "jo-taal", "oud")},
       {"action nieuw", "owner partner 'oud' is not a current partner", "left the programme"}},
      {{Started("nieuw", "jo-taal", "ggd")},
       {"action nieuw", "owner partner 'ggd'", "never joined"}},
      {{Started("nieuw", "jo-taal", "vidomes", {"politie", "oud"})},
       {"action nieuw", "coalition partner 'oud'"}},
      {{Started("nieuw", "jo-taal", "", {}, v1::ACTION_STATUS_STOPPED)},
       {"action nieuw", "cannot start as stopped"}},
  });
}

TEST_F(RulesTest, ActionEventRulesRefuseAndStoreNothing) {
  ExpectAllRefused({
      {{Result("nieuw")}, {"action nieuw does not exist", "ActionStarted"}},
      {{Result("gestopt")}, {"action gestopt is stopped; no results can be recorded"}},
      {{Result("taalmaatjes", "r-1")}, {"action taalmaatjes", "result r-1 was already recorded"}},
      {{JoinedAction("gestopt", "vidomes")}, {"action gestopt is stopped"}},
      {{JoinedAction("taalmaatjes", "oud")}, {"action taalmaatjes", "partner 'oud'", "left"}},
      {{JoinedAction("taalmaatjes", "bibliotheek")}, {"'bibliotheek' is already its owner"}},
      {{JoinedAction("taalmaatjes", "vidomes")}, {"'vidomes' has already joined it"}},
      {{Transferred("taalmaatjes", "vidomes", "politie")},
       {"action taalmaatjes", "from_partner_id 'vidomes' is not the action's owner",
        "owner is 'bibliotheek'"}},
      {{Transferred("taalmaatjes", "", "politie")}, {"from_partner_id is empty"}},
      {{Transferred("zonder-eigenaar", "politie", "vidomes")},
       {"action zonder-eigenaar", "has no owner"}},
      {{Transferred("taalmaatjes", "bibliotheek", "oud")}, {"new owner 'oud'", "left"}},
      {{Transferred("gestopt", "politie", "vidomes")}, {"action gestopt is stopped"}},
      {{Capacity("taalmaatjes", "politie")},
       {"action taalmaatjes", "'politie' neither owns nor has joined it", "PartnerJoinedAction"}},
      {{Capacity("gestopt", "politie")}, {"action gestopt is stopped"}},
      {{Funds("taalmaatjes", "oud")}, {"action taalmaatjes", "funding partner 'oud'"}},
      {{Funds("gestopt", "")}, {"action gestopt is stopped; no funds can be allocated"}},
  });
  // A transfer to the owner it already has is wrong in itself, before any rule: a shape error.
  const AppendResult same = Append(server_, RequestOf({Transferred("taalmaatjes", "bibliotheek", "bibliotheek")}));
  EXPECT_TRUE(StatusIs(same.status, grpc::StatusCode::INVALID_ARGUMENT, "a transfer needs a new owner"));
  EXPECT_EQ(MustGetHead(server_).position(), seeded_head_);
}

TEST_F(RulesTest, StatusRulesRefuseAndStoreNothing) {
  ExpectAllRefused({
      {{StatusChanged("taalmaatjes", v1::ACTION_STATUS_IN_PROGRESS)},
       {"action taalmaatjes is already in_progress"}},
      {{StatusChanged("taalmaatjes", v1::ACTION_STATUS_PLANNED)},
       {"action taalmaatjes", "cannot change from in_progress to planned",
        "allowed from in_progress"}},
      {{StatusChanged("gestopt", v1::ACTION_STATUS_IN_PROGRESS)},
       {"action gestopt is stopped", "stopped is final"}},
  });
}

TEST_F(RulesTest, GovernanceRulesRefuseAndStoreNothing) {
  ExpectAllRefused({
      {{Decision("d-1")}, {"decision d-1 already exists"}},
      {{Activity("doe-mee")}, {"activity doe-mee already exists"}},
      {{Activity("buurtfeest", "jongeren")},
       {"activity buurtfeest", "pillar jongeren does not exist"}},
      {{Activity("buurtfeest", "", "oud")}, {"activity buurtfeest", "organiser partner 'oud'"}},
      {{Signal("s-1", "wonen")}, {"signal s-1 already exists"}},
      {{Signal("s-2", "jongeren")}, {"signal s-2", "pillar jongeren does not exist"}},
  });
}

TEST_F(RulesTest, ALaterEventOfARequestBreakingARuleStoresNoneOfIt) {
  ExpectAllRefused({
      {{Started("nieuw", "jo-taal", "politie"), Result("nieuw"),
        StatusChanged("nieuw", v1::ACTION_STATUS_STOPPED), Result("nieuw")},
       {"action nieuw is stopped; no results can be recorded"}},
      {{Pillar("jongeren"), Goal("jg-werk", "jongeren"), Goal("jg-werk", "jongeren")},
       {"goal jg-werk already exists", "in pillar jongeren"}},
      {{Joined("ggd"), Left("ggd"), ProfileUpdated("ggd")}, {"partner ggd", "left"}},
  });
  EXPECT_EQ(ReadStream(server_, "action-nieuw").status.error_code(), grpc::StatusCode::NOT_FOUND);
  // The refused request left no state behind either: the same start is now accepted.
  MustAppend(server_, RequestOf({Started("nieuw", "jo-taal", "politie")}));
}

// ---- Acceptance ---------------------------------------------------------------------------------

TEST_F(RulesTest, AnActionsWholeLifeIsAccepted) {
  for (const auto& request : std::vector<std::vector<Payload>>{
           {Started("buurtvaders", "wo-veilig", "politie", {}, v1::ACTION_STATUS_PLANNED)},
           {JoinedAction("buurtvaders", "vidomes"), Capacity("buurtvaders", "vidomes"),
            Funds("buurtvaders", "bibliotheek"), Funds("buurtvaders", "")},
           {StatusChanged("buurtvaders", v1::ACTION_STATUS_IN_PROGRESS),
            Result("buurtvaders", "r-1"), Result("buurtvaders"), Result("buurtvaders")},
           {Transferred("buurtvaders", "politie", "vidomes"), Capacity("buurtvaders", "vidomes")},
           {StatusChanged("buurtvaders", v1::ACTION_STATUS_COMPLETED), Result("buurtvaders", "r-2"),
            StatusChanged("buurtvaders", v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK)},
       }) {
    const AppendResult r = Append(server_, RequestOf(request));
    EXPECT_TRUE(r.status.ok()) << request.front().ShortDebugString() << ": " << Describe(r.status);
  }
  EXPECT_TRUE(LogObeysTheRules(MustReadLog(server_)));
}

TEST_F(RulesTest, AnActionWithoutOwnerIsAcceptedAndCanGetOne) {
  MustAppend(server_, RequestOf({Started("gat", "jo-taal", "", {"vidomes"}), Result("gat")}));
  MustAppend(server_, RequestOf({Transferred("gat", "", "vidomes")}));
  MustAppend(server_, RequestOf({Capacity("gat", "vidomes")}));
}

TEST_F(RulesTest, APartnerThatLeftMayJoinAgainAndBeNamedAgain) {
  MustAppend(server_, RequestOf({Joined("oud"), ProfileUpdated("oud")}));
  MustAppend(server_, RequestOf({Started("terug", "jo-taal", "oud", {"vidomes"})}));
  MustAppend(server_, RequestOf({JoinedAction("taalmaatjes", "oud")}));
}

TEST_F(RulesTest, StructureAndGovernanceAreAccepted) {
  MustAppend(server_, RequestOf({Pillar("jongeren"), Goal("jg-werk", "jongeren")}));
  MustAppend(server_, RequestOf({Kpi("k-werk", "jongeren", "jg-werk"), Measurement("k-werk", "m-1"),
                                 Measurement("k-werk", "m-2")}));
  MustAppend(server_, RequestOf({Measurement("k-taal", "m-2025")}));
  MustAppend(server_,
             RequestOf({Described(), Described(), Decision("d-2"),
                        Activity("buurtfeest", "jongeren", "politie"), Signal("s-2", "jongeren")}));
  MustAppend(server_, RequestOf({Left("politie")}));
  EXPECT_TRUE(LogObeysTheRules(MustReadLog(server_)));
}

TEST_F(RulesTest, ARetryOfAnAcceptedRequestIsDeduplicatedNotRefused) {
  const v1::AppendRequest request = RequestOf({Started("nieuw", "jo-taal", "politie")});
  const v1::AppendResponse first = MustAppend(server_, request);
  const AppendResult retry = Append(server_, request);
  ASSERT_TRUE(retry.status.ok()) << Describe(retry.status);
  EXPECT_TRUE(retry.response.deduplicated());
  EXPECT_EQ(retry.response.first_position(), first.first_position());
}

TEST_F(RulesTest, TheRulesRememberTheLogAfterARestart) {
  MustAppend(server_, RequestOf({Started("nieuw", "jo-taal", "politie"), Result("nieuw", "r-1")}));
  ASSERT_EQ(server_.Stop(), 0);
  ASSERT_TRUE(server_.Restart());
  EXPECT_TRUE(StatusIs(Append(server_, RequestOf({Started("nieuw", "jo-taal")})).status,
                       grpc::StatusCode::FAILED_PRECONDITION, "action nieuw already exists"));
  EXPECT_TRUE(StatusIs(Append(server_, RequestOf({Result("nieuw", "r-1")})).status,
                       grpc::StatusCode::FAILED_PRECONDITION, "result r-1 was already recorded"));
  EXPECT_TRUE(StatusIs(Append(server_, RequestOf({Result("gestopt")})).status,
                       grpc::StatusCode::FAILED_PRECONDITION, "action gestopt is stopped"));
  EXPECT_TRUE(StatusIs(Append(server_, RequestOf({JoinedAction("nieuw", "oud")})).status,
                       grpc::StatusCode::FAILED_PRECONDITION, "partner 'oud'"));
  MustAppend(server_, RequestOf({Result("nieuw", "r-2"), JoinedAction("nieuw", "vidomes")}));
}

// ---- Concurrency --------------------------------------------------------------------------------

// Many requests at once, some depending on others: a partner leaving while actions name it as
// owner or member; two starts of the same action; results racing their action's start. Whatever
// the order, the committed log must obey the rules event by event, each refusal must be one that
// order explains, and every dependent outcome must agree with the positions in the log.
TEST_F(RulesTest, ConcurrentDependentRequestsCommitAsSomeSerialOrder) {
  constexpr int kPartners = 16;
  constexpr int kDuplicates = 12;
  MustAppend(server_, RequestOf({Started("gedeeld", "jo-taal")}));
  for (int i = 0; i < kPartners; ++i) {
    MustAppend(server_, RequestOf({Joined("p" + std::to_string(i))}));
  }

  enum class Kind { kLeave, kStartOwned, kJoinShared, kStartDuplicate, kResultOnDuplicate };
  struct Request {
    Kind kind;
    int n;
    v1::AppendRequest request;
    AppendResult result;
  };
  std::vector<Request> requests;
  for (int i = 0; i < kPartners; ++i) {
    const std::string p = "p" + std::to_string(i);
    requests.push_back({Kind::kLeave, i, RequestOf({Left(p)}), {}});
    requests.push_back({Kind::kStartOwned,
                        i,
                        RequestOf({Started("eigen-" + std::to_string(i), "jo-taal", p)}),
                        {}});
    requests.push_back({Kind::kJoinShared, i, RequestOf({JoinedAction("gedeeld", p)}), {}});
  }
  for (int k = 0; k < kDuplicates; ++k) {
    const std::string a = "dubbel-" + std::to_string(k);
    for (int copy = 0; copy < 2; ++copy) {
      requests.push_back({Kind::kStartDuplicate, k, RequestOf({Started(a, "jo-taal")}), {}});
    }
    requests.push_back({Kind::kResultOnDuplicate, k, RequestOf({Result(a)}), {}});
  }
  std::shuffle(requests.begin(), requests.end(), std::mt19937(std::random_device()()));

  constexpr int kThreads = 8;
  std::atomic<size_t> next{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (size_t i = next++; i < requests.size(); i = next++) {
        requests[i].result = Append(server_, requests[i].request);
      }
    });
  }
  for (auto& t : threads) t.join();

  // Positions of what was accepted, per kind and number.
  std::map<std::pair<Kind, int>, std::vector<uint64_t>> accepted;
  for (const Request& r : requests) {
    SCOPED_TRACE(r.request.ShortDebugString());
    if (r.result.status.ok()) {
      accepted[{r.kind, r.n}].push_back(r.result.response.first_position());
      continue;
    }
    ASSERT_EQ(r.result.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << Describe(r.result.status);
    const std::string n = std::to_string(r.n);
    switch (r.kind) {
      case Kind::kLeave:
        ADD_FAILURE() << "a partner could not leave: " << Describe(r.result.status);
        break;
      case Kind::kStartOwned:
        EXPECT_TRUE(StatusIs(r.result.status, grpc::StatusCode::FAILED_PRECONDITION,
                             "owner partner 'p" + n + "' is not a current partner (it left"));
        break;
      case Kind::kJoinShared:
        EXPECT_TRUE(StatusIs(r.result.status, grpc::StatusCode::FAILED_PRECONDITION,
                             "partner 'p" + n + "' is not a current partner (it left"));
        break;
      case Kind::kStartDuplicate:
        EXPECT_TRUE(StatusIs(r.result.status, grpc::StatusCode::FAILED_PRECONDITION,
                             "action dubbel-" + n + " already exists"));
        break;
      case Kind::kResultOnDuplicate:
        EXPECT_TRUE(StatusIs(r.result.status, grpc::StatusCode::FAILED_PRECONDITION,
                             "action dubbel-" + n + " does not exist"));
        break;
    }
  }
  const auto positions = [&](Kind kind, int n) { return accepted[{kind, n}]; };
  for (int i = 0; i < kPartners; ++i) {
    SCOPED_TRACE("partner p" + std::to_string(i));
    ASSERT_EQ(positions(Kind::kLeave, i).size(), 1u);
    const uint64_t left_at = positions(Kind::kLeave, i)[0];
    for (Kind kind : {Kind::kStartOwned, Kind::kJoinShared}) {
      for (uint64_t at : positions(kind, i)) EXPECT_LT(at, left_at) << "named after it left";
    }
  }
  for (int k = 0; k < kDuplicates; ++k) {
    SCOPED_TRACE("action dubbel-" + std::to_string(k));
    ASSERT_EQ(positions(Kind::kStartDuplicate, k).size(), 1u) << "exactly one start must win";
    for (uint64_t at : positions(Kind::kResultOnDuplicate, k)) {
      EXPECT_GT(at, positions(Kind::kStartDuplicate, k)[0]) << "a result before its start";
    }
  }

  const std::vector<v1::Event> log = MustReadLog(server_);
  EXPECT_TRUE(ChainIsIntact(log));
  domain::ProgrammeState replayed;
  EXPECT_TRUE(LogObeysTheRules(log, &replayed));
  for (int i = 0; i < kPartners; ++i)
    EXPECT_FALSE(replayed.IsCurrentPartner("p" + std::to_string(i)));
  size_t stored_requests = 0;
  for (const auto& [key, at] : accepted) stored_requests += at.size();
  EXPECT_EQ(log.size(), seeded_head_ + 1 + kPartners + stored_requests);
}

}  // namespace
}  // namespace itest
