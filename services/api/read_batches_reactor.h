#pragma once
// One ReadBatches call: the events Read would send, several per message. Each EventBatch is
// built as bytes from the stored envelopes (event_bytes.h) and written raw, so the server parses
// no payload; clients see typed EventBatch messages. One write in flight, a batch of up to
// ~1 MiB (or the request's limit) read from storage per write.
//
// Ownership: gRPC owns the reactor; it deletes itself in OnDone. Only gRPC's callback threads
// touch it, one reaction at a time, so it needs no lock.
#include <grpcpp/grpcpp.h>

#include "services/api/read_cursor.h"
#include "storage/event_store.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace api {

class ReadBatchesReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  // A batch stops growing once it holds this many bytes (one event may carry it past).
  static constexpr std::size_t kBatchBytes = 1u << 20;

  // `store` must outlive the call.
  ReadBatchesReactor(const storage::EventStore* store, const wijkboek::v1::ReadRequest& request);

  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  void Next();
  // Appends the next events to `batch` (EventBatch bytes) and advances the cursor.
  [[nodiscard]] absl::Status Fill(std::string* batch);

  const storage::EventStore* store_;
  ReadCursor cursor_;
  grpc::ByteBuffer current_;
};

}  // namespace api
