#include "services/api/read_reactor.h"

#include <algorithm>

#include "services/api/convert.h"

namespace api {

ReadReactor::ReadReactor(const storage::EventStore* store, const wijkboek::v1::ReadRequest& request)
    : store_(store), cursor_(request) {
  if (std::optional<grpc::Status> refused = cursor_.CheckStart(*store_)) {
    Finish(*refused);
    return;
  }
  Next();
}

absl::Status ReadReactor::Fill() {
  const std::uint64_t want = std::min<std::uint64_t>(kBatch, cursor_.Remaining());
  const bool whole_log = cursor_.request().stream().empty();
  std::uint64_t last = 0;
  absl::Status inner;
  auto visit = [&](const storage::StoredEvent& e) {
    wijkboek::v1::Event out;
    inner = ToProto(e, &out);
    if (!inner.ok()) return false;
    if (cursor_.request().include_envelope()) out.set_envelope(e.envelope_bytes);
    batch_.push_back(std::move(out));
    last = whole_log ? e.position : e.stream_revision;
    return batch_.size() < want;
  };
  absl::Status s = cursor_.Scan(*store_, visit);
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  cursor_.Advance(batch_.size(), last, batch_.size() >= want);
  return absl::OkStatus();
}

void ReadReactor::Next() {
  if (batch_.empty() && !cursor_.Done()) {
    if (absl::Status s = Fill(); !s.ok()) return Finish(ToGrpc(s));
  }
  if (batch_.empty()) return Finish(grpc::Status::OK);
  current_ = std::move(batch_.front());
  batch_.pop_front();
  StartWrite(&current_);
}

void ReadReactor::OnWriteDone(bool ok) {
  if (!ok) return Finish(grpc::Status::CANCELLED);
  Next();
}

}  // namespace api
