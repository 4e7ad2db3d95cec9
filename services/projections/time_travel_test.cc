// TimeTravel over a real store: answers equal the direct fold of the log's prefix, the cache and
// the joined jobs fold once, folds grow from earlier models, and deadlines, cancellation and Close
// answer every caller exactly once.
#include "services/projections/time_travel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "services/projections/test_store.h"

namespace projections::test {
namespace {

using Clock = TimeTravel::Clock;
constexpr auto kWait = std::chrono::seconds(60);

AsOf Position(std::uint64_t p) { return *ParseAsOf(p, nullptr, ""); }

// Collects the one answer of a request.
class Answer {
 public:
  TimeTravel::Done Callback() {
    return [this](absl::StatusOr<AsOfModel> a) {
      std::lock_guard lock(mu_);
      ++calls_;
      answer_ = std::move(a);
      cv_.notify_all();
    };
  }
  const absl::StatusOr<AsOfModel>& Get() {
    std::unique_lock lock(mu_);
    EXPECT_TRUE(cv_.wait_for(lock, kWait, [&] { return calls_ > 0; })) << "no answer";
    return answer_;
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  absl::StatusOr<AsOfModel> answer_ = absl::UnknownError("no answer");
};

// Blocks the fold thread in LiveCopy (called at the start of every position fold) until released.
class Gate {
 public:
  TimeTravel::LiveCopy Copy() {
    return [this](std::uint64_t) -> std::unique_ptr<Model> {
      std::unique_lock lock(mu_);
      entered_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return open_; });
      return nullptr;
    };
  }
  void WaitEntered() {
    std::unique_lock lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, kWait, [&] { return entered_; }));
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
};

class TimeTravelTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    RandomLog log(11);
    Append(log.Make(3000));
  }

  absl::StatusOr<AsOfModel> Ask(TimeTravel& tt, const AsOf& as_of,
                                Clock::time_point deadline = Clock::now() + kWait) {
    Answer a;
    tt.Request(as_of, deadline, nullptr, a.Callback());
    return a.Get();
  }
};

TEST_F(TimeTravelTest, APositionIsTheLogUpToItAndTodayIsToday) {
  TimeTravel tt(store_.get(), nullptr);
  for (std::uint64_t p : {1u, 1500u, 3000u}) {
    absl::StatusOr<AsOfModel> a = Ask(tt, Position(p));
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->model->position, p);
    EXPECT_TRUE(*a->model == FoldedDirectly(p)) << p;
    EXPECT_EQ(a->today, absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()));
  }
}

TEST_F(TimeTravelTest, BeyondTheHeadIsOutOfRange) {
  TimeTravel tt(store_.get(), nullptr);
  absl::StatusOr<AsOfModel> a = Ask(tt, Position(3001));
  EXPECT_EQ(a.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(a.status().message().find("3001 is beyond the log's head 3000"), std::string::npos)
      << a.status();
}

TEST_F(TimeTravelTest, ASecondRequestForTheSameBoundComesFromTheCache) {
  TimeTravel tt(store_.get(), nullptr);
  absl::StatusOr<AsOfModel> first = Ask(tt, Position(2000));
  absl::StatusOr<AsOfModel> second = Ask(tt, Position(2000));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->model, second->model);  // the same shared model
  EXPECT_EQ(tt.stats().folds, 1u);
  EXPECT_EQ(tt.stats().cache_hits, 1u);
}

TEST_F(TimeTravelTest, TheCacheKeepsOnlyTheLastModels) {
  TimeTravel tt(store_.get(), nullptr, TimeTravelOptions{.cached_models = 2});
  ASSERT_TRUE(Ask(tt, Position(3000)).ok());
  ASSERT_TRUE(Ask(tt, Position(2900)).ok());
  ASSERT_TRUE(Ask(tt, Position(2800)).ok());  // evicts 3000
  ASSERT_TRUE(Ask(tt, Position(2900)).ok());  // still cached
  EXPECT_EQ(tt.stats().cache_hits, 1u);
  ASSERT_TRUE(Ask(tt, Position(3000)).ok());  // folded again
  EXPECT_EQ(tt.stats().folds, 4u);
  EXPECT_EQ(tt.stats().cache_hits, 1u);
}

TEST_F(TimeTravelTest, ALaterPositionGrowsFromACachedModel) {
  TimeTravel tt(store_.get(), nullptr);
  ASSERT_TRUE(Ask(tt, Position(1000)).ok());
  absl::StatusOr<AsOfModel> later = Ask(tt, Position(2500));
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(*later->model == FoldedDirectly(2500));
  EXPECT_EQ(tt.stats().cached_bases, 1u);
  EXPECT_EQ(tt.stats().events_folded, 2500u);  // 1000, then the 1500 after it
}

TEST_F(TimeTravelTest, AsOfNowStartsFromTheLiveCopy) {
  bool copied = false;
  TimeTravel tt(store_.get(), [&](std::uint64_t position) -> std::unique_ptr<Model> {
    if (position != 3000) return nullptr;
    copied = true;
    return std::make_unique<Model>(FoldedDirectly(3000));
  });
  absl::StatusOr<AsOfModel> a = Ask(tt, Position(3000));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(copied);
  EXPECT_TRUE(*a->model == FoldedDirectly(3000));
  EXPECT_EQ(tt.stats().live_copies, 1u);
  EXPECT_EQ(tt.stats().events_folded, 0u);
}

TEST_F(TimeTravelTest, RecordTimeIsThePositionRecordedByThenAndItsDayInAmsterdam) {
  absl::StatusOr<storage::StoredEvent> e = store_->ReadAt(1200);
  ASSERT_TRUE(e.ok());
  std::uint64_t last = 1200;  // events of one group share their time
  while (store_->ReadAt(last + 1)->recorded_at_unix_micros == e->recorded_at_unix_micros) ++last;
  google::protobuf::Timestamp t;
  t.set_seconds(e->recorded_at_unix_micros / 1000000);
  t.set_nanos(static_cast<int>(e->recorded_at_unix_micros % 1000000) * 1000 + 999);
  TimeTravel tt(store_.get(), nullptr);
  absl::StatusOr<AsOfModel> a = Ask(tt, *ParseAsOf(0, &t, ""));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->model->position, last);
  EXPECT_TRUE(*a->model == FoldedDirectly(last));
  EXPECT_EQ(a->today, absl::ToCivilDay(absl::FromUnixMicros(e->recorded_at_unix_micros),
                                       ProgrammeTimeZone()));

  google::protobuf::Timestamp before;  // 1970: before the first event
  absl::StatusOr<AsOfModel> empty = Ask(tt, *ParseAsOf(0, &before, ""));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->model->position, 0u);
  EXPECT_TRUE(empty->model->actions.empty());
}

TEST_F(TimeTravelTest, BusinessDateFoldsTheWholeLogForThatDay) {
  TimeTravel tt(store_.get(), nullptr);
  absl::StatusOr<AsOfModel> a = Ask(tt, *ParseAsOf(0, nullptr, "2022-06-30"));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->model->position, 3000u);
  EXPECT_EQ(a->today, absl::CivilDay(2022, 6, 30));
  EXPECT_TRUE(*a->model == FoldedDirectly(3000, [](const auto& e, const auto& p) {
    return BusinessDay(e, p) <= absl::CivilDay(2022, 6, 30);
  }));
  // A business-date model is never the base of a position fold, nor the other way round.
  absl::StatusOr<AsOfModel> all = Ask(tt, Position(3000));
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(*all->model == FoldedDirectly(3000));
  EXPECT_EQ(tt.stats().cached_bases, 0u);
}

TEST_F(TimeTravelTest, RequestsForOneBoundWhileItFoldsShareTheFold) {
  Gate gate;
  TimeTravel tt(store_.get(), gate.Copy());
  Answer first, second;
  tt.Request(Position(2500), Clock::now() + kWait, nullptr, first.Callback());
  gate.WaitEntered();  // the fold has started
  tt.Request(Position(2500), Clock::now() + kWait, nullptr, second.Callback());
  gate.Open();
  ASSERT_TRUE(first.Get().ok());
  ASSERT_TRUE(second.Get().ok());
  EXPECT_EQ(first.Get()->model, second.Get()->model);
  EXPECT_EQ(tt.stats().folds, 1u);
  EXPECT_EQ(tt.stats().cache_hits, 0u);
}

TEST_F(TimeTravelTest, APassedDeadlineIsAnsweredAndTheFoldDropped) {
  TimeTravel tt(store_.get(), nullptr);
  absl::StatusOr<AsOfModel> a = Ask(tt, Position(3000), Clock::now() - std::chrono::seconds(1));
  EXPECT_EQ(a.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_NE(a.status().message().find("got to position 1024 of 3000"), std::string::npos)
      << a.status();
  // The fold stops at the next batch; nobody else wanted it.
  const auto until = Clock::now() + kWait;
  while (tt.stats().folds_abandoned == 0 && Clock::now() < until) std::this_thread::yield();
  EXPECT_EQ(tt.stats().folds_abandoned, 1u);
  EXPECT_EQ(tt.stats().folds, 0u);
}

TEST_F(TimeTravelTest, ACancelledCallIsAnsweredCancelled) {
  TimeTravel tt(store_.get(), nullptr);
  Answer a;
  tt.Request(
      Position(3000), Clock::now() + kWait, [] { return true; }, a.Callback());
  EXPECT_EQ(a.Get().status().code(), absl::StatusCode::kCancelled);
}

TEST_F(TimeTravelTest, CloseAnswersWaitingCallsAndLaterOnesUnavailable) {
  Gate gate;
  TimeTravel tt(store_.get(), gate.Copy());
  Answer waiting;
  tt.Request(Position(2000), Clock::now() + kWait, nullptr, waiting.Callback());
  gate.WaitEntered();
  std::thread closer([&] { tt.Close(); });  // joins the fold thread, which the gate holds
  EXPECT_EQ(waiting.Get().status().code(), absl::StatusCode::kUnavailable);
  gate.Open();
  closer.join();
  Answer later;
  tt.Request(Position(10), Clock::now() + kWait, nullptr, later.Callback());
  EXPECT_EQ(later.Get().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(waiting.calls(), 1);
}

}  // namespace
}  // namespace projections::test
