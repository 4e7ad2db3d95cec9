// The projector over a real store in a temp dir: snapshots and restarts, rebuilds, waiting for a
// position, and the snapshot's place relative to the log.
#include "services/projections/projector.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "services/projections/test_store.h"

namespace projections::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kWait = std::chrono::seconds(30);

class ProjectorTest : public StoreTest {
 protected:
  std::unique_ptr<Projector> OpenProjector(ProjectorOptions options = {}) {
    auto projector = Projector::Open(store_.get(), options);
    EXPECT_TRUE(projector.ok()) << projector.status();
    return projector.ok() ? *std::move(projector) : nullptr;
  }

  // The reference: every event of the log folded directly, without the projector.
  Model FoldedDirectly(domain::ProgrammeState* state) const {
    Model model;
    EXPECT_TRUE(store_
                    ->ScanAll(1, false,
                              [&](const storage::StoredEvent& e) {
                                v1::Payload p;
                                EXPECT_TRUE(p.ParseFromString(e.payload));
                                model.Apply(e, p);
                                state->Apply(p);
                                return true;
                              })
                    .ok());
    return model;
  }

  static Model Copy(const Projector& projector) {
    Model copy;
    projector.Read([&](const Model& m) { copy = m; });
    return copy;
  }

  // The projector's model and domain state equal the direct fold of the whole log.
  void ExpectMatchesLog(const Projector& projector) {
    domain::ProgrammeState state;
    const Model reference = FoldedDirectly(&state);
    EXPECT_EQ(projector.position(), store_->Head());
    EXPECT_TRUE(Copy(projector) == reference);
    EXPECT_EQ(projector.DomainState().Serialize(), state.Serialize());
  }

  std::optional<std::uint64_t> Checkpoint() const {
    auto bytes = store_->ReadDerived("checkpoint");
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    if (!bytes.ok() || !bytes->has_value() || (*bytes)->size() != 8) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : **bytes) value = (value << 8) | static_cast<unsigned char>(c);
    return value;
  }
};

TEST_F(ProjectorTest, OpenOnAnEmptyLogIsAtPositionZero) {
  auto projector = OpenProjector();
  EXPECT_EQ(projector->position(), 0u);
  EXPECT_EQ(projector->stats().checkpoint_loaded, 0u);
  EXPECT_EQ(projector->stats().events_folded_on_open, 0u);
  EXPECT_EQ(projector->stats().rebuilt_on_open, "");
  EXPECT_EQ(Checkpoint(), 0u);
}

TEST_F(ProjectorTest, ReopenResumesFromTheCheckpointAndFoldsOnlyTheTail) {
  RandomLog log(1);
  std::vector<v1::Payload> payloads = log.Make(537);
  Append({payloads.begin(), payloads.begin() + 500});
  {
    auto projector = OpenProjector();
    EXPECT_EQ(projector->stats().events_folded_on_open, 500u);
    projector->Stop();
    EXPECT_EQ(Checkpoint(), 500u);
  }
  Append({payloads.begin() + 500, payloads.end()});
  OpenStore();  // a real restart: the store too
  auto projector = OpenProjector();
  EXPECT_EQ(projector->stats().checkpoint_loaded, 500u);
  EXPECT_EQ(projector->stats().events_folded_on_open, 37u);
  EXPECT_EQ(projector->stats().rebuilt_on_open, "");
  ExpectMatchesLog(*projector);
  EXPECT_EQ(Checkpoint(), 537u);  // Open snapshots what it folded
}

// A few thousand events of every type, folded live by the running projector (with snapshots
// every few dozen events and a restart half-way), then loaded back and rebuilt from position 1:
// all three equal the direct fold of the log, model and domain state alike.
TEST_F(ProjectorTest, RebuiltStateEqualsIncrementallyBuiltState) {
  RandomLog log(42);
  const std::vector<v1::Payload> payloads = log.Make(4000);
  ProjectorOptions options;
  options.snapshot_events = 37;
  options.snapshot_interval = std::chrono::milliseconds(5);
  Model incremental;
  std::string incremental_domain;
  for (int half = 0; half < 2; ++half) {
    auto projector = OpenProjector(options);
    Projector* raw = projector.get();
    store_->SetCommitListener([raw](const std::vector<storage::StoredEvent>&) { raw->Notify(); });
    projector->Start();
    for (std::size_t i = half * 2000; i < (half + 1) * 2000u; i += 50) {
      Append({payloads.begin() + i, payloads.begin() + i + 50});
    }
    ASSERT_TRUE(projector->WaitFor(store_->Head(), Clock::now() + kWait));
    projector->Stop();
    store_->SetCommitListener({});
    // Snapshots were taken while folding, not only at the stop (how many depends on how the
    // projector's batches fall, which the machine's load decides).
    EXPECT_GE(projector->stats().snapshots_written, 2u);
    if (half == 1) {
      EXPECT_EQ(projector->stats().checkpoint_loaded, 2000u);
      incremental = Copy(*projector);
      incremental_domain = projector->DomainState().Serialize();
    }
  }
  ASSERT_EQ(incremental.position, 4000u);
  EXPECT_GT(incremental.actions.size(), 50u);
  {
    auto loaded = OpenProjector();
    EXPECT_EQ(loaded->stats().events_folded_on_open, 0u);
    EXPECT_TRUE(Copy(*loaded) == incremental);
    EXPECT_EQ(loaded->DomainState().Serialize(), incremental_domain);
  }
  auto rebuilt = OpenProjector();
  std::uint64_t last_progress = 0;
  ASSERT_TRUE(rebuilt->Rebuild([&](std::uint64_t position, std::uint64_t) {
                       last_progress = position;
                     }).ok());
  EXPECT_EQ(last_progress, 4000u);
  EXPECT_TRUE(Copy(*rebuilt) == incremental);
  EXPECT_EQ(rebuilt->DomainState().Serialize(), incremental_domain);
  ExpectMatchesLog(*rebuilt);
  rebuilt.reset();
  auto reloaded = OpenProjector();  // and what the rebuild persisted loads back the same
  EXPECT_EQ(reloaded->stats().events_folded_on_open, 0u);
  EXPECT_TRUE(Copy(*reloaded) == incremental);
}

TEST_F(ProjectorTest, RebuildIsRefusedWhileRunning) {
  auto projector = OpenProjector();
  projector->Start();
  EXPECT_EQ(projector->Rebuild().code(), absl::StatusCode::kFailedPrecondition);
}

// With polling effectively off, only Notify can wake the thread.
TEST_F(ProjectorTest, NotifyWakesTheThread) {
  ProjectorOptions options;
  options.poll_interval = std::chrono::hours(1);
  options.snapshot_interval = std::chrono::hours(1);
  auto projector = OpenProjector(options);
  Projector* raw = projector.get();
  store_->SetCommitListener([raw](const std::vector<storage::StoredEvent>&) { raw->Notify(); });
  projector->Start();
  Append(RandomLog(3).Make(20));
  EXPECT_TRUE(projector->WaitFor(20, Clock::now() + kWait));
  store_->SetCommitListener({});
}

TEST_F(ProjectorTest, WaitForReturnsOnceReachedOrAtTheDeadline) {
  auto projector = OpenProjector();
  projector->Start();
  Projector* raw = projector.get();
  store_->SetCommitListener([raw](const std::vector<storage::StoredEvent>&) { raw->Notify(); });
  EXPECT_TRUE(projector->WaitFor(0, Clock::now()));
  const Clock::time_point start = Clock::now();
  EXPECT_FALSE(projector->WaitFor(1, start + std::chrono::milliseconds(50)));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(50));
  std::future<bool> waiting =
      std::async(std::launch::async, [&] { return projector->WaitFor(3, Clock::now() + kWait); });
  Append(RandomLog(4).Make(3));
  EXPECT_TRUE(waiting.get());
  EXPECT_GE(projector->position(), 3u);
  store_->SetCommitListener({});
}

// Collects NotifyWhen answers from whichever thread gives them.
struct Answers {
  std::mutex mu;
  std::condition_variable cv;
  std::map<int, std::vector<bool>> got;
  std::function<void(bool)> Callback(int id) {
    return [this, id](bool reached) {
      std::lock_guard<std::mutex> lock(mu);
      got[id].push_back(reached);
      cv.notify_all();
    };
  }
  bool WaitFor(std::size_t count) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, kWait, [&] { return got.size() >= count; });
  }
};

TEST_F(ProjectorTest, NotifyWhenAnswersExactlyOnceWhenReachedOrAtTheDeadline) {
  Append(RandomLog(5).Make(2));
  auto projector = OpenProjector();
  Projector* raw = projector.get();
  store_->SetCommitListener([raw](const std::vector<storage::StoredEvent>&) { raw->Notify(); });
  projector->Start();
  Answers answers;
  projector->NotifyWhen(2, Clock::now() + kWait, answers.Callback(0));  // already there
  projector->NotifyWhen(4, Clock::now() + kWait, answers.Callback(1));
  projector->NotifyWhen(1000, Clock::now() + std::chrono::milliseconds(30), answers.Callback(2));
  projector->NotifyWhen(1000, Clock::now() - std::chrono::seconds(1), answers.Callback(3));
  projector->NotifyWhen(1001, Clock::now() + kWait, answers.Callback(4));  // answered by Stop
  Append(RandomLog(6).Make(2));
  ASSERT_TRUE(answers.WaitFor(4));
  projector->Stop();
  ASSERT_TRUE(answers.WaitFor(5));
  std::lock_guard<std::mutex> lock(answers.mu);
  EXPECT_EQ(answers.got[0], std::vector<bool>{true});
  EXPECT_EQ(answers.got[1], std::vector<bool>{true});
  EXPECT_EQ(answers.got[2], std::vector<bool>{false});
  EXPECT_EQ(answers.got[3], std::vector<bool>{false});
  EXPECT_EQ(answers.got[4], std::vector<bool>{false});
  store_->SetCommitListener({});
}

// While events are appended and snapshots written as often as possible, the persisted
// checkpoint is never past the store's head.
TEST_F(ProjectorTest, SnapshotIsNeverAheadOfTheLog) {
  ProjectorOptions options;
  options.snapshot_events = 1;
  options.poll_interval = std::chrono::milliseconds(1);
  auto projector = OpenProjector(options);
  projector->Start();
  std::atomic<bool> done{false};
  std::uint64_t checks = 0;
  std::thread watcher([&] {
    while (!done.load()) {
      std::optional<std::uint64_t> checkpoint = Checkpoint();  // read first: the head only grows
      const std::uint64_t head = store_->Head();
      ASSERT_TRUE(checkpoint.has_value());
      EXPECT_LE(*checkpoint, head);
      ++checks;
    }
  });
  Append(RandomLog(7).Make(1500));
  ASSERT_TRUE(projector->WaitFor(1500, Clock::now() + kWait));
  done = true;
  watcher.join();
  EXPECT_GT(checks, 0u);
  EXPECT_GT(projector->stats().snapshots_written, 1u);
}

// Should a snapshot ever be ahead of the log (a log that lost its tail), it is not trusted.
TEST_F(ProjectorTest, ASnapshotAheadOfTheLogIsRebuilt) {
  Append(RandomLog(8).Make(300));
  OpenProjector().reset();
  std::string ahead(8, '\0');
  ahead[6] = 0x10;  // 4096
  ASSERT_TRUE(store_->WriteDerived({{"checkpoint", ahead}, {"model/action/ghost", ""}}, false).ok());
  auto projector = OpenProjector();
  EXPECT_NE(projector->stats().rebuilt_on_open.find("ahead of the log"), std::string::npos)
      << projector->stats().rebuilt_on_open;
  EXPECT_EQ(projector->stats().events_folded_on_open, 300u);
  ExpectMatchesLog(*projector);
  auto ghost = store_->ReadDerived("model/action/ghost");
  ASSERT_TRUE(ghost.ok());
  EXPECT_EQ(*ghost, std::nullopt);
}

TEST_F(ProjectorTest, AnotherSchemaVersionOrABadRowIsRebuiltNotRead) {
  Append(RandomLog(9).Make(200));
  OpenProjector().reset();
  ASSERT_TRUE(store_->WriteDerived({{"schema_version", "0"}}, false).ok());
  {
    auto projector = OpenProjector();
    EXPECT_NE(projector->stats().rebuilt_on_open.find("schema version 0"), std::string::npos);
    ExpectMatchesLog(*projector);
  }
  ASSERT_TRUE(store_->WriteDerived({{"model/partner/partner-1", "\xff\xff garbage"}}, false).ok());
  {
    auto projector = OpenProjector();
    EXPECT_NE(projector->stats().rebuilt_on_open.find("partner-1"), std::string::npos);
    ExpectMatchesLog(*projector);
  }
  ASSERT_TRUE(store_->WriteDerived({{"domain/state", std::nullopt}}, false).ok());
  auto projector = OpenProjector();
  EXPECT_NE(projector->stats().rebuilt_on_open.find("domain state"), std::string::npos);
  ExpectMatchesLog(*projector);
}

TEST_F(ProjectorTest, StopWithoutStartFoldsAndSnapshotsWhatWasCommitted) {
  auto projector = OpenProjector();
  Append(RandomLog(10).Make(40));
  projector->Stop();
  EXPECT_EQ(projector->position(), 40u);
  EXPECT_EQ(Checkpoint(), 40u);
}

// Time travel to the head copies the projector's own model instead of folding the log again, and
// answers an earlier position from the log; Stop closes it.
TEST_F(ProjectorTest, TimeTravelToTheHeadCopiesTheLiveModel) {
  Append(RandomLog(12).Make(1500));
  auto projector = OpenProjector();
  auto ask = [&](std::uint64_t position) {
    std::promise<absl::StatusOr<AsOfModel>> answer;
    projector->time_travel().Request(
        *ParseAsOf(position, nullptr, ""), Clock::now() + kWait, nullptr,
        [&](absl::StatusOr<AsOfModel> a) { answer.set_value(std::move(a)); });
    return answer.get_future().get();
  };
  absl::StatusOr<AsOfModel> head = ask(1500);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_TRUE(*head->model == Copy(*projector));
  EXPECT_EQ(projector->time_travel().stats().live_copies, 1u);
  EXPECT_EQ(projector->time_travel().stats().events_folded, 0u);
  absl::StatusOr<AsOfModel> earlier = ask(700);
  ASSERT_TRUE(earlier.ok());
  EXPECT_TRUE(*earlier->model == StoreTest::FoldedDirectly(700));
  projector->Stop();
  EXPECT_EQ(ask(700).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace projections::test
