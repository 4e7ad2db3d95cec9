// The live feed (/api/v1/events/live) over real HTTP: history then live, resuming with
// Last-Event-ID without gap or duplicate while events are appended over gRPC, only-new, filters,
// a client that stops reading while thousands of events arrive, and shutdown.

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <thread>

#include "eventlog_helpers.h"
#include "gateway_fixture.h"
#include "http_client.h"

namespace itest {
namespace {

std::vector<std::uint64_t> Range(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> out(to - from + 1);
  std::iota(out.begin(), out.end(), from);
  return out;
}

v1::AppendResponse AppendResults(ServerProcess& server, int count, const std::string& text) {
  std::vector<v1::ProposedEvent> events;
  for (int i = 0; i < count; ++i) {
    events.push_back(MakeResultRecorded("taalmaatjes", text + " " + std::to_string(i)));
  }
  return MustAppend(server, MakeRequest("action-taalmaatjes", std::move(events)));
}

TEST_F(GatewayTest, LiveFeedSendsHistoryThenLiveEvents) {
  Headers headers = Bearer();
  headers.emplace_back("Accept-Encoding", "gzip");
  SseClient feed(http(), "/api/v1/events/live?from=1", headers);
  ASSERT_EQ(feed.head().status, 200) << feed.head().error;
  EXPECT_EQ(feed.head().Header("content-type"), "text/event-stream; charset=utf-8");
  EXPECT_EQ(feed.head().Header("content-encoding"), "");  // never compressed
  EXPECT_NE(feed.head().Header("cache-control").find("no-store"), std::string::npos);
  ASSERT_TRUE(feed.ReadUntil([&](const auto& m) { return Positions(m).size() >= seeded_; }));
  EXPECT_EQ(Positions(feed.messages()), Range(1, seeded_));

  v1::AppendResponse live = AppendResults(server_, 3, "live");
  ASSERT_TRUE(
      feed.ReadUntil([&](const auto& m) { return Positions(m).size() >= live.last_position(); }));
  EXPECT_EQ(Positions(feed.messages()), Range(1, live.last_position()));
  auto events = feed.Events();
  const auto& last = events.back();
  EXPECT_EQ(last.id, std::to_string(live.last_position()));
  EXPECT_EQ(last.event, "");  // unnamed: reaches EventSource.onmessage
  EXPECT_NE(last.data.find("\"type\":\"ResultRecorded\""), std::string::npos) << last.data;
  EXPECT_NE(last.data.find("\"stream\":\"action-taalmaatjes\""), std::string::npos);
  EXPECT_NE(last.data.find("\"position\":\"" + last.id + "\""), std::string::npos);
  EXPECT_NE(last.data.find("live 2"), std::string::npos);
  EXPECT_NE(feed.raw().find("retry: "), std::string::npos);
}

TEST_F(GatewayTest, LastEventIdResumesWithoutGapOrDuplicateWhileAppending) {
  constexpr int kAppends = 300;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < kAppends; ++i)
      AppendResults(server_, 1 + i % 3, "burst " + std::to_string(i));
    done = true;
  });
  std::vector<std::uint64_t> seen;
  std::uint64_t last = 0;
  int connections = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < until) {
    Headers headers = Bearer();
    std::string target = "/api/v1/events/live";
    if (last == 0) {
      target += "?from=1";
    } else {
      // A reconnecting EventSource repeats its URL and adds Last-Event-ID, which must win.
      target += "?from=1";
      headers.emplace_back("Last-Event-ID", std::to_string(last));
    }
    SseClient feed(http(), target, headers);
    ASSERT_EQ(feed.head().status, 200) << feed.head().error;
    ++connections;
    // Take a handful of events, then drop the connection mid-stream.
    feed.ReadUntil([&](const auto& m) { return Positions(m).size() >= 25; },
                   std::chrono::milliseconds(done ? 300 : 3000));
    for (std::uint64_t p : Positions(feed.messages())) seen.push_back(p);
    if (!seen.empty()) last = seen.back();
    if (done && last == MustGetHead(server_).position()) break;
  }
  writer.join();
  const std::uint64_t head = MustGetHead(server_).position();
  EXPECT_GT(connections, 3);
  EXPECT_EQ(seen, Range(1, head)) << "after " << connections << " connections";
}

TEST_F(GatewayTest, FromZeroSendsOnlyNewEvents) {
  SseClient feed(http(), "/api/v1/events/live?from=0", Bearer());
  ASSERT_EQ(feed.head().status, 200);
  // The greeting comment proves the feed is set up before we append.
  ASSERT_TRUE(feed.ReadUntil([](const auto& m) { return !m.empty(); }));
  v1::AppendResponse r = AppendResults(server_, 1, "nieuw");
  ASSERT_TRUE(feed.ReadUntil([](const auto& m) { return !Positions(m).empty(); }));
  EXPECT_EQ(Positions(feed.messages()), std::vector<std::uint64_t>{r.last_position()});
}

TEST_F(GatewayTest, FiltersByTypeAndStreamPrefixAndNamesEventsOnRequest) {
  SseClient results(http(), "/api/v1/events/live?from=1&types=ResultRecorded&named=1", Bearer());
  SseClient partners(http(), "/api/v1/events/live?from=1&stream_prefix=partner-", Bearer());
  v1::AppendResponse r = AppendResults(server_, 2, "gefilterd");
  ASSERT_TRUE(results.ReadUntil([&](const auto& m) { return Positions(m).size() >= 3; }));
  EXPECT_EQ(Positions(results.messages()),
            (std::vector<std::uint64_t>{seeded_, r.last_position() - 1, r.last_position()}));
  for (const auto& m : results.Events()) EXPECT_EQ(m.event, "ResultRecorded");
  ASSERT_TRUE(partners.ReadUntil([&](const auto& m) { return Positions(m).size() >= 2; }));
  for (const auto& m : partners.Events()) {
    EXPECT_NE(m.data.find("\"stream\":\"partner-"), std::string::npos) << m.data;
  }
}

TEST_F(GatewayTest, NarrowFilterSkipsThousandsOfEventsPromptlyWithCheckpoints) {
  SseClient feed(http(), "/api/v1/events/live?from=0&types=PartnerJoined", Bearer());
  ASSERT_TRUE(feed.ReadUntil([](const auto& m) { return !m.empty(); }));
  for (int i = 0; i < 20; ++i) AppendResults(server_, 500, "ruis");
  v1::AppendResponse joined =
      MustAppend(server_, MakeRequest("partner-nieuw", {MakePartnerJoined("nieuw")}));
  // Well within the 15 s heartbeat that would otherwise be the next chance to go on.
  ASSERT_TRUE(feed.ReadUntil([](const auto& m) { return !Positions(m).empty(); },
                             std::chrono::seconds(5)));
  EXPECT_EQ(Positions(feed.messages()), std::vector<std::uint64_t>{joined.last_position()});
  // Checkpoints: an id without data moved the client's position past the skipped results.
  bool checkpoint = false;
  for (std::size_t at = feed.raw().find("id: "); at != std::string::npos;
       at = feed.raw().find("id: ", at + 1)) {
    std::size_t end = feed.raw().find('\n', at);
    if (end != std::string::npos && feed.raw().compare(end, 2, "\n\n") == 0) checkpoint = true;
  }
  EXPECT_TRUE(checkpoint) << feed.raw().substr(0, 400);
}

TEST_F(GatewayTest, AClientThatStopsReadingStillGetsEverythingInOrder) {
  SseClient feed(http(), "/api/v1/events/live?from=1", Bearer());
  ASSERT_EQ(feed.head().status, 200);
  // Far more than the feed's live queue (4096 events) and than the socket buffers hold, while
  // this client reads nothing: the feed must fall back to storage, not buffer or drop.
  std::uint64_t last = 0;
  for (int i = 0; i < 24; ++i) last = AppendResults(server_, 500, "stapel").last_position();
  ASSERT_TRUE(feed.ReadUntil([&](const auto& m) { return Positions(m).size() >= last; },
                             std::chrono::seconds(60)));
  EXPECT_EQ(Positions(feed.messages()), Range(1, last));
}

TEST_F(GatewayTest, StoppingTheServerEndsLiveFeeds) {
  SseClient feed(http(), "/api/v1/events/live?from=1", Bearer());
  ASSERT_TRUE(feed.ReadUntil([&](const auto& m) { return Positions(m).size() >= seeded_; }));
  EXPECT_EQ(server_.Stop(), 0);
  feed.ReadUntil([](const auto&) { return false; }, std::chrono::seconds(5));
  EXPECT_TRUE(feed.closed());
}

}  // namespace
}  // namespace itest
