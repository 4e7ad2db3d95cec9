#include "services/gateway/params.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

namespace v1 = ::wijkboek::v1;

QueryParams Q(std::string_view text) {
  auto p = QueryParams::Parse(text);
  EXPECT_TRUE(p);
  return p.value_or(QueryParams{});
}

TEST(ParseActionStatus, TakesSlugsAndEnumNames) {
  EXPECT_EQ(*ParseActionStatus("planned"), v1::ACTION_STATUS_PLANNED);
  EXPECT_EQ(*ParseActionStatus("in-progress"), v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_EQ(*ParseActionStatus("ongoing"), v1::ACTION_STATUS_ONGOING);
  EXPECT_EQ(*ParseActionStatus("extended"), v1::ACTION_STATUS_EXTENDED);
  EXPECT_EQ(*ParseActionStatus("continued-in-regular-work"),
            v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK);
  EXPECT_EQ(*ParseActionStatus("completed"), v1::ACTION_STATUS_COMPLETED);
  EXPECT_EQ(*ParseActionStatus("Stopped"), v1::ACTION_STATUS_STOPPED);
  EXPECT_EQ(*ParseActionStatus("ACTION_STATUS_IN_PROGRESS"), v1::ACTION_STATUS_IN_PROGRESS);
}

TEST(ParseActionStatus, UnknownListsTheAcceptedValues) {
  auto s = ParseActionStatus("busy");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("in-progress"), absl::string_view::npos);
  EXPECT_NE(s.status().message().find("'busy'"), absl::string_view::npos);
}

TEST(ActionStatusSlug, RoundTrips) {
  for (int i = 1; i <= 7; ++i) {
    auto status = static_cast<v1::ActionStatus>(i);
    EXPECT_EQ(*ParseActionStatus(ActionStatusSlug(status)), status);
  }
}

TEST(ParseUint, BoundsAndGarbage) {
  EXPECT_EQ(*ParseUint("n", "42", 100), 42u);
  EXPECT_FALSE(ParseUint("n", "101", 100).ok());
  EXPECT_FALSE(ParseUint("n", "-1", 100).ok());
  EXPECT_FALSE(ParseUint("n", "4x", 100).ok());
  EXPECT_FALSE(ParseUint("n", "", 100).ok());
  EXPECT_NE(ParseUint("page_size", "x", 10).status().message().find("page_size"),
            absl::string_view::npos);
}

TEST(ParseBool, Words) {
  EXPECT_TRUE(*ParseBool("b", ""));
  EXPECT_TRUE(*ParseBool("b", "true"));
  EXPECT_TRUE(*ParseBool("b", "1"));
  EXPECT_FALSE(*ParseBool("b", "false"));
  EXPECT_FALSE(*ParseBool("b", "0"));
  EXPECT_FALSE(ParseBool("b", "maybe").ok());
}

TEST(ActionsRequest, ReadsEveryFilter) {
  auto r =
      ActionsRequest(Q("pillar=jeugd&goal=g1&status=in-progress&partner=vidomes&q=taal&"
                       "page_size=20&page_token=abc&min_position=7&unknown=1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->pillar_id(), "jeugd");
  EXPECT_EQ(r->goal_id(), "g1");
  EXPECT_EQ(r->status(), v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_EQ(r->partner_id(), "vidomes");
  EXPECT_EQ(r->query(), "taal");
  EXPECT_EQ(r->page_size(), 20u);
  EXPECT_EQ(r->page_token(), "abc");
  EXPECT_EQ(r->min_position(), 7u);
}

TEST(ActionsRequest, BadValuesNameTheParameter) {
  auto r = ActionsRequest(Q("status=busy"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  r = ActionsRequest(Q("page_size=lots"));
  EXPECT_NE(r.status().message().find("page_size"), absl::string_view::npos);
  r = ActionsRequest(Q("min_position=-3"));
  EXPECT_NE(r.status().message().find("min_position"), absl::string_view::npos);
  r = ActionsRequest(Q("q=" + std::string(2000, 'a')));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(OtherRequests, ReadTheirParameters) {
  auto partners = PartnersRequest(Q("sector=onderwijs&role=bestuur&include_left=1"));
  ASSERT_TRUE(partners.ok());
  EXPECT_EQ(partners->sector(), "onderwijs");
  EXPECT_EQ(partners->role(), "bestuur");
  EXPECT_TRUE(partners->include_left());

  auto agenda = AgendaRequest(Q("from=2024-01-01&to=2024-12-31&pillar=jongeren"));
  ASSERT_TRUE(agenda.ok());
  EXPECT_EQ(agenda->from_date(), "2024-01-01");
  EXPECT_EQ(agenda->to_date(), "2024-12-31");
  EXPECT_EQ(agenda->pillar_id(), "jongeren");

  auto gaps = OwnershipGapsRequest(Q("stale_days=90"));
  ASSERT_TRUE(gaps.ok());
  EXPECT_EQ(gaps->stale_days(), 90u);

  auto partner = PartnerRequest("vidomes", Q("min_position=3"));
  ASSERT_TRUE(partner.ok());
  EXPECT_EQ(partner->partner_id(), "vidomes");
  EXPECT_EQ(partner->min_position(), 3u);

  EXPECT_EQ(CollaborationRequest(Q("pillar=p"))->pillar_id(), "p");
  EXPECT_EQ(KpisRequest(Q("pillar=p"))->pillar_id(), "p");
  EXPECT_EQ(ProjectBookRequest(Q("pillar=p"))->pillar_id(), "p");
  EXPECT_EQ(FundsRequest(Q("min_position=9"))->min_position(), 9u);
  EXPECT_EQ(ProgrammeRequest(Q(""))->min_position(), 0u);
}

TEST(ProjectBookFormat, HtmlByDefault) {
  EXPECT_EQ(*ProjectBookFormat(Q("")), BookFormat::kHtml);
  EXPECT_EQ(*ProjectBookFormat(Q("format=markdown")), BookFormat::kMarkdown);
  EXPECT_EQ(*ProjectBookFormat(Q("format=md")), BookFormat::kMarkdown);
  EXPECT_EQ(*ProjectBookFormat(Q("format=JSON")), BookFormat::kJson);
  EXPECT_FALSE(ProjectBookFormat(Q("format=pdf")).ok());
}

TEST(AsOfParams, EveryEndpointTakesTheThreeBounds) {
  auto r = ProgrammeRequest(Q("as_of_position=42"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->as_of_position(), 42u);
  EXPECT_FALSE(r->has_as_of_time());

  auto book = ProjectBookRequest(Q("as_of_time=2024-06-30T23:59:59%2B02:00&pillar=jeugd"));
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ(book->as_of_time().seconds(), 1719784799);  // 21:59:59 UTC
  EXPECT_EQ(book->pillar_id(), "jeugd");

  auto actions = ActionsRequest(Q("as_of_business_date=2024-06-30&status=completed"));
  ASSERT_TRUE(actions.ok());
  EXPECT_EQ(actions->as_of_business_date(), "2024-06-30");
  EXPECT_EQ(actions->status(), v1::ACTION_STATUS_COMPLETED);
}

TEST(AsOfParams, EmptyValuesAreAbsent) {
  auto r = KpisRequest(Q("as_of_position=&as_of_time=&as_of_business_date="));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->as_of_position(), 0u);
  EXPECT_FALSE(r->has_as_of_time());
  EXPECT_EQ(r->as_of_business_date(), "");
}

TEST(AsOfParams, BadValuesNameTheParameter) {
  auto position = FundsRequest(Q("as_of_position=yesterday"));
  EXPECT_EQ(position.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(position.status().message().find("as_of_position"), absl::string_view::npos);
  auto time = AgendaRequest(Q("as_of_time=2024-06-30"));
  EXPECT_EQ(time.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(time.status().message().find("as_of_time: '2024-06-30' is not an RFC 3339 time"),
            absl::string_view::npos)
      << time.status();
}

}  // namespace
}  // namespace gateway
