// Verification and signed heads over real gRPC, against logs damaged on disk by wijkboek-tamper
// (tests/tools/tamper.cc) while the server was stopped: one changed byte, swapped events, and a
// rewrite that rehashed the whole chain.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "eventlog_helpers.h"
#include "services/audit/digest.h"
#include "services/audit/export_format.h"
#include "services/audit/signed_head.h"

#ifndef WIJKBOEK_TAMPER_PATH
#error "WIJKBOEK_TAMPER_PATH must name the wijkboek-tamper binary"
#endif

namespace itest {
namespace {

struct VerifyResult {
  grpc::Status status;
  v1::VerifyResponse response;
};

VerifyResult Verify(ServerProcess& server, uint64_t from = 0, uint64_t to = 0) {
  v1::VerifyRequest request;
  request.set_from_position(from);
  request.set_to_position(to);
  grpc::ClientContext context;
  server.Authorize(&context, std::chrono::seconds(60));
  VerifyResult result;
  result.status = server.Stub().Verify(&context, request, &result.response);
  return result;
}

v1::SignedHead MustGetSignedHead(ServerProcess& server) {
  grpc::ClientContext context;
  server.Authorize(&context);
  v1::SignedHead head;
  grpc::Status status = server.Stub().GetSignedHead(&context, v1::GetSignedHeadRequest(), &head);
  EXPECT_TRUE(status.ok()) << Describe(status);
  return head;
}

// Runs wijkboek-tamper on the stopped server's log; its output goes into the failure message.
::testing::AssertionResult Tamper(ServerProcess& server, const std::string& args) {
  const std::string command = std::string(WIJKBOEK_TAMPER_PATH) + " " +
                              (server.data_dir() / "log").string() + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return ::testing::AssertionFailure() << "cannot run " << command;
  std::string output;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = ::pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return ::testing::AssertionFailure() << command << " failed: " << output;
  }
  return ::testing::AssertionSuccess() << output;
}

// On the seed: six more events, so positions base_ + 1 .. base_ + 6 are the test's own.
class AuditTest : public SeededServerTest {
 protected:
  void SetUp() override {
    SeededServerTest::SetUp();
    if (HasFatalFailure()) return;
    for (const std::string& action : {"a", "b"}) {
      MustAppend(server_, MakeRequest("action-" + std::string(action),
                                      {MakeActionStarted(action),
                                       MakeResultRecorded(action, "eerste resultaat"),
                                       MakeResultRecorded(action, "tweede resultaat")}));
    }
    head_ = MustGetHead(server_).position();
    ASSERT_EQ(head_, base_ + 6);
  }

  // Stops the server, runs the tamper tool, starts it again on the damaged log.
  void TamperWhileStopped(const std::string& args) {
    ASSERT_EQ(server_.Stop(), 0);
    ASSERT_TRUE(Tamper(server_, args));
    ASSERT_TRUE(server_.Restart());
  }

  uint64_t head_ = 0;
};

TEST_F(AuditTest, IntactLogVerifiesToTheHead) {
  const VerifyResult result = Verify(server_);
  ASSERT_TRUE(result.status.ok()) << Describe(result.status);
  EXPECT_TRUE(result.response.ok()) << result.response.reason();
  EXPECT_EQ(result.response.checked(), head_);
  EXPECT_EQ(result.response.to_position(), head_);
  EXPECT_EQ(result.response.head_hash(), MustGetHead(server_).hash());
  EXPECT_EQ(result.response.first_bad_position(), 0u);
}

TEST_F(AuditTest, RangeVerifiesItsEventsAndEndsWithTheHashAtItsEnd) {
  const VerifyResult result = Verify(server_, 2, 5);
  ASSERT_TRUE(result.status.ok()) << Describe(result.status);
  EXPECT_TRUE(result.response.ok()) << result.response.reason();
  EXPECT_EQ(result.response.checked(), 4u);
  EXPECT_EQ(result.response.to_position(), 5u);
  EXPECT_EQ(result.response.head_hash(), MustReadLog(server_)[4].hash());
}

TEST_F(AuditTest, RangesOutsideTheLogAreRefusedWithAReason) {
  EXPECT_TRUE(StatusIs(Verify(server_, 0, head_ + 1).status, grpc::StatusCode::OUT_OF_RANGE,
                       "lies past the head of the log"));
  EXPECT_TRUE(StatusIs(Verify(server_, 5, 4).status, grpc::StatusCode::INVALID_ARGUMENT,
                       "from_position 5 is after to_position 4"));
}

TEST_F(AuditTest, VerifyAndSignedHeadNeedATokenToo) {
  grpc::ClientContext context;
  ServerProcess::SetDeadline(&context);
  v1::VerifyResponse response;
  EXPECT_TRUE(StatusIs(server_.Stub().Verify(&context, v1::VerifyRequest(), &response),
                       grpc::StatusCode::UNAUTHENTICATED));
  grpc::ClientContext head_context;
  ServerProcess::SetDeadline(&head_context);
  v1::SignedHead head;
  EXPECT_TRUE(StatusIs(
      server_.Stub().GetSignedHead(&head_context, v1::GetSignedHeadRequest(), &head),
      grpc::StatusCode::UNAUTHENTICATED));
}

TEST_F(AuditTest, ReadWithEnvelopeReturnsTheExactHashedBytes) {
  v1::ReadRequest request;
  request.set_include_envelope(true);
  const ReadResult with = Read(server_, request);
  ASSERT_TRUE(with.status.ok()) << Describe(with.status);
  ASSERT_EQ(with.events.size(), head_);
  for (const v1::Event& event : with.events) {
    ASSERT_FALSE(event.envelope().empty()) << "position " << event.position();
    EXPECT_EQ(audit::Sha256(event.prev_hash(), event.envelope()), event.hash());
    // The readable fields say what the bytes say.
    absl::StatusOr<v1::Event> from_bytes = audit::EventFromEnvelope(event.envelope());
    ASSERT_TRUE(from_bytes.ok()) << from_bytes.status();
    EXPECT_TRUE(SameMessage(*from_bytes, event)) << "position " << event.position();
  }
  for (const v1::Event& event : MustReadLog(server_)) EXPECT_TRUE(event.envelope().empty());
}

// One byte of one stored event changed directly in RocksDB: in the payload, in the envelope (its
// recorded_by) or in the stored hash. Verify names exactly that position.
class ChangedByteTest : public AuditTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(ChangedByteTest, VerifyFailsAtExactlyThatPosition) {
  const uint64_t damaged = base_ + 3;
  TamperWhileStopped("flip " + std::to_string(damaged) + " " + GetParam());
  const VerifyResult result = Verify(server_);
  ASSERT_TRUE(result.status.ok()) << Describe(result.status);
  EXPECT_FALSE(result.response.ok());
  EXPECT_EQ(result.response.first_bad_position(), damaged) << result.response.reason();
  EXPECT_EQ(result.response.checked(), damaged - 1);
  EXPECT_NE(result.response.reason().find("the event or its stored hash was changed"), std::string::npos)
      << result.response.reason();
  EXPECT_TRUE(result.response.head_hash().empty());

  // The events before it are intact; those after it link to its stored hash, so they are intact
  // too unless that hash is what changed.
  EXPECT_TRUE(Verify(server_, 1, damaged - 1).response.ok());
  const VerifyResult after = Verify(server_, damaged + 1, 0);
  if (std::string(GetParam()) == "hash") {
    EXPECT_EQ(after.response.first_bad_position(), damaged + 1) << after.response.reason();
  } else {
    EXPECT_TRUE(after.response.ok()) << after.response.reason();
  }
}

INSTANTIATE_TEST_SUITE_P(Regions, ChangedByteTest,
                         ::testing::Values("payload", "envelope", "hash"));

TEST_F(AuditTest, SwappedEventsFailVerifyAtTheFirstOfThem) {
  TamperWhileStopped("swap " + std::to_string(base_ + 2) + " " + std::to_string(base_ + 4));
  const VerifyResult result = Verify(server_);
  ASSERT_TRUE(result.status.ok()) << Describe(result.status);
  EXPECT_FALSE(result.response.ok());
  EXPECT_EQ(result.response.first_bad_position(), base_ + 2);
  EXPECT_NE(result.response.reason().find("moved or swapped"), std::string::npos)
      << result.response.reason();
}

TEST_F(AuditTest, SignedHeadIsTheHeadSignedWithAKeyKeptInTheDataDir) {
  const v1::SignedHead head = MustGetSignedHead(server_);
  EXPECT_TRUE(audit::CheckSignedHead(head).ok()) << audit::CheckSignedHead(head);
  EXPECT_EQ(head.position(), head_);
  EXPECT_EQ(head.hash(), MustGetHead(server_).hash());
  struct stat st{};
  ASSERT_EQ(::stat((server_.data_dir() / "head-signing.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ASSERT_EQ(server_.Stop(), 0);
  ASSERT_TRUE(server_.Restart());
  const v1::SignedHead after = MustGetSignedHead(server_);
  EXPECT_EQ(after.public_key(), head.public_key()) << "the key changed across a restart";
  EXPECT_EQ(after.key_id(), head.key_id());
}

TEST_F(AuditTest, RewrittenAndRehashedLogFailsOnlyAgainstAnEarlierSignedHead) {
  const v1::SignedHead earlier = MustGetSignedHead(server_);
  ASSERT_EQ(earlier.position(), head_);
  TamperWhileStopped("rewrite " + std::to_string(base_ + 2));

  // Consistent in itself: the chain, the indexes and meta all agree again.
  const VerifyResult result = Verify(server_);
  ASSERT_TRUE(result.status.ok()) << Describe(result.status);
  EXPECT_TRUE(result.response.ok()) << result.response.reason();
  // But the hash at the signed position is not the one signed earlier.
  const VerifyResult to_signed = Verify(server_, 1, earlier.position());
  ASSERT_TRUE(to_signed.response.ok());
  absl::Status extends = audit::CheckHashAtSignedHead(earlier, to_signed.response.head_hash());
  EXPECT_EQ(extends.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(extends.message().find("rewritten at or before this position"),
            absl::string_view::npos)
      << extends;
}

TEST_F(AuditTest, ServerPublishesSignedHeadsInItsDataDir) {
  ASSERT_EQ(server_.Stop(), 0);
  server_.set_extra_args({"--sign-heads-every", "1"});
  ASSERT_TRUE(server_.Restart());
  const std::filesystem::path file = server_.data_dir() / "signed-heads.jsonl";
  const auto last_published = [&]() -> absl::StatusOr<v1::SignedHead> {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return audit::ParseSignedHead(text.str());
  };
  const auto published_at = [&](uint64_t position) {
    absl::StatusOr<v1::SignedHead> head = last_published();
    return head.ok() && head->position() == position;
  };
  // At start (the log holds events), then periodically once the head moved, then at shutdown.
  EXPECT_TRUE(WaitUntil([&] { return published_at(head_); }, std::chrono::seconds(30)));
  const v1::AppendResponse more =
      MustAppend(server_, MakeRequest("action-a", {MakeResultRecorded("a", "derde resultaat")}));
  EXPECT_TRUE(WaitUntil([&] { return published_at(more.last_position()); },
                        std::chrono::seconds(30)));
  const v1::AppendResponse last =
      MustAppend(server_, MakeRequest("action-a", {MakeResultRecorded("a", "vierde resultaat")}));
  ASSERT_EQ(server_.Stop(), 0);
  EXPECT_TRUE(published_at(last.last_position()));
  absl::StatusOr<v1::SignedHead> head = last_published();
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_TRUE(audit::CheckSignedHead(*head).ok()) << audit::CheckSignedHead(*head);
}

}  // namespace
}  // namespace itest
