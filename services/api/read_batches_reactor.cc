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
  pumping_ = true;
  Pump();
}

ReadBatchesReactor::Batch ReadBatchesReactor::Produce() {
  Batch out;
  if (cursor_.Done()) return out;
  const std::uint64_t want = cursor_.Remaining();
  const bool whole_log = cursor_.request().stream().empty();
  const bool include_envelope = cursor_.request().include_envelope();
  auto batch = std::make_unique<std::string>();
  batch->reserve(kBatchBytes + kBatchBytes / 8);
  std::uint64_t taken = 0;
  std::uint64_t last = 0;  // position or revision of the last event taken
  bool stopped = false;
  out.status = cursor_.ScanRaw(*store_, [&](const storage::RawEvent& e) {
    AppendBatchedEvent(e, include_envelope, batch.get());
    ++taken;
    last = whole_log ? e.fields.position : e.fields.stream_revision;
    stopped = taken >= want || batch->size() >= kBatchBytes;
    return !stopped;
  });
  if (!out.status.ok()) return out;
  cursor_.Advance(taken, last, stopped);
  out.bytes = std::move(batch);
  return out;
}

void ReadBatchesReactor::Pump() {
  for (;;) {
    if (!ready_) ready_ = Produce();
    std::unique_lock l(mu_);
    if (broken_) {
      pumping_ = false;
      l.unlock();
      return Finish(grpc::Status::CANCELLED);
    }
    if (writing_) {
      pumping_ = false;  // OnWriteDone pumps again and writes ready_
      return;
    }
    Batch next = std::move(*ready_);
    ready_.reset();
    if (!next.status.ok() || next.bytes == nullptr || next.bytes->empty()) {
      pumping_ = false;
      l.unlock();
      return Finish(next.status.ok() ? grpc::Status::OK : ToGrpc(next.status));
    }
    writing_ = true;
    l.unlock();
    current_ = TakeBytes(std::move(next.bytes));
    StartWrite(&current_);
  }
}

void ReadBatchesReactor::OnWriteDone(bool ok) {
  std::unique_lock l(mu_);
  writing_ = false;
  if (!ok) broken_ = true;
  if (pumping_) return;  // the owner sees it when it has read the next batch
  pumping_ = true;
  l.unlock();
  Pump();
}

}  // namespace api
