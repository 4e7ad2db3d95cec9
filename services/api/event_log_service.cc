#include "services/api/event_log_service.h"

#include "services/api/convert.h"
#include "services/api/read_batches_reactor.h"
#include "services/api/read_reactor.h"

namespace api {

using wijkboek::v1::Event;
using wijkboek::v1::SubscribeResponse;

absl::StatusOr<auth::Principal> Authenticate(const auth::Authenticator& auth,
                                             grpc::CallbackServerContext* context) {
  const auto& md = context->client_metadata();
  auto it = md.find("authorization");
  std::string_view value;
  if (it != md.end()) value = std::string_view(it->second.data(), it->second.size());
  return auth.Authenticate(value);
}

absl::StatusOr<auth::Principal> Authorize(const auth::Authenticator& auth,
                                          grpc::CallbackServerContext* context,
                                          auth::Operation operation) {
  auto principal = Authenticate(auth, context);
  if (!principal.ok()) return principal;
  if (absl::Status s = auth::Authorize(*principal, operation); !s.ok()) return s;
  return principal;
}

EventLogService::EventLogService(storage::EventStore* store, SubscriptionHub* hub,
                                 const auth::Authenticator* auth, EventLogLimits limits)
    : store_(store),
      hub_(hub),
      auth_(auth),
      limits_(limits),
      rate_(limits.append_rate, limits.append_burst),
      subscriptions_(limits.max_subscriptions) {}

grpc::ServerUnaryReactor* EventLogService::Append(grpc::CallbackServerContext* context,
                                                  const wijkboek::v1::AppendRequest* request,
                                                  wijkboek::v1::AppendResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto principal = Authorize(*auth_, context, auth::Operation::kAppend);
  if (!principal.ok()) {
    reactor->Finish(ToGrpc(principal.status()));
    return reactor;
  }
  std::chrono::milliseconds retry_after{0};
  auto append = Admit(*principal, *request, &retry_after);
  if (!append.ok()) {
    // gRPC's own name for "retry after": clients with a retry policy honour it.
    if (retry_after.count() > 0) {
      context->AddTrailingMetadata("grpc-retry-pushback-ms", std::to_string(retry_after.count()));
    }
    reactor->Finish(ToGrpc(append.status()));
    return reactor;
  }
  // Runs on the store's answering thread once the group holding this request is durable (or
  // refused).
  store_->AppendAsync(std::move(*append),
                      [reactor, response](absl::StatusOr<storage::AppendResult> result) {
                        if (!result.ok()) {
                          reactor->Finish(ToGrpc(result.status()));
                          return;
                        }
                        SetAppendResponse(*result, response);
                        reactor->Finish(grpc::Status::OK);
                      });
  return reactor;
}

absl::StatusOr<storage::AppendRequest> EventLogService::Admit(
    const auth::Principal& principal, const wijkboek::v1::AppendRequest& request,
    std::chrono::milliseconds* retry_after) {
  auto append = ToStore(request, principal.id, limits_.request);
  if (!append.ok()) return append;
  // Only well-formed requests count against the rate: a refused one costs nothing to store.
  if (absl::Status s = rate_.Take(principal.id, append->events.size(), retry_after); !s.ok()) {
    return s;
  }
  return append;
}

grpc::ServerBidiReactor<wijkboek::v1::AppendRequest, wijkboek::v1::AppendStreamResponse>*
EventLogService::AppendStream(grpc::CallbackServerContext* context) {
  using Refused =
      FailedBidi<wijkboek::v1::AppendRequest, wijkboek::v1::AppendStreamResponse>;
  // Once per stream: who, and whether they may append at all. Each request then checks that the
  // token is still valid.
  auto principal = Authorize(*auth_, context, auth::Operation::kAppend);
  if (!principal.ok()) return new Refused(ToGrpc(principal.status()));
  auto* reactor = new AppendStreamReactor(
      store_, auth_, *std::move(principal),
      [this](const auth::Principal& p, const wijkboek::v1::AppendRequest& request,
             std::chrono::milliseconds* retry_after) { return Admit(p, request, retry_after); },
      &append_streams_, limits_.append_stream_in_flight);
  reactor->Start();
  return reactor;
}

grpc::ServerWriteReactor<Event>* EventLogService::Read(grpc::CallbackServerContext* context,
                                                       const wijkboek::v1::ReadRequest* request) {
  auto principal = Authorize(*auth_, context, auth::Operation::kReadLog);
  if (!principal.ok()) return new FailedWriter<Event>(ToGrpc(principal.status()));
  return new ReadReactor(store_, *request);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* EventLogService::ReadBatches(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  auto principal = Authorize(*auth_, context, auth::Operation::kReadLog);
  if (!principal.ok()) return new FailedWriter<grpc::ByteBuffer>(ToGrpc(principal.status()));
  wijkboek::v1::ReadRequest parsed;
  grpc::ByteBuffer copy(*request);  // Deserialize consumes its buffer; this shares the slices
  if (grpc::Status s = grpc::SerializationTraits<wijkboek::v1::ReadRequest>::Deserialize(
          &copy, &parsed);
      !s.ok()) {
    return new FailedWriter<grpc::ByteBuffer>(grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        "request: the bytes do not parse as a wijkboek.v1.ReadRequest"));
  }
  return new ReadBatchesReactor(store_, parsed);
}

grpc::ServerWriteReactor<SubscribeResponse>* EventLogService::Subscribe(
    grpc::CallbackServerContext* context, const wijkboek::v1::SubscribeRequest* request) {
  auto principal = Authorize(*auth_, context, auth::Operation::kReadLog);
  if (!principal.ok()) return new FailedWriter<SubscribeResponse>(ToGrpc(principal.status()));
  if (hub_->closing()) {
    return new FailedWriter<SubscribeResponse>(
        grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
  }
  std::unique_ptr<SubscriptionSlots::Lease> lease;
  if (absl::Status s = subscriptions_.Acquire(principal->id, &lease); !s.ok()) {
    return new FailedWriter<SubscribeResponse>(ToGrpc(s));
  }
  return new SubscribeReactor(store_, hub_, *request, limits_.subscribe, std::move(lease));
}

grpc::ServerUnaryReactor* EventLogService::GetHead(grpc::CallbackServerContext* context,
                                                   const wijkboek::v1::GetHeadRequest* request,
                                                   wijkboek::v1::GetHeadResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto principal = Authorize(*auth_, context, auth::Operation::kReadLog);
  if (!principal.ok()) {
    reactor->Finish(ToGrpc(principal.status()));
    return reactor;
  }
  // Position and hash must belong together: read the hash of the event at the position.
  storage::Position head = store_->Head();
  response->set_position(head);
  if (head == 0) {
    response->set_hash(std::string(32, '\0'));
  } else {
    auto e = store_->ReadAt(head);
    if (!e.ok()) {
      reactor->Finish(ToGrpc(e.status()));
      return reactor;
    }
    response->set_hash(e->hash.data(), e->hash.size());
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace api
