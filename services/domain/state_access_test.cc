// Who may write what: every event type against every role (ProgrammeState::Authorize), and the
// credential events' own rules (Decide, Apply, undo, snapshot).
#include <string>
#include <vector>

#include "services/domain/schema.h"
#include "services/domain/state_test_util.h"

namespace domain::test {
namespace {

using v1::Role;

class AccessTest : public RulesTest {
 protected:
  void SetUp() override {
    RulesTest::SetUp();
    // taalmaatjes: owner bibliotheek, coalition vidomes. buurtpreventie: owner politie.
    Given({Started("buurtpreventie", "wo-veilig", "politie"),
           PrincipalRegistered("team", v1::ROLE_ADMIN),
           PrincipalRegistered("vidomes-crm", v1::ROLE_PARTNER, "vidomes"),
           PrincipalRegistered("obi", v1::ROLE_AUDITOR),
           PrincipalRegistered("scherm", v1::ROLE_DASHBOARD)});
  }

  Actor As(const std::string& principal) { return *state_.FindActor(principal); }

  absl::Status Check(const std::string& principal, const Payload& payload) {
    return state_.Authorize(As(principal), payload);
  }
};

// One row per event type: a payload vidomes (a coalition member of taalmaatjes, not its owner)
// may write, and one it may not. Empty `allowed` marks a type no partner writes.
struct Row {
  std::string name;
  std::vector<Payload> allowed;  // for partner vidomes
  std::vector<Payload> denied;   // for partner vidomes
};

std::vector<Row> Matrix() {
  Payload own_org_activity = Activity("buurtfeest", "wonen", "vidomes");
  return {
      {"PartnerJoined", {}, {Joined("nieuw")}},
      {"PartnerProfileUpdated", {ProfileUpdated("vidomes")}, {ProfileUpdated("politie")}},
      {"PartnerLeft", {}, {Left("vidomes"), Left("politie")}},
      {"ProgrammeDescribed", {}, {Described()}},
      {"PillarDefined", {}, {Pillar("nieuw")}},
      {"GoalDefined", {}, {Goal("nieuw", "jeugd")}},
      {"KpiDefined", {}, {Kpi("nieuw", "jeugd")}},
      {"MeasurementRecorded", {}, {Measurement("nieuw")}},
      {"ActionStarted",
       {Started("eigen", "jo-taal", "vidomes")},
       {Started("vreemd", "jo-taal", "politie"), Started("weeskind", "jo-taal", "")}},
      {"PartnerJoinedAction",
       {JoinedAction("buurtpreventie", "vidomes")},
       {JoinedAction("buurtpreventie", "bibliotheek"), JoinedAction("taalmaatjes", "politie")}},
      {"OwnershipTransferred",
       {},  // vidomes owns nothing here; see OwnerHandsOver below
       {Transferred("taalmaatjes", "bibliotheek", "vidomes"),
        Transferred("buurtpreventie", "politie", "vidomes")}},
      {"ResultRecorded", {Result("taalmaatjes")}, {Result("buurtpreventie")}},
      {"ActionStatusChanged",
       {StatusChanged("taalmaatjes", kOngoing)},
       {StatusChanged("buurtpreventie", kOngoing)}},
      {"CapacityCommitted",
       {Capacity("taalmaatjes", "vidomes")},
       {Capacity("taalmaatjes", "bibliotheek"), Capacity("buurtpreventie", "vidomes")}},
      {"FundsAllocated",
       {Funds("taalmaatjes"), Funds("taalmaatjes", "vidomes")},
       {Funds("taalmaatjes", "bibliotheek"), Funds("buurtpreventie")}},
      {"DecisionRecorded", {}, {Decision("besluit")}},
      {"ActivityScheduled", {own_org_activity}, {Activity("markt", "wonen", "politie")}},
      {"SignalRaised", {Signal("overlast", "wonen")}, {}},
      {"PrincipalRegistered", {}, {PrincipalRegistered("nog-een", v1::ROLE_PARTNER, "vidomes")}},
      {"TokenIssued", {}, {TokenIssued("vidomes-crm", "tok-1")}},
      {"TokenRevoked", {}, {TokenRevoked("vidomes-crm", "tok-1")}},
  };
}

TEST_F(AccessTest, TheMatrixCoversEveryEventType) {
  const auto* oneof = Payload::descriptor()->FindOneofByName("event");
  std::vector<Row> rows = Matrix();
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(oneof->field_count()));
  for (const Row& row : rows) {
    for (const auto* list : {&row.allowed, &row.denied}) {
      for (const Payload& p : *list) {
        EXPECT_EQ(EventType(p), row.name);
      }
    }
  }
}

TEST_F(AccessTest, AnAdminMayWriteEveryEventType) {
  for (const Row& row : Matrix()) {
    for (const auto* list : {&row.allowed, &row.denied}) {
      for (const Payload& p : *list) EXPECT_TRUE(Check("team", p).ok()) << row.name;
    }
  }
}

TEST_F(AccessTest, AuditorsAndDashboardsWriteNothing) {
  for (const std::string principal : {"obi", "scherm"}) {
    for (const Row& row : Matrix()) {
      for (const auto* list : {&row.allowed, &row.denied}) {
        for (const Payload& p : *list) {
          absl::Status s = Check(principal, p);
          EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << principal << " " << row.name;
          EXPECT_NE(s.message().find("auditors and dashboards read, they never write"),
                    std::string_view::npos)
              << s.message();
        }
      }
    }
  }
}

TEST_F(AccessTest, APartnerWritesOnlyAsItself) {
  for (const Row& row : Matrix()) {
    for (const Payload& p : row.allowed) {
      absl::Status s = Check("vidomes-crm", p);
      EXPECT_TRUE(s.ok()) << row.name << " " << p.ShortDebugString() << ": " << s;
    }
    for (const Payload& p : row.denied) {
      absl::Status s = Check("vidomes-crm", p);
      EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied)
          << row.name << " " << p.ShortDebugString();
      EXPECT_EQ(s.message().rfind("principal vidomes-crm (partner vidomes) may not ", 0), 0u)
          << s.message();
    }
  }
}

TEST_F(AccessTest, RefusalsNameTheRule) {
  EXPECT_EQ(Check("vidomes-crm", Result("buurtpreventie")).message(),
            "principal vidomes-crm (partner vidomes) may not write ResultRecorded on action "
            "buurtpreventie: a partner writes only on actions it owns or has joined");
  EXPECT_EQ(Check("vidomes-crm", Pillar("nieuw")).message(),
            "principal vidomes-crm (partner vidomes) may not write PillarDefined: programme "
            "structure, partners joining or leaving, KPIs and decisions are the programme "
            "team's (role admin)");
  EXPECT_EQ(Check("obi", Result("taalmaatjes")).message(),
            "principal obi (role auditor) may not write ResultRecorded: auditors and dashboards "
            "read, they never write");
}

TEST_F(AccessTest, OwnerHandsOverAndAddsOthers) {
  Given({PrincipalRegistered("bieb", v1::ROLE_PARTNER, "bibliotheek")});
  EXPECT_TRUE(Check("bieb", Transferred("taalmaatjes", "bibliotheek", "vidomes")).ok());
  EXPECT_TRUE(Check("bieb", JoinedAction("taalmaatjes", "politie")).ok());
  Given({Transferred("taalmaatjes", "bibliotheek", "vidomes")});
  // Ownership moved: the new owner may hand over, the old one no longer.
  EXPECT_TRUE(Check("vidomes-crm", Transferred("taalmaatjes", "vidomes", "bibliotheek")).ok());
  EXPECT_EQ(Check("bieb", Transferred("taalmaatjes", "vidomes", "bibliotheek")).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(AccessTest, APartnerThatLeftWritesNothing) {
  Given({PrincipalRegistered("oud-app", v1::ROLE_PARTNER, "politie"), Left("politie")});
  absl::Status s = Check("oud-app", Result("buurtpreventie"));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("partner politie is not a current partner"), std::string_view::npos)
      << s.message();
}

TEST_F(AccessTest, TheServerActsAsAdminAndUnknownPrincipalsAreNobody) {
  auto server = state_.FindActor(std::string(kServerPrincipal));
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(server->role, v1::ROLE_ADMIN);
  EXPECT_FALSE(state_.FindActor("stranger").has_value());
}

// ---- The credential events' own rules ---------------------------------------------------------

TEST_F(AccessTest, PrincipalsAreUniqueAndPartnerPrincipalsNeedACurrentPartner) {
  EXPECT_TRUE(Refused(PrincipalRegistered("obi", v1::ROLE_AUDITOR), {"principal obi already exists"}));
  EXPECT_TRUE(Refused(PrincipalRegistered("oud-app", v1::ROLE_PARTNER, "oud"),
                      {"partner 'oud' is not a current partner"}));
  EXPECT_TRUE(Accepted(PrincipalRegistered("bieb", v1::ROLE_PARTNER, "bibliotheek")));
}

TEST_F(AccessTest, TokensBelongToARegisteredPrincipalAndAreRevokedOnce) {
  EXPECT_TRUE(Refused(TokenIssued("niemand", "tok-1"), {"principal niemand does not exist"}));
  Given({TokenIssued("obi", "tok-1")});
  EXPECT_EQ(state_.TokenOwnerOf("tok-1"), "obi");
  EXPECT_TRUE(Refused(TokenIssued("scherm", "tok-1"), {"token tok-1 already exists"}));
  EXPECT_TRUE(Refused(TokenRevoked("scherm", "tok-1"), {"was not issued to principal scherm"}));
  Given({TokenRevoked("obi", "tok-1")});
  EXPECT_TRUE(state_.IsTokenRevoked("tok-1"));
  EXPECT_TRUE(Refused(TokenRevoked("obi", "tok-1"), {"token tok-1 was revoked before"}));
}

TEST_F(AccessTest, CredentialEventsAreUndoneAndSnapshotted) {
  state_.RecordUndo(true);
  const ProgrammeState before = state_;
  const std::size_t mark = state_.UndoMark();
  Given({PrincipalRegistered("bieb", v1::ROLE_PARTNER, "bibliotheek"), TokenIssued("bieb", "tok-2"),
         TokenRevoked("bieb", "tok-2")});
  auto parsed = ProgrammeState::Parse(state_.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(*parsed == state_);
  EXPECT_EQ(parsed->FindActor("bieb")->partner_id, "bibliotheek");
  EXPECT_TRUE(parsed->IsTokenRevoked("tok-2"));
  state_.UndoTo(mark);
  EXPECT_TRUE(state_ == before);
  EXPECT_FALSE(state_.HasPrincipal("bieb"));
}

}  // namespace
}  // namespace domain::test
