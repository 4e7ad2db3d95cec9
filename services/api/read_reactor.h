#pragma once
// One Read call: streams events from storage in bounded batches, one write in flight.
//
// Ownership: gRPC owns the reactor; it deletes itself in OnDone. Only gRPC's callback threads
// touch it, one reaction at a time, so it needs no lock.
#include <grpcpp/grpcpp.h>

#include <deque>

#include "services/api/read_cursor.h"
#include "storage/event_store.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace api {

class ReadReactor final : public grpc::ServerWriteReactor<wijkboek::v1::Event> {
 public:
  // `store` must outlive the call.
  ReadReactor(const storage::EventStore* store, const wijkboek::v1::ReadRequest& request);

  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  void Next();
  [[nodiscard]] absl::Status Fill();

  static constexpr std::size_t kBatch = 256;
  const storage::EventStore* store_;
  ReadCursor cursor_;
  std::deque<wijkboek::v1::Event> batch_;
  wijkboek::v1::Event current_;
};

// An answer for a streaming call that fails before it starts (e.g. UNAUTHENTICATED).
template <typename T>
class FailedWriter final : public grpc::ServerWriteReactor<T> {
 public:
  explicit FailedWriter(grpc::Status status) { this->Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace api
