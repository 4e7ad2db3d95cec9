#include "services/gateway/url.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

TEST(PercentDecode, DecodesEscapesAndPlusInQueries) {
  EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(PercentDecode("%C3%A9t%c3%a9", false), "\xC3\xA9t\xC3\xA9");
}

TEST(PercentDecode, RefusesMalformedEscapesAndNul) {
  EXPECT_EQ(PercentDecode("%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%zz", false), std::nullopt);
  EXPECT_EQ(PercentDecode("a%00b", false), std::nullopt);
}

TEST(PercentEncode, KeepsUnreservedOnly) {
  EXPECT_EQ(PercentEncode("wbk_A-z.9~"), "wbk_A-z.9~");
  EXPECT_EQ(PercentEncode("a b;c=d"), "a%20b%3Bc%3Dd");
}

TEST(QueryParams, ParsesPairsInOrder) {
  auto p = QueryParams::Parse("pillar=jeugd&q=taal+maatjes&empty=&flag&&pillar=x");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->Get("pillar"), "jeugd");  // the first wins
  EXPECT_EQ(p->Get("q"), "taal maatjes");
  EXPECT_EQ(p->Get("empty"), "");
  EXPECT_EQ(p->Get("flag"), "");
  EXPECT_EQ(p->Get("missing"), std::nullopt);
  EXPECT_EQ(p->pairs().size(), 5u);
}

TEST(QueryParams, GetListSplitsCommasAndRepeats) {
  auto p = QueryParams::Parse("types=ResultRecorded,%20ActionStarted&types=PartnerJoined&types=");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->GetList("types"),
            (std::vector<std::string>{"ResultRecorded", "ActionStarted", "PartnerJoined"}));
}

TEST(QueryParams, MalformedEscapeFails) { EXPECT_FALSE(QueryParams::Parse("a=%G1")); }

TEST(SplitTarget, SplitsPathAndQuery) {
  auto t = SplitTarget("/api/v1/actions?status=in-progress&q=a%26b");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/api/v1/actions");
  EXPECT_EQ(t->query, "status=in-progress&q=a%26b");
}

TEST(SplitTarget, DecodesThePathButNotPlus) {
  auto t = SplitTarget("/assets/a%20b+c.js");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/assets/a b+c.js");
}

TEST(SplitTarget, RefusesNonOriginForms) {
  EXPECT_FALSE(SplitTarget("*"));
  EXPECT_FALSE(SplitTarget("http://example.org/"));
  EXPECT_FALSE(SplitTarget(""));
  EXPECT_FALSE(SplitTarget("/a%zz"));
}

TEST(CookieValue, FindsTheNamedCookie) {
  EXPECT_EQ(CookieValue("a=1; wijkboek_session=wbk_x; b=2", "wijkboek_session"), "wbk_x");
  EXPECT_EQ(CookieValue("wijkboek_session=\"q\"", "wijkboek_session"), "q");
  EXPECT_EQ(CookieValue("xwijkboek_session=1", "wijkboek_session"), std::nullopt);
  EXPECT_EQ(CookieValue("", "wijkboek_session"), std::nullopt);
  EXPECT_EQ(CookieValue("novalue; wijkboek_session=", "wijkboek_session"), "");
}

TEST(AcceptsGzip, HonoursQualityValues) {
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, gzip;q=0.8"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));
}

TEST(SplitHostPort, ParsesV4V6AndPortZero) {
  EXPECT_EQ(SplitHostPort("127.0.0.1:8080"),
            std::make_pair(std::string("127.0.0.1"), static_cast<unsigned short>(8080)));
  EXPECT_EQ(SplitHostPort("[::1]:0"),
            std::make_pair(std::string("::1"), static_cast<unsigned short>(0)));
  EXPECT_FALSE(SplitHostPort("127.0.0.1"));
  EXPECT_FALSE(SplitHostPort("127.0.0.1:"));
  EXPECT_FALSE(SplitHostPort("127.0.0.1:70000"));
  EXPECT_FALSE(SplitHostPort(":80"));
  EXPECT_FALSE(SplitHostPort("[::1]80"));
}

}  // namespace
}  // namespace gateway
