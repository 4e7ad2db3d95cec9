#pragma once
// One AppendStream call: many appends over one gRPC stream, each handled like a unary Append and
// answered in the order it was sent.
//
// Flow: a request is read, checked (token still valid, shape, rate) and handed to the store's
// writer; the next read starts at once, so a client may pipeline. Answers wait in a queue in
// request order; the front one is written as soon as it is ready, one write at a time. At most
// `max_in_flight` requests are held (checked, in the store or waiting to be written); at that
// point the reactor stops reading until answers have been written, which pushes back on the
// client through HTTP/2 flow control.
//
// Ending: on half-close, once every request read is answered, the call ends OK. On server
// shutdown (AppendStreams::Close) the reactor reads no more, answers what it has read and ends
// UNAVAILABLE. When the client cancels, nothing more is written and the call ends.
//
// Ownership: gRPC owns the reactor until OnDone; it deletes itself when OnDone has run and the
// store has answered every append it was given (the store's callbacks point into it).
// Threads: gRPC's callback threads (reads, writes, cancel), the store's answering thread (append
// results) and the shutting-down thread (Close) all go through mu_; StartRead, StartWrite and
// Finish are called outside it.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/auth/authenticator.h"
#include "storage/event_store.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace api {

class AppendStreamReactor;

// The open AppendStream calls, so that shutdown can end them (they never end by themselves).
// Threads: any.
class AppendStreams {
 public:
  // False once Close has run: the caller refuses the stream.
  bool Add(AppendStreamReactor* reactor);
  void Remove(AppendStreamReactor* reactor);
  // Every open stream stops reading, answers what it has read and ends UNAVAILABLE; new streams
  // are refused.
  void Close();

 private:
  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<AppendStreamReactor*> open_ ABSL_GUARDED_BY(mu_);
};

class AppendStreamReactor final
    : public grpc::ServerBidiReactor<wijkboek::v1::AppendRequest,
                                     wijkboek::v1::AppendStreamResponse> {
 public:
  // What the unary Append does before the store: the shape checks and the rate limit. The
  // store's request, or the status Append would end with (*retry_after set for the rate limit).
  using Admit = std::function<absl::StatusOr<storage::AppendRequest>(
      const auth::Principal& principal, const wijkboek::v1::AppendRequest& request,
      std::chrono::milliseconds* retry_after)>;

  // Starts reading. `principal` was authenticated and authorised for kAppend by the caller; its
  // token is checked again (revocation, expiry) before each request. Borrows store, auth and
  // streams, which must outlive the call. Call Start() right after construction.
  AppendStreamReactor(storage::EventStore* store, const auth::Authenticator* auth,
                      auth::Principal principal, Admit admit, AppendStreams* streams,
                      std::size_t max_in_flight);
  // Registers with `streams` and starts reading; when the server is already shutting down,
  // ends the call UNAVAILABLE instead.
  void Start();

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // The server is shutting down (AppendStreams::Close).
  void Close();

 private:
  struct Slot {
    wijkboek::v1::AppendStreamResponse response;
    bool ready = false;
  };
  // What to do once mu_ is released; Next() decides under mu_.
  struct Actions {
    const wijkboek::v1::AppendStreamResponse* write = nullptr;
    bool read = false;
    bool finish = false;
    grpc::Status status;
  };

  // Checks the request just read and hands it to the store, or answers it with its error.
  void Handle();
  void Answered(Slot* slot, absl::StatusOr<storage::AppendResult> result);
  Actions Next() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Act(const Actions& actions);
  // Applies `change` under mu_, then does what Next() decides.
  template <typename Change>
  void Update(Change change);

  storage::EventStore* const store_;
  const auth::Authenticator* const auth_;
  const auth::Principal principal_;
  const Admit admit_;
  AppendStreams* const streams_;
  const std::size_t max_in_flight_;

  wijkboek::v1::AppendRequest request_;  // the read in flight writes here

  absl::Mutex mu_;
  std::deque<std::unique_ptr<Slot>> slots_ ABSL_GUARDED_BY(mu_);  // request order
  std::size_t in_store_ ABSL_GUARDED_BY(mu_) = 0;  // appends the writer has not answered yet
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool half_closed_ ABSL_GUARDED_BY(mu_) = false;  // the client sent its last request
  bool closing_ ABSL_GUARDED_BY(mu_) = false;      // server shutdown
  bool broken_ ABSL_GUARDED_BY(mu_) = false;       // cancelled, or a write failed
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;         // OnDone ran
  bool registered_ = false;
};

// A bidi call refused before it starts (authentication): ends with `status` at once.
template <typename Request, typename Response>
class FailedBidi final : public grpc::ServerBidiReactor<Request, Response> {
 public:
  explicit FailedBidi(grpc::Status status) { this->Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

// Fills `response` from a store result; shared by Append and AppendStream.
void SetAppendResponse(const storage::AppendResult& result, wijkboek::v1::AppendResponse* response);

}  // namespace api
