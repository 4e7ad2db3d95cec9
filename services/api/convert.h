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

// As ToProto, but the stored payload bytes go into `out` unparsed, as an unknown field 9: on the
// wire that is exactly the embedded Payload, so a client parses the same Event, while the server
// spends nothing on a payload it only forwards (batched Subscribe history). `out->payload()`
// reads as empty on the server. Never fails: the payload is not looked at.
void ToProtoForwarding(const storage::StoredEvent& in, wijkboek::v1::Event* out);

// The store's expected revision for the request's (unset means any).
storage::ExpectedRevision ToStore(const wijkboek::v1::ExpectedRevision& expected);

// Validates an AppendRequest's shape (stream, ids, payloads, metadata, sizes within `limits`)
// and converts it. INVALID_ARGUMENT naming the field on the first problem.
[[nodiscard]] absl::StatusOr<storage::AppendRequest> ToStore(const wijkboek::v1::AppendRequest& in,
                                                             const std::string& recorded_by,
                                                             const RequestLimits& limits = {});

}  // namespace api
