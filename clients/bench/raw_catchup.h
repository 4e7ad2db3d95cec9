#pragma once
// Catch-up reads of the whole log as a lean client would do them: through gRPC's generic stub, so
// every message stays the bytes that arrived, and only each event's position is read out of it
// (to check the order), the way the peers' clients take their rows without decoding the payload.
// What this measures is the server and the wire, not protobuf parsing in the client. The batched
// calls are the exception: their rows parse every batch into typed messages, as a real consumer
// of ReadBatches would.
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace bench {

enum class CatchUpCall {
  kRead,               // Read: one Event per message
  kSubscribe,          // Subscribe: one event per message
  kReadBatches,        // ReadBatches; each EventBatch parsed into typed Events (on an arena)
  kReadBatchesLean,    // ReadBatches; only each event's position read from the bytes
  kSubscribeBatched,   // Subscribe with batch_events; each response parsed (on an arena)
};

// The whole log through `call` (Subscribe from position 1 until the caught_up marker). Returns the
// number of events, after checking they are positions 1, 2, 3, ... DATA_LOSS when they are not or
// a batch does not parse; the call's status when it fails (DEADLINE_EXCEEDED after 10 minutes).
[[nodiscard]] absl::StatusOr<std::uint64_t> RawCatchUp(std::shared_ptr<grpc::Channel> channel,
                                                       const std::string& token, CatchUpCall call);

// SubscribeRequest.batch_events of the kSubscribeBatched row (the server's cap).
inline constexpr std::uint32_t kSubscribeBatchEvents = 4096;

}  // namespace bench
