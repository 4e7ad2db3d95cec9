// EventLog.AppendStream over real gRPC against the real wijkboekd: answers in request order when
// pipelined, a refused request answered with its error while the stream goes on, idempotent
// retries, half-close, server shutdown and a token revoked while its stream is open.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "eventlog_helpers.h"
#include "wijkboek/v1/admin.grpc.pb.h"

namespace itest {
namespace {

// One AppendStream call with `token`.
class StreamCall {
 public:
  StreamCall(ServerProcess& server, const std::string& token)
      : stub_(v1::EventLog::NewStub(server.Channel())) {
    ServerProcess::SetDeadline(&context_);
    context_.AddMetadata("authorization", "Bearer " + token);
    stream_ = stub_->AppendStream(&context_);
  }

  bool Send(const v1::AppendRequest& request) { return stream_->Write(request); }
  // The next answer, or nullopt when the call has ended.
  std::optional<v1::AppendStreamResponse> Receive() {
    v1::AppendStreamResponse response;
    if (!stream_->Read(&response)) return std::nullopt;
    return response;
  }
  void HalfClose() { stream_->WritesDone(); }
  // Half-closes, expects no further answer, and returns the call's status.
  grpc::Status Close() {
    HalfClose();
    return Finish();
  }
  grpc::Status Finish() {
    v1::AppendStreamResponse extra;
    EXPECT_FALSE(stream_->Read(&extra)) << "an answer nobody asked for: " << extra.DebugString();
    return stream_->Finish();
  }

 private:
  std::unique_ptr<v1::EventLog::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::AppendRequest, v1::AppendStreamResponse>> stream_;
};

::testing::AssertionResult IsError(const std::optional<v1::AppendStreamResponse>& answer,
                                   grpc::StatusCode code, std::string_view message_part) {
  if (!answer) return ::testing::AssertionFailure() << "no answer: the call ended";
  if (!answer->has_error()) {
    return ::testing::AssertionFailure() << "appended, not refused: " << answer->DebugString();
  }
  return StatusIs(grpc::Status(static_cast<grpc::StatusCode>(answer->error().code()),
                               answer->error().message()),
                  code, message_part);
}

::testing::AssertionResult IsAppended(const std::optional<v1::AppendStreamResponse>& answer,
                                      uint64_t position) {
  if (!answer) return ::testing::AssertionFailure() << "no answer: the call ended";
  if (!answer->has_appended()) {
    return ::testing::AssertionFailure() << "refused: " << answer->DebugString();
  }
  if (answer->appended().last_position() != position) {
    return ::testing::AssertionFailure()
           << "appended at " << answer->appended().last_position() << ", expected " << position;
  }
  return ::testing::AssertionSuccess();
}

class AppendStreamTest : public SeededServerTest {
 protected:
  // Starts an action of its own; its stream is at revision 0.
  std::string StartAction() {
    const std::string action = NewId("act");
    MustAppend(server_, MakeRequest("action-" + action, NoStream(), {MakeActionStarted(action)}));
    ++base_;
    return action;
  }
  static v1::AppendRequest ResultAt(const std::string& action, uint64_t revision) {
    return MakeRequest("action-" + action, Exact(revision),
                       {MakeResultRecorded(action, NewId("resultaat"))});
  }
};

TEST_F(AppendStreamTest, PipelinedRequestsAreAnsweredInOrder) {
  const std::string action = StartAction();
  StreamCall call(server_, server_.token());
  constexpr int kRequests = 50;
  for (int i = 0; i < kRequests; ++i) ASSERT_TRUE(call.Send(ResultAt(action, i)));
  for (int i = 0; i < kRequests; ++i) {
    auto answer = call.Receive();
    ASSERT_TRUE(IsAppended(answer, base_ + i + 1)) << "request " << i;
    EXPECT_EQ(answer->appended().stream_revision(), static_cast<uint64_t>(i + 1));
    EXPECT_FALSE(answer->appended().deduplicated());
  }
  EXPECT_TRUE(call.Close().ok());
  const std::vector<v1::Event> log = MustReadLog(server_);
  EXPECT_EQ(log.size(), base_ + kRequests);
  EXPECT_TRUE(ChainIsIntact(log));
}

TEST_F(AppendStreamTest, ARefusedRequestIsAnsweredWithItsErrorAndTheStreamGoesOn) {
  const std::string action = StartAction();
  v1::AppendRequest invalid = ResultAt(action, 1);
  invalid.mutable_events(0)->set_event_id("not-a-uuid");
  v1::Payload credential;
  credential.mutable_principal_registered()->set_principal_id("sluiproute");
  credential.mutable_principal_registered()->set_role(v1::ROLE_ADMIN);

  StreamCall call(server_, server_.token());
  // All sent before any answer is read: each is still answered on its own.
  ASSERT_TRUE(call.Send(ResultAt(action, 0)));
  ASSERT_TRUE(call.Send(ResultAt(action, 0)));  // revision 1 by now
  ASSERT_TRUE(call.Send(invalid));
  ASSERT_TRUE(call.Send(MakeRequest("principal-sluiproute", {MakeEvent(credential)})));
  ASSERT_TRUE(call.Send(ResultAt(action, 1)));

  EXPECT_TRUE(IsAppended(call.Receive(), base_ + 1));
  EXPECT_TRUE(IsError(call.Receive(), grpc::StatusCode::ABORTED, "1"));
  EXPECT_TRUE(IsError(call.Receive(), grpc::StatusCode::INVALID_ARGUMENT, "event_id"));
  EXPECT_TRUE(IsError(call.Receive(), grpc::StatusCode::PERMISSION_DENIED,
                      "written only by the Admin service"));
  EXPECT_TRUE(IsAppended(call.Receive(), base_ + 2));
  EXPECT_TRUE(call.Close().ok());
  EXPECT_EQ(MustGetHead(server_).position(), base_ + 2) << "a refused request stored something";
}

TEST_F(AppendStreamTest, ARetriedRequestIsDeduplicatedAndAReusedIdWithOtherContentRefused) {
  const std::string action = StartAction();
  const v1::AppendRequest first = ResultAt(action, 0);
  v1::AppendRequest retry = first;  // same event id, same content; its revision check is stale
  v1::AppendRequest reused = ResultAt(action, 1);
  reused.mutable_events(0)->set_event_id(first.events(0).event_id());

  StreamCall call(server_, server_.token());
  ASSERT_TRUE(call.Send(first));
  ASSERT_TRUE(call.Send(retry));
  ASSERT_TRUE(call.Send(reused));
  auto appended = call.Receive();
  ASSERT_TRUE(IsAppended(appended, base_ + 1));
  auto again = call.Receive();
  ASSERT_TRUE(IsAppended(again, base_ + 1));
  EXPECT_TRUE(again->appended().deduplicated());
  EXPECT_EQ(again->appended().first_position(), appended->appended().first_position());
  EXPECT_TRUE(IsError(call.Receive(), grpc::StatusCode::ALREADY_EXISTS, ""));
  EXPECT_TRUE(call.Close().ok());
  EXPECT_EQ(MustGetHead(server_).position(), base_ + 1);
}

TEST_F(AppendStreamTest, HalfCloseAnswersEverySentRequestThenEndsOk) {
  const std::string action = StartAction();
  StreamCall call(server_, server_.token());
  constexpr int kRequests = 20;
  for (int i = 0; i < kRequests; ++i) ASSERT_TRUE(call.Send(ResultAt(action, i)));
  // Half-closed before any answer was read: the server still answers every request.
  call.HalfClose();
  for (int i = 0; i < kRequests; ++i) EXPECT_TRUE(IsAppended(call.Receive(), base_ + i + 1)) << i;
  const grpc::Status status = call.Finish();
  EXPECT_TRUE(status.ok()) << Describe(status);
}

TEST_F(AppendStreamTest, EmptyStreamEndsOk) {
  StreamCall call(server_, server_.token());
  EXPECT_TRUE(call.Close().ok());
}

TEST_F(AppendStreamTest, ShutdownAnswersWhatWasSentAndEndsTheStreamUnavailable) {
  const std::string action = StartAction();
  StreamCall call(server_, server_.token());
  ASSERT_TRUE(call.Send(ResultAt(action, 0)));
  ASSERT_TRUE(IsAppended(call.Receive(), base_ + 1));
  // The stream stays open and idle; SIGTERM must end it rather than wait for it.
  int exit_code = -1;
  std::thread stopper([&] { exit_code = server_.Stop(); });
  EXPECT_FALSE(call.Receive().has_value());
  const grpc::Status status = call.Finish();
  stopper.join();
  EXPECT_TRUE(StatusIs(status, grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
  EXPECT_EQ(exit_code, 0);
  ASSERT_TRUE(server_.Restart());
  EXPECT_EQ(MustGetHead(server_).position(), base_ + 1) << "the answered append is not durable";
}

TEST_F(AppendStreamTest, ATokenRevokedMidStreamIsRefusedForEveryLaterRequest) {
  const std::string action = StartAction();
  auto admin = v1::Admin::NewStub(server_.Channel());
  v1::IssueTokenRequest issue;
  issue.set_principal_id("admin");
  v1::IssueTokenResponse issued;
  {
    grpc::ClientContext context;
    ServerProcess::SetDeadline(&context);
    context.AddMetadata("authorization", "Bearer " + server_.token());
    ASSERT_TRUE(admin->IssueToken(&context, issue, &issued).ok());
  }
  ++base_;  // TokenIssued

  StreamCall call(server_, issued.token());
  ASSERT_TRUE(call.Send(ResultAt(action, 0)));
  ASSERT_TRUE(IsAppended(call.Receive(), base_ + 1));
  {
    v1::RevokeTokenRequest revoke;
    revoke.set_token_id(issued.token_id());
    v1::RevokeTokenResponse revoked;
    grpc::ClientContext context;
    ServerProcess::SetDeadline(&context);
    context.AddMetadata("authorization", "Bearer " + server_.token());
    ASSERT_TRUE(admin->RevokeToken(&context, revoke, &revoked).ok());
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(call.Send(ResultAt(action, 1)));
    EXPECT_TRUE(IsError(call.Receive(), grpc::StatusCode::UNAUTHENTICATED,
                        "token " + issued.token_id() + " was revoked"));
  }
  EXPECT_TRUE(call.Close().ok());
  EXPECT_EQ(MustGetHead(server_).position(), base_ + 2) << "appended with a revoked token";
}

TEST_F(AppendStreamTest, AnUnknownTokenGetsTheWholeStreamRefused) {
  StreamCall call(server_, "wbk_unknown");
  call.Send(MakeRequest("action-x", {MakeResultRecorded("x", "y")}));
  EXPECT_FALSE(call.Receive().has_value());
  EXPECT_TRUE(StatusIs(call.Finish(), grpc::StatusCode::UNAUTHENTICATED, "unknown token"));
}

}  // namespace
}  // namespace itest
