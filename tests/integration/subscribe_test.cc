// Catch-up subscriptions over real gRPC: history, exactly one caught_up marker, then live events;
// with and without filters.

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "eventlog_helpers.h"

namespace itest {
namespace {

// Starts on an empty log. Each test first seeds the programme its action events refer to
// (SeedPrerequisites, kSeedEvents events in streams of their own), so its own events start at
// base + 1; subscriptions from 1 see the seed too. OnEmptyLog... seeds only once subscribed.
using SubscribeTest = ServerTest;

v1::SubscribeRequest FromPosition(uint64_t position, v1::Filter filter = {}) {
  v1::SubscribeRequest request;
  request.set_from_position(position);
  *request.mutable_filter() = std::move(filter);
  return request;
}

std::vector<uint64_t> Positions(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.position());
  return out;
}

// Checks the marker protocol: exactly one caught_up; events before it are at or below its
// value, events after it above. Returns the marker's value (0 when the check failed).
uint64_t ExpectOneCaughtUpBetweenHistoryAndLive(const std::vector<v1::SubscribeResponse>& rs) {
  int markers = 0;
  uint64_t value = 0;
  uint64_t last_before = 0, first_after = 0;
  for (const auto& r : rs) {
    if (r.message_case() == v1::SubscribeResponse::kCaughtUp) {
      ++markers;
      value = r.caught_up();
    } else if (r.has_event()) {
      if (markers == 0) last_before = r.event().position();
      if (markers == 1 && first_after == 0) first_after = r.event().position();
    }
  }
  EXPECT_EQ(markers, 1) << "caught_up markers";
  if (markers != 1) return 0;
  EXPECT_LE(last_before, value) << "history went past the caught_up marker";
  if (first_after != 0) {
    EXPECT_GT(first_after, value) << "a live event at or below caught_up";
  }
  return value;
}

// A mixed log: actions (started in the call's first round; needs the seed), two partners,
// programme decisions. Rounds first_round .. first_round + rounds - 1: a later call on the same log
// goes on where the previous one stopped, so partner p0 and p1 join once (in rounds 0 and 1; later
// rounds update their profiles) and every decision id is new, as the rules on write require.
void AppendMixedEvents(ServerProcess& server, const std::vector<std::string>& actions, int rounds,
                       int first_round = 0) {
  for (int round = first_round; round < first_round + rounds; ++round) {
    for (const std::string& a : actions) {
      MustAppend(server, MakeRequest("action-" + a, {round == first_round
                                                         ? MakeActionStarted(a)
                                                         : MakeResultRecorded(a, "r")}));
    }
    const std::string partner = "p" + std::to_string(round % 2);
    v1::ProposedEvent partner_event = MakePartnerJoined(partner);
    if (round >= 2) {
      v1::Payload update;
      update.mutable_partner_profile_updated()->set_partner_id(partner);
      update.mutable_partner_profile_updated()->set_website("https://" + partner + ".nl");
      partner_event = MakeEvent(std::move(update));
    }
    MustAppend(server, MakeRequest("partner-" + partner, {std::move(partner_event)}));
    MustAppend(server,
               MakeRequest("programme", {MakeDecisionRecorded("d" + std::to_string(round))}));
  }
}

TEST_F(SubscribeTest, FromStartSeesEveryAcknowledgedEventOnceInOrderAcrossTheSwitchToLive) {
  constexpr int kWriters = 4;
  constexpr int kEventsPerWriter = 200;
  constexpr int kMaxEventsPerWriter = 1000;  // writers go on until the subscriber is live
  SeedPrerequisites(server_);
  for (int i = 0; i < 25; ++i) {
    const std::string a = NewId("hist");
    MustAppend(server_,
               MakeRequest("action-" + a, {MakeActionStarted(a), MakeResultRecorded(a, "r")}));
  }

  std::mutex mu;
  std::map<std::string, uint64_t> acknowledged;  // event_id -> position; guarded by mu
  std::vector<std::string> failures;             // guarded by mu
  std::atomic<bool> subscriber_live{false};
  auto writer = [&](int w) {
    const std::string a = NewId("w" + std::to_string(w));
    int written = 0;
    int requests_after_live = 0;  // begun after the subscriber saw caught_up: surely live
    for (int n = 0; written < kMaxEventsPerWriter; ++n) {
      if (written >= kEventsPerWriter && requests_after_live >= 2) break;
      const bool live = subscriber_live;
      std::vector<v1::ProposedEvent> events;
      const int size = 1 + (n + w) % 4;
      for (int i = 0; i < size; ++i) {
        events.push_back(written + i == 0 ? MakeActionStarted(a) : MakeResultRecorded(a, "r"));
      }
      const v1::AppendRequest request = MakeRequest("action-" + a, std::move(events));
      const AppendResult r = Append(server_, request);
      std::lock_guard lock(mu);
      if (!r.status.ok()) {
        failures.push_back(Describe(r.status));
        return;
      }
      for (int i = 0; i < size; ++i) {
        acknowledged[request.events(i).event_id()] = r.response.first_position() + i;
      }
      written += size;
      if (live) ++requests_after_live;
    }
  };
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) writers.emplace_back(writer, w);
  auto join_writers = [&] {
    subscriber_live = true;
    for (auto& t : writers) t.join();
    writers.clear();
  };
  // Subscribe once the writers are under way, so history and live traffic overlap.
  if (!WaitUntil([&] { return MustGetHead(server_).position() >= 100; },
                 std::chrono::seconds(30))) {
    join_writers();
    FAIL() << "the writers did not reach position 100 within 30 s";
  }
  Subscription sub(server_, FromPosition(1));
  const bool caught_up = sub.WaitForCaughtUp(std::chrono::seconds(60));
  join_writers();
  ASSERT_TRUE(caught_up) << "no caught_up within 60 s";
  ASSERT_TRUE(failures.empty()) << failures.size() << " appends failed, first: " << failures[0];

  const uint64_t head = MustGetHead(server_).position();
  ASSERT_TRUE(sub.WaitForPosition(head)) << "subscription did not reach head " << head;
  const std::vector<v1::SubscribeResponse> responses = sub.Responses();
  const std::vector<v1::Event> events = sub.Events();
  const uint64_t marker = ExpectOneCaughtUpBetweenHistoryAndLive(responses);
  EXPECT_GE(marker, 100u);
  EXPECT_LT(marker, head) << "no live events after caught_up: the test did not cross the switch";

  std::vector<uint64_t> expected_positions;
  for (uint64_t p = 1; p <= head; ++p) expected_positions.push_back(p);
  ASSERT_EQ(Positions(events), expected_positions) << "not every event once, in position order";
  std::map<std::string, uint64_t> seen;
  for (const auto& e : events) seen[e.event_id()] = e.position();
  for (const auto& [id, position] : acknowledged) {
    auto it = seen.find(id);
    ASSERT_NE(it, seen.end()) << "acknowledged event " << id << " never delivered";
    EXPECT_EQ(it->second, position) << "event " << id;
  }
  // What the subscription delivered is what the log holds.
  const std::vector<v1::Event> log = MustReadLog(server_);
  ASSERT_EQ(log.size(), events.size());
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(events[i].hash(), log[i].hash()) << "position " << i + 1;
  }
}

// Subscribes from 1 with `filter`, appends more (live) events after caught_up, and checks the
// subscription delivered exactly the log's events that `matches`, in order, once.
void ExpectFilteredSubscriptionSeesExactlyTheMatchingEvents(
    ServerProcess& server, const v1::Filter& filter,
    const std::function<bool(const v1::Event&)>& matches, const v1::AppendRequest& sentinel) {
  SeedPrerequisites(server);
  const std::vector<std::string> actions = {"alpha", "beta", "gamma"};
  AppendMixedEvents(server, actions, 3);
  Subscription sub(server, FromPosition(1, filter));
  ASSERT_TRUE(sub.WaitForCaughtUp());
  AppendMixedEvents(server, {"delta"}, 2, /*first_round=*/3);
  const uint64_t last = MustAppend(server, sentinel).last_position();
  ASSERT_TRUE(sub.WaitForPosition(last)) << "the matching sentinel at " << last << " never arrived";

  std::vector<uint64_t> expected;
  for (const auto& e : MustReadLog(server)) {
    if (matches(e)) expected.push_back(e.position());
  }
  EXPECT_EQ(Positions(sub.Events()), expected);
  ExpectOneCaughtUpBetweenHistoryAndLive(sub.Responses());
}

TEST_F(SubscribeTest, StreamPrefixFilterSeesExactlyTheMatchingEvents) {
  v1::Filter filter;
  filter.add_stream_prefixes("action-");
  ExpectFilteredSubscriptionSeesExactlyTheMatchingEvents(
      server_, filter, [](const v1::Event& e) { return e.stream().rfind("action-", 0) == 0; },
      MakeRequest("action-delta", {MakeResultRecorded("delta", "sentinel")}));
}

TEST_F(SubscribeTest, SeveralStreamPrefixesSeeEventsMatchingAnyOfThem) {
  v1::Filter filter;
  filter.add_stream_prefixes("partner-");
  filter.add_stream_prefixes("action-beta");
  ExpectFilteredSubscriptionSeesExactlyTheMatchingEvents(
      server_, filter,
      [](const v1::Event& e) {
        return e.stream().rfind("partner-", 0) == 0 || e.stream() == "action-beta";
      },
      MakeRequest("partner-p9", {MakePartnerJoined("p9")}));
}

TEST_F(SubscribeTest, EventTypeFilterSeesExactlyTheMatchingEvents) {
  v1::Filter filter;
  filter.add_event_types("ResultRecorded");
  filter.add_event_types("PartnerJoined");
  ExpectFilteredSubscriptionSeesExactlyTheMatchingEvents(
      server_, filter,
      [](const v1::Event& e) {
        return e.type() == "ResultRecorded" || e.type() == "PartnerJoined";
      },
      MakeRequest("partner-p9", {MakePartnerJoined("p9")}));
}

TEST_F(SubscribeTest, StreamPrefixAndEventTypeFiltersBothApply) {
  v1::Filter filter;
  filter.add_stream_prefixes("action-alpha");
  filter.add_event_types("ResultRecorded");
  ExpectFilteredSubscriptionSeesExactlyTheMatchingEvents(
      server_, filter,
      [](const v1::Event& e) {
        return e.stream() == "action-alpha" && e.type() == "ResultRecorded";
      },
      MakeRequest("action-alpha", {MakeResultRecorded("alpha", "sentinel")}));
}

TEST_F(SubscribeTest, FromPositionZeroSeesOnlyNewEvents) {
  SeedPrerequisites(server_);
  AppendMixedEvents(server_, {"alpha"}, 3);
  const uint64_t head = MustGetHead(server_).position();
  Subscription sub(server_, FromPosition(0));
  ASSERT_TRUE(sub.WaitForCaughtUp());
  AppendMixedEvents(server_, {"beta"}, 2, /*first_round=*/3);
  const uint64_t last = MustGetHead(server_).position();
  ASSERT_TRUE(sub.WaitForPosition(last));
  std::vector<uint64_t> expected;
  for (uint64_t p = head + 1; p <= last; ++p) expected.push_back(p);
  EXPECT_EQ(Positions(sub.Events()), expected);
  ExpectOneCaughtUpBetweenHistoryAndLive(sub.Responses());
}

TEST_F(SubscribeTest, FromAPositionStartsThere) {
  const uint64_t base = SeedPrerequisites(server_).head;
  AppendMixedEvents(server_, {"alpha"}, 3);  // positions base + 1 .. base + 9
  Subscription sub(server_, FromPosition(base + 5));
  ASSERT_TRUE(sub.WaitForCaughtUp());
  MustAppend(server_, MakeRequest("action-alpha", {MakeResultRecorded("alpha", "live")}));
  ASSERT_TRUE(sub.WaitForPosition(base + 10));
  EXPECT_EQ(Positions(sub.Events()), (std::vector<uint64_t>{base + 5, base + 6, base + 7,
                                                            base + 8, base + 9, base + 10}));
  EXPECT_EQ(ExpectOneCaughtUpBetweenHistoryAndLive(sub.Responses()), base + 9);
}

TEST_F(SubscribeTest, OnAFreshLogCatchesUpThenDeliversLiveEvents) {
  Subscription sub(server_, FromPosition(1));
  ASSERT_TRUE(sub.WaitForCaughtUp());
  // Everything from here on is live: the seed, then an action in it.
  const Seed seed = SeedPrerequisites(server_);
  const uint64_t base = seed.head;
  const std::string a = NewId("a");
  const v1::AppendRequest request =
      MakeRequest("action-" + a, {MakeActionStarted(a), MakeResultRecorded(a, "r")});
  MustAppend(server_, request);
  ASSERT_TRUE(sub.WaitForPosition(base + 2));
  const std::vector<v1::Event> events = sub.Events();
  std::vector<uint64_t> expected;
  for (uint64_t p = 1; p <= base + 2; ++p) expected.push_back(p);
  ASSERT_EQ(Positions(events), expected);
  size_t i = kBootstrapEvents;  // the log starts with the bootstrap admin
  for (const v1::AppendRequest& sent : seed.requests) {
    for (const v1::ProposedEvent& e : sent.events()) {
      EXPECT_EQ(events[i++].event_id(), e.event_id()) << "seed event " << i;
    }
  }
  EXPECT_EQ(events[base].event_id(), request.events(0).event_id());
  EXPECT_TRUE(SameMessage(events[base + 1].payload(), request.events(1).payload()));
  EXPECT_EQ(ExpectOneCaughtUpBetweenHistoryAndLive(sub.Responses()), kBootstrapEvents);
}

}  // namespace
}  // namespace itest
