#include "services/api/read_cursor.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "services/api/convert.h"

namespace api {

std::optional<grpc::Status> ReadCursor::CheckStart(const storage::EventStore& store) const {
  if (request_.stream().empty()) return std::nullopt;
  auto rev = store.StreamRevision(request_.stream());
  if (!rev.ok()) return ToGrpc(rev.status());
  if (!rev->has_value()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("stream ", request_.stream(), " does not exist"));
  }
  return std::nullopt;
}

std::uint64_t ReadCursor::Remaining() const {
  if (request_.limit() == 0) return std::numeric_limits<std::uint64_t>::max();
  return request_.limit() > sent_ ? request_.limit() - sent_ : 0;
}

std::optional<storage::Revision> ReadCursor::StreamFrom() const {
  if (request_.backwards() && !started_ && request_.from() == 0) return std::nullopt;  // the end
  return next_from_;
}

absl::Status ReadCursor::Scan(const storage::EventStore& store,
                              const storage::Visitor& visit) const {
  if (request_.stream().empty()) return store.ScanAll(next_from_, request_.backwards(), visit);
  return store.ScanStream(request_.stream(), StreamFrom(), request_.backwards(), visit);
}

absl::Status ReadCursor::ScanRaw(const storage::EventStore& store,
                                 const storage::RawVisitor& visit) const {
  if (request_.stream().empty()) return store.ScanAllRaw(next_from_, request_.backwards(), visit);
  return store.ScanStreamRaw(request_.stream(), StreamFrom(), request_.backwards(), visit);
}

void ReadCursor::Advance(std::uint64_t taken, std::uint64_t last, bool stopped) {
  started_ = true;
  sent_ += taken;
  if (!stopped) exhausted_ = true;
  if (taken == 0) return;
  if (request_.backwards()) {
    if (last == (request_.stream().empty() ? 1u : 0u)) exhausted_ = true;
    next_from_ = last - 1;
  } else {
    next_from_ = last + 1;
  }
}

}  // namespace api
