#pragma once
// The gRPC EventLog service: authenticates each call, checks the request's shape, and hands
// appends to the store's single writer. Reads and subscriptions stream from storage and the hub.
//
// Ownership: borrows the store, hub and authenticator; all must outlive the gRPC server.
// Threads: called on gRPC's callback threads; append completions run on the store's answering thread.
#include <grpcpp/grpcpp.h>

#include "services/api/append_stream_reactor.h"
#include "services/api/limits.h"
#include "services/api/background_calls.h"
#include "services/api/subscribe_reactor.h"
#include "services/api/subscription_hub.h"
#include "services/audit/head_signer.h"
#include "services/auth/authenticator.h"
#include "services/auth/policy.h"
#include "storage/event_store.h"
#include "wijkboek/v1/eventlog.grpc.pb.h"

namespace api {

// The principal behind the call's `authorization` metadata, or UNAUTHENTICATED.
[[nodiscard]] absl::StatusOr<auth::Principal> Authenticate(const auth::Authenticator& auth,
                                                           grpc::CallbackServerContext* context);

// Authenticate, then auth::Authorize for `operation` (PERMISSION_DENIED naming role and rule).
[[nodiscard]] absl::StatusOr<auth::Principal> Authorize(const auth::Authenticator& auth,
                                                        grpc::CallbackServerContext* context,
                                                        auth::Operation operation);

struct EventLogLimits {
  RequestLimits request;
  SubscribeLimits subscribe;
  double append_rate = 2000;      // events per second per principal; 0 = no limit
  double append_burst = 20000;    // events a principal may append at once after a pause
  std::size_t max_subscriptions = 64;  // live subscriptions per principal
  std::size_t append_stream_in_flight = 64;  // AppendStream requests held per stream
};

// ReadBatches is a raw method: its reactor writes EventBatch bytes built from the stored
// envelopes (read_batches_reactor.h); clients see the typed messages.
class EventLogService final : public wijkboek::v1::EventLog::WithRawCallbackMethod_ReadBatches<
                                  wijkboek::v1::EventLog::CallbackService> {
 public:
  EventLogService(storage::EventStore* store, SubscriptionHub* hub,
                  const auth::Authenticator* auth, EventLogLimits limits = {});

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const wijkboek::v1::AppendRequest* request,
                                   wijkboek::v1::AppendResponse* response) override;
  grpc::ServerWriteReactor<wijkboek::v1::Event>* Read(
      grpc::CallbackServerContext* context, const wijkboek::v1::ReadRequest* request) override;
  // The request arrives as bytes (see the class comment); INVALID_ARGUMENT if they do not parse.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* ReadBatches(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request) override;
  grpc::ServerWriteReactor<wijkboek::v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context, const wijkboek::v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* GetHead(grpc::CallbackServerContext* context,
                                    const wijkboek::v1::GetHeadRequest* request,
                                    wijkboek::v1::GetHeadResponse* response) override;
  // Verify and GetSignedHead: audit_handlers.cc. Verify runs on a thread of its own (at most two
  // at once; more are RESOURCE_EXHAUSTED) and stops when its call is cancelled.
  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* context,
                                   const wijkboek::v1::VerifyRequest* request,
                                   wijkboek::v1::VerifyResponse* response) override;
  grpc::ServerUnaryReactor* GetSignedHead(grpc::CallbackServerContext* context,
                                          const wijkboek::v1::GetSignedHeadRequest* request,
                                          wijkboek::v1::SignedHead* response) override;

  // Many appends over one call: append_stream_reactor.h.
  grpc::ServerBidiReactor<wijkboek::v1::AppendRequest, wijkboek::v1::AppendStreamResponse>*
  AppendStream(grpc::CallbackServerContext* context) override;
  // Server shutdown: open AppendStreams answer what they have read and end UNAVAILABLE; new
  // ones are refused.
  void CloseAppendStreams() { append_streams_.Close(); }

  // The key GetSignedHead signs with (without one it answers FAILED_PRECONDITION). Call before
  // serving; `signer` must outlive the service.
  void SetHeadSigner(const audit::HeadSigner* signer) { signer_ = signer; }

 private:
  storage::EventStore* store_;
  SubscriptionHub* hub_;
  const auth::Authenticator* auth_;
  const EventLogLimits limits_;
  AppendRateLimiter rate_;
  SubscriptionSlots subscriptions_;
  const audit::HeadSigner* signer_ = nullptr;
  AppendStreams append_streams_;

  // Append's checks before the store, for Append and AppendStream: the request's shape, then the
  // rate (*retry_after set when that refuses).
  absl::StatusOr<storage::AppendRequest> Admit(const auth::Principal& principal,
                                               const wijkboek::v1::AppendRequest& request,
                                               std::chrono::milliseconds* retry_after);
  // Last, so that it is destroyed first: it joins the Verify threads, which use the members above.
  std::unique_ptr<BackgroundCalls> verifications_ = std::make_unique<BackgroundCalls>(2);
};

}  // namespace api
