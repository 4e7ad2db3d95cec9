// ReadBatches (several events per message, built from the stored bytes) against Read (one
// parsed event per message) over real gRPC, and Subscribe with batch_events: the same events,
// in the same order, for every shape of request.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "eventlog_helpers.h"

namespace itest {
namespace {

struct BatchesResult {
  grpc::Status status;
  std::vector<v1::Event> events;
  size_t batches = 0;
};

BatchesResult ReadBatches(ServerProcess& server, const v1::ReadRequest& request) {
  grpc::ClientContext context;
  server.Authorize(&context);
  BatchesResult result;
  auto reader = server.Stub().ReadBatches(&context, request);
  v1::EventBatch batch;
  while (reader->Read(&batch)) {
    ++result.batches;
    EXPECT_GT(batch.events_size(), 0) << "an empty batch";
    for (const auto& e : batch.events()) result.events.push_back(e);
  }
  result.status = reader->Finish();
  return result;
}

v1::ReadRequest Request(const std::string& stream, uint64_t from, uint32_t limit, bool backwards,
                        bool include_envelope) {
  v1::ReadRequest request;
  request.set_stream(stream);
  request.set_from(from);
  request.set_limit(limit);
  request.set_backwards(backwards);
  request.set_include_envelope(include_envelope);
  return request;
}

std::string DescribeRequest(const v1::ReadRequest& request) {
  return "stream '" + request.stream() + "' from " + std::to_string(request.from()) + " limit " +
         std::to_string(request.limit()) + (request.backwards() ? " backwards" : "") +
         (request.include_envelope() ? " with envelopes" : "");
}

// ReadBatches answers `request` with exactly Read's events and status.
void ExpectSameAsRead(ServerProcess& server, const v1::ReadRequest& request) {
  SCOPED_TRACE(DescribeRequest(request));
  const ReadResult slow = Read(server, request);
  const BatchesResult fast = ReadBatches(server, request);
  EXPECT_EQ(fast.status.error_code(), slow.status.error_code()) << Describe(fast.status);
  EXPECT_EQ(fast.status.error_message(), slow.status.error_message());
  ASSERT_EQ(fast.events.size(), slow.events.size());
  for (size_t i = 0; i < slow.events.size(); ++i) {
    EXPECT_TRUE(SameMessage(fast.events[i], slow.events[i])) << "event " << i;
  }
}

// Starts actions batch-<first> .. batch-<first + actions - 1>, each in one append to its stream
// action-batch-<n>: ActionStarted, then per_action - 1 results whose summaries are
// `summary_bytes` long, with metadata (an empty value among it).
void AppendActions(ServerProcess& server, int first, int actions, int per_action,
                   size_t summary_bytes) {
  for (int a = first; a < first + actions; ++a) {
    const std::string id = "batch-" + std::to_string(a);
    std::vector<v1::ProposedEvent> events = {MakeActionStarted(id)};
    for (int i = 1; i < per_action; ++i) {
      v1::ProposedEvent e = MakeResultRecorded(id, std::string(summary_bytes, 'a' + i % 26));
      (*e.mutable_metadata())["correlation"] = "c-" + std::to_string(i);
      if (i % 3 == 0) (*e.mutable_metadata())["bron"] = "";
      events.push_back(std::move(e));
    }
    MustAppend(server, MakeRequest("action-" + id, std::move(events)));
  }
}

using ReadBatchesTest = SeededServerTest;

TEST_F(ReadBatchesTest, WholeLogOverSeveralBatchesIsWhatReadReturns) {
  // 8 x 250 events of ~1 KiB: about 2 MiB, so ReadBatches needs more than one batch.
  AppendActions(server_, 0, 8, 250, 900);
  const uint64_t head = MustGetHead(server_).position();
  ASSERT_EQ(head, base_ + 2000);
  const BatchesResult all = ReadBatches(server_, Request("", 0, 0, false, false));
  ASSERT_TRUE(all.status.ok()) << Describe(all.status);
  EXPECT_EQ(all.events.size(), head);
  EXPECT_GT(all.batches, 1u) << "2 MiB of events in one message";
  EXPECT_LT(all.batches, 10u) << "batches much smaller than 1 MiB";
  for (bool include_envelope : {false, true}) {
    ExpectSameAsRead(server_, Request("", 0, 0, false, include_envelope));
    ExpectSameAsRead(server_, Request("", 0, 0, true, include_envelope));
  }
}

TEST_F(ReadBatchesTest, EveryRequestShapeIsWhatReadReturns) {
  AppendActions(server_, 0, 3, 40, 50);
  const uint64_t head = MustGetHead(server_).position();
  const std::vector<std::string> streams = {"", "action-batch-1", "action-batch-2"};
  for (const std::string& stream : streams) {
    const uint64_t last = stream.empty() ? head : 39;
    for (uint64_t from : {uint64_t{0}, uint64_t{1}, uint64_t{7}, last, last + 1, last + 100}) {
      for (uint32_t limit : {0u, 1u, 5u, 39u, 1000u}) {
        for (bool backwards : {false, true}) {
          ExpectSameAsRead(server_, Request(stream, from, limit, backwards, limit == 5));
        }
      }
    }
  }
}

TEST_F(ReadBatchesTest, MissingStreamIsNotFoundLikeRead) {
  ExpectSameAsRead(server_, Request("action-nope", 0, 0, false, false));
  const BatchesResult r = ReadBatches(server_, Request("action-nope", 0, 0, false, false));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::NOT_FOUND) << Describe(r.status);
  EXPECT_EQ(r.status.error_message(), "stream action-nope does not exist");
}

TEST_F(ReadBatchesTest, WithoutATokenIsUnauthenticated) {
  grpc::ClientContext context;
  auto reader = server_.Stub().ReadBatches(&context, Request("", 0, 0, false, false));
  v1::EventBatch batch;
  EXPECT_FALSE(reader->Read(&batch));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ReadBatchesTest, CancelledAfterTheFirstBatchEndsTheCall) {
  AppendActions(server_, 0, 8, 250, 900);
  grpc::ClientContext context;
  server_.Authorize(&context);
  auto reader = server_.Stub().ReadBatches(&context, Request("", 0, 0, false, true));
  v1::EventBatch batch;
  ASSERT_TRUE(reader->Read(&batch));
  context.TryCancel();
  while (reader->Read(&batch)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The server goes on serving.
  EXPECT_EQ(ReadBatches(server_, Request("", 0, 3, false, false)).events.size(), 3u);
}

// Batched Subscribe: history in batches of at most N, one caught_up after all of history and
// before every live event, live events in batches; every event of the log once, in order.
TEST_F(ReadBatchesTest, BatchedSubscribeDeliversHistoryCaughtUpAndLiveWithoutGapOrDuplicate) {
  constexpr int kBatch = 64;
  AppendActions(server_, 0, 5, 100, 20);
  v1::SubscribeRequest request;
  request.set_from_position(1);
  request.set_batch_events(kBatch);
  Subscription sub(server_, request);
  ASSERT_TRUE(sub.WaitForCaughtUp());
  AppendActions(server_, 5, 3, 30, 20);  // live: appended after caught_up
  const uint64_t head = MustGetHead(server_).position();
  ASSERT_TRUE(sub.WaitForPosition(head)) << "the subscription did not reach head " << head;

  uint64_t caught_up = 0;
  uint64_t last_before = 0;
  int markers = 0;
  size_t batches_before = 0, batches_after = 0;
  for (const auto& r : sub.Responses()) {
    EXPECT_FALSE(r.has_event()) << "a single event, though batches were asked for";
    if (r.has_caught_up()) {
      ++markers;
      caught_up = r.caught_up();
    }
    if (!r.has_events()) continue;
    EXPECT_GT(r.events().events_size(), 0);
    EXPECT_LE(r.events().events_size(), kBatch);
    for (const auto& e : r.events().events()) {
      if (markers == 0) {
        last_before = e.position();
      } else {
        EXPECT_GT(e.position(), caught_up) << "a live event at or below caught_up";
      }
    }
    (markers == 0 ? batches_before : batches_after) += 1;
  }
  EXPECT_EQ(markers, 1);
  EXPECT_EQ(last_before, caught_up) << "history ended before or after caught_up";
  EXPECT_EQ(caught_up, base_ + 500) << "caught_up is the head when the subscriber went live";
  EXPECT_GE(batches_before, (base_ + 500) / kBatch) << "history not in batches of <= N";
  EXPECT_GE(batches_after, 1u);

  const std::vector<v1::Event> events = sub.Events();
  const std::vector<v1::Event> log = MustReadLog(server_);
  ASSERT_EQ(events.size(), log.size()) << "not every event exactly once";
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(events[i].position(), i + 1);
    EXPECT_TRUE(SameMessage(events[i], log[i])) << "position " << i + 1;
  }
}

TEST_F(ReadBatchesTest, BatchedSubscribeWithAFilterSeesExactlyTheMatchingEvents) {
  AppendActions(server_, 0, 4, 50, 10);
  v1::SubscribeRequest request;
  request.set_from_position(1);
  request.set_batch_events(16);
  request.mutable_filter()->add_stream_prefixes("action-batch-2");
  request.mutable_filter()->add_event_types("ResultRecorded");
  Subscription sub(server_, request);
  ASSERT_TRUE(sub.WaitForCaughtUp());
  // Live: results on every action, 9 of them on batch-2.
  for (int a = 0; a < 4; ++a) {
    const std::string id = "batch-" + std::to_string(a);
    std::vector<v1::ProposedEvent> results;
    for (int i = 0; i < 9; ++i) results.push_back(MakeResultRecorded(id, "live"));
    MustAppend(server_, MakeRequest("action-" + id, std::move(results)));
  }
  std::vector<uint64_t> expected;
  for (const auto& e : MustReadLog(server_)) {
    if (e.stream() == "action-batch-2" && e.type() == "ResultRecorded") {
      expected.push_back(e.position());
    }
  }
  ASSERT_EQ(expected.size(), 49u + 9u);
  ASSERT_TRUE(sub.WaitForPosition(expected.back()));
  std::vector<uint64_t> got;
  for (const auto& e : sub.Events()) got.push_back(e.position());
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace itest
