// EventStore::Verify: an intact log verifies whole and in ranges; each kind of damage to a closed
// log (a changed byte, swapped events, a rehashed event, a missing event or index entry) is found
// at exactly its position.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "storage/event_store.h"
#include "storage/event_store_test_util.h"
#include "wijkboek/v1/envelope.pb.h"

namespace storage::test {
namespace {

constexpr Position kEvents = 10;

class VerifyTest : public EventStoreTest {
 protected:
  // Events 1..10 in two streams, payload "payload-<position>".
  void SetUp() override {
    EventStoreTest::SetUp();
    auto store = OpenStore();
    for (Position p = 1; p <= kEvents; ++p) {
      const std::string stream = p % 2 == 0 ? "action-even" : "action-odd";
      ASSERT_TRUE(store->Append(Req(stream, {Ev(absl::StrCat("e", p), "Happened",
                                                 absl::StrCat("payload-", p))}))
                      .ok());
    }
  }

  absl::StatusOr<VerifyReport> VerifyNow(Position from = 0, Position to = 0) {
    auto store = OpenStore();
    if (store == nullptr) return absl::InternalError("the store did not open");
    return store->Verify(from, to, nullptr);
  }

  // Changes one byte of the stored payload of `position` (not the newest, which Open checks).
  void FlipPayloadByte(Position position) {
    RawDb raw(path());
    std::string value = raw.Get("events", PositionKey(position));
    const std::size_t at = value.find(absl::StrCat("payload-", position));
    ASSERT_NE(at, std::string::npos);
    value[at] ^= 0x20;  // 'p' -> 'P': still a valid envelope
    raw.Put("events", PositionKey(position), value);
  }
};

TEST_F(VerifyTest, IntactLogVerifiesToTheHead) {
  auto store = OpenStore();
  absl::StatusOr<VerifyReport> report = store->Verify(0, 0, nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok) << report->reason;
  EXPECT_EQ(report->checked, kEvents);
  EXPECT_EQ(report->to_position, kEvents);
  EXPECT_EQ(report->head_hash, store->HeadHash());
  EXPECT_EQ(report->first_bad_position, 0u);
  EXPECT_EQ(report->reason, "");
}

TEST_F(VerifyTest, RangeVerifiesOnlyItsEventsAndEndsWithTheHashAtItsEnd) {
  auto store = OpenStore();
  absl::StatusOr<VerifyReport> report = store->Verify(3, 7, nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok) << report->reason;
  EXPECT_EQ(report->checked, 5u);
  EXPECT_EQ(report->to_position, 7u);
  EXPECT_EQ(report->head_hash, store->ReadAt(7)->hash);
}

TEST_F(VerifyTest, EmptyLogIsIntactWithNothingChecked) {
  std::filesystem::remove_all(path());
  absl::StatusOr<VerifyReport> report = VerifyNow();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok);
  EXPECT_EQ(report->checked, 0u);
  EXPECT_EQ(report->to_position, 0u);
}

TEST_F(VerifyTest, RangesOutsideTheLogAreRefused) {
  auto store = OpenStore();
  EXPECT_EQ(store->Verify(0, kEvents + 1, nullptr).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store->Verify(kEvents + 1, 0, nullptr).status().code(),
            absl::StatusCode::kOutOfRange);
  absl::Status backwards = store->Verify(5, 4, nullptr).status();
  EXPECT_EQ(backwards.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Msg(backwards), "from_position 5 is after to_position 4");
}

TEST_F(VerifyTest, ChangedPayloadByteIsFoundAtItsPosition) {
  FlipPayloadByte(5);
  absl::StatusOr<VerifyReport> report = VerifyNow();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_position, 5u);
  EXPECT_EQ(report->checked, 4u);
  EXPECT_NE(report->reason.find("the event or its stored hash was changed"), std::string::npos)
      << report->reason;
}

TEST_F(VerifyTest, ChangedByteOfTheStoredHashIsFoundAtItsPosition) {
  {
    RawDb raw(path());
    std::string value = raw.Get("events", PositionKey(2));
    value[7] ^= 0x01;
    raw.Put("events", PositionKey(2), value);
  }
  absl::StatusOr<VerifyReport> report = VerifyNow();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->first_bad_position, 2u);
}

TEST_F(VerifyTest, RangeAfterADamagedEventLinksToItsStoredHash) {
  FlipPayloadByte(5);
  absl::StatusOr<VerifyReport> report = VerifyNow(6, 0);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok) << report->reason;
  EXPECT_EQ(report->checked, kEvents - 5);
}

TEST_F(VerifyTest, SwappedEventsAreFoundAtTheFirstOfThem) {
  {
    RawDb raw(path());
    const std::string four = raw.Get("events", PositionKey(4));
    raw.Put("events", PositionKey(4), raw.Get("events", PositionKey(7)));
    raw.Put("events", PositionKey(7), four);
  }
  absl::StatusOr<VerifyReport> report = VerifyNow();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->first_bad_position, 4u);
  EXPECT_NE(report->reason.find("says position 7"), std::string::npos) << report->reason;
}

TEST_F(VerifyTest, RehashedEventBreaksTheLinkOfTheNext) {
  {
    RawDb raw(path());
    wijkboek::v1::RecordedEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(raw.Get("events", PositionKey(5)).substr(32)));
    envelope.set_payload("rewritten");
    const std::string bytes = envelope.SerializeAsString();
    Hash prev{};
    std::copy(envelope.prev_hash().begin(), envelope.prev_hash().end(), prev.begin());
    const Hash hash = ChainHash(prev, bytes);
    raw.Put("events", PositionKey(5), std::string(hash.begin(), hash.end()) + bytes);
  }
  absl::StatusOr<VerifyReport> report = VerifyNow();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->first_bad_position, 6u);
  EXPECT_NE(report->reason.find("of position 5: the chain is broken here"), std::string::npos)
      << report->reason;
}

TEST_F(VerifyTest, MissingEventIsFoundAtItsPosition) {
  RawDb(path()).Delete("events", PositionKey(3));
  absl::StatusOr<VerifyReport> report = VerifyNow();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->first_bad_position, 3u);
  EXPECT_NE(report->reason.find("no event is stored here"), std::string::npos) << report->reason;
}

TEST_F(VerifyTest, MissingStreamsIndexEntryIsFoundAtTheEvent) {
  // Position 6 is revision 2 of action-even (positions 2, 4, 6, ...).
  RawDb(path()).Delete("streams", std::string("action-even") + '\0' + PositionKey(2));
  absl::StatusOr<VerifyReport> report = VerifyNow();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->first_bad_position, 6u);
  EXPECT_EQ(report->reason, "the streams index entry of stream action-even revision 2 is missing");
}

TEST_F(VerifyTest, EventIdEntryPointingElsewhereIsFoundAtTheEvent) {
  RawDb(path()).Put("event_ids", "e8", PositionKey(9));
  absl::StatusOr<VerifyReport> report = VerifyNow();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->first_bad_position, 8u);
  EXPECT_EQ(report->reason, "the event_ids entry of e8 points at position 9, not here");
}

TEST_F(VerifyTest, ProgressIsReportedAndCanStopTheCheck) {
  auto store = OpenStore();
  std::vector<NewEvent> many;
  for (int i = 0; i < 5000; ++i) many.push_back(Ev(absl::StrCat("bulk-", i)));
  ASSERT_TRUE(store->Append(Req("bulk", std::move(many))).ok());
  std::vector<Position> seen;
  absl::StatusOr<VerifyReport> report = store->Verify(0, 0, [&](Position at, Position to) {
    seen.push_back(at);
    EXPECT_EQ(to, store->Head());
    return true;
  });
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok) << report->reason;
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), store->Head());

  absl::StatusOr<VerifyReport> stopped =
      store->Verify(0, 0, [](Position, Position) { return false; });
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace storage::test
