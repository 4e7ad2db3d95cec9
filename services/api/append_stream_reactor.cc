#include "services/api/append_stream_reactor.h"

#include <utility>

#include "services/api/convert.h"

namespace api {

using wijkboek::v1::AppendStreamResponse;

void SetAppendResponse(const storage::AppendResult& result,
                       wijkboek::v1::AppendResponse* response) {
  response->set_first_position(result.first_position);
  response->set_last_position(result.last_position);
  response->set_stream_revision(result.stream_revision);
  response->set_deduplicated(result.deduplicated);
}

namespace {

void SetError(const absl::Status& status, std::chrono::milliseconds retry_after,
              AppendStreamResponse* response) {
  const grpc::Status s = ToGrpc(status);
  wijkboek::v1::AppendError* error = response->mutable_error();
  error->set_code(static_cast<int32_t>(s.error_code()));
  error->set_message(s.error_message());
  error->set_retry_after_ms(retry_after.count());
}

}  // namespace

// ---- AppendStreams -----------------------------------------------------------------------------

bool AppendStreams::Add(AppendStreamReactor* reactor) {
  absl::MutexLock lock(&mu_);
  if (closed_) return false;
  open_.insert(reactor);
  return true;
}

void AppendStreams::Remove(AppendStreamReactor* reactor) {
  absl::MutexLock lock(&mu_);
  open_.erase(reactor);
}

void AppendStreams::Close() {
  // Held throughout: a reactor removes itself (in OnDone) only after its Close has returned.
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (AppendStreamReactor* reactor : open_) reactor->Close();
}

// ---- AppendStreamReactor -----------------------------------------------------------------------

AppendStreamReactor::AppendStreamReactor(storage::EventStore* store,
                                         const auth::Authenticator* auth,
                                         auth::Principal principal, Admit admit,
                                         AppendStreams* streams, std::size_t max_in_flight)
    : store_(store),
      auth_(auth),
      principal_(std::move(principal)),
      admit_(std::move(admit)),
      streams_(streams),
      max_in_flight_(max_in_flight == 0 ? 1 : max_in_flight) {}

void AppendStreamReactor::Start() {
  registered_ = streams_->Add(this);
  Update([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!registered_) closing_ = true;
  });
}

void AppendStreamReactor::OnReadDone(bool ok) {
  if (!ok) {
    Update([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      reading_ = false;
      half_closed_ = true;
    });
    return;
  }
  Handle();
}

void AppendStreamReactor::Handle() {
  // The checks of the unary Append, except the token's hash: the stream authenticated once, and
  // a revocation or expiry since then is seen here.
  std::chrono::milliseconds retry_after{0};
  absl::Status valid = auth_->StillValid(principal_.token_id);
  absl::StatusOr<storage::AppendRequest> append =
      valid.ok() ? admit_(principal_, request_, &retry_after)
                 : absl::StatusOr<storage::AppendRequest>(std::move(valid));

  auto owned = std::make_unique<Slot>();
  Slot* slot = owned.get();
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    // A read that was in flight when the call finished (shutdown): it cannot be answered any
    // more, so it is not appended either.
    if (finished_) return;
    if (append.ok()) {
      ++in_store_;
    } else {
      SetError(append.status(), retry_after, &slot->response);
      slot->ready = true;
    }
    slots_.push_back(std::move(owned));
    actions = Next();
  }
  if (append.ok()) {
    // Runs on the store's answering thread once the group holding this request is durable (or
    // refused).
    store_->AppendAsync(std::move(*append),
                        [this, slot](absl::StatusOr<storage::AppendResult> result) {
                          Answered(slot, std::move(result));
                        });
  }
  Act(actions);
}

void AppendStreamReactor::Answered(Slot* slot, absl::StatusOr<storage::AppendResult> result) {
  if (result.ok()) {
    SetAppendResponse(*result, slot->response.mutable_appended());
  } else {
    SetError(result.status(), std::chrono::milliseconds(0), &slot->response);
  }
  Actions actions;
  bool last = false;
  {
    absl::MutexLock lock(&mu_);
    slot->ready = true;
    --in_store_;
    if (done_) {
      last = in_store_ == 0;
    } else {
      actions = Next();
    }
  }
  Act(actions);
  if (last) delete this;
}

void AppendStreamReactor::OnWriteDone(bool ok) {
  Update([this, ok]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    writing_ = false;
    slots_.pop_front();
    if (!ok) broken_ = true;
  });
}

void AppendStreamReactor::OnCancel() {
  Update([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { broken_ = true; });
}

void AppendStreamReactor::Close() {
  Update([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { closing_ = true; });
}

template <typename Change>
void AppendStreamReactor::Update(Change change) {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    change();
    actions = Next();
  }
  Act(actions);
}

void AppendStreamReactor::OnDone() {
  if (registered_) streams_->Remove(this);
  bool last;
  {
    absl::MutexLock lock(&mu_);
    done_ = true;
    last = in_store_ == 0;
  }
  // Otherwise the writer's last answer deletes it (Answered).
  if (last) delete this;
}

AppendStreamReactor::Actions AppendStreamReactor::Next() {
  Actions actions;
  if (finished_) return actions;
  if (!broken_ && !writing_ && !slots_.empty() && slots_.front()->ready) {
    writing_ = true;
    actions.write = &slots_.front()->response;
  }
  if (!reading_ && !half_closed_ && !closing_ && !broken_ && slots_.size() < max_in_flight_) {
    reading_ = true;
    actions.read = true;
  }
  // Every request read is answered (or the client is gone), and no more will be read. A read
  // still in flight (shutdown, cancel) ends by itself once the call is finished.
  const bool drained = !writing_ && (broken_ || slots_.empty());
  if (drained && (half_closed_ || closing_ || broken_)) {
    finished_ = true;
    actions.finish = true;
    if (broken_) {
      actions.status = grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled");
    } else if (closing_) {
      actions.status = grpc::Status(
          grpc::StatusCode::UNAVAILABLE,
          "server is shutting down: every request answered was handled; send the rest again "
          "(event ids make that safe)");
    }
  }
  return actions;
}

void AppendStreamReactor::Act(const Actions& actions) {
  if (actions.write != nullptr) StartWrite(actions.write);
  if (actions.read) StartRead(&request_);
  if (actions.finish) Finish(actions.status);
}

}  // namespace api
