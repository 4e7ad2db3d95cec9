// The derived-state keyspace (WriteDerived, ReadDerived, ScanDerived, ClearDerived) and installing
// the AppendGate after Open (SetGate).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "storage/event_store.h"
#include "storage/event_store_test_util.h"

namespace storage::test {
namespace {

std::vector<std::pair<std::string, std::string>> ScanDerivedOf(const EventStore& store,
                                                               const std::string& prefix,
                                                               std::size_t limit = SIZE_MAX) {
  std::vector<std::pair<std::string, std::string>> seen;
  absl::Status s = store.ScanDerived(prefix, [&](std::string_view key, std::string_view value) {
    seen.emplace_back(std::string(key), std::string(value));
    return seen.size() < limit;
  });
  EXPECT_TRUE(s.ok()) << s;
  return seen;
}

std::optional<std::string> ReadDerivedOf(const EventStore& store, const std::string& key) {
  absl::StatusOr<std::optional<std::string>> value = store.ReadDerived(key);
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *value : std::nullopt;
}

TEST_F(EventStoreTest, DerivedWritesPutAndDeleteInOneBatch) {
  auto store = OpenStore();
  ASSERT_TRUE(store->WriteDerived({{"a", "1"}, {"b", "2"}}, /*sync=*/false).ok());
  ASSERT_TRUE(store->WriteDerived({{"a", std::nullopt}, {"c", "3"}, {"b", "2b"}}, false).ok());
  EXPECT_EQ(ReadDerivedOf(*store, "a"), std::nullopt);
  EXPECT_EQ(ReadDerivedOf(*store, "b"), "2b");
  EXPECT_EQ(ReadDerivedOf(*store, "c"), "3");
}

TEST_F(EventStoreTest, DerivedWriteOfTheSameKeyTwiceKeepsTheLast) {
  auto store = OpenStore();
  ASSERT_TRUE(store->WriteDerived({{"k", "old"}, {"k", "new"}}, false).ok());
  EXPECT_EQ(ReadDerivedOf(*store, "k"), "new");
  ASSERT_TRUE(store->WriteDerived({{"k", "again"}, {"k", std::nullopt}}, false).ok());
  EXPECT_EQ(ReadDerivedOf(*store, "k"), std::nullopt);
}

TEST_F(EventStoreTest, ScanDerivedVisitsOnlyThePrefixInByteOrderAndStops) {
  auto store = OpenStore();
  ASSERT_TRUE(store
                  ->WriteDerived({{"model/b", "2"},
                                  {"model/a", "1"},
                                  {"modem", "x"},
                                  {"model/c", std::string("\0\1", 2)},
                                  {"checkpoint", "9"}},
                                 false)
                  .ok());
  using Rows = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(ScanDerivedOf(*store, "model/"),
            (Rows{{"model/a", "1"}, {"model/b", "2"}, {"model/c", std::string("\0\1", 2)}}));
  EXPECT_EQ(ScanDerivedOf(*store, "model/", 2), (Rows{{"model/a", "1"}, {"model/b", "2"}}));
  EXPECT_EQ(ScanDerivedOf(*store, "").size(), 5u);
  EXPECT_TRUE(ScanDerivedOf(*store, "nothing/").empty());
}

TEST_F(EventStoreTest, ClearDerivedRemovesEveryKeyAndLeavesTheLog) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(Req("s-1", {Ev("e1"), Ev("e2")})).ok());
  ASSERT_TRUE(store->ClearDerived().ok());  // empty: nothing to do
  ASSERT_TRUE(
      store->WriteDerived({{"", "empty key"}, {"a", "1"}, {std::string(3, '\xff'), "high"}}, false)
          .ok());
  ASSERT_TRUE(store->ClearDerived().ok());
  EXPECT_TRUE(ScanDerivedOf(*store, "").empty());
  ASSERT_TRUE(store->WriteDerived({{"a", "after"}}, false).ok());
  EXPECT_EQ(ReadDerivedOf(*store, "a"), "after");
  EXPECT_EQ(store->Head(), 2u);
  EXPECT_EQ(PositionsOf(ScanAllOf(*store)), (std::vector<Position>{1, 2}));
}

TEST_F(EventStoreTest, DerivedStateSurvivesReopen) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Append(Req("s-1", {Ev("e1")})).ok());
    ASSERT_TRUE(store->WriteDerived({{"checkpoint", "1"}}, /*sync=*/true).ok());
  }
  auto store = OpenStore();
  EXPECT_EQ(ReadDerivedOf(*store, "checkpoint"), "1");
  EXPECT_EQ(store->Head(), 1u);
}

// Keys that are meaningful in the log's families (meta's head keys, an event's position key)
// written as derived state change nothing in the log: they land in `views` only.
TEST_F(EventStoreTest, DerivedWritesNeverTouchTheLog) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Append(Req("s-1", {Ev("e1")})).ok());
    ASSERT_TRUE(store
                    ->WriteDerived({{"head_position", PositionKey(7)},
                                    {"schema_version", PositionKey(99)},
                                    {PositionKey(1), "not an event"},
                                    {PositionKey(2), "not an event"}},
                                   true)
                    .ok());
    ASSERT_TRUE(store->WriteDerived({{"e1", std::nullopt}}, true).ok());
    ASSERT_TRUE(store->ClearDerived().ok());
  }
  {
    RawDb raw(path());
    EXPECT_EQ(raw.Get("meta", "head_position"), PositionKey(1));
    EXPECT_EQ(raw.Get("event_ids", "e1"), PositionKey(1));
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Head(), 1u);
  EXPECT_EQ(ScanAllOf(*store).size(), 1u);
  absl::StatusOr<AppendResult> retry = store->Append(Req("s-1", {Ev("e1")}));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->deduplicated);
}

TEST_F(EventStoreTest, GateSetAfterOpenDecidesLaterAppends) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(Req("s-1", {Ev("before", "Refused")})).ok());  // no gate yet
  TestGate gate;
  store->SetGate(&gate);
  absl::StatusOr<AppendResult> refused = store->Append(Req("s-1", {Ev("after", "Refused")}));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store->Append(Req("s-1", {Ev("ok")})).ok());
  EXPECT_EQ(gate.commits(), 1);
  EXPECT_EQ(gate.committed_events(), 1u);
  store->SetGate(nullptr);
  EXPECT_TRUE(store->Append(Req("s-1", {Ev("later", "Refused")})).ok());
  EXPECT_EQ(store->Head(), 3u);
}

}  // namespace
}  // namespace storage::test
