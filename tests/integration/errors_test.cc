// Every refusal of the EventLog over real gRPC: its code, a message a person can act on, and no
// trace in the log.

#include <gtest/gtest.h>

#include <cctype>
#include <functional>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "eventlog_helpers.h"

namespace itest {
namespace {

// On the seed (SeedPrerequisites), so a request the rules on write accept is refused only for the
// error under test. "Stores nothing" means the head stays at the seed's, base_.
using ErrorsTest = SeededServerTest;

// Append with a hand-made authorization header (nullopt: none at all).
grpc::Status AppendAuthorizedAs(ServerProcess& server, const std::optional<std::string>& header,
                                const v1::AppendRequest& request) {
  grpc::ClientContext context;
  ServerProcess::SetDeadline(&context);
  if (header) context.AddMetadata("authorization", *header);
  v1::AppendResponse response;
  return server.Stub().Append(&context, request, &response);
}

// `message` contains `number` as a whole number (not as part of a longer one).
bool MentionsNumber(const std::string& message, uint64_t number) {
  const std::string n = std::to_string(number);
  for (size_t at = message.find(n); at != std::string::npos; at = message.find(n, at + 1)) {
    const bool digit_before = at > 0 && std::isdigit(static_cast<unsigned char>(message[at - 1]));
    const size_t end = at + n.size();
    const bool digit_after =
        end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]));
    if (!digit_before && !digit_after) return true;
  }
  return false;
}

::testing::AssertionResult AbortedWithActualRevision(const grpc::Status& status, uint64_t actual) {
  if (auto r = StatusIs(status, grpc::StatusCode::ABORTED, "revision"); !r) return r;
  if (!MentionsNumber(status.error_message(), actual)) {
    return ::testing::AssertionFailure()
           << "message of " << Describe(status) << " does not name actual revision " << actual;
  }
  return ::testing::AssertionSuccess();
}

v1::AppendRequest SomeRequest() {
  const std::string a = NewId("a");
  return MakeRequest("action-" + a, {MakeActionStarted(a)});
}

// ---- UNAUTHENTICATED ---------------------------------------------------------------------------

TEST_F(ErrorsTest, AppendWithoutAuthorizationIsUnauthenticatedAndStoresNothing) {
  EXPECT_TRUE(StatusIs(AppendAuthorizedAs(server_, std::nullopt, SomeRequest()),
                       grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(MustGetHead(server_).position(), base_);
}

TEST_F(ErrorsTest, AppendWithWrongTokenIsUnauthenticatedAndStoresNothing) {
  EXPECT_TRUE(StatusIs(AppendAuthorizedAs(server_, "Bearer not-the-token", SomeRequest()),
                       grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_TRUE(
      StatusIs(AppendAuthorizedAs(server_, "Bearer " + server_.token() + "x", SomeRequest()),
               grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(MustGetHead(server_).position(), base_);
}

TEST_F(ErrorsTest, AppendWithoutBearerSchemeIsUnauthenticatedAndStoresNothing) {
  for (const std::string& header : {server_.token(), "Basic " + server_.token(),
                                    std::string("Bearer"), std::string("Bearer ")}) {
    SCOPED_TRACE("authorization: " + header);
    EXPECT_TRUE(StatusIs(AppendAuthorizedAs(server_, header, SomeRequest()),
                         grpc::StatusCode::UNAUTHENTICATED));
  }
  EXPECT_EQ(MustGetHead(server_).position(), base_);
}

TEST_F(ErrorsTest, ReadGetHeadAndSubscribeWithoutAuthorizationAreUnauthenticated) {
  MustAppend(server_, SomeRequest());
  {
    grpc::ClientContext context;
    ServerProcess::SetDeadline(&context);
    auto reader = server_.Stub().Read(&context, v1::ReadRequest());
    v1::Event event;
    EXPECT_FALSE(reader->Read(&event)) << "an event leaked: " << event.ShortDebugString();
    EXPECT_TRUE(StatusIs(reader->Finish(), grpc::StatusCode::UNAUTHENTICATED));
  }
  {
    grpc::ClientContext context;
    ServerProcess::SetDeadline(&context);
    v1::GetHeadResponse head;
    EXPECT_TRUE(StatusIs(server_.Stub().GetHead(&context, v1::GetHeadRequest(), &head),
                         grpc::StatusCode::UNAUTHENTICATED));
  }
  {
    grpc::ClientContext context;
    ServerProcess::SetDeadline(&context);
    v1::SubscribeRequest request;
    request.set_from_position(1);
    auto reader = server_.Stub().Subscribe(&context, request);
    v1::SubscribeResponse response;
    EXPECT_FALSE(reader->Read(&response)) << "a message leaked: " << response.ShortDebugString();
    EXPECT_TRUE(StatusIs(reader->Finish(), grpc::StatusCode::UNAUTHENTICATED));
  }
}

// ---- INVALID_ARGUMENT --------------------------------------------------------------------------

TEST_F(ErrorsTest, StreamNotMatchingPayloadIsInvalidArgument) {
  const std::string a = NewId("a"), b = NewId("b");
  const std::vector<std::pair<std::string, v1::ProposedEvent>> cases = {
      {"action-" + b, MakeActionStarted(a)},        // another action
      {"partner-" + a, MakeActionStarted(a)},       // another aggregate
      {"programme", MakePartnerJoined("vidomes")},  // partner event in the programme stream
      {"action-" + a, MakeDecisionRecorded("d")},   // programme event in an action stream
  };
  for (const auto& [stream, event] : cases) {
    SCOPED_TRACE(event.payload().ShortDebugString() + " to " + stream);
    const AppendResult r = Append(server_, MakeRequest(stream, {event}));
    EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::INVALID_ARGUMENT, "stream"));
  }
  EXPECT_EQ(MustGetHead(server_).position(), base_);
}

TEST_F(ErrorsTest, MissingRequiredFieldIsInvalidArgumentNamingTheField) {
  struct Case {
    std::string stream;  // where the payload would belong, given its (possibly empty) id
    std::string field;
    std::function<void(v1::Payload&)> fill;
  };
  const std::vector<Case> cases = {
      {"partner-", "partner_id",
       [](v1::Payload& p) { p.mutable_partner_joined()->set_name("Vidomes"); }},
      {"partner-vidomes", "name",
       [](v1::Payload& p) { p.mutable_partner_joined()->set_partner_id("vidomes"); }},
      {"pillar-", "pillar_id",
       [](v1::Payload& p) { p.mutable_pillar_defined()->set_name("Jongeren"); }},
      {"pillar-jongeren", "name",
       [](v1::Payload& p) { p.mutable_pillar_defined()->set_pillar_id("jongeren"); }},
      {"pillar-jongeren", "goal_id",
       [](v1::Payload& p) {
         p.mutable_goal_defined()->set_pillar_id("jongeren");
         p.mutable_goal_defined()->set_title("Werk");
       }},
      {"pillar-jongeren", "title",
       [](v1::Payload& p) {
         p.mutable_goal_defined()->set_pillar_id("jongeren");
         p.mutable_goal_defined()->set_goal_id("werk");
       }},
      {"kpi-", "kpi_id", [](v1::Payload& p) { p.mutable_kpi_defined()->set_name("Taalniveau"); }},
      {"kpi-", "kpi_id", [](v1::Payload& p) { p.mutable_measurement_recorded()->set_value(1); }},
      {"action-", "action_id",
       [](v1::Payload& p) {
         p.mutable_action_started()->set_goal_id("taal");
         p.mutable_action_started()->set_title("Taalmaatjes");
       }},
      {"action-maatjes", "title",
       [](v1::Payload& p) {
         p.mutable_action_started()->set_action_id("maatjes");
         p.mutable_action_started()->set_goal_id("taal");
       }},
      {"action-maatjes", "goal_id",
       [](v1::Payload& p) {
         p.mutable_action_started()->set_action_id("maatjes");
         p.mutable_action_started()->set_title("Taalmaatjes");
       }},
      {"action-", "action_id",
       [](v1::Payload& p) { p.mutable_result_recorded()->set_summary("r"); }},
      {"action-maatjes", "summary",
       [](v1::Payload& p) { p.mutable_result_recorded()->set_action_id("maatjes"); }},
      {"action-maatjes", "status",
       [](v1::Payload& p) { p.mutable_action_status_changed()->set_action_id("maatjes"); }},
      {"programme", "decision_id",
       [](v1::Payload& p) {
         p.mutable_decision_recorded()->set_title("Besluit");
         p.mutable_decision_recorded()->set_body("Stuurgroep");
       }},
      {"programme", "activity_id",
       [](v1::Payload& p) { p.mutable_activity_scheduled()->set_title("Doe mee!"); }},
      {"programme", "signal_id",
       [](v1::Payload& p) { p.mutable_signal_raised()->set_summary("Overlast"); }},
  };
  for (const Case& c : cases) {
    v1::Payload payload;
    c.fill(payload);
    SCOPED_TRACE(payload.ShortDebugString() + " to " + c.stream);
    const AppendResult r = Append(server_, MakeRequest(c.stream, {MakeEvent(payload)}));
    EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::INVALID_ARGUMENT, c.field));
  }
  EXPECT_EQ(MustGetHead(server_).position(), base_);
}

TEST_F(ErrorsTest, EmptyEventIdIsInvalidArgument) {
  v1::AppendRequest request = SomeRequest();
  request.mutable_events(0)->clear_event_id();
  EXPECT_TRUE(
      StatusIs(Append(server_, request).status, grpc::StatusCode::INVALID_ARGUMENT, "event_id"));
  EXPECT_EQ(MustGetHead(server_).position(), base_);
}

TEST_F(ErrorsTest, MalformedEventIdIsInvalidArgument) {
  for (const char* id :
       {"not-a-uuid", "3f9c0a1b2d4e4f5a8b6c7d8e9f0a1b2c", "3f9c0a1b-2d4e-4f5a-8b6c-7d8e9f0a1b2",
        "3f9c0a1b-2d4e-4f5a-8b6c-7d8e9f0a1b2cd", "3f9c0a1g-2d4e-4f5a-8b6c-7d8e9f0a1b2c",
        "{3f9c0a1b-2d4e-4f5a-8b6c-7d8e9f0a1b2c}", " 3f9c0a1b-2d4e-4f5a-8b6c-7d8e9f0a1b2c",
        "3f9c0a1b-2d4e4f5a-8b6c-7d8e-9f0a1b2c"}) {
    SCOPED_TRACE(std::string("event_id \"") + id + "\"");
    v1::AppendRequest request = SomeRequest();
    request.mutable_events(0)->set_event_id(id);
    EXPECT_TRUE(
        StatusIs(Append(server_, request).status, grpc::StatusCode::INVALID_ARGUMENT, "event_id"));
  }
  EXPECT_EQ(MustGetHead(server_).position(), base_);
}

TEST_F(ErrorsTest, UppercaseUuidIsAValidEventId) {
  v1::AppendRequest request = SomeRequest();
  request.mutable_events(0)->set_event_id("3F9C0A1B-2D4E-4F5A-8B6C-7D8E9F0A1B2C");
  const AppendResult r = Append(server_, request);
  EXPECT_TRUE(r.status.ok()) << Describe(r.status);
}

TEST_F(ErrorsTest, EmptyEventsListIsInvalidArgument) {
  const AppendResult r = Append(server_, MakeRequest("action-" + NewId("a"), {}));
  EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::INVALID_ARGUMENT, "events"));
  EXPECT_EQ(MustGetHead(server_).position(), base_);
}

TEST_F(ErrorsTest, EmptyStreamIsInvalidArgument) {
  const AppendResult r = Append(server_, MakeRequest("", {MakeActionStarted(NewId("a"))}));
  EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::INVALID_ARGUMENT, "stream"));
  EXPECT_EQ(MustGetHead(server_).position(), base_);
}

TEST_F(ErrorsTest, PayloadWithoutEventIsInvalidArgument) {
  v1::AppendRequest empty_payload = SomeRequest();
  empty_payload.mutable_events(0)->mutable_payload()->Clear();
  EXPECT_TRUE(StatusIs(Append(server_, empty_payload).status, grpc::StatusCode::INVALID_ARGUMENT,
                       "payload"));
  v1::AppendRequest no_payload = SomeRequest();
  no_payload.mutable_events(0)->clear_payload();
  EXPECT_TRUE(
      StatusIs(Append(server_, no_payload).status, grpc::StatusCode::INVALID_ARGUMENT, "payload"));
  EXPECT_EQ(MustGetHead(server_).position(), base_);
}

TEST_F(ErrorsTest, MalformedOccurredOnIsInvalidArgument) {
  for (const char* date :
       {"2024/01/05", "05-01-2024", "yesterday", "2024-1-5", "20240105", "2024-01-05T10:00"}) {
    SCOPED_TRACE(std::string("occurred_on \"") + date + "\"");
    const std::string a = NewId("a");
    v1::ProposedEvent event = MakeResultRecorded(a, "r");
    event.mutable_payload()->mutable_result_recorded()->set_occurred_on(date);
    const AppendResult r = Append(server_, MakeRequest("action-" + a, {event}));
    EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::INVALID_ARGUMENT, "occurred_on"));
  }
  EXPECT_EQ(MustGetHead(server_).position(), base_);
}

TEST_F(ErrorsTest, RequestWithOneBadEventStoresNoneOfItsEvents) {
  const std::string a = NewId("a");
  const std::string stream = "action-" + a;
  std::vector<v1::ProposedEvent> events = {MakeActionStarted(a)};
  for (int i = 1; i < 5; ++i) events.push_back(MakeResultRecorded(a, "r" + std::to_string(i)));
  const v1::AppendRequest good = MakeRequest(stream, events);

  v1::AppendRequest missing_summary = good;
  missing_summary.mutable_events(2)->mutable_payload()->mutable_result_recorded()->clear_summary();
  EXPECT_TRUE(StatusIs(Append(server_, missing_summary).status, grpc::StatusCode::INVALID_ARGUMENT,
                       "summary"));
  v1::AppendRequest wrong_stream = good;
  *wrong_stream.mutable_events(2) = MakePartnerJoined("vidomes");
  EXPECT_TRUE(StatusIs(Append(server_, wrong_stream).status, grpc::StatusCode::INVALID_ARGUMENT));
  v1::AppendRequest bad_id = good;
  bad_id.mutable_events(2)->set_event_id("nope");
  EXPECT_TRUE(
      StatusIs(Append(server_, bad_id).status, grpc::StatusCode::INVALID_ARGUMENT, "event_id"));

  EXPECT_EQ(MustGetHead(server_).position(), base_);
  EXPECT_TRUE(StatusIs(ReadStream(server_, stream).status, grpc::StatusCode::NOT_FOUND));
  // The refused requests burnt none of the good events' ids.
  const v1::AppendResponse r = MustAppend(server_, good);
  EXPECT_FALSE(r.deduplicated());
  EXPECT_EQ(r.first_position(), base_ + 1);
  EXPECT_EQ(r.last_position(), base_ + 5);
}

// ---- ABORTED -----------------------------------------------------------------------------------

class ExpectedRevisionTest : public SeededServerTest {
 protected:
  // After the seed, a stream at revision 2, preceded by one event elsewhere (so positions and
  // revisions differ).
  void SetUp() override {
    SeededServerTest::SetUp();
    if (HasFatalFailure()) return;
    MustAppend(server_, MakeRequest("programme", {MakeDecisionRecorded("d")}));
    MustAppend(server_,
               MakeRequest(stream_, {MakeActionStarted(action_), MakeResultRecorded(action_, "1"),
                                     MakeResultRecorded(action_, "2")}));
  }
  void ExpectNothingAppended() { EXPECT_EQ(MustGetHead(server_).position(), base_ + 4); }

  // Letters only: the message must not contain the actual revision by accident.
  const std::string action_ = "maatjes";
  const std::string stream_ = "action-maatjes";
};

TEST_F(ExpectedRevisionTest, StaleExactRevisionIsAbortedNamingTheActualRevision) {
  const AppendResult r =
      Append(server_, MakeRequest(stream_, Exact(0), {MakeResultRecorded(action_, "x")}));
  EXPECT_TRUE(AbortedWithActualRevision(r.status, 2));
  ExpectNothingAppended();
}

TEST_F(ExpectedRevisionTest, ExactRevisionAheadOfTheStreamIsAbortedNamingTheActualRevision) {
  const AppendResult r =
      Append(server_, MakeRequest(stream_, Exact(7), {MakeResultRecorded(action_, "x")}));
  EXPECT_TRUE(AbortedWithActualRevision(r.status, 2));
  ExpectNothingAppended();
}

TEST_F(ExpectedRevisionTest, ExactRevisionOnMissingStreamIsAbortedSayingItDoesNotExist) {
  const std::string b = NewId("b");
  const AppendResult r =
      Append(server_, MakeRequest("action-" + b, Exact(0), {MakeActionStarted(b)}));
  EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::ABORTED, "does not exist"));
  ExpectNothingAppended();
}

TEST_F(ExpectedRevisionTest, NoStreamOnExistingStreamIsAbortedNamingTheActualRevision) {
  const AppendResult r =
      Append(server_, MakeRequest(stream_, NoStream(), {MakeResultRecorded(action_, "x")}));
  EXPECT_TRUE(AbortedWithActualRevision(r.status, 2));
  ExpectNothingAppended();
}

TEST_F(ExpectedRevisionTest, StreamExistsOnMissingStreamIsAbortedSayingItDoesNotExist) {
  const std::string b = NewId("b");
  const AppendResult r =
      Append(server_, MakeRequest("action-" + b, StreamExists(), {MakeActionStarted(b)}));
  EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::ABORTED, "does not exist"));
  ExpectNothingAppended();
}

TEST_F(ExpectedRevisionTest, RacingWritersWithTheSameExactRevisionExactlyOneWins) {
  constexpr int kWriters = 6;
  uint64_t revision = 2;
  for (int round = 0; round < 10; ++round, ++revision) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::vector<AppendResult> results(kWriters);
    std::latch start(kWriters);
    std::vector<std::thread> writers;
    for (int i = 0; i < kWriters; ++i) {
      writers.emplace_back([&, i] {
        const v1::AppendRequest request = MakeRequest(
            stream_, Exact(revision), {MakeResultRecorded(action_, "writer " + std::to_string(i))});
        start.arrive_and_wait();
        results[i] = Append(server_, request);
      });
    }
    for (auto& t : writers) t.join();
    int winners = 0;
    for (const AppendResult& r : results) {
      if (r.status.ok()) {
        ++winners;
        EXPECT_EQ(r.response.stream_revision(), revision + 1);
      } else {
        EXPECT_TRUE(AbortedWithActualRevision(r.status, revision + 1));
      }
    }
    EXPECT_EQ(winners, 1);
  }
  const ReadResult read = ReadStream(server_, stream_);
  ASSERT_TRUE(read.status.ok()) << Describe(read.status);
  EXPECT_EQ(read.events.size(), 13u);
}

}  // namespace
}  // namespace itest
