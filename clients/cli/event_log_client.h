#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wijkboek/v1/eventlog.grpc.pb.h"

namespace wijkboek::client {

using Clock = std::chrono::system_clock;
using Deadline = Clock::time_point;

// Converts a finished call's status; the codes are the same in gRPC and absl.
[[nodiscard]] absl::Status FromGrpcStatus(const grpc::Status& status);

// One unary call with `authorization` metadata and a deadline; `invoke(context, response)` makes
// the stub call. Shared by the typed clients.
template <typename Response, typename Invoke>
absl::StatusOr<Response> UnaryCall(const std::string& authorization, Deadline deadline,
                                   Invoke invoke) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", authorization);
  context.set_deadline(deadline);
  Response response;
  absl::Status status = FromGrpcStatus(invoke(&context, &response));
  if (!status.ok()) return status;
  return response;
}

// One server-streaming call in flight (Read, ReadBatches or Subscribe). Owns its ClientContext, so it cannot be
// moved; EventLogClient hands it out in a unique_ptr.
//
// Threads: Next() and Finish() from one thread at a time; Cancel() from any thread, at any time
// (e.g. to stop a Subscribe blocked in Next()). Lifecycle: Next() until it returns false, then
// Finish() once. Destroying it earlier cancels the call.
template <typename Response>
class StreamReader {
 public:
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  ~StreamReader() {
    if (reader_ != nullptr && !finished_) {
      context_.TryCancel();
      (void)reader_->Finish();
    }
  }

  // Blocks until the next message arrives. False when the stream has ended (normally, by error, by
  // deadline or by Cancel()); then call Finish() for the reason.
  [[nodiscard]] bool Next(Response* response) { return reader_->Read(response); }

  // Asks gRPC to end the call; Next() then returns false and Finish() answers CANCELLED.
  void Cancel() { context_.TryCancel(); }

  // The call's final status: OK when the server ended the stream normally. Call once, after Next()
  // returned false.
  [[nodiscard]] absl::Status Finish() {
    finished_ = true;
    return FromGrpcStatus(reader_->Finish());
  }

 private:
  friend class EventLogClient;
  StreamReader() = default;

  // Declared before reader_: the reader uses the context and must be destroyed first.
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<Response>> reader_;
  bool finished_ = false;
};

// A typed client for wijkboek.v1.EventLog. Every call carries `authorization: Bearer <token>`.
// Unary calls always get a deadline (the default given here unless the call names one); streams
// get one only when asked, because a Subscribe is meant to stay open.
//
// Thread-safe: any number of threads may call it at once (the channel and stub are). The channel
// is shared; the client may outlive the code that made it.
class EventLogClient {
 public:
  EventLogClient(std::shared_ptr<grpc::ChannelInterface> channel, std::string token,
                 std::chrono::milliseconds default_timeout);

  // Appends the request's events atomically. Errors as the server sends them: INVALID_ARGUMENT,
  // ABORTED (stale expected revision), ALREADY_EXISTS (event_id reused for other content),
  // UNAUTHENTICATED, and UNAVAILABLE / DEADLINE_EXCEEDED when the server is out of reach.
  [[nodiscard]] absl::StatusOr<v1::AppendResponse> Append(
      const v1::AppendRequest& request, std::optional<Deadline> deadline = std::nullopt) const;

  // The head of the log (position 0 for an empty log).
  [[nodiscard]] absl::StatusOr<v1::GetHeadResponse> GetHead(
      std::optional<Deadline> deadline = std::nullopt) const;

  // Recomputes the hash chain over the request's range on the server (see eventlog.proto). The
  // call reads the whole range from disk: give it a deadline that fits. OUT_OF_RANGE when the range
  // lies past the head; RESOURCE_EXHAUSTED when the server runs two verifications already.
  [[nodiscard]] absl::StatusOr<v1::VerifyResponse> Verify(
      const v1::VerifyRequest& request, std::optional<Deadline> deadline = std::nullopt) const;

  // The head signed with the server's Ed25519 key. Check it with audit::CheckSignedHead.
  [[nodiscard]] absl::StatusOr<v1::SignedHead> GetSignedHead(
      std::optional<Deadline> deadline = std::nullopt) const;

  // Starts a Read; errors arrive through the reader's Finish().
  [[nodiscard]] std::unique_ptr<StreamReader<v1::Event>> Read(
      const v1::ReadRequest& request, std::optional<Deadline> deadline = std::nullopt) const;

  // Starts a ReadBatches: Read's events, several per message (for exports and catch-up).
  [[nodiscard]] std::unique_ptr<StreamReader<v1::EventBatch>> ReadBatches(
      const v1::ReadRequest& request, std::optional<Deadline> deadline = std::nullopt) const;

  // Reads to the end of the stream and collects the events; for tests and small reads.
  [[nodiscard]] absl::StatusOr<std::vector<v1::Event>> ReadAll(
      const v1::ReadRequest& request, std::optional<Deadline> deadline = std::nullopt) const;

  // Starts a catch-up subscription: events, one caught_up marker, then live events and periodic
  // checkpoints until cancelled, the deadline passes, or the server ends it.
  [[nodiscard]] std::unique_ptr<StreamReader<v1::SubscribeResponse>> Subscribe(
      const v1::SubscribeRequest& request, std::optional<Deadline> deadline = std::nullopt) const;

 private:
  void Prepare(grpc::ClientContext* context, std::optional<Deadline> deadline) const;

  std::unique_ptr<v1::EventLog::Stub> stub_;
  std::string authorization_;  // "Bearer <token>"
  std::chrono::milliseconds default_timeout_;
};

}  // namespace wijkboek::client
