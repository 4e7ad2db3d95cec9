#include "services/api/read_reactor.h"

#include "absl/strings/str_cat.h"
#include "services/api/convert.h"

namespace api {

ReadReactor::ReadReactor(const storage::EventStore* store, const wijkboek::v1::ReadRequest& request)
    : store_(store), request_(request), next_from_(request.from()) {
  Next();
}

absl::Status ReadReactor::Fill() {
  const bool backwards = request_.backwards();
  std::size_t want = kBatch;
  if (request_.limit() != 0) want = std::min<std::uint64_t>(want, request_.limit() - sent_);
  absl::Status inner;
  auto visit = [&](const storage::StoredEvent& e) {
    wijkboek::v1::Event out;
    inner = ToProto(e, &out);
    if (!inner.ok()) return false;
    if (request_.include_envelope()) out.set_envelope(e.envelope_bytes);
    batch_.push_back(std::move(out));
    return batch_.size() < want;
  };
  absl::Status s;
  if (request_.stream().empty()) {
    s = store_->ScanAll(next_from_, backwards, visit);
  } else {
    std::optional<storage::Revision> from = next_from_;
    if (backwards && !started_ && request_.from() == 0) from = std::nullopt;  // from the end
    s = store_->ScanStream(request_.stream(), from, backwards, visit);
  }
  started_ = true;
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  if (batch_.size() < want) exhausted_ = true;
  if (!batch_.empty()) {
    const auto& last = batch_.back();
    std::uint64_t at = request_.stream().empty() ? last.position() : last.stream_revision();
    if (backwards) {
      if (at == (request_.stream().empty() ? 1u : 0u)) exhausted_ = true;
      next_from_ = at - 1;
    } else {
      next_from_ = at + 1;
    }
  }
  return absl::OkStatus();
}

void ReadReactor::Next() {
  if (!started_ && !request_.stream().empty()) {
    auto rev = store_->StreamRevision(request_.stream());
    if (!rev.ok()) return Finish(ToGrpc(rev.status()));
    if (!rev->has_value()) {
      return Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                 absl::StrCat("stream ", request_.stream(), " does not exist")));
    }
  }
  bool limit_reached = request_.limit() != 0 && sent_ >= request_.limit();
  if (batch_.empty() && !exhausted_ && !limit_reached) {
    if (absl::Status s = Fill(); !s.ok()) return Finish(ToGrpc(s));
  }
  if (batch_.empty() || limit_reached) return Finish(grpc::Status::OK);
  current_ = std::move(batch_.front());
  batch_.pop_front();
  ++sent_;
  StartWrite(&current_);
}

void ReadReactor::OnWriteDone(bool ok) {
  if (!ok) return Finish(grpc::Status::CANCELLED);
  Next();
}

}  // namespace api
