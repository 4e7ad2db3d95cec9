#pragma once
// What the audit RPCs (EventLogService::Verify and GetSignedHead, in audit_handlers.cc) share with
// wijkboekd's periodic head signing.
#include "absl/status/statusor.h"
#include "services/audit/head_publisher.h"
#include "storage/event_store.h"

namespace api {

// The head as one consistent pair: the published position and the stored hash of the event at it
// (32 zero bytes for an empty log). The store's errors (DATA_LOSS) when that event cannot be read.
[[nodiscard]] absl::StatusOr<audit::Head> CurrentHead(const storage::EventStore& store);

}  // namespace api
