#include "services/gateway/sse_format.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

std::vector<SseMessage> ParseAll(std::string_view bytes) {
  SseParser parser;
  std::vector<SseMessage> out;
  parser.Feed(bytes, &out);
  return out;
}

TEST(SseEventFrame, IdThenDataThenBlankLine) {
  EXPECT_EQ(SseEventFrame(42, "", "{\"a\":1}"), "id: 42\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(SseEventFrame(7, "ResultRecorded", "x"), "id: 7\nevent: ResultRecorded\ndata: x\n\n");
}

TEST(SseEventFrame, SplitsLineBreaksIntoDataLines) {
  EXPECT_EQ(SseEventFrame(1, "", "a\nb\r\nc\rd"), "id: 1\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
}

TEST(SseFraming, CommentsCheckpointsAndRetry) {
  EXPECT_EQ(SseComment("keep-alive"), ": keep-alive\n\n");
  EXPECT_EQ(SseCheckpoint(99), "id: 99\n\n");
  EXPECT_EQ(SseRetry(2000), "retry: 2000\n\n");
}

TEST(EventJson, SnakeCaseOnOneLine) {
  wijkboek::v1::Event e;
  e.set_position(5);
  e.set_stream("action-x");
  e.set_stream_revision(2);
  e.set_type("ResultRecorded");
  e.mutable_payload()->mutable_result_recorded()->set_action_id("x");
  e.mutable_payload()->mutable_result_recorded()->set_summary("line1\nline2");
  std::string json = EventJson(e);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_NE(json.find("\"stream_revision\":\"2\""), std::string::npos);
  EXPECT_NE(json.find("\"result_recorded\""), std::string::npos);
}

TEST(SseParser, RoundTripsFrames) {
  std::string bytes = SseRetry(1000) + SseComment("hello") + SseEventFrame(1, "", "one") +
                      SseEventFrame(2, "T", "two\nlines") + SseCheckpoint(10) +
                      SseEventFrame(11, "", "eleven");
  auto messages = ParseAll(bytes);
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0].comment, "hello");
  EXPECT_EQ(messages[1].id, "1");
  EXPECT_EQ(messages[1].data, "one");
  EXPECT_EQ(messages[2].id, "2");
  EXPECT_EQ(messages[2].event, "T");
  EXPECT_EQ(messages[2].data, "two\nlines");
  EXPECT_EQ(messages[3].id, "11");
}

TEST(SseParser, CheckpointMovesTheLastIdWithoutAnEvent) {
  auto messages = ParseAll(SseCheckpoint(10) + "data: x\n\n");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].id, "10");
  EXPECT_FALSE(messages[0].has_id);
}

TEST(SseParser, BytesMaySplitAnywhere) {
  std::string bytes =
      SseEventFrame(1, "", "one") + "id: 2\r\ndata: two\r\n\r\n" + SseEventFrame(3, "", "three");
  for (std::size_t chunk = 1; chunk <= 7; ++chunk) {
    SseParser parser;
    std::vector<SseMessage> out;
    for (std::size_t i = 0; i < bytes.size(); i += chunk) {
      parser.Feed(std::string_view(bytes).substr(i, chunk), &out);
    }
    ASSERT_EQ(out.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(out[1].id, "2");
    EXPECT_EQ(out[1].data, "two");
    EXPECT_EQ(out[2].data, "three");
  }
}

TEST(ParseLastEventId, NumbersOnly) {
  EXPECT_EQ(ParseLastEventId("42"), 42u);
  EXPECT_EQ(ParseLastEventId(" 42 "), 42u);
  EXPECT_EQ(ParseLastEventId(""), std::nullopt);
  EXPECT_EQ(ParseLastEventId("4x"), std::nullopt);
  EXPECT_EQ(ParseLastEventId("-1"), std::nullopt);
}

TEST(ParseLiveRequest, LastEventIdWinsOverFrom) {
  auto params = QueryParams::Parse("from=1&types=ResultRecorded&stream_prefix=action-,partner-");
  ASSERT_TRUE(params);
  auto r = ParseLiveRequest(*params, "41");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(FirstPosition(*r, 100), 42u);
  EXPECT_EQ(r->filter.types, std::vector<std::string>{"ResultRecorded"});
  EXPECT_EQ(r->filter.stream_prefixes, (std::vector<std::string>{"action-", "partner-"}));
  EXPECT_FALSE(r->named);
}

TEST(ParseLiveRequest, FromZeroOrNothingMeansOnlyNew) {
  auto none = ParseLiveRequest(*QueryParams::Parse(""), "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(FirstPosition(*none, 100), 101u);
  auto zero = ParseLiveRequest(*QueryParams::Parse("from=0"), "");
  EXPECT_EQ(FirstPosition(*zero, 100), 101u);
  auto one = ParseLiveRequest(*QueryParams::Parse("from=1&named=1"), "");
  EXPECT_EQ(FirstPosition(*one, 100), 1u);
  EXPECT_TRUE(one->named);
}

TEST(ParseLiveRequest, RefusesNonNumbers) {
  EXPECT_EQ(ParseLiveRequest(*QueryParams::Parse("from=abc"), "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseLiveRequest(*QueryParams::Parse(""), "x").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SseFilter, PrefixesAndTypes) {
  SseFilter all;
  EXPECT_TRUE(all.Matches("partner-a", "PartnerJoined"));
  SseFilter f{{"action-"}, {"ResultRecorded", "ActionStarted"}};
  EXPECT_TRUE(f.Matches("action-x", "ResultRecorded"));
  EXPECT_FALSE(f.Matches("partner-x", "ResultRecorded"));
  EXPECT_FALSE(f.Matches("action-x", "FundsAllocated"));
}

}  // namespace
}  // namespace gateway
