#pragma once
// Catch-up reads of the whole log as a lean client would do them: through gRPC's generic stub, so
// every message stays the bytes that arrived, and only each event's position is read out of it
// (to check the order), the way the peers' clients take their rows without decoding the payload.
// What this measures is the server and the wire, not protobuf parsing in the client.
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace bench {

// Read (subscribe = false) or Subscribe from position 1 until the caught_up marker (subscribe =
// true). Returns the number of events, after checking they are positions 1, 2, 3, ... DATA_LOSS
// when they are not; the call's status when it fails (DEADLINE_EXCEEDED after 10 minutes).
[[nodiscard]] absl::StatusOr<std::uint64_t> RawCatchUp(std::shared_ptr<grpc::Channel> channel,
                                                       const std::string& token, bool subscribe);

}  // namespace bench
