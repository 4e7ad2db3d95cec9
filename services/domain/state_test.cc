// The programme's rules on write: given events, when a payload, expect a status; and the status
// transition table.
#include "services/domain/state.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "services/domain/state_test_util.h"

namespace domain::test {
namespace {

// ---- Partners -----------------------------------------------------------------------------------

TEST_F(RulesTest, PartnerJoinedAcceptsANewPartner) { EXPECT_TRUE(Accepted(Joined("ggd"))); }

TEST_F(RulesTest, PartnerJoinedRefusesACurrentPartner) {
  EXPECT_TRUE(Refused(Joined("vidomes"),
                      {"partner vidomes", "already a current partner", "PartnerProfileUpdated"}));
}

TEST_F(RulesTest, PartnerJoinedAcceptsAPartnerThatLeftBefore) {
  EXPECT_TRUE(Accepted(Joined("oud")));
}

TEST_F(RulesTest, PartnerThatRejoinedIsCurrentAgain) {
  Given({Joined("oud")});
  EXPECT_TRUE(state_.IsCurrentPartner("oud"));
  EXPECT_TRUE(Accepted(JoinedAction("taalmaatjes", "oud")));
}

TEST_F(RulesTest, PartnerProfileUpdatedAcceptsACurrentPartner) {
  EXPECT_TRUE(Accepted(ProfileUpdated("vidomes")));
}

TEST_F(RulesTest, PartnerProfileUpdatedRefusesAnUnknownPartner) {
  EXPECT_TRUE(
      Refused(ProfileUpdated("ggd"), {"partner ggd", "not a current partner", "never joined"}));
}

TEST_F(RulesTest, PartnerProfileUpdatedRefusesAPartnerThatLeft) {
  EXPECT_TRUE(Refused(ProfileUpdated("oud"), {"partner oud", "left"}));
}

TEST_F(RulesTest, PartnerLeftAcceptsACurrentPartner) { EXPECT_TRUE(Accepted(Left("politie"))); }

TEST_F(RulesTest, PartnerLeftRefusesAnUnknownPartner) {
  EXPECT_TRUE(
      Refused(Left("ggd"), {"partner ggd", "never joined", "only a current partner can leave"}));
}

TEST_F(RulesTest, PartnerLeftRefusesAPartnerThatAlreadyLeft) {
  EXPECT_TRUE(Refused(Left("oud"), {"partner oud", "already left"}));
}

// ---- Programme structure ------------------------------------------------------------------------

TEST_F(RulesTest, ProgrammeDescribedIsAlwaysAllowed) {
  Given({Described()});
  EXPECT_TRUE(Accepted(Described()));
}

TEST_F(RulesTest, PillarDefinedAcceptsANewId) { EXPECT_TRUE(Accepted(Pillar("jongeren"))); }

TEST_F(RulesTest, PillarDefinedRefusesAnExistingId) {
  EXPECT_TRUE(Refused(Pillar("jeugd"), {"pillar jeugd", "already exists"}));
}

TEST_F(RulesTest, GoalDefinedAcceptsANewGoalInAnExistingPillar) {
  EXPECT_TRUE(Accepted(Goal("jo-vve", "jeugd")));
}

TEST_F(RulesTest, GoalDefinedRefusesAMissingPillar) {
  EXPECT_TRUE(Refused(Goal("jg-werk", "jongeren"),
                      {"goal jg-werk", "pillar jongeren does not exist", "PillarDefined first"}));
}

TEST_F(RulesTest, GoalDefinedRefusesAnExistingIdEvenInAnotherPillar) {
  EXPECT_TRUE(Refused(Goal("jo-taal", "wonen"),
                      {"goal jo-taal already exists", "in pillar jeugd", "unique across"}));
}

TEST_F(RulesTest, KpiDefinedAcceptsAKpiWithoutGoal) {
  EXPECT_TRUE(Accepted(Kpi("k-taal", "jeugd")));
}

TEST_F(RulesTest, KpiDefinedAcceptsAGoalOfItsPillar) {
  EXPECT_TRUE(Accepted(Kpi("k-taal", "jeugd", "jo-taal")));
}

TEST_F(RulesTest, KpiDefinedRefusesAMissingPillar) {
  EXPECT_TRUE(Refused(Kpi("k-werk", "jongeren"), {"kpi k-werk", "pillar jongeren does not exist"}));
}

TEST_F(RulesTest, KpiDefinedRefusesAMissingGoal) {
  EXPECT_TRUE(Refused(Kpi("k-taal", "jeugd", "jo-vve"),
                      {"kpi k-taal", "goal jo-vve does not exist", "GoalDefined first"}));
}

TEST_F(RulesTest, KpiDefinedRefusesAGoalOfAnotherPillar) {
  EXPECT_TRUE(Refused(Kpi("k-taal", "wonen", "jo-taal"),
                      {"kpi k-taal", "goal jo-taal belongs to pillar jeugd, not to pillar wonen"}));
}

TEST_F(RulesTest, KpiDefinedRefusesAnExistingId) {
  Given({Kpi("k-taal", "jeugd")});
  EXPECT_TRUE(Refused(Kpi("k-taal", "wonen"), {"kpi k-taal already exists"}));
}

TEST_F(RulesTest, MeasurementRecordedAcceptsAnExistingKpi) {
  Given({Kpi("k-taal", "jeugd")});
  EXPECT_TRUE(Accepted(Measurement("k-taal", "m-2024")));
}

TEST_F(RulesTest, MeasurementRecordedRefusesAMissingKpi) {
  EXPECT_TRUE(Refused(Measurement("k-taal"), {"kpi k-taal does not exist", "KpiDefined"}));
}

TEST_F(RulesTest, MeasurementRecordedRefusesARepeatedMeasurementId) {
  Given({Kpi("k-taal", "jeugd"), Measurement("k-taal", "m-2024")});
  EXPECT_TRUE(Refused(Measurement("k-taal", "m-2024"),
                      {"kpi k-taal", "measurement m-2024 was already recorded"}));
}

TEST_F(RulesTest, MeasurementIdsAreUniquePerKpiOnly) {
  Given({Kpi("k-taal", "jeugd"), Kpi("k-vve", "jeugd"), Measurement("k-taal", "m-2024")});
  EXPECT_TRUE(Accepted(Measurement("k-vve", "m-2024")));
}

TEST_F(RulesTest, MeasurementsWithoutIdMayRepeat) {
  Given({Kpi("k-taal", "jeugd"), Measurement("k-taal"), Measurement("k-taal")});
  EXPECT_TRUE(Accepted(Measurement("k-taal")));
}

// ---- ActionStarted ------------------------------------------------------------------------------

TEST_F(RulesTest, ActionStartedAcceptsAnOwnerAndCoalitionOfCurrentPartners) {
  EXPECT_TRUE(Accepted(Started("buurtvaders", "wo-veilig", "politie", {"vidomes", "bibliotheek"})));
}

TEST_F(RulesTest, ActionStartedAcceptsNoOwnerAsAnOwnershipGap) {
  Given({Started("buurtvaders", "wo-veilig", "", {"politie"})});
  EXPECT_EQ(state_.ActionOwnerOf("buurtvaders"), "");
}

TEST_F(RulesTest, ActionStartedWithoutStatusIsPlanned) {
  Given({Started("buurtvaders", "wo-veilig")});
  EXPECT_EQ(state_.ActionStatusOf("buurtvaders"), kPlanned);
}

TEST_F(RulesTest, ActionStartedAcceptsEveryInitialStatusButStopped) {
  int n = 0;
  for (ActionStatus s : kAllStatuses) {
    if (s == kStopped) continue;
    const std::string id = "a" + std::to_string(n++);
    Given({Started(id, "jo-taal", "", {}, s)});
    EXPECT_EQ(state_.ActionStatusOf(id), s) << StatusName(s);
  }
}

TEST_F(RulesTest, ActionStartedRefusesStoppedAsInitialStatus) {
  EXPECT_TRUE(Refused(Started("buurtvaders", "wo-veilig", "", {}, kStopped),
                      {"action buurtvaders", "cannot start as stopped", "ActionStatusChanged"}));
}

TEST_F(RulesTest, ActionStartedRefusesAnUnknownStatusNumberAsInvalid) {
  EXPECT_TRUE(Refused(Started("buurtvaders", "wo-veilig", "", {}, static_cast<ActionStatus>(42)),
                      {"action buurtvaders", "status 42"}, absl::StatusCode::kInvalidArgument));
}

TEST_F(RulesTest, ActionStartedRefusesAnExistingId) {
  EXPECT_TRUE(Refused(Started("taalmaatjes", "jo-taal"),
                      {"action taalmaatjes already exists", "starts once"}));
}

TEST_F(RulesTest, ActionStartedRefusesAMissingGoal) {
  EXPECT_TRUE(Refused(Started("buurtvaders", "jo-x"),
                      {"action buurtvaders", "goal jo-x does not exist", "GoalDefined first"}));
}

TEST_F(RulesTest, ActionStartedRefusesAnOwnerThatNeverJoined) {
  EXPECT_TRUE(Refused(Started("buurtvaders", "wo-veilig", "ggd"),
                      {"action buurtvaders", "owner partner 'ggd' is not a current partner",
                       "PartnerJoined", "leave the owner empty"}));
}

TEST_F(RulesTest, ActionStartedRefusesAnOwnerThatLeft) {
  EXPECT_TRUE(Refused(Started("buurtvaders", "wo-veilig", "oud"),
                      {"action buurtvaders", "owner partner 'oud'", "left the programme"}));
}

TEST_F(RulesTest, ActionStartedRefusesACoalitionPartnerThatLeft) {
  EXPECT_TRUE(Refused(Started("buurtvaders", "wo-veilig", "politie", {"vidomes", "oud"}),
                      {"action buurtvaders", "coalition partner 'oud'", "left the programme"}));
}

TEST_F(RulesTest, ActionStartedRefusesACoalitionPartnerThatNeverJoined) {
  EXPECT_TRUE(Refused(Started("buurtvaders", "wo-veilig", "", {"ggd"}),
                      {"action buurtvaders", "coalition partner 'ggd'", "never joined"}));
}

// ---- Events on an action ------------------------------------------------------------------------

TEST_F(RulesTest, EveryActionEventNeedsTheActionToHaveStarted) {
  for (const Payload& e :
       {JoinedAction("nieuw", "politie"), Transferred("nieuw", "", "politie"), Result("nieuw"),
        StatusChanged("nieuw", kCompleted), Capacity("nieuw", "politie"), Funds("nieuw")}) {
    SCOPED_TRACE(e.ShortDebugString());
    EXPECT_TRUE(Refused(e, {"action nieuw does not exist", "ActionStarted"}));
  }
}

TEST_F(RulesTest, NothingHappensToAStoppedAction) {
  Given({StatusChanged("taalmaatjes", kStopped)});
  const std::vector<std::pair<Payload, std::string>> cases = {
      {JoinedAction("taalmaatjes", "politie"), "no partners can join it"},
      {Transferred("taalmaatjes", "bibliotheek", "politie"), "its ownership cannot be transferred"},
      {Result("taalmaatjes"), "no results can be recorded"},
      {StatusChanged("taalmaatjes", kInProgress), "its status cannot change (stopped is final)"},
      {Capacity("taalmaatjes", "vidomes"), "no capacity can be committed"},
      {Funds("taalmaatjes"), "no funds can be allocated"},
  };
  for (const auto& [e, what] : cases) {
    SCOPED_TRACE(e.ShortDebugString());
    EXPECT_TRUE(Refused(e, {"action taalmaatjes is stopped; " + what}));
  }
}

TEST_F(RulesTest, ResultRecordedAcceptsAnActionThatIsNotStopped) {
  EXPECT_TRUE(Accepted(Result("taalmaatjes", "r-2024")));
}

TEST_F(RulesTest, ResultRecordedAcceptsACompletedAction) {
  Given({StatusChanged("taalmaatjes", kCompleted)});
  EXPECT_TRUE(Accepted(Result("taalmaatjes")));
}

TEST_F(RulesTest, ResultRecordedRefusesARepeatedResultId) {
  Given({Result("taalmaatjes", "r-2024")});
  EXPECT_TRUE(Refused(Result("taalmaatjes", "r-2024"),
                      {"action taalmaatjes", "result r-2024 was already recorded"}));
}

TEST_F(RulesTest, ResultIdsAreUniquePerActionOnly) {
  Given({Started("buurtvaders", "wo-veilig"), Result("taalmaatjes", "r-2024")});
  EXPECT_TRUE(Accepted(Result("buurtvaders", "r-2024")));
}

TEST_F(RulesTest, ResultsWithoutIdMayRepeat) {
  Given({Result("taalmaatjes"), Result("taalmaatjes")});
  EXPECT_TRUE(Accepted(Result("taalmaatjes")));
}

TEST_F(RulesTest, PartnerJoinedActionAcceptsACurrentPartner) {
  EXPECT_TRUE(Accepted(JoinedAction("taalmaatjes", "politie")));
}

TEST_F(RulesTest, PartnerJoinedActionRefusesAPartnerThatLeft) {
  EXPECT_TRUE(Refused(JoinedAction("taalmaatjes", "oud"),
                      {"action taalmaatjes", "partner 'oud'", "left the programme"}));
}

TEST_F(RulesTest, PartnerJoinedActionRefusesAPartnerThatNeverJoined) {
  EXPECT_TRUE(Refused(JoinedAction("taalmaatjes", "ggd"), {"partner 'ggd'", "never joined"}));
}

TEST_F(RulesTest, PartnerJoinedActionRefusesTheOwner) {
  EXPECT_TRUE(Refused(JoinedAction("taalmaatjes", "bibliotheek"),
                      {"action taalmaatjes", "'bibliotheek' is already its owner"}));
}

TEST_F(RulesTest, PartnerJoinedActionRefusesAMember) {
  EXPECT_TRUE(Refused(JoinedAction("taalmaatjes", "vidomes"),
                      {"action taalmaatjes", "'vidomes' has already joined it"}));
}

TEST_F(RulesTest, OwnershipTransferredAcceptsFromTheOwnerToACurrentPartner) {
  Given({Transferred("taalmaatjes", "bibliotheek", "politie")});
  EXPECT_EQ(state_.ActionOwnerOf("taalmaatjes"), "politie");
}

TEST_F(RulesTest, OwnershipTransferredMakesTheNewOwnerNoLongerAMember) {
  Given({Transferred("taalmaatjes", "bibliotheek", "vidomes")});
  EXPECT_TRUE(Refused(JoinedAction("taalmaatjes", "vidomes"), {"already its owner"}));
}

TEST_F(RulesTest, OwnershipTransferredLeavesTheFormerOwnerOutOfTheCoalition) {
  Given({Transferred("taalmaatjes", "bibliotheek", "politie")});
  EXPECT_TRUE(Accepted(JoinedAction("taalmaatjes", "bibliotheek")));
}

TEST_F(RulesTest, OwnershipTransferredAcceptsEmptyFromForAnActionWithoutOwner) {
  Given({Started("buurtvaders", "wo-veilig")});
  EXPECT_TRUE(Accepted(Transferred("buurtvaders", "", "politie")));
}

TEST_F(RulesTest, OwnershipTransferredAcceptsFromAnOwnerThatLeft) {
  Given({Left("bibliotheek")});
  EXPECT_TRUE(Accepted(Transferred("taalmaatjes", "bibliotheek", "politie")));
}

TEST_F(RulesTest, OwnershipTransferredRefusesAFromThatIsNotTheOwner) {
  EXPECT_TRUE(Refused(Transferred("taalmaatjes", "vidomes", "politie"),
                      {"action taalmaatjes", "from_partner_id 'vidomes' is not the action's owner",
                       "its owner is 'bibliotheek'"}));
}

TEST_F(RulesTest, OwnershipTransferredRefusesAnEmptyFromWhenTheActionHasAnOwner) {
  EXPECT_TRUE(Refused(Transferred("taalmaatjes", "", "politie"),
                      {"from_partner_id is empty", "owner is 'bibliotheek'"}));
}

TEST_F(RulesTest, OwnershipTransferredRefusesAFromWhenTheActionHasNoOwner) {
  Given({Started("buurtvaders", "wo-veilig")});
  EXPECT_TRUE(Refused(Transferred("buurtvaders", "politie", "vidomes"),
                      {"action buurtvaders", "has no owner", "leave from_partner_id empty"}));
}

TEST_F(RulesTest, OwnershipTransferredRefusesANewOwnerThatLeft) {
  EXPECT_TRUE(Refused(Transferred("taalmaatjes", "bibliotheek", "oud"),
                      {"action taalmaatjes", "new owner 'oud'", "left the programme"}));
}

TEST_F(RulesTest, OwnershipTransferredRefusesTheCurrentOwner) {
  EXPECT_TRUE(Refused(Transferred("taalmaatjes", "bibliotheek", "bibliotheek"),
                      {"'bibliotheek' is already its owner"}));
}

TEST_F(RulesTest, CapacityCommittedAcceptsTheOwner) {
  EXPECT_TRUE(Accepted(Capacity("taalmaatjes", "bibliotheek")));
}

TEST_F(RulesTest, CapacityCommittedAcceptsACoalitionMember) {
  EXPECT_TRUE(Accepted(Capacity("taalmaatjes", "vidomes")));
}

TEST_F(RulesTest, CapacityCommittedRefusesAPartnerOutsideTheAction) {
  EXPECT_TRUE(Refused(
      Capacity("taalmaatjes", "politie"),
      {"action taalmaatjes", "'politie' neither owns nor has joined it", "PartnerJoinedAction"}));
}

TEST_F(RulesTest, CapacityCommittedRefusesAMemberThatLeft) {
  Given({Left("vidomes")});
  EXPECT_TRUE(Refused(Capacity("taalmaatjes", "vidomes"), {"'vidomes'", "left the programme"}));
}

TEST_F(RulesTest, FundsAllocatedAcceptsNoPartner) { EXPECT_TRUE(Accepted(Funds("taalmaatjes"))); }

TEST_F(RulesTest, FundsAllocatedAcceptsACurrentPartnerOutsideTheAction) {
  EXPECT_TRUE(Accepted(Funds("taalmaatjes", "politie")));
}

TEST_F(RulesTest, FundsAllocatedRefusesAPartnerThatLeft) {
  EXPECT_TRUE(Refused(Funds("taalmaatjes", "oud"),
                      {"action taalmaatjes", "funding partner 'oud'", "left"}));
}

// ---- Status transitions -------------------------------------------------------------------------

// The table of README.md, written out independently of the code.
const std::map<ActionStatus, std::set<ActionStatus>>& ExpectedTable() {
  static const auto* table = new std::map<ActionStatus, std::set<ActionStatus>>{
      {kPlanned, {kInProgress, kOngoing, kStopped}},
      {kInProgress, {kOngoing, kExtended, kRegular, kCompleted, kStopped}},
      {kOngoing, {kInProgress, kExtended, kRegular, kCompleted, kStopped}},
      {kExtended, {kInProgress, kOngoing, kRegular, kCompleted, kStopped}},
      {kCompleted, {kExtended, kRegular}},
      {kRegular, {kStopped}},
      {kStopped, {}},
  };
  return *table;
}

TEST_F(RulesTest, StatusChangesFollowTheTransitionTable) {
  int n = 0;
  for (ActionStatus from : kAllStatuses) {
    for (ActionStatus to : kAllStatuses) {
      const std::string id = "t" + std::to_string(n++);
      if (from == kStopped) {
        Given({Started(id, "jo-taal", "", {}, kInProgress), StatusChanged(id, kStopped)});
      } else {
        Given({Started(id, "jo-taal", "", {}, from)});
      }
      const bool allowed = ExpectedTable().at(from).contains(to);
      SCOPED_TRACE(StatusName(from) + " -> " + StatusName(to));
      EXPECT_EQ(state_.Decide(StatusChanged(id, to)).ok(), allowed);
      EXPECT_EQ(IsAllowedTransition(from, to), allowed);
    }
  }
}

TEST_F(RulesTest, StatusChangeToTheSameStatusIsRefused) {
  EXPECT_TRUE(Refused(StatusChanged("taalmaatjes", kInProgress),
                      {"action taalmaatjes is already in_progress"}));
}

TEST_F(RulesTest, ForbiddenStatusChangeNamesWhatIsAllowed) {
  Given({StatusChanged("taalmaatjes", kCompleted)});
  EXPECT_TRUE(Refused(StatusChanged("taalmaatjes", kInProgress),
                      {"action taalmaatjes", "from completed to in_progress",
                       "allowed from completed: extended, continued_in_regular_work"}));
}

TEST_F(RulesTest, StoppedIsFinal) {
  Given({StatusChanged("taalmaatjes", kStopped)});
  EXPECT_TRUE(AllowedTransitionsFrom(kStopped).empty());
  EXPECT_TRUE(Refused(StatusChanged("taalmaatjes", kCompleted), {"stopped is final"}));
}

TEST_F(RulesTest, StatusChangeToAnUnknownNumberIsInvalid) {
  EXPECT_TRUE(Refused(StatusChanged("taalmaatjes", static_cast<ActionStatus>(9)), {"status 9"},
                      absl::StatusCode::kInvalidArgument));
}

TEST_F(RulesTest, ImportedStoppedActionStartsInProgressTakesResultsThenStops) {
  Given({Started("weg", "jo-taal", "vidomes", {}, kInProgress), Result("weg"),
         StatusChanged("weg", kStopped)});
  EXPECT_EQ(state_.ActionStatusOf("weg"), kStopped);
}

// ---- Governance and community -------------------------------------------------------------------

TEST_F(RulesTest, DecisionRecordedRefusesAnExistingId) {
  Given({Decision("d-2024-01")});
  EXPECT_TRUE(Refused(Decision("d-2024-01"), {"decision d-2024-01 already exists"}));
}

TEST_F(RulesTest, ActivityScheduledAcceptsNoPillarAndNoOrganiser) {
  EXPECT_TRUE(Accepted(Activity("doe-mee-2025")));
}

TEST_F(RulesTest, ActivityScheduledAcceptsAPillarAndACurrentOrganiser) {
  EXPECT_TRUE(Accepted(Activity("doe-mee-2025", "jeugd", "bibliotheek")));
}

TEST_F(RulesTest, ActivityScheduledRefusesAnExistingId) {
  Given({Activity("doe-mee-2025")});
  EXPECT_TRUE(Refused(Activity("doe-mee-2025"), {"activity doe-mee-2025 already exists"}));
}

TEST_F(RulesTest, ActivityScheduledRefusesAMissingPillar) {
  EXPECT_TRUE(Refused(Activity("doe-mee-2025", "jongeren"),
                      {"activity doe-mee-2025", "pillar jongeren does not exist"}));
}

TEST_F(RulesTest, ActivityScheduledRefusesAnOrganiserThatLeft) {
  EXPECT_TRUE(Refused(Activity("doe-mee-2025", "", "oud"),
                      {"activity doe-mee-2025", "organiser partner 'oud'", "left"}));
}

TEST_F(RulesTest, SignalRaisedAcceptsAnExistingPillar) {
  EXPECT_TRUE(Accepted(Signal("s-1", "wonen")));
}

TEST_F(RulesTest, SignalRaisedRefusesAMissingPillar) {
  EXPECT_TRUE(Refused(Signal("s-1", "jongeren"), {"signal s-1", "pillar jongeren does not exist"}));
}

TEST_F(RulesTest, SignalRaisedRefusesAnExistingId) {
  Given({Signal("s-1", "wonen")});
  EXPECT_TRUE(Refused(Signal("s-1", "jeugd"), {"signal s-1 already exists"}));
}

TEST_F(RulesTest, AnEmptyPayloadIsInvalid) {
  EXPECT_TRUE(Refused(Payload(), {"no event set"}, absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace domain::test
