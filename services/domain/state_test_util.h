#pragma once
// Payload builders and the RulesTest fixture shared by the ProgrammeState tests (state_test.cc,
// state_snapshot_test.cc).
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "services/domain/state.h"

namespace domain::test {

namespace v1 = ::wijkboek::v1;
using v1::ActionStatus;
using v1::Payload;

// ---- Payload builders ---------------------------------------------------------------------------

inline Payload Pillar(const std::string& id) {
  Payload p;
  p.mutable_pillar_defined()->set_pillar_id(id);
  p.mutable_pillar_defined()->set_name("Pijler " + id);
  return p;
}

inline Payload Goal(const std::string& goal, const std::string& pillar) {
  Payload p;
  auto* e = p.mutable_goal_defined();
  e->set_goal_id(goal);
  e->set_pillar_id(pillar);
  e->set_title("Doel " + goal);
  return p;
}

inline Payload Kpi(const std::string& kpi, const std::string& pillar,
                   const std::string& goal = "") {
  Payload p;
  auto* e = p.mutable_kpi_defined();
  e->set_kpi_id(kpi);
  e->set_pillar_id(pillar);
  e->set_goal_id(goal);
  e->set_name("KPI " + kpi);
  e->set_unit("%");
  return p;
}

inline Payload Measurement(const std::string& kpi, const std::string& measurement_id = "") {
  Payload p;
  auto* e = p.mutable_measurement_recorded();
  e->set_kpi_id(kpi);
  e->set_measurement_id(measurement_id);
  e->set_value(42);
  return p;
}

inline Payload Joined(const std::string& partner) {
  Payload p;
  p.mutable_partner_joined()->set_partner_id(partner);
  p.mutable_partner_joined()->set_name("Partner " + partner);
  return p;
}

inline Payload ProfileUpdated(const std::string& partner) {
  Payload p;
  p.mutable_partner_profile_updated()->set_partner_id(partner);
  p.mutable_partner_profile_updated()->set_name("Nieuwe naam");
  return p;
}

inline Payload Left(const std::string& partner) {
  Payload p;
  p.mutable_partner_left()->set_partner_id(partner);
  return p;
}

inline Payload Described() {
  Payload p;
  p.mutable_programme_described()->set_name("Sterk voor Noord");
  return p;
}

inline Payload Started(const std::string& action, const std::string& goal,
                       const std::string& owner = "", std::vector<std::string> partners = {},
                       ActionStatus status = v1::ACTION_STATUS_UNSPECIFIED) {
  Payload p;
  auto* e = p.mutable_action_started();
  e->set_action_id(action);
  e->set_goal_id(goal);
  e->set_title("Actie " + action);
  e->set_owner_partner_id(owner);
  for (auto& partner : partners) e->add_partner_ids(partner);
  e->set_status(status);
  return p;
}

inline Payload JoinedAction(const std::string& action, const std::string& partner) {
  Payload p;
  p.mutable_partner_joined_action()->set_action_id(action);
  p.mutable_partner_joined_action()->set_partner_id(partner);
  return p;
}

inline Payload Transferred(const std::string& action, const std::string& from,
                           const std::string& to) {
  Payload p;
  auto* e = p.mutable_ownership_transferred();
  e->set_action_id(action);
  e->set_from_partner_id(from);
  e->set_to_partner_id(to);
  return p;
}

inline Payload Result(const std::string& action, const std::string& result_id = "") {
  Payload p;
  auto* e = p.mutable_result_recorded();
  e->set_action_id(action);
  e->set_summary("12 koppels");
  e->set_result_id(result_id);
  return p;
}

inline Payload StatusChanged(const std::string& action, ActionStatus status) {
  Payload p;
  p.mutable_action_status_changed()->set_action_id(action);
  p.mutable_action_status_changed()->set_status(status);
  return p;
}

inline Payload Capacity(const std::string& action, const std::string& partner) {
  Payload p;
  auto* e = p.mutable_capacity_committed();
  e->set_action_id(action);
  e->set_partner_id(partner);
  e->set_hours_per_week(4);
  return p;
}

inline Payload Funds(const std::string& action, const std::string& partner = "") {
  Payload p;
  auto* e = p.mutable_funds_allocated();
  e->set_action_id(action);
  e->set_partner_id(partner);
  e->set_amount_cents(100000);
  e->set_source("Deal voor Noord");
  return p;
}

inline Payload Decision(const std::string& id) {
  Payload p;
  auto* e = p.mutable_decision_recorded();
  e->set_decision_id(id);
  e->set_body("Stuurgroep");
  e->set_title("Besluit");
  return p;
}

inline Payload Activity(const std::string& id, const std::string& pillar = "",
                        const std::string& organiser = "") {
  Payload p;
  auto* e = p.mutable_activity_scheduled();
  e->set_activity_id(id);
  e->set_title("Doe mee! Week");
  e->set_starts_on("2025-05-01");
  e->set_pillar_id(pillar);
  e->set_organiser_partner_id(organiser);
  return p;
}

inline Payload Signal(const std::string& id, const std::string& pillar) {
  Payload p;
  auto* e = p.mutable_signal_raised();
  e->set_signal_id(id);
  e->set_pillar_id(pillar);
  e->set_summary("Overlast bij het winkelcentrum");
  return p;
}

inline Payload PrincipalRegistered(const std::string& id, v1::Role role,
                                   const std::string& partner = "") {
  Payload p;
  auto* e = p.mutable_principal_registered();
  e->set_principal_id(id);
  e->set_role(role);
  e->set_partner_id(partner);
  return p;
}

inline Payload TokenIssued(const std::string& principal, const std::string& token_id) {
  Payload p;
  auto* e = p.mutable_token_issued();
  e->set_principal_id(principal);
  e->set_token_id(token_id);
  e->set_token_sha256(std::string(32, 'h'));
  return p;
}

inline Payload TokenRevoked(const std::string& principal, const std::string& token_id) {
  Payload p;
  auto* e = p.mutable_token_revoked();
  e->set_principal_id(principal);
  e->set_token_id(token_id);
  return p;
}

// ---- Fixture ------------------------------------------------------------------------------------

constexpr ActionStatus kPlanned = v1::ACTION_STATUS_PLANNED;
constexpr ActionStatus kInProgress = v1::ACTION_STATUS_IN_PROGRESS;
constexpr ActionStatus kOngoing = v1::ACTION_STATUS_ONGOING;
constexpr ActionStatus kExtended = v1::ACTION_STATUS_EXTENDED;
constexpr ActionStatus kRegular = v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK;
constexpr ActionStatus kCompleted = v1::ACTION_STATUS_COMPLETED;
constexpr ActionStatus kStopped = v1::ACTION_STATUS_STOPPED;
constexpr ActionStatus kAllStatuses[] = {kPlanned, kInProgress, kOngoing, kExtended,
                                         kRegular, kCompleted,  kStopped};

// A small programme: two pillars with a goal each, three partners (one of whom left), and the
// action taalmaatjes (owner bibliotheek, coalition vidomes, in progress).
class RulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Given({Pillar("jeugd"), Pillar("wonen"), Goal("jo-taal", "jeugd"), Goal("wo-veilig", "wonen"),
           Joined("bibliotheek"), Joined("vidomes"), Joined("politie"), Joined("oud"), Left("oud"),
           Started("taalmaatjes", "jo-taal", "bibliotheek", {"vidomes"}, kInProgress)});
  }

  // Each event must be accepted; then it is applied.
  void Given(std::initializer_list<Payload> events) {
    for (const Payload& e : events) {
      absl::Status s = state_.Decide(e);
      ASSERT_TRUE(s.ok()) << "given " << e.ShortDebugString() << ": " << s;
      state_.Apply(e);
    }
  }

  ::testing::AssertionResult Accepted(const Payload& e) {
    absl::Status s = state_.Decide(e);
    if (s.ok()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "refused: " << s;
  }

  // Refused with `code` and a message that holds every part.
  ::testing::AssertionResult Refused(
      const Payload& e, std::initializer_list<std::string> parts,
      absl::StatusCode code = absl::StatusCode::kFailedPrecondition) {
    absl::Status s = state_.Decide(e);
    if (s.code() != code) {
      return ::testing::AssertionFailure()
             << "expected " << absl::StatusCodeToString(code) << ", got " << s;
    }
    for (const std::string& part : parts) {
      if (s.message().find(part) == absl::string_view::npos) {
        return ::testing::AssertionFailure()
               << "message \"" << s.message() << "\" does not contain \"" << part << "\"";
      }
    }
    return ::testing::AssertionSuccess();
  }

  ProgrammeState state_;
};

}  // namespace domain::test
