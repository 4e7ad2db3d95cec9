// EventStore::Checkpoint and Stats: a checkpoint taken while appends continue opens as a log of
// whole groups whose chain verifies, holds the derived state, and names its own head.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "storage/event_store.h"
#include "storage/event_store_test_util.h"

namespace storage::test {
namespace {

class CheckpointTest : public EventStoreTest {};

TEST_F(CheckpointTest, ACheckpointUnderLoadVerifiesAndNamesItsHead) {
  auto store = OpenStore();
  ASSERT_TRUE(store->WriteDerived({{"view", std::string("v1")}}, /*sync=*/false).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      if (store->Append(Req("load", {Ev(absl::StrCat("w", i)), Ev(absl::StrCat("x", i))})).ok()) {
        appended.fetch_add(1);
      }
    }
  });
  // Some appends before and during the checkpoint.
  while (appended.load() < 20) std::this_thread::yield();
  const std::string copy = dir_ + "/copy";
  absl::StatusOr<CheckpointInfo> info = store->Checkpoint(copy);
  stop = true;
  writer.join();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_GE(info->position, 40u);
  EXPECT_EQ(info->position % 2, 0u) << "a group is copied whole or not at all";

  Options options;
  options.path = copy;
  auto restored = OpenStore(options);
  ASSERT_NE(restored, nullptr);
  EXPECT_EQ(restored->Head(), info->position);
  EXPECT_EQ(restored->HeadHash(), info->head_hash);
  absl::StatusOr<VerifyReport> report = restored->Verify(0, 0, nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok) << report->reason;
  EXPECT_EQ(report->checked, info->position);
  absl::StatusOr<std::optional<std::string>> view = restored->ReadDerived("view");
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->value_or(""), "v1");
  // The original's events up to the copy's head are the copy's events.
  EXPECT_EQ(ScanAllOf(*store, 0, false, info->position).back().hash,
            ScanAllOf(*restored).back().hash);
}

TEST_F(CheckpointTest, ACheckpointRefusesAnExistingPath) {
  auto store = OpenStore();
  absl::StatusOr<CheckpointInfo> info = store->Checkpoint(dir_);
  EXPECT_EQ(info.status().code(), absl::StatusCode::kAlreadyExists) << info.status();
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/log")) << "nothing of the original was touched";
}

TEST_F(CheckpointTest, StatsCountGroupsEventsAndWrites) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(Req("s", {Ev("a"), Ev("b"), Ev("c")})).ok());
  ASSERT_TRUE(store->Append(Req("s", {Ev("d")})).ok());
  const StoreStats stats = store->Stats();
  EXPECT_EQ(stats.groups, 2u);
  EXPECT_EQ(stats.events, 4u);
  EXPECT_FALSE(stats.writer_failed);
  EXPECT_EQ(stats.group_events.count, 2u);
  EXPECT_EQ(stats.group_events.sum, 4.0);
  EXPECT_EQ(stats.group_events.counts[0], 1u);  // the group of one event: bucket <= 1
  EXPECT_EQ(stats.write_seconds.count, 2u);
  bool saw_keys = false;
  for (const auto& [name, value] : stats.rocksdb) {
    if (name == "estimate_num_keys") saw_keys = value > 0;
  }
  EXPECT_TRUE(saw_keys);
}

}  // namespace
}  // namespace storage::test
