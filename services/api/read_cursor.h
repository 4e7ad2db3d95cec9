#pragma once
// Where a Read or ReadBatches call stands in its ReadRequest: which position or revision to scan
// from next, how many events the limit still allows, and when the call is done. Both reactors
// scan storage in bounded steps through it, so they share the request's semantics exactly.
#include <grpcpp/support/status.h>

#include <cstdint>
#include <functional>
#include <optional>

#include "storage/envelope_wire.h"
#include "storage/event_store.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace api {

class ReadCursor {
 public:
  explicit ReadCursor(const wijkboek::v1::ReadRequest& request)
      : request_(request), next_from_(request.from()) {}

  const wijkboek::v1::ReadRequest& request() const { return request_; }

  // Before the first scan: NOT_FOUND when the request names a stream that has no events.
  [[nodiscard]] std::optional<grpc::Status> CheckStart(const storage::EventStore& store) const;

  // True once the log (or stream) is exhausted or the limit is reached.
  bool Done() const { return exhausted_ || (request_.limit() != 0 && sent_ >= request_.limit()); }
  // The events the limit still allows (UINT64_MAX without a limit).
  std::uint64_t Remaining() const;

  // One step: scans on from where the last step ended. The visitor returns false to end the step
  // early; Advance must follow with what it took.
  [[nodiscard]] absl::Status Scan(const storage::EventStore& store,
                                  const storage::Visitor& visit) const;
  [[nodiscard]] absl::Status ScanRaw(const storage::EventStore& store,
                                     const storage::RawVisitor& visit) const;
  // After a step: `taken` events, the last at position (whole log) or revision (one stream)
  // `last`; `stopped` when the visitor ended the step, false when the scan ran out.
  void Advance(std::uint64_t taken, std::uint64_t last, bool stopped);

 private:
  std::optional<storage::Revision> StreamFrom() const;

  const wijkboek::v1::ReadRequest request_;
  std::uint64_t sent_ = 0;
  bool exhausted_ = false;
  bool started_ = false;
  std::uint64_t next_from_ = 0;  // next position or revision to read
};

}  // namespace api
