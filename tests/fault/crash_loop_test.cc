// The crash loop: many concurrent appenders and a live subscriber while wijkboekd is killed with
// SIGKILL at random moments, restarted, and checked after every cycle (tests/fault/README.md).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "append_attempts.h"
#include "eventlog_helpers.h"
#include "fault_env.h"
#include "views_helpers.h"

namespace itest {
namespace {

constexpr int kClients = 6;
constexpr int kMaxAcksBeforeKill = 400;  // the kill comes after 0..this many acknowledged appends
constexpr int kMaxJitterMicros = 20000;  // ... plus 0..this long
// No rate limit: the appenders share the admin principal and would otherwise be throttled.
const std::vector<std::string> kServerArgs = {"--max-append-rate", "0"};

// A subscriber that follows the log across kills: after each restart it subscribes again from the
// position after the last event it received, as a client should. It checks that the positions it
// receives, over all its connections, run 1, 2, 3, ... with no gap and no repeat.
class FollowingSubscriber {
 public:
  void Connect(ServerProcess& server) {
    v1::SubscribeRequest request;
    request.set_from_position(seen_.size() + 1);
    current_ = std::make_unique<Subscription>(server, request);
    ++connections_;
  }
  // Takes what the current connection delivered (the server is gone or stopping) and ends it.
  void Collect() {
    if (current_ == nullptr) return;
    current_->Cancel();
    for (const v1::Event& event : current_->Events()) {
      if (event.position() != seen_.size() + 1) {
        ADD_FAILURE() << "subscriber: position " << event.position() << " after " << seen_.size()
                      << (event.position() <= seen_.size() ? " (a duplicate)" : " (a gap)");
        continue;
      }
      seen_.push_back(event);
    }
    current_.reset();
  }
  bool WaitForPosition(uint64_t position) {
    return current_ != nullptr && current_->WaitForPosition(position);
  }
  // Everything received is in the log, unchanged (nothing seen can have been lost by a crash).
  void ExpectAllInLog(const std::vector<v1::Event>& log) const {
    ASSERT_LE(seen_.size(), log.size()) << "the subscriber saw events beyond the head";
    for (const v1::Event& event : seen_) {
      const v1::Event& stored = log[event.position() - 1];
      EXPECT_TRUE(SameMessage(event, stored))
          << "the subscriber received position " << event.position() << " as event "
          << event.event_id() << ", the log now holds " << stored.event_id();
    }
  }
  size_t seen() const { return seen_.size(); }
  int connections() const { return connections_; }

 private:
  std::vector<v1::Event> seen_;  // seen_[i] is position i + 1
  std::unique_ptr<Subscription> current_;
  int connections_ = 0;
};

// A channel to `server` without gRPC's 4 MiB limit on received messages: in the long mode the
// project book of tens of thousands of events grows past it.
std::shared_ptr<grpc::Channel> UnlimitedChannel(const ServerProcess& server) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  args.SetMaxReceiveMessageSize(-1);
  return grpc::CreateCustomChannel(server.address(), grpc::InsecureChannelCredentials(), args);
}

template <typename Request, typename Response>
Response MustCallViews(const ServerProcess& server, v1::Views::Stub& stub,
                       Rpc<Request, Response> rpc, const Request& request) {
  grpc::ClientContext context;
  server.Authorize(&context);
  Response response;
  const grpc::Status status = (stub.*rpc)(&context, request, &response);
  EXPECT_TRUE(status.ok()) << Request::descriptor()->name() << ": " << Describe(status);
  return response;
}

// Every Views answer of `a` and `b` at least at `position`, paged where the view pages.
void ExpectSameViews(const ServerProcess& a, const ServerProcess& b, uint64_t position) {
  const auto stub_a = v1::Views::NewStub(UnlimitedChannel(a));
  const auto stub_b = v1::Views::NewStub(UnlimitedChannel(b));
  const auto same = [&](auto rpc, const auto& request) {
    const auto from_a = MustCallViews(a, *stub_a, rpc, request);
    const auto from_b = MustCallViews(b, *stub_b, rpc, request);
    EXPECT_TRUE(SameMessage(from_a, from_b))
        << std::decay_t<decltype(request)>::descriptor()->name() << " differs from a rebuild:\n"
        << from_a.DebugString().substr(0, 4000) << "\nrebuilt:\n"
        << from_b.DebugString().substr(0, 4000);
    return from_a;
  };
  same(&v1::Views::Stub::GetProgramme, AtLeast<v1::GetProgrammeRequest>(position));
  same(&v1::Views::Stub::ListPartners, AtLeast<v1::ListPartnersRequest>(position));
  same(&v1::Views::Stub::GetCollaboration, AtLeast<v1::GetCollaborationRequest>(position));
  same(&v1::Views::Stub::ListOwnershipGaps, AtLeast<v1::ListOwnershipGapsRequest>(position));
  same(&v1::Views::Stub::ListKpis, AtLeast<v1::ListKpisRequest>(position));
  same(&v1::Views::Stub::GetAgenda, AtLeast<v1::GetAgendaRequest>(position));
  same(&v1::Views::Stub::GetFunds, AtLeast<v1::GetFundsRequest>(position));
  same(&v1::Views::Stub::GetProjectBook, AtLeast<v1::GetProjectBookRequest>(position));
  v1::ListActionsRequest actions = AtLeast<v1::ListActionsRequest>(position);
  actions.set_page_size(500);
  for (int page = 0; page < 100; ++page) {
    const v1::ListActionsResponse answer = same(&v1::Views::Stub::ListActions, actions);
    // Two empty answers would agree on nothing: the appenders start actions in every cycle.
    EXPECT_GT(answer.total_count(), 0u) << "no actions in the views";
    if (answer.next_page_token().empty()) break;
    actions.set_page_token(answer.next_page_token());
  }
}

// The whole chain, re-checked by the server from the stored bytes.
void ExpectServerVerifies(ServerProcess& server) {
  auto stub = v1::EventLog::NewStub(server.Channel());
  grpc::ClientContext context;
  server.Authorize(&context);
  v1::VerifyResponse response;
  const grpc::Status status = stub->Verify(&context, v1::VerifyRequest(), &response);
  ASSERT_TRUE(status.ok()) << "Verify: " << Describe(status);
  EXPECT_TRUE(response.ok()) << "Verify: " << response.DebugString();
}

// Replaces `to` with a copy of `from` (a stopped or killed server's data dir).
void CopyDataDir(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::remove_all(to);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

// One client's appends until its first failure (the kill): requests of 1..3 events to its own
// action stream, alternating with single decisions in the `programme` stream all clients share.
void AppendUntilFailure(ServerProcess& server, const std::string& own, std::mutex& mu,
                        std::vector<Attempt>& attempts, std::atomic<int>& acks) {
  for (int n = 0;; ++n) {
    Attempt attempt;
    if (n % 2 == 0) {
      std::vector<v1::ProposedEvent> events;
      for (int i = 0; i < 1 + n % 3; ++i) {
        events.push_back(n == 0 && i == 0 ? MakeActionStarted(own) : MakeResultRecorded(own, "r"));
      }
      attempt.request = MakeRequest("action-" + own, std::move(events));
    } else {
      attempt.request =
          MakeRequest("programme", {MakeDecisionRecorded(own + "-" + std::to_string(n))});
    }
    const AppendResult result = Append(server, attempt.request);
    attempt.acknowledged = result.status.ok();
    attempt.response = result.response;
    std::lock_guard lock(mu);
    attempts.push_back(std::move(attempt));
    if (!result.status.ok()) return;
    ++acks;
  }
}

TEST(CrashLoop, KillNineAtRandomMomentsLosesNothing) {
  const int cycles = FaultCycles();
  const uint64_t seed = FaultSeed();
  std::cout << "crash loop: " << cycles << " cycles, seed " << seed
            << " (repeat with WIJKBOEK_FAULT_SEED=" << seed << ")" << std::endl;
  std::mt19937_64 random(seed);
  const auto started = std::chrono::steady_clock::now();

  ServerProcess server;
  server.set_extra_args(kServerArgs);
  ASSERT_TRUE(server.Start());
  const Seed programme = SeedPrerequisites(server);
  ASSERT_FALSE(::testing::Test::HasFailure());
  std::vector<Attempt> attempts;  // every append ever tried, in the order answered
  for (size_t i = 0; i < programme.requests.size(); ++i) {
    attempts.push_back({programme.requests[i], true, programme.responses[i]});
  }
  // A copy of each crashed data dir, started with --rebuild-views: what the views must equal.
  ServerProcess rebuilt;
  rebuilt.set_extra_args({"--rebuild-views", "--sign-heads-every", "0"});

  FollowingSubscriber subscriber;
  subscriber.Connect(server);
  size_t acknowledged = 0, acknowledged_events = 0, unacknowledged = 0, stored_anyway = 0;

  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("crash cycle " + std::to_string(cycle) + ", seed " + std::to_string(seed));
    const int kill_after = std::uniform_int_distribution<int>(0, kMaxAcksBeforeKill)(random);
    const auto jitter =
        std::chrono::microseconds(std::uniform_int_distribution<int>(0, kMaxJitterMicros)(random));

    std::mutex mu;
    std::vector<Attempt> cycle_attempts;  // guarded by mu
    std::atomic<int> acks{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      const std::string own = "c" + std::to_string(c) + "-" + std::to_string(cycle);
      clients.emplace_back([&, own] { AppendUntilFailure(server, own, mu, cycle_attempts, acks); });
    }
    const bool enough = WaitUntil([&] { return acks >= kill_after; }, std::chrono::seconds(60));
    std::this_thread::sleep_for(jitter);  // the random moment itself, not a wait for a condition
    server.Kill();
    for (auto& t : clients) t.join();
    ASSERT_TRUE(enough) << "only " << acks << " of " << kill_after
                        << " acknowledged appends before the kill";
    subscriber.Collect();

    // The crashed state, as a rebuild sees it.
    CopyDataDir(server.data_dir(), rebuilt.data_dir());
    ASSERT_TRUE(server.Restart());
    ASSERT_TRUE(rebuilt.Restart());

    const size_t first_new = attempts.size();
    attempts.insert(attempts.end(), cycle_attempts.begin(), cycle_attempts.end());
    const LogCheck check = ExpectLogHonoursAttempts(server, attempts);
    ExpectServerVerifies(server);
    const std::vector<v1::Event> log = MustReadLog(server);
    subscriber.ExpectAllInLog(log);
    ExpectSameViews(server, rebuilt, log.size());
    rebuilt.Kill();
    if (::testing::Test::HasFailure()) return;

    // A client retrying what it never heard back about gets exactly-once: the original positions
    // when the events made it, a fresh append when they did not.
    for (size_t a = first_new; a < attempts.size(); ++a) {
      const size_t events = attempts[a].request.events_size();
      if (attempts[a].acknowledged) {
        ++acknowledged;
        acknowledged_events += events;
        continue;
      }
      ++unacknowledged;
      stored_anyway += check.present[a] ? 1 : 0;
      const AppendResult retry = Append(server, attempts[a].request);
      ASSERT_TRUE(retry.status.ok()) << "retry after the crash: " << Describe(retry.status);
      EXPECT_EQ(retry.response.deduplicated(), check.present[a]);
      attempts[a].acknowledged = true;
      attempts[a].response = retry.response;
    }
    // The subscriber comes back from where it was and catches up before the next kill.
    subscriber.Connect(server);
    const uint64_t head = MustGetHead(server).position();
    ASSERT_TRUE(subscriber.WaitForPosition(head)) << "the subscriber did not reach " << head;
    std::cout << "cycle " << cycle + 1 << "/" << cycles << ": killed after " << acks
              << " acknowledged appends (+" << jitter.count() << " us), head " << head << std::endl;
  }

  ASSERT_EQ(server.Stop(), 0);
  subscriber.Collect();
  ASSERT_TRUE(server.Restart());
  const LogCheck final_check = ExpectLogHonoursAttempts(server, attempts);
  const std::vector<v1::Event> log = MustReadLog(server);
  EXPECT_EQ(subscriber.seen(), log.size()) << "the subscriber missed the end of the log";
  subscriber.ExpectAllInLog(log);
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  std::cout << "crash loop: " << cycles << " kill -9 cycles in " << seconds << " s, seed " << seed
            << ": " << acknowledged << " appends acknowledged (" << acknowledged_events
            << " events), " << unacknowledged << " unacknowledged at a kill (" << stored_anyway
            << " of them stored anyway, retried exactly once), lost " << final_check.lost
            << "; log head " << log.size() << "; the subscriber received " << subscriber.seen()
            << " events over " << subscriber.connections() << " connections, no gap, no duplicate"
            << std::endl;
  EXPECT_EQ(final_check.lost, 0u);
}

}  // namespace
}  // namespace itest
