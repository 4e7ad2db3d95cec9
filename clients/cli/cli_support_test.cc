#include "clients/cli/cli_support.h"

#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace wijkboek::cli {
namespace {

constexpr char kActionStarted[] =
    R"({"event_id":"6f1c0a52-3f7e-4c59-9d1a-2b8e5f4c7a10","payload":{"action_started":)"
    R"({"action_id":"taalmaatjes","goal_id":"jo-leerachterstanden-ingelopen",)"
    R"("title":"Taalmaatjes","owner_partner_id":"bibliotheek"}},"metadata":{"source":"cli"}})";

TEST(ParseExpectedRevision, AcceptsKeywordsAndNumbers) {
  EXPECT_TRUE(ParseExpectedRevision("any")->any());
  EXPECT_TRUE(ParseExpectedRevision("no-stream")->no_stream());
  EXPECT_TRUE(ParseExpectedRevision("exists")->stream_exists());
  absl::StatusOr<v1::ExpectedRevision> exact = ParseExpectedRevision("7");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->kind_case(), v1::ExpectedRevision::kExact);
  EXPECT_EQ(exact->exact(), 7u);
  EXPECT_EQ(ParseExpectedRevision("0")->kind_case(), v1::ExpectedRevision::kExact);
}

TEST(ParseExpectedRevision, RejectsOtherText) {
  for (const char* text : {"", "-1", "+3", "3x", "Any", "nostream", "99999999999999999999999"}) {
    EXPECT_EQ(ParseExpectedRevision(text).status().code(), absl::StatusCode::kInvalidArgument)
        << text;
  }
}

TEST(ParseActionStatus, AcceptsTheCommandLineNames) {
  EXPECT_EQ(*ParseActionStatus("planned"), v1::ACTION_STATUS_PLANNED);
  EXPECT_EQ(*ParseActionStatus("in-progress"), v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_EQ(*ParseActionStatus("in_progress"), v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_EQ(*ParseActionStatus("continued-in-regular-work"),
            v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK);
  EXPECT_EQ(*ParseActionStatus("stopped"), v1::ACTION_STATUS_STOPPED);
}

TEST(ParseActionStatus, RejectsOtherTextListingTheChoices) {
  absl::StatusOr<v1::ActionStatus> status = ParseActionStatus("bezig");
  EXPECT_EQ(status.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.status().message().find("planned, in-progress, ongoing"), std::string::npos);
  EXPECT_FALSE(ParseActionStatus("").ok());
  EXPECT_FALSE(ParseActionStatus("IN-PROGRESS").ok());
}

TEST(ReadProposedEvents, ParsesLinesAndSkipsBlankOnes) {
  std::istringstream in(std::string("\n") + kActionStarted + "\n   \n" + kActionStarted + "\r\n");
  absl::StatusOr<std::vector<v1::ProposedEvent>> events = ReadProposedEvents(in);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].event_id(), "6f1c0a52-3f7e-4c59-9d1a-2b8e5f4c7a10");
  EXPECT_EQ((*events)[0].payload().action_started().owner_partner_id(), "bibliotheek");
  EXPECT_EQ((*events)[0].metadata().at("source"), "cli");
}

TEST(ReadProposedEvents, GeneratesMissingEventIds) {
  std::istringstream in(
      "{\"payload\":{\"signal_raised\":{\"signal_id\":\"s1\"}}}\n"
      "{\"payload\":{\"signal_raised\":{\"signal_id\":\"s2\"}}}\n");
  absl::StatusOr<std::vector<v1::ProposedEvent>> events = ReadProposedEvents(in);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].event_id().size(), 36u);
  EXPECT_NE((*events)[0].event_id(), (*events)[1].event_id());
}

TEST(ReadProposedEvents, ParseErrorNamesTheLine) {
  std::istringstream in(std::string(kActionStarted) + "\n\n{\"payload\": oops}\n");
  absl::StatusOr<std::vector<v1::ProposedEvent>> events = ReadProposedEvents(in);
  EXPECT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(events.status().message().substr(0, 7), "line 3:");
}

TEST(ReadProposedEvents, UnknownFieldIsAnError) {
  std::istringstream in("{\"payload\":{\"action_started\":{\"actoin_id\":\"x\"}}}\n");
  EXPECT_EQ(ReadProposedEvents(in).status().message().substr(0, 7), "line 1:");
}

TEST(ReadProposedEvents, LineWithoutPayloadIsAnError) {
  std::istringstream in("{\"event_id\":\"e1\"}\n");
  EXPECT_EQ(ReadProposedEvents(in).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ReadProposedEvents, EmptyInputIsAnError) {
  std::istringstream in("\n  \n");
  EXPECT_EQ(ReadProposedEvents(in).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(NewUuidV4, HasVersionAndVariantBits) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewUuidV4();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[13], '-');
    EXPECT_EQ(id[14], '4');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(ToJsonLine, UsesProtoFieldNamesOnOneLine) {
  v1::AppendResponse response;
  response.set_first_position(3);
  response.set_last_position(4);
  response.set_stream_revision(2);
  EXPECT_EQ(ToJsonLine(response).value_or(""),
            R"({"first_position":"3","last_position":"4","stream_revision":"2"})");
}

TEST(ToJsonLine, RefusesTimestampOutOfRange) {
  v1::Event event;
  event.mutable_recorded_at()->set_seconds(-1'000'000'000'000);
  EXPECT_FALSE(ToJsonLine(event).ok());
}

}  // namespace
}  // namespace wijkboek::cli
