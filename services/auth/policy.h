#pragma once
// What each role may call: the RPC-level half of authorisation. The other half — which events a
// partner may write, on which actions — depends on the log and is decided by the writer
// (domain::ProgrammeState::Authorize). README.md has the whole matrix.
#include <string_view>

#include "absl/status/status.h"
#include "services/auth/authenticator.h"

namespace auth {

enum class Operation {
  kAppend,         // EventLog.Append, AppendStream: admin, partner (scoped by the writer)
  kReadLog,        // EventLog.Read, Subscribe, GetHead, GetSignedHead: every role
  kVerify,         // EventLog.Verify: admin, auditor
  kReadViews,      // every Views RPC, the HTTP API and live feed: every role
  kAdminister,     // every Admin RPC: admin
};

// OK, or PERMISSION_DENIED naming the principal, its role and the rule, e.g.
// "principal obi (role auditor) may not append events: only admin and partner principals write".
[[nodiscard]] absl::Status Authorize(const Principal& principal, Operation operation);

}  // namespace auth
