// The writer: group commit under concurrency, group bounds, the AppendGate protocol, the commit
// listener, a failed write, and shutdown.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "storage/event_store.h"
#include "storage/event_store_test_util.h"

namespace storage::test {
namespace {

// ---------------------------------------------------------------------------------------------
// Group commit, gate, listener

TEST_F(EventStoreTest, ConcurrentAppendsAreGroupedAndEachEventLandsOnce) {
  auto store = OpenStore();
  absl::Mutex mu;
  std::vector<std::size_t> group_sizes;
  std::vector<Position> listened;
  store->SetCommitListener([&](const std::vector<StoredEvent>& events) {
    absl::MutexLock lock(&mu);
    group_sizes.push_back(events.size());
    for (const StoredEvent& e : events) listened.push_back(e.position);
  });
  constexpr int kThreads = 8;
  constexpr int kRequestsPerThread = 40;
  Answers answers;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRequestsPerThread; ++i) {
        const int n = 1 + i % 3;
        std::vector<NewEvent> events;
        for (int k = 0; k < n; ++k) events.push_back(Ev(absl::StrCat("t", t, "-r", i, "-e", k)));
        store->AppendAsync(Req(absl::StrCat("stream-", t, "-", i % 4), std::move(events)),
                           answers.Callback(t * kRequestsPerThread + i));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  constexpr std::size_t kRequests = kThreads * kRequestsPerThread;
  ASSERT_TRUE(answers.WaitFor(kRequests));

  std::vector<StoredEvent> all = ScanAllOf(*store);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].position, i + 1);
    EXPECT_TRUE(ids.insert(all[i].event_id).second) << all[i].event_id;
  }
  std::size_t expected_events = 0;
  for (std::size_t r = 0; r < kRequests; ++r) {
    absl::StatusOr<AppendResult> result = answers.Get(r);
    ASSERT_TRUE(result.ok()) << result.status();
    const std::size_t n = 1 + (r % kRequestsPerThread) % 3;
    expected_events += n;
    ASSERT_EQ(result->last_position - result->first_position + 1, n);
    const std::string prefix =
        absl::StrCat("t", r / kRequestsPerThread, "-r", r % kRequestsPerThread);
    for (std::size_t k = 0; k < n; ++k) {
      EXPECT_EQ(all[result->first_position - 1 + k].event_id, absl::StrCat(prefix, "-e", k));
    }
  }
  EXPECT_EQ(all.size(), expected_events);
  for (int t = 0; t < kThreads; ++t) {
    std::vector<StoredEvent> stream = ScanStreamOf(*store, absl::StrCat("stream-", t, "-0"));
    for (std::size_t i = 0; i < stream.size(); ++i) EXPECT_EQ(stream[i].stream_revision, i);
  }
  absl::MutexLock lock(&mu);
  EXPECT_LT(group_sizes.size(), kRequests);
  EXPECT_EQ(PositionsOf(all), listened);
  std::set<std::int64_t> timestamps;
  for (const StoredEvent& e : all) timestamps.insert(e.recorded_at_unix_micros);
  EXPECT_LE(timestamps.size(), group_sizes.size());
}

TEST_F(EventStoreTest, GroupIsBoundedByMaxGroupRequests) {
  TestGate gate;
  Options options = MakeOptions(&gate);
  options.max_group_requests = 2;
  auto store = OpenStore(options);
  std::vector<std::size_t> groups;
  store->SetCommitListener(
      [&](const std::vector<StoredEvent>& events) { groups.push_back(events.size()); });
  Answers answers;
  gate.HoldNextAdmit();
  store->AppendAsync(Req("s-1", {Ev("first")}), answers.Callback(0));
  ASSERT_TRUE(gate.WaitUntilHeld());
  for (int i = 1; i <= 5; ++i)
    store->AppendAsync(Req("s-1", {Ev(absl::StrCat("e", i))}), answers.Callback(i));
  gate.Release();
  ASSERT_TRUE(answers.WaitFor(6));
  EXPECT_EQ(groups, (std::vector<std::size_t>{1, 2, 2, 1}));
}

TEST_F(EventStoreTest, GateRefusalStoresNothingAndSparesTheRestOfTheGroup) {
  TestGate gate;
  auto store = OpenStore(&gate);
  std::vector<std::vector<Position>> groups;
  store->SetCommitListener(
      [&](const std::vector<StoredEvent>& events) { groups.push_back(PositionsOf(events)); });
  Answers answers;
  gate.HoldNextAdmit();
  store->AppendAsync(Req("s-1", {Ev("first")}), answers.Callback(0));
  ASSERT_TRUE(gate.WaitUntilHeld());
  // Queued while the writer is held, so the writer takes these three as one group.
  store->AppendAsync(Req("s-1", {Ev("a1"), Ev("a2")}), answers.Callback(1));
  store->AppendAsync(Req("s-1", {Ev("r1"), Ev("r2", "Refused")}), answers.Callback(2));
  store->AppendAsync(Req("s-1", {Ev("c1")}, ExpectedRevision::Exact(2)), answers.Callback(3));
  gate.Release();
  ASSERT_TRUE(answers.WaitFor(4));

  EXPECT_EQ(answers.Get(1)->last_position, 3u);
  EXPECT_EQ(answers.Get(2).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Msg(answers.Get(2).status()), "refused by the test gate");
  ASSERT_TRUE(answers.Get(3).ok()) << answers.Get(3).status();
  EXPECT_EQ(answers.Get(3)->first_position, 4u);
  EXPECT_EQ(answers.Get(3)->stream_revision, 3u);
  EXPECT_EQ(groups, (std::vector<std::vector<Position>>{{1}, {2, 3, 4}}));
  // The gate was asked with positions as they would be stored, the refused ones included.
  EXPECT_EQ(gate.admitted_calls(), (std::vector<std::vector<Position>>{{1}, {2, 3}, {4, 5}, {4}}));
  EXPECT_EQ(gate.commits(), 2);
  EXPECT_EQ(gate.committed_events(), 4u);
  EXPECT_EQ(gate.aborts(), 0);
  EXPECT_EQ(store->Head(), 4u);
}

TEST_F(EventStoreTest, RetryInsideTheSameGroupIsDeduplicated) {
  TestGate gate;
  auto store = OpenStore(&gate);
  Answers answers;
  gate.HoldNextAdmit();
  store->AppendAsync(Req("s-1", {Ev("first")}), answers.Callback(0));
  ASSERT_TRUE(gate.WaitUntilHeld());
  store->AppendAsync(Req("s-2", {Ev("a"), Ev("b")}, ExpectedRevision::NoStream()),
                     answers.Callback(1));
  store->AppendAsync(Req("s-2", {Ev("a"), Ev("b")}, ExpectedRevision::NoStream()),
                     answers.Callback(2));
  store->AppendAsync(Req("s-2", {Ev("a", "Other")}), answers.Callback(3));
  gate.Release();
  ASSERT_TRUE(answers.WaitFor(4));
  ASSERT_TRUE(answers.Get(2).ok()) << answers.Get(2).status();
  EXPECT_TRUE(answers.Get(2)->deduplicated);
  EXPECT_EQ(answers.Get(2)->first_position, answers.Get(1)->first_position);
  EXPECT_EQ(answers.Get(3).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store->Head(), 3u);
}

TEST_F(EventStoreTest, CommitListenerSeesEachGroupInPositionOrder) {
  auto store = OpenStore();
  std::vector<std::string> seen;
  store->SetCommitListener([&](const std::vector<StoredEvent>& events) {
    for (const StoredEvent& e : events) seen.push_back(e.event_id);
  });
  ASSERT_TRUE(store->Append(Req("s-1", {Ev("a"), Ev("b")})).ok());
  ASSERT_TRUE(store->Append(Req("s-1", {Ev("c")}, ExpectedRevision::NoStream())).status().code() ==
              absl::StatusCode::kAborted);
  ASSERT_TRUE(store->Append(Req("s-2", {Ev("d")})).ok());
  ASSERT_TRUE(store->Append(Req("s-1", {Ev("a"), Ev("b")})).ok());  // deduplicated: not listened
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "d"}));
}

// Size of the largest file in `dir` whose name ends with `suffix`.
std::uintmax_t LargestFile(const std::string& dir, const std::string& suffix) {
  std::uintmax_t largest = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      largest = std::max(largest, entry.file_size());
    }
  }
  return largest;
}

// A failed write is made real: the process may not grow any file past the WAL's current size, so
// the next group's WAL record is cut off mid-way (a torn write) and the write fails with EFBIG.
// One large event first makes the WAL larger than RocksDB's info LOG, which must keep working.
TEST_F(EventStoreTest, FailedWriteAbortsTheGateFailsTheGroupAndStopsTheWriter) {
  TestGate gate;
  {
    auto store = OpenStore(&gate);
    ASSERT_TRUE(store->Append(Req("s-1", {Ev("kept")})).ok());
    ASSERT_TRUE(store->Append(Req("s-1", {Ev("big", "T", std::string(4 << 20, 'x'))})).ok());
    const std::uintmax_t wal = LargestFile(path(), ".log");
    ASSERT_LT(LargestFile(path(), "LOG") + (1 << 20), wal);
    Answers answers;
    gate.HoldNextAdmit();
    store->AppendAsync(Req("s-1", {Ev("lost-1")}), answers.Callback(0));
    ASSERT_TRUE(gate.WaitUntilHeld());
    store->AppendAsync(Req("s-2", {Ev("lost-2")}), answers.Callback(1));
    rlimit old_limit{};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    signal(SIGXFSZ, SIG_IGN);
    rlimit limit = old_limit;
    limit.rlim_cur = wal + 64;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
    gate.Release();
    const bool answered = answers.WaitFor(2);
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
    ASSERT_TRUE(answered);
    EXPECT_EQ(answers.Get(0).status().code(), absl::StatusCode::kInternal)
        << answers.Get(0).status();
    EXPECT_EQ(gate.aborts(), 1);
    EXPECT_EQ(gate.commits(), 2);
    EXPECT_EQ(store->Head(), 2u);
    // Later requests are refused without touching the failed WAL again, even with the disk back.
    EXPECT_EQ(answers.Get(1).status().code(), absl::StatusCode::kInternal);
    absl::StatusOr<AppendResult> after = store->Append(Req("s-3", {Ev("lost-3")}));
    EXPECT_EQ(after.status().code(), absl::StatusCode::kInternal);
    EXPECT_NE(Msg(after.status()).find("stopped writing after a failed write"), std::string::npos)
        << after.status();
    EXPECT_EQ(*store->StreamRevision("s-2"), std::nullopt);
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Head(), 2u);
  absl::StatusOr<AppendResult> again = store->Append(Req("s-1", {Ev("lost-1")}));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->deduplicated);
  EXPECT_EQ(again->first_position, 3u);
}

// ---------------------------------------------------------------------------------------------
// Shutdown

TEST_F(EventStoreTest, ShutdownAnswersQueuedRequestsThenRefusesNewOnes) {
  TestGate gate;
  auto store = OpenStore(&gate);
  EventStore* raw = store.get();
  Answers answers;
  gate.HoldNextAdmit();
  raw->AppendAsync(Req("s-1", {Ev("held")}), answers.Callback(0));
  ASSERT_TRUE(gate.WaitUntilHeld());
  constexpr std::size_t kQueued = 20;
  for (std::size_t i = 1; i <= kQueued; ++i) {
    raw->AppendAsync(Req("s-1", {Ev(absl::StrCat("q", i))}), answers.Callback(i));
  }
  std::thread closer([&store] { store.reset(); });
  // The writer is held, so an answer right after AppendAsync returns can only be the refusal
  // given once the destructor has begun. Probes accepted before that must still be stored.
  std::size_t next = kQueued + 1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;; ++next) {
    raw->AppendAsync(Req("s-1", {Ev(absl::StrCat("probe", next))}), answers.Callback(next));
    if (answers.Has(next)) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::yield();
  }
  EXPECT_EQ(answers.Get(next).status().code(), absl::StatusCode::kUnavailable);
  gate.Release();
  closer.join();
  ASSERT_TRUE(answers.WaitFor(next + 1));
  for (std::size_t i = 0; i < next; ++i)
    EXPECT_TRUE(answers.Get(i).ok()) << i << answers.Get(i).status();
  store = OpenStore();
  EXPECT_EQ(store->Head(), next);
}

}  // namespace
}  // namespace storage::test
