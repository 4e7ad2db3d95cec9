// Idempotent appends: a retried request (same event ids, same content) is answered with the
// original positions and stores nothing; an event id reused for other content is refused.

#include <gtest/gtest.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "eventlog_helpers.h"

namespace itest {
namespace {

// On the seed (SeedPrerequisites): the test's own events start at position base_ + 1.
using IdempotencyTest = SeededServerTest;

TEST_F(IdempotencyTest, RetryOfSameRequestReturnsOriginalPositionsAndStoresNothing) {
  const std::string a = NewId("a");
  MustAppend(server_, MakeRequest("programme", {MakeDecisionRecorded("d1")}));
  const v1::AppendRequest request =
      MakeRequest("action-" + a, {MakeActionStarted(a), MakeResultRecorded(a, "r")});
  const v1::AppendResponse first = MustAppend(server_, request);
  ASSERT_FALSE(first.deduplicated());
  const v1::GetHeadResponse head = MustGetHead(server_);

  for (int attempt = 0; attempt < 2; ++attempt) {
    const AppendResult retry = Append(server_, request);
    ASSERT_TRUE(retry.status.ok()) << Describe(retry.status);
    EXPECT_TRUE(retry.response.deduplicated());
    EXPECT_EQ(retry.response.first_position(), first.first_position());
    EXPECT_EQ(retry.response.last_position(), first.last_position());
    EXPECT_EQ(retry.response.stream_revision(), first.stream_revision());
  }
  const v1::GetHeadResponse after = MustGetHead(server_);
  EXPECT_EQ(after.position(), head.position());
  EXPECT_EQ(after.hash(), head.hash());
  EXPECT_EQ(MustReadLog(server_).size(), base_ + 3);
}

TEST_F(IdempotencyTest, RetryWithNowStaleExactRevisionStillDeduplicates) {
  const std::string a = NewId("a");
  const std::string stream = "action-" + a;
  MustAppend(server_, MakeRequest(stream, NoStream(), {MakeActionStarted(a)}));
  const v1::AppendRequest request = MakeRequest(stream, Exact(0), {MakeResultRecorded(a, "r1")});
  const v1::AppendResponse first = MustAppend(server_, request);
  MustAppend(server_, MakeRequest(stream, {MakeResultRecorded(a, "r2")}));  // stream moves on

  const AppendResult retry = Append(server_, request);
  ASSERT_TRUE(retry.status.ok()) << Describe(retry.status);
  EXPECT_TRUE(retry.response.deduplicated());
  EXPECT_EQ(retry.response.first_position(), first.first_position());
  EXPECT_EQ(retry.response.last_position(), first.last_position());
  EXPECT_EQ(retry.response.stream_revision(), 1u);
  EXPECT_EQ(MustGetHead(server_).position(), base_ + 3);
}

TEST_F(IdempotencyTest, RetryWithNoStreamAfterTheStreamExistsStillDeduplicates) {
  const std::string a = NewId("a");
  const v1::AppendRequest request = MakeRequest("action-" + a, NoStream(), {MakeActionStarted(a)});
  const v1::AppendResponse first = MustAppend(server_, request);
  const AppendResult retry = Append(server_, request);
  ASSERT_TRUE(retry.status.ok()) << Describe(retry.status);
  EXPECT_TRUE(retry.response.deduplicated());
  EXPECT_EQ(retry.response.first_position(), first.first_position());
  EXPECT_EQ(MustGetHead(server_).position(), base_ + 1);
}

TEST_F(IdempotencyTest, SameEventIdWithDifferentContentIsAlreadyExists) {
  const std::string a = NewId("a");
  v1::ProposedEvent original = MakeResultRecorded(a, "12 koppels");
  MustAppend(server_, MakeRequest("action-" + a, {MakeActionStarted(a), original}));
  const v1::GetHeadResponse head = MustGetHead(server_);

  v1::ProposedEvent changed = original;
  changed.mutable_payload()->mutable_result_recorded()->set_summary("13 koppels");
  const AppendResult r = Append(server_, MakeRequest("action-" + a, {changed}));
  EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::ALREADY_EXISTS, original.event_id()));
  EXPECT_EQ(MustGetHead(server_).position(), head.position());
}

TEST_F(IdempotencyTest, SameEventIdWithDifferentMetadataIsAlreadyExists) {
  const std::string a = NewId("a");
  v1::ProposedEvent original = MakeActionStarted(a);
  MustAppend(server_, MakeRequest("action-" + a, {original}));
  v1::ProposedEvent changed = original;
  (*changed.mutable_metadata())["source"] = "another-system";
  const AppendResult r = Append(server_, MakeRequest("action-" + a, {changed}));
  EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_EQ(MustGetHead(server_).position(), base_ + 1);
}

TEST_F(IdempotencyTest, SameEventIdInAnotherStreamIsAlreadyExists) {
  const std::string a = NewId("a"), b = NewId("b");
  v1::ProposedEvent original = MakeActionStarted(a);
  MustAppend(server_, MakeRequest("action-" + a, {original}));
  v1::ProposedEvent other = MakeActionStarted(b);
  other.set_event_id(original.event_id());
  const AppendResult r = Append(server_, MakeRequest("action-" + b, {other}));
  EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_TRUE(StatusIs(ReadStream(server_, "action-" + b).status, grpc::StatusCode::NOT_FOUND));
}

TEST_F(IdempotencyTest, ConcurrentCopiesOfOneRequestAreStoredOnce) {
  constexpr int kCopies = 6;
  for (int round = 0; round < 10; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string a = NewId("a");
    const v1::AppendRequest request =
        MakeRequest("action-" + a, {MakeActionStarted(a), MakeResultRecorded(a, "r")});
    const uint64_t head = MustGetHead(server_).position();
    std::vector<AppendResult> results(kCopies);
    std::latch start(kCopies);
    std::vector<std::thread> senders;
    for (int i = 0; i < kCopies; ++i) {
      senders.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = Append(server_, request);
      });
    }
    for (auto& t : senders) t.join();

    int fresh = 0;
    for (const AppendResult& r : results) {
      ASSERT_TRUE(r.status.ok()) << Describe(r.status);
      fresh += r.response.deduplicated() ? 0 : 1;
      EXPECT_EQ(r.response.first_position(), head + 1);
      EXPECT_EQ(r.response.last_position(), head + 2);
    }
    EXPECT_EQ(fresh, 1) << "copies answered as newly appended";
    EXPECT_EQ(MustGetHead(server_).position(), head + 2);
  }
  EXPECT_TRUE(ChainIsIntact(MustReadLog(server_)));
}

}  // namespace
}  // namespace itest
