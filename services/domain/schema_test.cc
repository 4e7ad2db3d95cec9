#include "services/domain/schema.h"

#include <gtest/gtest.h>

namespace domain {
namespace {

using wijkboek::v1::Payload;

Payload ActionStarted(const std::string& id) {
  Payload p;
  auto* a = p.mutable_action_started();
  a->set_action_id(id);
  a->set_goal_id("jo-deelname-vve");
  a->set_title("Taalmaatjes");
  return p;
}

TEST(Schema, EventTypeIsMessageName) {
  EXPECT_EQ(EventType(ActionStarted("taalmaatjes")), "ActionStarted");
  EXPECT_EQ(EventType(Payload()), "");
}

TEST(Schema, StreamsFollowTheAggregate) {
  EXPECT_EQ(StreamFor(ActionStarted("taalmaatjes")), "action-taalmaatjes");
  Payload p;
  p.mutable_partner_joined()->set_partner_id("vidomes");
  EXPECT_EQ(StreamFor(p), "partner-vidomes");
  p.mutable_goal_defined()->set_pillar_id("jongeren");
  EXPECT_EQ(StreamFor(p), "pillar-jongeren");
  p.mutable_measurement_recorded()->set_kpi_id("vve-deelname");
  EXPECT_EQ(StreamFor(p), "kpi-vve-deelname");
  p.mutable_signal_raised()->set_signal_id("s1");
  EXPECT_EQ(StreamFor(p), "programme");
  p.mutable_programme_described()->set_name("Sterk voor Noord");
  EXPECT_EQ(StreamFor(p), "programme");
  EXPECT_TRUE(ValidateForStream(p, "programme", "p").ok());
}

TEST(Schema, AcceptsAWellFormedEventInItsStream) {
  EXPECT_TRUE(ValidateForStream(ActionStarted("taalmaatjes"), "action-taalmaatjes", "e").ok());
}

TEST(Schema, RefusesTheWrongStreamNamingTheRightOne) {
  absl::Status s = ValidateForStream(ActionStarted("taalmaatjes"), "action-other", "events[0].payload");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("events[0].payload"), std::string::npos);
  EXPECT_NE(s.message().find("'action-taalmaatjes'"), std::string::npos);
}

TEST(Schema, RefusesAnEmptyPayload) {
  absl::Status s = ValidatePayload(Payload(), "events[1].payload");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no event set"), std::string::npos);
}

TEST(Schema, NamesAMissingRequiredField) {
  Payload p = ActionStarted("taalmaatjes");
  p.mutable_action_started()->clear_title();
  absl::Status s = ValidatePayload(p, "events[0].payload");
  EXPECT_EQ(s.message(), "events[0].payload.action_started.title: is required");
}

TEST(Schema, RequiresAStatusOnStatusChange) {
  Payload p;
  p.mutable_action_status_changed()->set_action_id("taalmaatjes");
  EXPECT_EQ(ValidatePayload(p, "p").message(), "p.action_status_changed.status: is required");
  p.mutable_action_status_changed()->set_status(wijkboek::v1::ACTION_STATUS_COMPLETED);
  EXPECT_TRUE(ValidatePayload(p, "p").ok());
}

TEST(Schema, RefusesMalformedIdsAndDates) {
  Payload p = ActionStarted("Taal Maatjes");
  EXPECT_NE(ValidatePayload(p, "p").message().find("is not an id"), std::string::npos);
  p = ActionStarted("taalmaatjes");
  p.mutable_action_started()->add_partner_ids("ok-partner");
  p.mutable_action_started()->add_partner_ids("bad_partner");
  EXPECT_NE(ValidatePayload(p, "p").message().find("partner_ids[1]"), std::string::npos);
  p = ActionStarted("taalmaatjes");
  p.mutable_action_started()->set_occurred_on("2024-02-30");
  EXPECT_NE(ValidatePayload(p, "p").message().find("occurred_on"), std::string::npos);
  p.mutable_action_started()->set_occurred_on("2024-02-29");
  EXPECT_TRUE(ValidatePayload(p, "p").ok());
}

TEST(Schema, RefusesFiguresOutOfRange) {
  Payload p;
  auto* c = p.mutable_capacity_committed();
  c->set_action_id("a");
  c->set_partner_id("b");
  c->set_hours_per_week(0);
  EXPECT_NE(ValidatePayload(p, "p").message().find("hours_per_week"), std::string::npos);
  Payload f;
  f.mutable_funds_allocated()->set_action_id("a");
  f.mutable_funds_allocated()->set_source("gemeente");
  f.mutable_funds_allocated()->set_amount_cents(-5);
  EXPECT_NE(ValidatePayload(f, "p").message().find("amount_cents"), std::string::npos);
  Payload r;
  r.mutable_result_recorded()->set_action_id("a");
  r.mutable_result_recorded()->set_summary("s");
  r.mutable_result_recorded()->set_value(std::nan(""));
  EXPECT_NE(ValidatePayload(r, "p").message().find("finite"), std::string::npos);
}

TEST(Schema, RefusesPartnersListedTwiceOrAsOwnerAndMember) {
  Payload p = ActionStarted("taalmaatjes");
  p.mutable_action_started()->set_owner_partner_id("bibliotheek");
  p.mutable_action_started()->add_partner_ids("bibliotheek");
  EXPECT_NE(ValidatePayload(p, "p").message().find("is the owner"), std::string::npos);
  p = ActionStarted("taalmaatjes");
  p.mutable_action_started()->add_partner_ids("vidomes");
  p.mutable_action_started()->add_partner_ids("vidomes");
  EXPECT_NE(ValidatePayload(p, "p").message().find("listed twice"), std::string::npos);
}

TEST(Schema, RefusesRangesThatEndBeforeTheyStart) {
  Payload p = ActionStarted("taalmaatjes");
  p.mutable_action_started()->set_planned_start("2024-05-01");
  p.mutable_action_started()->set_planned_end("2024-04-30");
  EXPECT_NE(ValidatePayload(p, "p").message().find("planned_end"), std::string::npos);
  Payload a;
  auto* s = a.mutable_activity_scheduled();
  s->set_activity_id("doe-mee-week");
  s->set_title("Doe mee! Week");
  s->set_starts_on("2024-07-15");
  s->set_ends_on("2024-07-14");
  EXPECT_NE(ValidatePayload(a, "p").message().find("ends_on"), std::string::npos);
  s->set_ends_on("2024-07-19");
  EXPECT_TRUE(ValidatePayload(a, "p").ok());
}

TEST(Schema, RefusesATransferToTheSameOwnerAndUnknownStatuses) {
  Payload p;
  auto* t = p.mutable_ownership_transferred();
  t->set_action_id("a");
  t->set_from_partner_id("vidomes");
  t->set_to_partner_id("vidomes");
  EXPECT_NE(ValidatePayload(p, "p").message().find("new owner"), std::string::npos);
  Payload s;
  s.mutable_action_status_changed()->set_action_id("a");
  s.mutable_action_status_changed()->set_status(static_cast<wijkboek::v1::ActionStatus>(42));
  EXPECT_NE(ValidatePayload(s, "p").message().find("42 is not a known ActionStatus"),
            std::string::npos);
}

TEST(Schema, CredentialEventsHaveTheirOwnStreamAndShape) {
  Payload p;
  auto* r = p.mutable_principal_registered();
  r->set_principal_id("vidomes-crm");
  r->set_role(wijkboek::v1::ROLE_PARTNER);
  EXPECT_NE(ValidatePayload(p, "p").message().find("partner_id: is required for a partner"),
            std::string::npos);
  r->set_partner_id("vidomes");
  EXPECT_TRUE(ValidateForStream(p, "principal-vidomes-crm", "p").ok());
  EXPECT_TRUE(IsCredentialEvent(p));
  r->set_role(wijkboek::v1::ROLE_AUDITOR);
  EXPECT_NE(ValidatePayload(p, "p").message().find("only for partner principals"),
            std::string::npos);
  r->clear_partner_id();
  r->set_role(wijkboek::v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(ValidatePayload(p, "p").message(), "p.principal_registered.role: is required");
  r->set_role(wijkboek::v1::ROLE_ADMIN);
  r->set_principal_id("wijkboekd");
  EXPECT_NE(ValidatePayload(p, "p").message().find("the server's own name"), std::string::npos);

  Payload t;
  t.mutable_token_issued()->set_principal_id("obi");
  t.mutable_token_issued()->set_token_id("tok-0123456789abcdef");
  t.mutable_token_issued()->set_token_sha256("short");
  EXPECT_NE(ValidatePayload(t, "p").message().find("must be 32 bytes"), std::string::npos);
  t.mutable_token_issued()->set_token_sha256(std::string(32, 'h'));
  EXPECT_TRUE(ValidateForStream(t, "principal-obi", "p").ok());
  EXPECT_FALSE(IsCredentialEvent(Payload()));
}

TEST(Schema, RefusesTextLongerThanTheLimit) {
  Payload p;
  p.mutable_result_recorded()->set_action_id("a");
  p.mutable_result_recorded()->set_summary(std::string(kDefaultMaxStringBytes, 's'));
  EXPECT_TRUE(ValidatePayload(p, "p").ok());
  p.mutable_result_recorded()->set_summary(std::string(kDefaultMaxStringBytes + 1, 's'));
  EXPECT_EQ(ValidatePayload(p, "p").message(),
            "p.result_recorded.summary: is 16385 bytes long; at most 16384 bytes are allowed");
  EXPECT_EQ(ValidatePayload(p, "p", 10).code(), absl::StatusCode::kInvalidArgument);
}

TEST(Schema, RecognisesUuidsSlugsAndDates) {
  EXPECT_TRUE(IsUuid("6f1c2a9e-0b7d-4c1e-9a51-3f2e8d7c6b5a"));
  EXPECT_TRUE(IsUuid("6F1C2A9E-0B7D-4C1E-9A51-3F2E8D7C6B5A"));
  EXPECT_FALSE(IsUuid("6f1c2a9e0b7d4c1e9a513f2e8d7c6b5a"));
  EXPECT_FALSE(IsUuid(""));
  EXPECT_TRUE(IsSlug("jo-deelname-vve"));
  EXPECT_FALSE(IsSlug("jo--vve"));
  EXPECT_FALSE(IsSlug("-jo"));
  EXPECT_FALSE(IsIsoDate("2024-13-01"));
  EXPECT_FALSE(IsIsoDate("24-01-01"));
  EXPECT_TRUE(IsKnownEventType("SignalRaised"));
  EXPECT_FALSE(IsKnownEventType("Payload"));
}

}  // namespace
}  // namespace domain
