// What survives a restart: a clean stop (SIGTERM) and a crash (SIGKILL while clients append).

#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "append_attempts.h"
#include "eventlog_helpers.h"

namespace itest {
namespace {

// On the seed (SeedPrerequisites): the test's own events start at position base_ + 1.
using DurabilityTest = SeededServerTest;

std::vector<v1::AppendRequest> AppendSomeHistory(ServerProcess& server) {
  std::vector<v1::AppendRequest> requests;
  for (int i = 0; i < 6; ++i) {
    const std::string a = "a" + std::to_string(i);
    requests.push_back(
        MakeRequest("action-" + a, {MakeActionStarted(a), MakeResultRecorded(a, "r")}));
    requests.push_back(
        MakeRequest("partner-p" + std::to_string(i), {MakePartnerJoined("p" + std::to_string(i))}));
    requests.push_back(MakeRequest("programme", {MakeDecisionRecorded("d" + std::to_string(i))}));
  }
  for (const auto& r : requests) MustAppend(server, r);
  return requests;
}

TEST_F(DurabilityTest, SigtermExitsZero) {
  AppendSomeHistory(server_);
  EXPECT_EQ(server_.Stop(), 0);
}

TEST_F(DurabilityTest, SigtermWithAnOpenSubscriptionExitsZero) {
  AppendSomeHistory(server_);
  Subscription sub(server_, [] {
    v1::SubscribeRequest r;
    r.set_from_position(1);
    return r;
  }());
  ASSERT_TRUE(sub.WaitForCaughtUp());
  EXPECT_EQ(server_.Stop(), 0);
  EXPECT_TRUE(WaitUntil([&] { return sub.Ended(); }, std::chrono::seconds(5)))
      << "the subscription outlived the server";
}

TEST_F(DurabilityTest, RestartKeepsEventsHeadAndChainAndAppendsContinue) {
  const std::vector<v1::AppendRequest> history = AppendSomeHistory(server_);
  const std::vector<v1::Event> before = MustReadLog(server_);
  const v1::GetHeadResponse head = MustGetHead(server_);
  const std::string token = server_.token();
  ASSERT_EQ(before.size(), base_ + 24);

  ASSERT_EQ(server_.Stop(), 0);
  ASSERT_TRUE(server_.Restart());
  EXPECT_EQ(server_.token(), token) << "the admin token changed across a restart";

  const std::vector<v1::Event> after = MustReadLog(server_);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_TRUE(SameMessage(after[i], before[i]))
        << "position " << i + 1 << " differs after restart";
  }
  const v1::GetHeadResponse head_after = MustGetHead(server_);
  EXPECT_EQ(head_after.position(), head.position());
  EXPECT_EQ(head_after.hash(), head.hash());

  // Appends continue the positions, the stream revisions and the chain.
  const v1::AppendResponse next = MustAppend(
      server_, MakeRequest("action-a0", Exact(1), {MakeResultRecorded("a0", "na herstart")}));
  EXPECT_EQ(next.first_position(), head.position() + 1);
  EXPECT_EQ(next.stream_revision(), 2u);
  const v1::AppendResponse fresh =
      MustAppend(server_, MakeRequest("programme", {MakeDecisionRecorded("d9")}));
  EXPECT_EQ(fresh.first_position(), head.position() + 2);
  EXPECT_EQ(fresh.stream_revision(), 6u);
  const std::vector<v1::Event> log = MustReadLog(server_);
  EXPECT_TRUE(ChainIsIntact(log));
  ASSERT_EQ(log.size(), base_ + 26);
  EXPECT_EQ(log[head.position()].prev_hash(), head.hash());

  // Event ids are remembered across the restart.
  const AppendResult retry = Append(server_, history[0]);
  ASSERT_TRUE(retry.status.ok()) << Describe(retry.status);
  EXPECT_TRUE(retry.response.deduplicated());
  EXPECT_EQ(retry.response.first_position(), base_ + 1);
  EXPECT_EQ(retry.response.last_position(), base_ + 2);
}

// ---- kill -9 -----------------------------------------------------------------------------------
// (Longer: the crash-loop test in tests/fault/.)

TEST_F(DurabilityTest, KillDuringConcurrentAppendsLosesNoAcknowledgedEvent) {
  constexpr int kCycles = 3;
  constexpr int kClients = 8;
  constexpr int kAcksBeforeKill = 150;  // acknowledged requests per cycle before the kill
  std::vector<Attempt> attempts;        // over all cycles, from the seed on
  for (size_t i = 0; i < seed_.requests.size(); ++i) {
    attempts.push_back({seed_.requests[i], /*acknowledged=*/true, seed_.responses[i]});
  }

  for (int cycle = 0; cycle < kCycles; ++cycle) {
    SCOPED_TRACE("kill cycle " + std::to_string(cycle));
    std::mutex mu;
    std::vector<Attempt> cycle_attempts;  // guarded by mu
    std::atomic<int> acks{0};
    std::atomic<bool> killed{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        const std::string own = "c" + std::to_string(c) + "-" + std::to_string(cycle);
        for (int n = 0; !killed; ++n) {
          std::vector<v1::ProposedEvent> events;
          const int size = 1 + (n + c) % 3;
          for (int i = 0; i < size; ++i) {
            events.push_back(n == 0 && i == 0 ? MakeActionStarted(own)
                                              : MakeResultRecorded(own, "r"));
          }
          // Every other request goes to a stream all clients share (decision ids are unique).
          Attempt attempt;
          attempt.request =
              n % 2 == 0
                  ? MakeRequest("action-" + own, std::move(events))
                  : MakeRequest("programme", {MakeDecisionRecorded(own + "-" + std::to_string(n))});
          const AppendResult r = Append(server_, attempt.request);
          attempt.acknowledged = r.status.ok();
          attempt.response = r.response;
          std::lock_guard lock(mu);
          cycle_attempts.push_back(std::move(attempt));
          if (!r.status.ok()) return;  // the server is gone (or refused: checked below)
          ++acks;
        }
      });
    }
    const bool enough =
        WaitUntil([&] { return acks >= kAcksBeforeKill; }, std::chrono::seconds(60));
    server_.Kill();
    killed = true;
    for (auto& t : clients) t.join();
    EXPECT_TRUE(enough) << "only " << acks << " acknowledged appends before the kill";

    ASSERT_TRUE(server_.Restart());
    const size_t first_new = attempts.size();
    attempts.insert(attempts.end(), cycle_attempts.begin(), cycle_attempts.end());
    const std::vector<bool> present = ExpectLogHonoursAttempts(server_, attempts).present;
    if (HasFailure()) return;

    // A client retrying what it never heard back about gets exactly-once: the original positions
    // when the events made it, a fresh append when they did not.
    size_t unacknowledged = 0, stored = 0;
    for (size_t a = first_new; a < attempts.size(); ++a) {
      if (attempts[a].acknowledged) continue;
      ++unacknowledged;
      stored += present[a] ? 1 : 0;
      const AppendResult retry = Append(server_, attempts[a].request);
      ASSERT_TRUE(retry.status.ok()) << "retry after the crash: " << Describe(retry.status);
      EXPECT_EQ(retry.response.deduplicated(), present[a]);
      attempts[a].acknowledged = true;
      attempts[a].response = retry.response;
    }
    std::cout << "kill cycle " << cycle << ": " << attempts.size() - first_new - unacknowledged
              << " appends acknowledged, " << unacknowledged << " not (" << stored
              << " of those stored anyway), log head " << MustGetHead(server_).position() << "\n";
    ExpectLogHonoursAttempts(server_, attempts);
  }
}

}  // namespace
}  // namespace itest
