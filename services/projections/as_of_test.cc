// The pure part of time travel: reading a request's bound, business days, finding a position by
// record time, and folding a prefix of a real log (in a temp store) — which must equal the same
// events folded one by one.
#include "services/projections/as_of.h"

#include <gtest/gtest.h>

#include "services/projections/test_store.h"

namespace projections::test {
namespace {

using Kind = AsOf::Kind;

google::protobuf::Timestamp Time(std::int64_t seconds, std::int32_t nanos = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(nanos);
  return t;
}

TEST(ParseAsOf, NothingOrPositionZeroIsNow) {
  EXPECT_EQ(ParseAsOf(0, nullptr, "")->kind, Kind::kNow);
  v1::GetProgrammeRequest request;
  EXPECT_EQ(AsOfOf(request)->kind, Kind::kNow);
}

TEST(ParseAsOf, EachFieldAlone) {
  absl::StatusOr<AsOf> p = ParseAsOf(42, nullptr, "");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, Kind::kPosition);
  EXPECT_EQ(p->position, 42u);

  const google::protobuf::Timestamp t = Time(1719784799, 999999999);
  absl::StatusOr<AsOf> r = ParseAsOf(0, &t, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, Kind::kRecordTime);
  EXPECT_EQ(r->time_micros, 1719784799999999);  // nanoseconds rounded down to microseconds

  absl::StatusOr<AsOf> d = ParseAsOf(0, nullptr, "2024-06-30");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, Kind::kBusinessDate);
  EXPECT_EQ(d->date, absl::CivilDay(2024, 6, 30));
}

TEST(ParseAsOf, AnUnsetTimeIsNotEpochButATimeAtEpochIs) {
  v1::ListKpisRequest request;
  request.mutable_as_of_time();  // present, 1970-01-01T00:00:00Z
  absl::StatusOr<AsOf> r = AsOfOf(request);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, Kind::kRecordTime);
  EXPECT_EQ(r->time_micros, 0);
}

TEST(ParseAsOf, MoreThanOneFieldIsInvalidAndNamesThem) {
  const google::protobuf::Timestamp t = Time(1);
  absl::StatusOr<AsOf> r = ParseAsOf(3, nullptr, "2024-06-30");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("as_of_position and as_of_business_date"), std::string::npos)
      << r.status();
  EXPECT_EQ(ParseAsOf(3, &t, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseAsOf(0, &t, "2024-06-30").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseAsOf, ADateThatIsNotADayIsInvalid) {
  for (const char* bad :
       {"2024-6-30", "30-06-2024", "2024-02-30", "2024-06-30T00:00", "gisteren"}) {
    absl::StatusOr<AsOf> r = ParseAsOf(0, nullptr, bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("as_of_business_date"), std::string::npos) << bad;
  }
}

TEST(ParseAsOf, ATimeOutsideTimestampRangeIsInvalid) {
  const google::protobuf::Timestamp too_late = Time(253402300800);
  const google::protobuf::Timestamp bad_nanos = Time(0, -1);
  EXPECT_EQ(ParseAsOf(0, &too_late, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseAsOf(0, &bad_nanos, "").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(AsOfDescribe, SaysWhichBound) {
  EXPECT_EQ(ParseAsOf(7, nullptr, "")->Describe(), "position 7");
  EXPECT_EQ(ParseAsOf(0, nullptr, "2024-06-30")->Describe(), "business date 2024-06-30");
  const google::protobuf::Timestamp t = Time(1719784800);
  EXPECT_EQ(ParseAsOf(0, &t, "")->Describe(), "record time 2024-06-30T22:00:00+00:00");
}

storage::StoredEvent RecordedAt(std::int64_t unix_micros) {
  storage::StoredEvent e;
  e.position = 1;
  e.recorded_at_unix_micros = unix_micros;
  return e;
}

TEST(BusinessDay, OccurredOnWins) {
  v1::Payload p;
  p.mutable_result_recorded()->set_occurred_on("2024-03-01");
  EXPECT_EQ(BusinessDay(RecordedAt(1719784800000000), p), absl::CivilDay(2024, 3, 1));
  v1::Payload other;
  other.mutable_token_revoked()->set_occurred_on("2023-12-31");  // every event type has the field
  EXPECT_EQ(BusinessDay(RecordedAt(0), other), absl::CivilDay(2023, 12, 31));
}

TEST(BusinessDay, WithoutOccurredOnTheRecordDayInAmsterdam) {
  v1::Payload p;
  p.mutable_result_recorded()->set_summary("no date given");
  // 2024-06-30T22:30:00Z is already 1 July in Amsterdam (UTC+2 in summer).
  EXPECT_EQ(BusinessDay(RecordedAt(1719786600000000), p), absl::CivilDay(2024, 7, 1));
  // 2024-01-15T22:30:00Z is still 15 January (UTC+1 in winter).
  EXPECT_EQ(BusinessDay(RecordedAt(1705357800000000), p), absl::CivilDay(2024, 1, 15));
  p.mutable_result_recorded()->set_occurred_on("not a date");
  EXPECT_EQ(BusinessDay(RecordedAt(1719786600000000), p), absl::CivilDay(2024, 7, 1));
  EXPECT_EQ(BusinessDay(RecordedAt(1719786600000000), v1::Payload()), absl::CivilDay(2024, 7, 1));
}

class FoldPrefixTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    RandomLog log(7);
    Append(log.Make(3000));
  }
  static bool Always(std::uint64_t) { return true; }
};

TEST_F(FoldPrefixTest, EqualsTheFirstEventsFoldedOneByOne) {
  for (std::uint64_t p : {1u, 19u, 1024u, 1025u, 2222u, 3000u}) {
    Model model;
    ASSERT_TRUE(FoldPrefix(*store_, p, std::nullopt, Always, &model).ok());
    EXPECT_EQ(model.position, p);
    EXPECT_TRUE(model == FoldedDirectly(p)) << "position " << p;
    EXPECT_TRUE(model.dirty.empty());
  }
}

TEST_F(FoldPrefixTest, GrowingAnEarlierModelEqualsFoldingFromTheStart) {
  Model model;
  ASSERT_TRUE(FoldPrefix(*store_, 1500, std::nullopt, Always, &model).ok());
  ASSERT_TRUE(FoldPrefix(*store_, 2600, std::nullopt, Always, &model).ok());
  EXPECT_TRUE(model == FoldedDirectly(2600));
}

TEST_F(FoldPrefixTest, BusinessDateKeepsOnlyEventsOfThatDayOrBefore) {
  const absl::CivilDay date(2023, 5, 15);
  auto on_or_before = [&](const storage::StoredEvent& e, const v1::Payload& p) {
    return BusinessDay(e, p) <= date;
  };
  Model model;
  ASSERT_TRUE(FoldPrefix(*store_, 3000, date, Always, &model).ok());
  EXPECT_EQ(model.position, 3000u);  // the head it was folded from, not the last event taken
  EXPECT_TRUE(model == FoldedDirectly(3000, on_or_before));
  // And the filter did something: results dated after the date are gone.
  std::size_t kept = 0, all = 0;
  for (const auto& [id, a] : model.actions) kept += a.results_size();
  for (const auto& [id, a] : FoldedDirectly(3000).actions) all += a.results_size();
  EXPECT_GT(kept, 0u);
  EXPECT_LT(kept, all);
}

TEST_F(FoldPrefixTest, StopsWhenAskedAndSaysWhere) {
  Model model;
  std::vector<std::uint64_t> seen;
  absl::Status s = FoldPrefix(
      *store_, 3000, std::nullopt,
      [&](std::uint64_t p) {
        seen.push_back(p);
        return seen.size() < 2;
      },
      &model);
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1024, 2048}));
  EXPECT_NE(s.message().find("2048 of 3000"), std::string::npos) << s;
}

TEST_F(FoldPrefixTest, PastTheHeadIsAnError) {
  Model model;
  EXPECT_EQ(FoldPrefix(*store_, 3001, std::nullopt, Always, &model).code(),
            absl::StatusCode::kInternal);
}

TEST_F(FoldPrefixTest, LastPositionRecordedByFindsTheBoundary) {
  std::vector<std::int64_t> at(3001);
  ASSERT_TRUE(store_
                  ->ScanAll(1, false,
                            [&](const storage::StoredEvent& e) {
                              at[e.position] = e.recorded_at_unix_micros;
                              return true;
                            })
                  .ok());
  auto find = [&](std::int64_t t) { return *LastPositionRecordedBy(*store_, t); };
  EXPECT_EQ(find(at[1] - 1), 0u);
  EXPECT_EQ(find(at[3000]), 3000u);
  EXPECT_EQ(find(at[3000] + 1000000), 3000u);
  for (std::uint64_t p : {1u, 500u, 1777u, 2999u}) {
    // The last event recorded at or before at[p] (events of one group share a time).
    std::uint64_t expected = p;
    while (expected < 3000 && at[expected + 1] == at[p]) ++expected;
    EXPECT_EQ(find(at[p]), expected) << p;
    if (at[p] > at[p - 1]) {
      EXPECT_EQ(find(at[p] - 1), p - 1) << p;
    }
  }
}

TEST(LastPositionRecordedBy, AnEmptyLogHasNothing) {
  std::string pattern = ::testing::TempDir() + "as_of_empty_XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  {
    storage::Options options;
    options.path = pattern + "/log";
    auto store = storage::EventStore::Open(options);
    ASSERT_TRUE(store.ok());
    EXPECT_EQ(*LastPositionRecordedBy(**store, 1000), 0u);
  }
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace projections::test
