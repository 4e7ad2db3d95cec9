#pragma once
// Translation between the public contract (wijkboek.v1) and the store's types, and between
// absl::Status and grpc::Status: the one place where codes cross the gRPC edge.
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/api/limits.h"
#include "storage/event_store.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace api {

grpc::Status ToGrpc(const absl::Status& status);

// Fills `out` from a stored event; DATA_LOSS when the stored payload does not parse.
[[nodiscard]] absl::Status ToProto(const storage::StoredEvent& in, wijkboek::v1::Event* out);

// The store's expected revision for the request's (unset means any).
storage::ExpectedRevision ToStore(const wijkboek::v1::ExpectedRevision& expected);

// Validates an AppendRequest's shape (stream, ids, payloads, metadata, sizes within `limits`)
// and converts it. INVALID_ARGUMENT naming the field on the first problem.
[[nodiscard]] absl::StatusOr<storage::AppendRequest> ToStore(const wijkboek::v1::AppendRequest& in,
                                                             const std::string& recorded_by,
                                                             const RequestLimits& limits = {});

}  // namespace api
