// Time travel over real gRPC and HTTP against the real wijkboekd: a view as of a position equals,
// byte for byte, the same view of a second server whose log holds only the events up to that
// position; record time and business time differ for a result recorded late; and every way of
// asking wrongly gets its own clear error.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "eventlog_helpers.h"
#include "http_client.h"
#include "views_helpers.h"

namespace itest {
namespace {

using S = v1::Views::Stub;
using google::protobuf::util::TimeUtil;

// ---- Events with a business date ---------------------------------------------------------------

// `event` with its payload's occurred_on set (every event type has the field).
v1::ProposedEvent On(const std::string& date, v1::ProposedEvent event) {
  google::protobuf::Message* payload = event.mutable_payload();
  const auto* oneof = payload->GetDescriptor()->FindOneofByName("event");
  const auto* field = payload->GetReflection()->GetOneofFieldDescriptor(*payload, oneof);
  google::protobuf::Message* inner = payload->GetReflection()->MutableMessage(payload, field);
  inner->GetReflection()->SetString(inner, inner->GetDescriptor()->FindFieldByName("occurred_on"),
                                    date);
  return event;
}

v1::ProposedEvent Started(const std::string& action, const std::string& owner,
                          std::vector<std::string> members) {
  v1::Payload p;
  auto* e = p.mutable_action_started();
  e->set_action_id(action);
  e->set_goal_id(kSeedGoal);
  e->set_title("Actie " + action);
  e->set_owner_partner_id(owner);
  for (auto& m : members) e->add_partner_ids(m);
  e->set_status(v1::ACTION_STATUS_IN_PROGRESS);
  return MakeEvent(std::move(p));
}

v1::ProposedEvent Funds(const std::string& action, const std::string& partner, int64_t cents) {
  v1::Payload p;
  auto* e = p.mutable_funds_allocated();
  e->set_action_id(action);
  e->set_partner_id(partner);
  e->set_amount_cents(cents);
  e->set_source("gemeente");
  return MakeEvent(std::move(p));
}

v1::ProposedEvent Measured(const std::string& kpi, double value) {
  v1::Payload p;
  auto* e = p.mutable_measurement_recorded();
  e->set_kpi_id(kpi);
  e->set_value(value);
  e->set_period("2024");
  return MakeEvent(std::move(p));
}

v1::ProposedEvent Scheduled(const std::string& id, const std::string& starts_on) {
  v1::Payload p;
  auto* e = p.mutable_activity_scheduled();
  e->set_activity_id(id);
  e->set_title("Doe mee! " + id);
  e->set_starts_on(starts_on);
  e->set_pillar_id(kSeedPillar);
  e->set_organiser_partner_id("bibliotheek");
  return MakeEvent(std::move(p));
}

v1::ProposedEvent Left(const std::string& partner) {
  v1::Payload p;
  p.mutable_partner_left()->set_partner_id(partner);
  return MakeEvent(std::move(p));
}

v1::ProposedEvent Transferred(const std::string& action, const std::string& from,
                              const std::string& to) {
  v1::Payload p;
  auto* e = p.mutable_ownership_transferred();
  e->set_action_id(action);
  e->set_from_partner_id(from);
  e->set_to_partner_id(to);
  return MakeEvent(std::move(p));
}

// Three chapters of a programme's history (after the seed), each ending at a request boundary.
void AppendChapter(ServerProcess& server, int chapter) {
  switch (chapter) {
    case 1:
      MustAppend(server, MakeRequest("kpi-taal", {On("2024-01-05", MakeKpiDefined("taal"))}));
      MustAppend(server,
                 MakeRequest("action-taalmaatjes",
                             {On("2024-01-15", Started("taalmaatjes", "bibliotheek", {"vidomes"})),
                              On("2024-02-01", MakeResultRecorded("taalmaatjes", "40 koppels"))}));
      break;
    case 2:
      MustAppend(server,
                 MakeRequest("partner-woej", {On("2024-03-01", MakePartnerJoined("woej"))}));
      MustAppend(server,
                 MakeRequest("action-voorlezen",
                             {On("2024-03-10", Started("voorlezen", "woej", {"bibliotheek"})),
                              On("2024-03-20", Funds("voorlezen", "woej", 250000))}));
      MustAppend(server,
                 MakeRequest("action-taalmaatjes",
                             {On("2024-04-01", MakeResultRecorded("taalmaatjes", "75 koppels")),
                              On("2024-04-02", Funds("taalmaatjes", "bibliotheek", 100000))}));
      MustAppend(server, MakeRequest("kpi-taal", {On("2024-04-15", Measured("taal", 62))}));
      MustAppend(server, MakeRequest("programme", {Scheduled("doe-mee", "2099-07-01")}));
      break;
    default:
      MustAppend(server,
                 MakeRequest("action-voorlezen",
                             {On("2024-05-01", Transferred("voorlezen", "woej", "bibliotheek"))}));
      MustAppend(server, MakeRequest("partner-vidomes", {On("2024-05-15", Left("vidomes"))}));
      MustAppend(
          server,
          MakeRequest("action-taalmaatjes",
                      {MakeActionStatusChanged("taalmaatjes", v1::ACTION_STATUS_COMPLETED)}));
      MustAppend(server, MakeRequest("action-nieuw", {Started("nieuw", "", {"woej"})}));
      break;
  }
}

// ---- Comparing views -------------------------------------------------------------------------

::testing::AssertionResult SameBytes(const google::protobuf::Message& as_of,
                                     const google::protobuf::Message& truncated) {
  // views.proto has no map fields, so serialisation is deterministic.
  if (as_of.SerializeAsString() == truncated.SerializeAsString()) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "as of:     " << as_of.ShortDebugString()
                                       << "\ntruncated: " << truncated.ShortDebugString();
}

// Every view (GetPartner and GetAction for `partner` and `action`), asked of `asked` with the
// bound set by `bound`, equals the live view of `reference`. Dated views (gaps, agenda) only when
// `dated`: a record-time view counts its own day as today, the live views the real today.
template <typename SetBound>
void ExpectViewsEqual(ServerProcess& asked, SetBound bound, ServerProcess& reference,
                      const std::string& partner, const std::string& action, bool dated,
                      const std::string& where) {
  SCOPED_TRACE(where);
  auto both = [&](auto rpc, auto request) {
    auto live = Call(reference, rpc, request);
    bound(&request);
    auto as_of = Call(asked, rpc, request);
    ASSERT_EQ(as_of.status.error_code(), live.status.error_code())
        << Describe(as_of.status) << " vs " << Describe(live.status);
    EXPECT_EQ(as_of.status.error_message(), live.status.error_message());
    EXPECT_TRUE(SameBytes(as_of.response, live.response));
  };
  both(&S::GetProgramme, v1::GetProgrammeRequest());
  v1::ListPartnersRequest partners;
  partners.set_include_left(true);
  both(&S::ListPartners, partners);
  v1::GetPartnerRequest one_partner;
  one_partner.set_partner_id(partner);
  both(&S::GetPartner, one_partner);
  v1::ListActionsRequest actions;
  actions.set_page_size(500);
  both(&S::ListActions, actions);
  v1::GetActionRequest one_action;
  one_action.set_action_id(action);
  both(&S::GetAction, one_action);
  both(&S::GetCollaboration, v1::GetCollaborationRequest());
  both(&S::ListKpis, v1::ListKpisRequest());
  both(&S::GetFunds, v1::GetFundsRequest());
  both(&S::GetProjectBook, v1::GetProjectBookRequest());
  if (dated) {
    both(&S::ListOwnershipGaps, v1::ListOwnershipGapsRequest());
    both(&S::GetAgenda, v1::GetAgendaRequest());
  }
}

google::protobuf::Timestamp RecordedAt(ServerProcess& server, uint64_t position) {
  ReadResult r = ReadLog(server, position, 1);
  EXPECT_TRUE(r.status.ok() && r.events.size() == 1) << Describe(r.status);
  return r.events.empty() ? google::protobuf::Timestamp() : r.events[0].recorded_at();
}

// ---- The log, and copies of it cut after each chapter -----------------------------------------

// The full log is on `server_`; truncated_[i] holds a copy of its data dir taken (server stopped)
// when the log ended at cuts_[i]. The copies are started only for the comparison.
class TimeTravelTest : public SeededServerTest {
 protected:
  void SetUp() override {
    SeededServerTest::SetUp();
    if (HasFatalFailure()) return;
    for (int chapter = 1; chapter <= 3; ++chapter) {
      AppendChapter(server_, chapter);
      ASSERT_FALSE(HasFailure());
      if (chapter == 3) break;
      cuts_.push_back(MustGetHead(server_).position());
      ASSERT_EQ(server_.Stop(), 0);
      auto copy = std::make_unique<ServerProcess>();
      std::filesystem::copy(server_.data_dir(), copy->data_dir(),
                            std::filesystem::copy_options::recursive);
      truncated_.push_back(std::move(copy));
      ASSERT_TRUE(server_.Restart());
    }
    head_ = MustGetHead(server_).position();
    ASSERT_GT(head_, cuts_.back());
    // The live views answer without waiting for the last appends: let them reach the head, or a
    // busy machine compares as-of answers with views one event behind.
    v1::GetProgrammeRequest caught_up;
    caught_up.set_min_position(head_);
    MustCall(server_, &S::GetProgramme, caught_up);
  }

  std::vector<uint64_t> cuts_;
  std::vector<std::unique_ptr<ServerProcess>> truncated_;
  uint64_t head_ = 0;
};

TEST_F(TimeTravelTest, AsOfAPositionEqualsALogTruncatedThere) {
  ASSERT_EQ(cuts_.size(), 2u);
  for (std::size_t i = 0; i < cuts_.size(); ++i) {
    ASSERT_TRUE(truncated_[i]->Start());
    ASSERT_EQ(MustGetHead(*truncated_[i]).position(), cuts_[i]);
    const uint64_t p = cuts_[i];
    ExpectViewsEqual(
        server_, [p](auto* r) { r->set_as_of_position(p); }, *truncated_[i], "woej", "taalmaatjes",
        /*dated=*/true, "as_of_position " + std::to_string(p));
    // Record time: the instant of the cut's last event selects the same prefix (the next event
    // came after a restart, so later).
    const google::protobuf::Timestamp t = RecordedAt(server_, p);
    ExpectViewsEqual(
        server_, [t](auto* r) { *r->mutable_as_of_time() = t; }, *truncated_[i], "woej",
        "voorlezen", /*dated=*/false, "as_of_time " + TimeUtil::ToString(t));
  }
  // The first cut knows neither woej nor voorlezen: NOT_FOUND on both sides (checked above), and
  // the answer names the position it reflects.
  v1::GetProgrammeRequest at_first;
  at_first.set_as_of_position(cuts_[0]);
  EXPECT_EQ(MustCall(server_, &S::GetProgramme, at_first).as_of_position(), cuts_[0]);
}

TEST_F(TimeTravelTest, AsOfTheHeadEqualsTheLiveViews) {
  const uint64_t head = head_;
  ExpectViewsEqual(
      server_, [head](auto* r) { r->set_as_of_position(head); }, server_, "bibliotheek",
      "voorlezen", /*dated=*/true, "as_of_position = head");
}

TEST_F(TimeTravelTest, PagesOfOneReportAreServedFromOneReplay) {
  v1::ListActionsRequest request;
  request.set_as_of_position(cuts_[1]);
  request.set_page_size(1);
  std::vector<std::string> ids;
  for (int page = 0; page < 10; ++page) {
    auto r = MustCall(server_, &S::ListActions, request);
    EXPECT_EQ(r.as_of_position(), cuts_[1]);
    EXPECT_EQ(r.total_count(), 2u);  // taalmaatjes and voorlezen; nieuw came later
    for (const auto& a : r.actions()) ids.push_back(a.action_id());
    if (r.next_page_token().empty()) break;
    request.set_page_token(r.next_page_token());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"taalmaatjes", "voorlezen"}));
}

// ---- Business time against record time ---------------------------------------------------------

using BusinessTimeTest = SeededServerTest;

// A result recorded late for an earlier day: the business-date view of that day shows it at
// once, the record-time view only from the moment it was recorded.
TEST_F(BusinessTimeTest, ALateResultCountsForItsDayButWasRecordedWhenItWas) {
  // The action and its results carry business dates. (The seed's pillar and goal carry none, so
  // they count for the day they were recorded, today, and are absent from these views; GetAction
  // does not need them.)
  MustAppend(server_, MakeRequest("action-taalmaatjes",
                                  {On("2024-01-10", Started("taalmaatjes", "bibliotheek", {}))}));
  const uint64_t may =
      MustAppend(
          server_,
          MakeRequest("action-taalmaatjes",
                      {On("2024-05-01", MakeResultRecorded("taalmaatjes", "mei: 30 koppels"))}))
          .last_position();
  const uint64_t late =
      MustAppend(
          server_,
          MakeRequest("action-taalmaatjes",
                      {On("2024-03-01", MakeResultRecorded("taalmaatjes", "maart: 12 koppels"))}))
          .last_position();
  const google::protobuf::Timestamp may_recorded = RecordedAt(server_, may);
  const google::protobuf::Timestamp late_recorded = RecordedAt(server_, late);
  ASSERT_LT(TimeUtil::TimestampToMicroseconds(may_recorded),
            TimeUtil::TimestampToMicroseconds(late_recorded));

  auto results = [&](const std::function<void(v1::GetActionRequest*)>& bound,
                     uint64_t expected_position) {
    v1::GetActionRequest request;
    request.set_action_id("taalmaatjes");
    bound(&request);
    auto r = MustCall(server_, &S::GetAction, request);
    EXPECT_EQ(r.as_of_position(), expected_position);
    std::vector<std::string> out;
    for (const auto& result : r.action().results()) out.push_back(result.summary());
    return out;
  };
  using Summaries = std::vector<std::string>;
  const uint64_t head = late;

  // Business time: what had happened by then, as far as the log knows now.
  EXPECT_EQ(results([](auto* r) { r->set_as_of_business_date("2024-03-31"); }, head),
            Summaries{"maart: 12 koppels"});
  EXPECT_EQ(results([](auto* r) { r->set_as_of_business_date("2024-05-01"); }, head),
            (Summaries{"mei: 30 koppels", "maart: 12 koppels"}));  // in record order
  // Before the result's day, the action exists but has no results yet.
  EXPECT_EQ(results([](auto* r) { r->set_as_of_business_date("2024-02-01"); }, head), Summaries{});

  // Record time: what the log held at that instant. Just after May's result was recorded, March's
  // was not there yet, although it happened earlier.
  EXPECT_EQ(results([&](auto* r) { *r->mutable_as_of_time() = may_recorded; }, may),
            Summaries{"mei: 30 koppels"});
  EXPECT_EQ(results([&](auto* r) { *r->mutable_as_of_time() = late_recorded; }, late),
            (Summaries{"mei: 30 koppels", "maart: 12 koppels"}));

  // Before the action's business day it does not exist at all.
  v1::GetActionRequest before;
  before.set_action_id("taalmaatjes");
  before.set_as_of_business_date("2024-01-09");
  auto missing = Call(server_, &S::GetAction, before);
  EXPECT_TRUE(StatusIs(missing.status, grpc::StatusCode::NOT_FOUND, "taalmaatjes"));
}

// ---- Errors ------------------------------------------------------------------------------------

using TimeTravelErrorsTest = SeededServerTest;

TEST_F(TimeTravelErrorsTest, EachWrongRequestGetsItsOwnCode) {
  v1::GetProgrammeRequest two;
  two.set_as_of_position(1);
  two.set_as_of_business_date("2024-06-30");
  EXPECT_TRUE(StatusIs(Call(server_, &S::GetProgramme, two).status,
                       grpc::StatusCode::INVALID_ARGUMENT,
                       "at most one of as_of_position, as_of_time and as_of_business_date"));

  v1::ListKpisRequest beyond;
  beyond.set_as_of_position(base_ + 1);
  EXPECT_TRUE(StatusIs(Call(server_, &S::ListKpis, beyond).status, grpc::StatusCode::OUT_OF_RANGE,
                       "as_of_position " + std::to_string(base_ + 1) +
                           " is beyond the log's head " + std::to_string(base_)));

  v1::GetFundsRequest bad_date;
  bad_date.set_as_of_business_date("2024-13-01");
  EXPECT_TRUE(StatusIs(Call(server_, &S::GetFunds, bad_date).status,
                       grpc::StatusCode::INVALID_ARGUMENT, "as_of_business_date: '2024-13-01'"));

  v1::GetAgendaRequest bad_time;
  bad_time.mutable_as_of_time()->set_nanos(-5);
  EXPECT_TRUE(StatusIs(Call(server_, &S::GetAgenda, bad_time).status,
                       grpc::StatusCode::INVALID_ARGUMENT, "as_of_time"));

  v1::GetProjectBookRequest anonymous;
  anonymous.set_as_of_position(1);
  EXPECT_TRUE(StatusIs(
      Call(server_, &S::GetProjectBook, anonymous, ServerProcess::kRpcDeadline, Auth::kNone).status,
      grpc::StatusCode::UNAUTHENTICATED));

  // The partner did not exist yet at position 1 (the pillar's definition).
  v1::GetPartnerRequest early;
  early.set_partner_id("vidomes");
  early.set_as_of_position(1);
  EXPECT_TRUE(StatusIs(Call(server_, &S::GetPartner, early).status, grpc::StatusCode::NOT_FOUND,
                       "vidomes"));
}

TEST_F(TimeTravelErrorsTest, PositionZeroIsNowAndMinPositionIsIgnoredWithABound) {
  v1::GetProgrammeRequest now;
  now.set_as_of_position(0);
  now.set_min_position(base_);  // "now" honours it: the views may still be folding the seed
  EXPECT_EQ(MustCall(server_, &S::GetProgramme, now).as_of_position(), base_);

  // A min_position far ahead would wait out the deadline; with a bound it is not looked at.
  v1::GetProgrammeRequest bounded;
  bounded.set_min_position(base_ + 1000);
  bounded.set_as_of_position(2);
  auto r = Call(server_, &S::GetProgramme, bounded, std::chrono::seconds(5));
  ASSERT_TRUE(r.status.ok()) << Describe(r.status);
  EXPECT_EQ(r.response.as_of_position(), 2u);

  // Before the first event: an empty programme at position 0.
  v1::GetProgrammeRequest before;
  before.mutable_as_of_time()->set_seconds(0);
  auto empty = MustCall(server_, &S::GetProgramme, before);
  EXPECT_EQ(empty.as_of_position(), 0u);
  EXPECT_EQ(empty.pillars_size(), 0);
}

// ---- HTTP
// ----------------------------------------------------------------------------------------

std::string Json(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &out, options).ok());
  return out;
}

TEST_F(TimeTravelErrorsTest, TheGatewayTakesTheSameBounds) {
  const std::string http = server_.http_address();
  ASSERT_FALSE(http.empty());
  const Headers auth = {{"Authorization", "Bearer " + server_.token()}};
  MustAppend(server_, MakeRequest("action-taalmaatjes", {MakeActionStarted("taalmaatjes")}));
  const uint64_t p = base_ + 1;
  MustAppend(server_, MakeRequest("action-taalmaatjes",
                                  {MakeResultRecorded("taalmaatjes", "later result")}));

  // The same JSON as the gRPC answer for the same bound.
  v1::GetActionRequest request;
  request.set_action_id("taalmaatjes");
  request.set_as_of_position(p);
  HttpResponse r =
      HttpGet(http, "/api/v1/actions/taalmaatjes?as_of_position=" + std::to_string(p), auth);
  ASSERT_EQ(r.status, 200) << r.error << r.Text();
  EXPECT_EQ(r.Text(), Json(MustCall(server_, &S::GetAction, request)));
  EXPECT_EQ(r.Text().find("later result"), std::string::npos);

  // RFC 3339 record time ('+' written as %2B in a query string) and the project book's Markdown.
  const google::protobuf::Timestamp t = RecordedAt(server_, p);
  const std::string rfc3339 = TimeUtil::ToString(t);  // "...Z"
  r = HttpGet(http, "/api/v1/project-book?format=markdown&as_of_time=" + rfc3339, auth);
  ASSERT_EQ(r.status, 200) << r.error << r.Text();
  v1::GetProjectBookRequest book;
  *book.mutable_as_of_time() = t;
  EXPECT_EQ(r.Text(), MustCall(server_, &S::GetProjectBook, book).markdown());

  r = HttpGet(http, "/api/v1/programme?as_of_business_date=2024-06-30", auth);
  EXPECT_EQ(r.status, 200) << r.Text();

  r = HttpGet(http, "/api/v1/funds?as_of_position=1&as_of_business_date=2024-06-30", auth);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.Text().find("at most one of"), std::string::npos) << r.Text();
  r = HttpGet(http, "/api/v1/funds?as_of_position=" + std::to_string(p + 5), auth);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.Text().find("OUT_OF_RANGE"), std::string::npos) << r.Text();
  r = HttpGet(http, "/api/v1/kpis?as_of_time=30-06-2024", auth);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.Text().find("RFC 3339"), std::string::npos) << r.Text();
  r = HttpGet(http, "/api/v1/kpis?as_of_business_date=30-06-2024", auth);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.Text().find("YYYY-MM-DD"), std::string::npos) << r.Text();
}

}  // namespace
}  // namespace itest
