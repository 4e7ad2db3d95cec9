// RulesGate: the rules on the write path, its undo across requests and groups, and the startup
// replay. Unit tests: the gate alone, then over a real EventStore in a fresh temp dir.
#include "services/api/rules_gate.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "services/domain/schema.h"

namespace api {
namespace {

namespace v1 = ::wijkboek::v1;
using storage::StoredEvent;
using v1::Payload;

Payload Pillar(const std::string& id) {
  Payload p;
  p.mutable_pillar_defined()->set_pillar_id(id);
  p.mutable_pillar_defined()->set_name("Pijler");
  return p;
}

Payload Goal(const std::string& goal, const std::string& pillar) {
  Payload p;
  p.mutable_goal_defined()->set_goal_id(goal);
  p.mutable_goal_defined()->set_pillar_id(pillar);
  p.mutable_goal_defined()->set_title("Doel");
  return p;
}

Payload Joined(const std::string& partner) {
  Payload p;
  p.mutable_partner_joined()->set_partner_id(partner);
  p.mutable_partner_joined()->set_name("Partner");
  return p;
}

Payload Started(const std::string& action, const std::string& owner = "") {
  Payload p;
  auto* e = p.mutable_action_started();
  e->set_action_id(action);
  e->set_goal_id("jo-taal");
  e->set_title("Actie");
  e->set_owner_partner_id(owner);
  e->set_status(v1::ACTION_STATUS_IN_PROGRESS);
  return p;
}

Payload Result(const std::string& action) {
  Payload p;
  p.mutable_result_recorded()->set_action_id(action);
  p.mutable_result_recorded()->set_summary("12 koppels");
  return p;
}

Payload Stopped(const std::string& action) {
  Payload p;
  p.mutable_action_status_changed()->set_action_id(action);
  p.mutable_action_status_changed()->set_status(v1::ACTION_STATUS_STOPPED);
  return p;
}

StoredEvent Stored(const Payload& payload) {
  static int n = 0;
  StoredEvent e;
  e.position = ++n;
  e.stream = domain::StreamFor(payload);
  e.event_id = "e" + std::to_string(n);
  e.type = domain::EventType(payload);
  e.payload = payload.SerializeAsString();
  e.recorded_by = "admin";
  return e;
}

std::vector<StoredEvent> Request(std::initializer_list<Payload> payloads,
                                 const std::string& recorded_by = "admin") {
  std::vector<StoredEvent> out;
  for (const Payload& p : payloads) {
    out.push_back(Stored(p));
    out.back().recorded_by = recorded_by;
  }
  return out;
}

Payload Principal(const std::string& id, v1::Role role, const std::string& partner = "") {
  Payload p;
  auto* e = p.mutable_principal_registered();
  e->set_principal_id(id);
  e->set_role(role);
  e->set_partner_id(partner);
  return p;
}

// A programme with pillar jeugd, goal jo-taal and partners bibliotheek and vidomes-x; principals
// admin, bieb (partner bibliotheek), vx (partner vidomes-x) and obi (auditor).
domain::ProgrammeState Base() {
  domain::ProgrammeState s;
  for (const Payload& p :
       {Pillar("jeugd"), Goal("jo-taal", "jeugd"), Joined("bibliotheek"), Joined("vidomes-x"),
        Principal("admin", v1::ROLE_ADMIN), Principal("bieb", v1::ROLE_PARTNER, "bibliotheek"),
        Principal("vx", v1::ROLE_PARTNER, "vidomes-x"), Principal("obi", v1::ROLE_AUDITOR)}) {
    s.Apply(p);
  }
  return s;
}

// ---- The gate alone -----------------------------------------------------------------------------

TEST(RulesGate, AnUnregisteredWriterIsRefused) {
  RulesGate gate(Base());
  absl::Status s = gate.Admit(Request({Started("taalmaatjes")}, "stranger"));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "events[0]: principal stranger is not registered; nothing it sends is written");
  EXPECT_FALSE(gate.state().HasAction("taalmaatjes"));
}

TEST(RulesGate, APartnerWritesOnlyOnItsOwnActions) {
  RulesGate gate(Base());
  ASSERT_TRUE(gate.Admit(Request({Started("taalmaatjes", "bibliotheek")}, "bieb")).ok());
  EXPECT_TRUE(gate.Admit(Request({Result("taalmaatjes")}, "bieb")).ok());
  absl::Status s = gate.Admit(Request({Result("taalmaatjes")}, "vx"));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "events[0]: principal vx (partner vidomes-x) may not write ResultRecorded on action "
            "taalmaatjes: a partner writes only on actions it owns or has joined");
}

TEST(RulesGate, AuthorisationSeesEarlierEventsOfTheSameRequest) {
  RulesGate gate(Base());
  // vidomes-x joins the action and then records on it, in one request.
  Payload join;
  join.mutable_partner_joined_action()->set_action_id("taalmaatjes");
  join.mutable_partner_joined_action()->set_partner_id("vidomes-x");
  ASSERT_TRUE(gate.Admit(Request({Started("taalmaatjes", "bibliotheek")}, "bieb")).ok());
  EXPECT_TRUE(gate.Admit(Request({join, Result("taalmaatjes")}, "vx")).ok());
}

TEST(RulesGate, AnAuditorWritesNothing) {
  RulesGate gate(Base());
  absl::Status s = gate.Admit(Request({Result("taalmaatjes")}, "obi"));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("auditors and dashboards read, they never write"),
            std::string_view::npos)
      << s.message();
}

TEST(RulesGate, AdmitAppliesAnAcceptedRequest) {
  RulesGate gate(Base());
  ASSERT_TRUE(gate.Admit(Request({Started("taalmaatjes", "bibliotheek")})).ok());
  EXPECT_TRUE(gate.state().HasAction("taalmaatjes"));
}

TEST(RulesGate, AdmitDecidesEachEventAfterTheEarlierOnesOfItsRequest) {
  RulesGate gate(Base());
  EXPECT_TRUE(gate.Admit(Request({Started("taalmaatjes"), Result("taalmaatjes")})).ok());
}

TEST(RulesGate, AdmitDecidesAfterTheEarlierAdmittedRequestsOfTheGroup) {
  RulesGate gate(Base());
  ASSERT_TRUE(gate.Admit(Request({Joined("vidomes")})).ok());
  EXPECT_TRUE(gate.Admit(Request({Started("taalmaatjes", "vidomes")})).ok());
}

TEST(RulesGate, RefusalNamesTheEventIndexAndKeepsTheCode) {
  RulesGate gate(Base());
  absl::Status s = gate.Admit(Request({Started("taalmaatjes"), Result("taalmaatjes"),
                                       Stopped("taalmaatjes"), Result("taalmaatjes")}));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "events[3]: action taalmaatjes is stopped; no results can be recorded");
}

TEST(RulesGate, RefusalMidRequestTakesBackTheRequestsEarlierEvents) {
  RulesGate gate(Base());
  const std::string before = gate.state().Serialize();
  ASSERT_FALSE(gate.Admit(Request({Started("taalmaatjes"), Result("ander")})).ok());
  EXPECT_FALSE(gate.state().HasAction("taalmaatjes"));
  EXPECT_EQ(gate.state().Serialize(), before);
}

TEST(RulesGate, RefusalKeepsTheEarlierAdmittedRequestsOfTheGroup) {
  RulesGate gate(Base());
  ASSERT_TRUE(gate.Admit(Request({Started("taalmaatjes")})).ok());
  ASSERT_FALSE(gate.Admit(Request({Started("ander"), Started("taalmaatjes")})).ok());
  EXPECT_TRUE(gate.state().HasAction("taalmaatjes"));
  EXPECT_FALSE(gate.state().HasAction("ander"));
}

TEST(RulesGate, AnUnparsablePayloadIsInvalidArgument) {
  RulesGate gate(Base());
  std::vector<StoredEvent> request = Request({Started("taalmaatjes"), Result("taalmaatjes")});
  request[1].payload = "\xff\xff\xff";
  absl::Status s = gate.Admit(request);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().substr(0, 11), "events[1]: ");
  EXPECT_FALSE(gate.state().HasAction("taalmaatjes"));
}

TEST(RulesGate, AbortTakesBackEveryRequestSinceTheLastCommit) {
  const domain::ProgrammeState base = Base();
  RulesGate gate(base);
  ASSERT_TRUE(gate.Admit(Request({Joined("vidomes")})).ok());
  ASSERT_TRUE(gate.Admit(Request({Started("taalmaatjes", "vidomes"), Result("taalmaatjes")})).ok());
  ASSERT_FALSE(gate.Admit(Request({Result("ander")})).ok());
  ASSERT_TRUE(gate.Admit(Request({Stopped("taalmaatjes")})).ok());
  gate.Abort();
  EXPECT_TRUE(gate.state() == base);
}

TEST(RulesGate, CommitMakesTheAdmittedEventsPermanent) {
  RulesGate gate(Base());
  ASSERT_TRUE(gate.Admit(Request({Started("taalmaatjes")})).ok());
  gate.Commit();
  ASSERT_TRUE(gate.Admit(Request({Stopped("taalmaatjes")})).ok());
  gate.Abort();
  EXPECT_TRUE(gate.state().HasAction("taalmaatjes"));
  EXPECT_EQ(gate.state().ActionStatusOf("taalmaatjes"), v1::ACTION_STATUS_IN_PROGRESS);
}

TEST(RulesGate, AbortRightAfterCommitChangesNothing) {
  RulesGate gate(Base());
  ASSERT_TRUE(gate.Admit(Request({Started("taalmaatjes")})).ok());
  gate.Commit();
  const domain::ProgrammeState committed = gate.state();
  gate.Abort();
  EXPECT_TRUE(gate.state() == committed);
}

// ---- Over a real store --------------------------------------------------------------------------

class RulesGateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wijkboek-rules-gate-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open(storage::AppendGate* gate) {
    store_.reset();
    storage::Options options;
    options.path = dir_ + "/log";
    options.sync = false;
    options.gate = gate;
    auto store = storage::EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  absl::StatusOr<storage::AppendResult> Append(std::initializer_list<Payload> payloads,
                                               const std::string& recorded_by = "admin") {
    storage::AppendRequest request;
    request.stream = domain::StreamFor(*payloads.begin());
    request.recorded_by = recorded_by;
    for (const Payload& p : payloads) {
      request.events.push_back(storage::NewEvent{
          "id-" + std::to_string(next_id_++), domain::EventType(p), p.SerializeAsString(), {}});
    }
    return store_->Append(std::move(request));
  }

  std::string dir_;
  int next_id_ = 0;
  std::unique_ptr<storage::EventStore> store_;
};

TEST_F(RulesGateStoreTest, ARefusedRequestStoresNothing) {
  RulesGate gate(Base());
  Open(&gate);
  auto r = Append({Started("taalmaatjes"), Result("taalmaatjes"), Result("taalmaatjes"),
                   Stopped("taalmaatjes"), Result("taalmaatjes")});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "events[4]: action taalmaatjes is stopped; no results can be recorded");
  EXPECT_EQ(store_->Head(), 0u);
  EXPECT_FALSE(gate.state().HasAction("taalmaatjes"));
}

TEST_F(RulesGateStoreTest, ReplayGivesTheStateTheGateCommitted) {
  RulesGate gate{domain::ProgrammeState()};
  Open(&gate);
  // The server registers the first admin itself; from then on the admin writes.
  ASSERT_FALSE(Append({Pillar("jeugd")}).ok());
  ASSERT_TRUE(Append({Principal("admin", v1::ROLE_ADMIN)}, std::string(domain::kServerPrincipal)).ok());
  ASSERT_TRUE(Append({Pillar("jeugd"), Goal("jo-taal", "jeugd")}).ok());
  ASSERT_TRUE(Append({Joined("bibliotheek")}).ok());
  ASSERT_FALSE(Append({Started("taalmaatjes", "vidomes")}).ok());
  ASSERT_TRUE(Append({Started("taalmaatjes", "bibliotheek"), Result("taalmaatjes")}).ok());
  auto replayed = ReplayDomainState(*store_);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_TRUE(*replayed == gate.state());
}

TEST_F(RulesGateStoreTest, ReplayAfterASnapshotEqualsAFullReplay) {
  Open(nullptr);
  ASSERT_TRUE(Append({Pillar("jeugd"), Goal("jo-taal", "jeugd")}).ok());
  auto snapshot = ReplayDomainState(*store_);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const storage::Position at = store_->Head();
  ASSERT_TRUE(Append({Started("taalmaatjes")}).ok());
  auto resumed = ReplayDomainState(*store_, *snapshot, at);
  auto full = ReplayDomainState(*store_);
  ASSERT_TRUE(resumed.ok() && full.ok());
  EXPECT_TRUE(*resumed == *full);
  EXPECT_TRUE(resumed->HasAction("taalmaatjes"));
}

TEST_F(RulesGateStoreTest, ReplayOfAPayloadThatDoesNotParseIsDataLoss) {
  Open(nullptr);
  storage::AppendRequest request{"programme",
                                 storage::ExpectedRevision::Any(),
                                 {storage::NewEvent{"x1", "DecisionRecorded", "\xff\xff", {}}},
                                 "admin"};
  ASSERT_TRUE(store_->Append(std::move(request)).ok());
  auto replayed = ReplayDomainState(*store_);
  EXPECT_EQ(replayed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(replayed.status().message().find("position 1"), absl::string_view::npos);
}

TEST_F(RulesGateStoreTest, ReplayOfAnEmptyLogIsAnEmptyState) {
  Open(nullptr);
  auto replayed = ReplayDomainState(*store_);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_TRUE(*replayed == domain::ProgrammeState());
}

}  // namespace
}  // namespace api
