// EventLogService's audit RPCs: Verify (the hash chain recomputed from the stored bytes, on a
// thread of its own because it reads the whole range) and GetSignedHead.
#include "services/api/audit_handlers.h"

#include <chrono>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/api/convert.h"
#include "services/api/event_log_service.h"
#include "services/audit/digest.h"

namespace api {
namespace {

// How often a long verification tells the operator how far it is.
constexpr std::chrono::seconds kProgressEvery{5};

void FillResponse(const storage::VerifyReport& report, wijkboek::v1::VerifyResponse* response) {
  response->set_ok(report.ok);
  response->set_checked(report.checked);
  response->set_first_bad_position(report.first_bad_position);
  response->set_reason(report.reason);
  if (report.ok) {
    response->set_to_position(report.to_position);
    response->set_head_hash(report.head_hash.data(), report.head_hash.size());
  }
}

}  // namespace

absl::StatusOr<audit::Head> CurrentHead(const storage::EventStore& store) {
  audit::Head head;
  head.position = store.Head();
  head.hash.assign(audit::kHashSize, '\0');
  if (head.position == 0) return head;
  absl::StatusOr<storage::StoredEvent> event = store.ReadAt(head.position);
  if (!event.ok()) return event.status();
  head.hash.assign(event->hash.begin(), event->hash.end());
  return head;
}

grpc::ServerUnaryReactor* EventLogService::Verify(grpc::CallbackServerContext* context,
                                                  const wijkboek::v1::VerifyRequest* request,
                                                  wijkboek::v1::VerifyResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto principal = Authorize(*auth_, context, auth::Operation::kVerify);
  if (!principal.ok()) {
    reactor->Finish(ToGrpc(principal.status()));
    return reactor;
  }
  const storage::Position from = request->from_position();
  const storage::Position to = request->to_position();
  // The store, reactor and response stay valid until Finish: the server drains every call
  // before the service and the store go away.
  const bool started = verifications_->TryRun([this, context, reactor, response, from, to] {
    using Clock = std::chrono::steady_clock;
    Clock::time_point last_report = Clock::now();
    absl::StatusOr<storage::VerifyReport> report =
        store_->Verify(from, to, [&](storage::Position at, storage::Position end) {
          if (context->IsCancelled()) return false;
          if (Clock::now() - last_report >= kProgressEvery) {
            last_report = Clock::now();
            std::cerr << "wijkboekd: verifying the log up to position " << end << ": at " << at
                      << std::endl;
          }
          return true;
        });
    if (!report.ok()) return reactor->Finish(ToGrpc(report.status()));
    if (!report->ok) {
      std::cerr << "wijkboekd: verification found position " << report->first_bad_position
                << " damaged: " << report->reason << std::endl;
    }
    FillResponse(*report, response);
    reactor->Finish(grpc::Status::OK);
  });
  if (!started) {
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "two verifications are running already; try again when one "
                                 "has finished"));
  }
  return reactor;
}

grpc::ServerUnaryReactor* EventLogService::GetSignedHead(
    grpc::CallbackServerContext* context, const wijkboek::v1::GetSignedHeadRequest* request,
    wijkboek::v1::SignedHead* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto principal = Authorize(*auth_, context, auth::Operation::kReadLog);
  if (!principal.ok()) {
    reactor->Finish(ToGrpc(principal.status()));
    return reactor;
  }
  if (signer_ == nullptr) {
    reactor->Finish(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                 "this server has no head-signing key"));
    return reactor;
  }
  absl::StatusOr<audit::Head> head = CurrentHead(*store_);
  if (!head.ok()) {
    reactor->Finish(ToGrpc(head.status()));
    return reactor;
  }
  absl::StatusOr<wijkboek::v1::SignedHead> signed_head =
      signer_->Sign(head->position, head->hash, absl::ToUnixMicros(absl::Now()));
  if (!signed_head.ok()) {
    reactor->Finish(ToGrpc(signed_head.status()));
    return reactor;
  }
  *response = *std::move(signed_head);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace api
