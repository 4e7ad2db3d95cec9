#include "services/auth/policy.h"

#include "absl/strings/str_cat.h"
#include "services/domain/state.h"

namespace auth {

namespace v1 = ::wijkboek::v1;

namespace {

bool Allowed(v1::Role role, Operation operation) {
  const bool known = role == v1::ROLE_ADMIN || role == v1::ROLE_PARTNER ||
                     role == v1::ROLE_AUDITOR || role == v1::ROLE_DASHBOARD;
  switch (operation) {
    case Operation::kAppend:
      return role == v1::ROLE_ADMIN || role == v1::ROLE_PARTNER;
    case Operation::kVerify:
      return role == v1::ROLE_ADMIN || role == v1::ROLE_AUDITOR;
    case Operation::kAdminister:
      return role == v1::ROLE_ADMIN;
    case Operation::kReadLog:
    case Operation::kReadViews:
      return known;
  }
  return false;
}

std::string_view Rule(Operation operation) {
  switch (operation) {
    case Operation::kAppend:
      return "append events: only admin and partner principals write; auditors and dashboards "
             "read";
    case Operation::kVerify:
      return "verify the log: that is for admin and auditor principals";
    case Operation::kAdminister:
      return "manage principals and tokens: that is for admin principals (the programme team)";
    case Operation::kReadLog:
      return "read the log: it has no role";
    case Operation::kReadViews:
      return "read the views: it has no role";
  }
  return "do this";
}

}  // namespace

absl::Status Authorize(const Principal& principal, Operation operation) {
  if (Allowed(principal.role, operation)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("principal ", principal.id, " (role ",
                                                  domain::RoleName(principal.role), ") may not ",
                                                  std::string(Rule(operation))));
}

}  // namespace auth
