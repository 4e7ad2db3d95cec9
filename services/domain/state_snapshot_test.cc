// ProgrammeState beyond the rules: Apply is total, the snapshot encoding, and the undo log.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "services/domain/state.h"
#include "services/domain/state_test_util.h"

namespace domain::test {
namespace {

// ---- Apply is total -----------------------------------------------------------------------------

TEST_F(RulesTest, ApplyIgnoresEventsAboutUnknownThings) {
  const std::string before = state_.Serialize();
  for (const Payload& e :
       {JoinedAction("nieuw", "politie"), Transferred("nieuw", "", "politie"), Result("nieuw", "r"),
        StatusChanged("nieuw", kCompleted), Measurement("k-nieuw", "m"), Left("ggd"),
        ProfileUpdated("ggd"), Payload(),
        StatusChanged("taalmaatjes", static_cast<ActionStatus>(99))}) {
    state_.Apply(e);
  }
  EXPECT_EQ(state_.Serialize(), before);
}

TEST_F(RulesTest, ApplyKeepsTheFirstDefinitionOfAnId) {
  state_.Apply(Goal("jo-taal", "wonen"));
  state_.Apply(Started("taalmaatjes", "wo-veilig", "politie"));
  EXPECT_TRUE(Accepted(Kpi("k-taal", "jeugd", "jo-taal")));
  EXPECT_EQ(state_.ActionOwnerOf("taalmaatjes"), "bibliotheek");
}

TEST_F(RulesTest, ApplyKeepsAnOwnerListedAsCoalitionPartnerOutOfTheCoalition) {
  state_.Apply(Started("dubbel", "jo-taal", "politie", {"politie", "vidomes", "vidomes"}));
  EXPECT_TRUE(Refused(JoinedAction("dubbel", "politie"), {"already its owner"}));
  EXPECT_TRUE(Refused(JoinedAction("dubbel", "vidomes"), {"already joined"}));
}

// ---- Serialize / Parse --------------------------------------------------------------------------

class SnapshotTest : public RulesTest {
 protected:
  void SetUp() override {
    RulesTest::SetUp();
    Given({Kpi("k-taal", "jeugd", "jo-taal"), Measurement("k-taal", "m-2023"),
           Measurement("k-taal"), Result("taalmaatjes", "r-1"), Result("taalmaatjes"),
           JoinedAction("taalmaatjes", "politie"), Started("buurtvaders", "wo-veilig"),
           StatusChanged("buurtvaders", kOngoing), Decision("d-1"),
           Activity("doe-mee", "jeugd", "vidomes"), Signal("s-1", "wonen"), Described()});
  }
};

TEST_F(SnapshotTest, RoundTripGivesAnEqualState) {
  auto parsed = ProgrammeState::Parse(state_.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(*parsed == state_);
  EXPECT_EQ(parsed->Serialize(), state_.Serialize());
}

TEST_F(SnapshotTest, ParsedStateDecidesLikeTheOriginal) {
  auto parsed = ProgrammeState::Parse(state_.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  for (const Payload& e : {Result("taalmaatjes", "r-1"), JoinedAction("taalmaatjes", "politie"),
                           Measurement("k-taal", "m-2023"), StatusChanged("buurtvaders", kOngoing),
                           Joined("oud"), Capacity("taalmaatjes", "politie")}) {
    EXPECT_EQ(parsed->Decide(e), state_.Decide(e)) << e.ShortDebugString();
  }
}

TEST(Snapshot, EmptyStateRoundTrips) {
  ProgrammeState empty;
  auto parsed = ProgrammeState::Parse(empty.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(*parsed == empty);
}

TEST(Snapshot, EqualStatesGiveEqualBytesWhateverTheOrderOfIndependentEvents) {
  std::vector<Payload> events;
  for (int i = 0; i < 50; ++i) {
    events.push_back(Pillar("p" + std::to_string(i)));
    events.push_back(Joined("partner-" + std::to_string(i)));
    events.push_back(Decision("d" + std::to_string(i)));
  }
  ProgrammeState forwards, backwards;
  for (const Payload& e : events) forwards.Apply(e);
  for (auto it = events.rbegin(); it != events.rend(); ++it) backwards.Apply(*it);
  EXPECT_TRUE(forwards == backwards);
  EXPECT_EQ(forwards.Serialize(), backwards.Serialize());
}

TEST_F(SnapshotTest, DifferentStatesGiveDifferentBytes) {
  ProgrammeState other = state_;
  other.Apply(StatusChanged("buurtvaders", kCompleted));
  EXPECT_FALSE(other == state_);
  EXPECT_NE(other.Serialize(), state_.Serialize());
}

TEST_F(SnapshotTest, ParseRefusesEveryTruncation) {
  const std::string bytes = state_.Serialize();
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto parsed = ProgrammeState::Parse(std::string_view(bytes).substr(0, n));
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss) << "prefix of " << n;
  }
}

TEST_F(SnapshotTest, ParseRefusesTrailingBytes) {
  auto parsed = ProgrammeState::Parse(state_.Serialize() + "x");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(parsed.status().message().find("trailing"), absl::string_view::npos);
}

TEST(Snapshot, ParseRefusesAnUnknownVersion) {
  std::string bytes = ProgrammeState().Serialize();
  bytes[0] = 7;
  auto parsed = ProgrammeState::Parse(bytes);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(parsed.status().message().find("version 7"), absl::string_view::npos);
}

// ---- Undo ---------------------------------------------------------------------------------------

// Every kind of change Apply can make, each on top of the fixture's state.
std::vector<Payload> EveryKindOfChange() {
  return {Pillar("jongeren"),
          Goal("jg-werk", "jongeren"),
          Kpi("k-werk", "jongeren", "jg-werk"),
          Measurement("k-werk", "m-1"),
          Joined("ggd"),
          Joined("oud"),
          Left("politie"),
          Started("stage", "jg-werk", "ggd", {"vidomes"}),
          JoinedAction("taalmaatjes", "ggd"),
          Transferred("taalmaatjes", "bibliotheek", "vidomes"),
          Result("taalmaatjes", "r-9"),
          StatusChanged("taalmaatjes", kCompleted),
          Decision("d-9"),
          Activity("a-9", "jongeren", "ggd"),
          Signal("s-9", "jongeren")};
}

TEST_F(RulesTest, UndoToAMarkRestoresTheStateExactly) {
  const ProgrammeState before = state_;
  state_.RecordUndo(true);
  const size_t mark = state_.UndoMark();
  Given({Pillar("jongeren")});  // Given decides too: every change below is one the rules allow
  for (const Payload& e : EveryKindOfChange()) {
    if (e.has_pillar_defined()) continue;
    ASSERT_TRUE(state_.Decide(e).ok()) << e.ShortDebugString() << ": " << state_.Decide(e);
    state_.Apply(e);
  }
  ASSERT_FALSE(state_ == before);
  state_.UndoTo(mark);
  EXPECT_TRUE(state_ == before);
  EXPECT_EQ(state_.Serialize(), before.Serialize());
}

TEST_F(RulesTest, UndoTakesBackOnlyWhatCameAfterTheMark) {
  state_.RecordUndo(true);
  Given({Joined("ggd")});
  const ProgrammeState after_first = state_;
  const size_t mark = state_.UndoMark();
  Given({JoinedAction("taalmaatjes", "ggd"), StatusChanged("taalmaatjes", kStopped)});
  state_.UndoTo(mark);
  EXPECT_TRUE(state_ == after_first);
  EXPECT_TRUE(state_.IsCurrentPartner("ggd"));
}

TEST_F(RulesTest, ApplyThatChangesNothingRecordsNothing) {
  state_.RecordUndo(true);
  state_.Apply(Pillar("jeugd"));  // already there
  state_.Apply(Result("taalmaatjes"));
  state_.Apply(Described());
  EXPECT_EQ(state_.UndoMark(), 0u);
}

TEST_F(RulesTest, UndoIsNotRecordedByDefault) {
  Given({Joined("ggd"), Pillar("jongeren")});
  EXPECT_EQ(state_.UndoMark(), 0u);
}

TEST_F(RulesTest, ForgetUndoKeepsTheStateAndStartsAfresh) {
  state_.RecordUndo(true);
  Given({Joined("ggd")});
  state_.ForgetUndo();
  EXPECT_EQ(state_.UndoMark(), 0u);
  state_.UndoTo(0);
  EXPECT_TRUE(state_.IsCurrentPartner("ggd"));
}

TEST_F(RulesTest, TransferToAMemberIsUndoneWithTheMembership) {
  const ProgrammeState before = state_;
  state_.RecordUndo(true);
  Given({Transferred("taalmaatjes", "bibliotheek", "vidomes")});
  state_.UndoTo(0);
  EXPECT_TRUE(state_ == before);
  EXPECT_EQ(state_.ActionOwnerOf("taalmaatjes"), "bibliotheek");
  EXPECT_TRUE(Refused(JoinedAction("taalmaatjes", "vidomes"), {"already joined"}));
}

}  // namespace
}  // namespace domain::test
