#include "services/api/read_batches_reactor.h"

#include <memory>

#include "services/api/convert.h"
#include "services/api/event_bytes.h"
#include "storage/envelope_wire.h"

namespace api {
namespace {

// Hands `bytes` to gRPC without copying; the slice frees it when gRPC is done with it.
grpc::ByteBuffer TakeBytes(std::unique_ptr<std::string> bytes) {
  std::string* raw = bytes.release();
  grpc::Slice slice(raw->data(), raw->size(), [](void* p) { delete static_cast<std::string*>(p); },
                    raw);
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace

ReadBatchesReactor::ReadBatchesReactor(const storage::EventStore* store,
                                       const wijkboek::v1::ReadRequest& request)
    : store_(store), cursor_(request) {
  if (std::optional<grpc::Status> refused = cursor_.CheckStart(*store_)) {
    Finish(*refused);
    return;
  }
  Next();
}

absl::Status ReadBatchesReactor::Fill(std::string* batch) {
  const std::uint64_t want = cursor_.Remaining();
  const bool whole_log = cursor_.request().stream().empty();
  const bool include_envelope = cursor_.request().include_envelope();
  std::uint64_t taken = 0;
  std::uint64_t last = 0;  // position or revision of the last event taken
  bool stopped = false;
  absl::Status s = cursor_.ScanRaw(*store_, [&](const storage::RawEvent& e) {
    AppendBatchedEvent(e, include_envelope, batch);
    ++taken;
    last = whole_log ? e.fields.position : e.fields.stream_revision;
    stopped = taken >= want || batch->size() >= kBatchBytes;
    return !stopped;
  });
  if (!s.ok()) return s;
  cursor_.Advance(taken, last, stopped);
  return absl::OkStatus();
}

void ReadBatchesReactor::Next() {
  if (cursor_.Done()) return Finish(grpc::Status::OK);
  auto batch = std::make_unique<std::string>();
  batch->reserve(kBatchBytes + kBatchBytes / 8);
  if (absl::Status s = Fill(batch.get()); !s.ok()) return Finish(ToGrpc(s));
  if (batch->empty()) return Finish(grpc::Status::OK);
  current_ = TakeBytes(std::move(batch));
  StartWrite(&current_);
}

void ReadBatchesReactor::OnWriteDone(bool ok) {
  if (!ok) return Finish(grpc::Status::CANCELLED);
  Next();
}

}  // namespace api
