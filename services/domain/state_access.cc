// Who may write what (Authorize), and the principals and tokens the log knows (the credential
// events' Decide and Apply). services/domain/README.md has the table.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/domain/schema.h"
#include "services/domain/state.h"

namespace domain {

using wijkboek::v1::Payload;
namespace v1 = ::wijkboek::v1;

namespace {

template <typename... Args>
absl::Status Deny(const Actor& actor, const Args&... args) {
  std::string who = actor.role == v1::ROLE_PARTNER
                        ? absl::StrCat("principal ", actor.principal_id, " (partner ",
                                       actor.partner_id, ")")
                        : absl::StrCat("principal ", actor.principal_id, " (role ",
                                       RoleName(actor.role), ")");
  return absl::PermissionDeniedError(absl::StrCat(who, " may not ", args...));
}

template <typename... Args>
absl::Status Refuse(const Args&... args) {
  return absl::FailedPreconditionError(absl::StrCat(args...));
}

// "record a ResultRecorded" etc.: what the actor tried, for messages.
std::string Attempt(const Payload& payload) {
  const auto* field = Payload::descriptor()->FindFieldByNumber(payload.event_case());
  return field == nullptr ? std::string("write an empty payload")
                          : absl::StrCat("write ", field->message_type()->name());
}

// The action an action event is about; empty for other events.
const std::string& ActionIdOf(const Payload& payload) {
  static const std::string kNone;
  switch (payload.event_case()) {
    case Payload::kActionStarted:
      return payload.action_started().action_id();
    case Payload::kPartnerJoinedAction:
      return payload.partner_joined_action().action_id();
    case Payload::kOwnershipTransferred:
      return payload.ownership_transferred().action_id();
    case Payload::kResultRecorded:
      return payload.result_recorded().action_id();
    case Payload::kActionStatusChanged:
      return payload.action_status_changed().action_id();
    case Payload::kCapacityCommitted:
      return payload.capacity_committed().action_id();
    case Payload::kFundsAllocated:
      return payload.funds_allocated().action_id();
    default:
      return kNone;
  }
}

}  // namespace

std::string RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_ADMIN:
      return "admin";
    case v1::ROLE_PARTNER:
      return "partner";
    case v1::ROLE_AUDITOR:
      return "auditor";
    case v1::ROLE_DASHBOARD:
      return "dashboard";
    case v1::ROLE_UNSPECIFIED:
      return "unspecified";
    default:
      return absl::StrCat("role ", static_cast<int>(role));
  }
}

// ---- Authorize ----------------------------------------------------------------------------------

absl::Status ProgrammeState::Authorize(const Actor& actor, const Payload& payload) const {
  switch (actor.role) {
    case v1::ROLE_ADMIN:
      return absl::OkStatus();
    case v1::ROLE_PARTNER:
      break;
    case v1::ROLE_AUDITOR:
    case v1::ROLE_DASHBOARD:
      return Deny(actor, Attempt(payload), ": auditors and dashboards read, they never write");
    default:
      return Deny(actor, Attempt(payload), ": it has no role");
  }
  if (!IsCurrentPartner(actor.partner_id)) {
    return Deny(actor, Attempt(payload), ": partner ", actor.partner_id,
                " is not a current partner of the programme");
  }
  const std::string& me = actor.partner_id;
  switch (payload.event_case()) {
    case Payload::kPartnerProfileUpdated:
      if (payload.partner_profile_updated().partner_id() == me) return absl::OkStatus();
      return Deny(actor, "update the profile of partner ",
                  payload.partner_profile_updated().partner_id(),
                  ": a partner updates only its own profile");
    case Payload::kActionStarted:
      if (payload.action_started().owner_partner_id() == me) return absl::OkStatus();
      return Deny(actor, "start action ", payload.action_started().action_id(), " with owner '",
                  payload.action_started().owner_partner_id(),
                  "': a partner starts only actions it owns (owner_partner_id = ", me, ")");
    case Payload::kActivityScheduled:
      if (payload.activity_scheduled().organiser_partner_id() == me) return absl::OkStatus();
      return Deny(actor, "schedule activity ", payload.activity_scheduled().activity_id(),
                  " for organiser '", payload.activity_scheduled().organiser_partner_id(),
                  "': a partner schedules only its own activities (organiser_partner_id = ", me,
                  ")");
    case Payload::kSignalRaised:
      return absl::OkStatus();
    case Payload::kPartnerJoinedAction:
    case Payload::kOwnershipTransferred:
    case Payload::kResultRecorded:
    case Payload::kActionStatusChanged:
    case Payload::kCapacityCommitted:
    case Payload::kFundsAllocated:
      return AuthorizePartner(actor, payload);
    default:
      break;
  }
  if (IsCredentialEvent(payload)) {
    return Deny(actor, Attempt(payload), ": principals and tokens are the programme team's");
  }
  return Deny(actor, Attempt(payload),
              ": programme structure, partners joining or leaving, KPIs and decisions are the "
              "programme team's (role admin)");
}

absl::Status ProgrammeState::AuthorizePartner(const Actor& actor, const Payload& payload) const {
  const std::string& me = actor.partner_id;
  const std::string& action_id = ActionIdOf(payload);
  auto it = actions_.find(action_id);
  const bool owns = it != actions_.end() && it->second.owner == me;
  const bool joined = it != actions_.end() && std::binary_search(it->second.members.begin(),
                                                                 it->second.members.end(), me);
  switch (payload.event_case()) {
    case Payload::kPartnerJoinedAction:
      // The owner brings others in; any partner may join an action itself.
      if (owns || payload.partner_joined_action().partner_id() == me) return absl::OkStatus();
      return Deny(actor, "add partner ", payload.partner_joined_action().partner_id(),
                  " to action ", action_id,
                  ": only the action's owner adds other partners; a partner may join it itself");
    case Payload::kOwnershipTransferred:
      if (owns) return absl::OkStatus();
      return Deny(actor, "transfer the ownership of action ", action_id,
                  ": only its current owner hands it over (or the programme team)");
    case Payload::kCapacityCommitted:
      if (payload.capacity_committed().partner_id() != me) {
        return Deny(actor, "commit capacity for partner ",
                    payload.capacity_committed().partner_id(),
                    ": a partner commits only its own capacity (partner_id = ", me, ")");
      }
      break;
    case Payload::kFundsAllocated: {
      const std::string& funder = payload.funds_allocated().partner_id();
      if (!funder.empty() && funder != me) {
        return Deny(actor, "allocate funds on behalf of partner ", funder,
                    ": a partner records only its own money (partner_id = ", me, " or empty)");
      }
      break;
    }
    default:
      break;
  }
  if (owns || joined) return absl::OkStatus();
  return Deny(actor, Attempt(payload), " on action ", action_id,
              ": a partner writes only on actions it owns or has joined");
}

// ---- Principals and tokens ----------------------------------------------------------------------

std::optional<Actor> ProgrammeState::FindActor(const std::string& principal_id) const {
  if (principal_id == kServerPrincipal) return Actor{principal_id, v1::ROLE_ADMIN, {}};
  auto it = principals_.find(principal_id);
  if (it == principals_.end()) return std::nullopt;
  return Actor{principal_id, it->second.role, it->second.partner_id};
}

std::string ProgrammeState::TokenOwnerOf(const std::string& token_id) const {
  auto it = tokens_.find(token_id);
  return it == tokens_.end() ? std::string() : it->second.principal_id;
}

bool ProgrammeState::IsTokenRevoked(const std::string& token_id) const {
  auto it = tokens_.find(token_id);
  return it != tokens_.end() && it->second.revoked;
}

std::vector<std::string> ProgrammeState::PrincipalIds() const {
  std::vector<std::string> ids;
  ids.reserve(principals_.size());
  for (const auto& [id, principal] : principals_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::Status ProgrammeState::DecideCredentialEvent(const Payload& payload) const {
  switch (payload.event_case()) {
    case Payload::kPrincipalRegistered: {
      const auto& e = payload.principal_registered();
      if (principals_.contains(e.principal_id())) {
        return Refuse("principal ", e.principal_id(),
                      " already exists; principal ids are unique (issue it a new token instead)");
      }
      if (e.role() == v1::ROLE_PARTNER && !IsCurrentPartner(e.partner_id())) {
        return Refuse("principal ", e.principal_id(), ": partner '", e.partner_id(),
                      "' is not a current partner; a partner principal writes as a current "
                      "partner");
      }
      return absl::OkStatus();
    }
    case Payload::kTokenIssued: {
      const auto& e = payload.token_issued();
      if (!principals_.contains(e.principal_id())) {
        return Refuse("token ", e.token_id(), ": principal ", e.principal_id(),
                      " does not exist; register it first");
      }
      if (tokens_.contains(e.token_id())) {
        return Refuse("token ", e.token_id(), " already exists; token ids are unique");
      }
      return absl::OkStatus();
    }
    case Payload::kTokenRevoked: {
      const auto& e = payload.token_revoked();
      auto it = tokens_.find(e.token_id());
      if (it == tokens_.end() || it->second.principal_id != e.principal_id()) {
        return Refuse("token ", e.token_id(), " was not issued to principal ", e.principal_id());
      }
      if (it->second.revoked) return Refuse("token ", e.token_id(), " was revoked before");
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

void ProgrammeState::ApplyCredential(const Payload& payload) {
  using Kind = UndoStep::Kind;
  switch (payload.event_case()) {
    case Payload::kPrincipalRegistered: {
      const auto& e = payload.principal_registered();
      Principal p{e.role(), e.role() == v1::ROLE_PARTNER ? e.partner_id() : std::string()};
      if (principals_.try_emplace(e.principal_id(), std::move(p)).second) {
        Note(Kind::kErasePrincipal, e.principal_id());
      }
      break;
    }
    case Payload::kTokenIssued: {
      const auto& e = payload.token_issued();
      if (!principals_.contains(e.principal_id())) break;
      if (tokens_.try_emplace(e.token_id(), Token{e.principal_id(), false}).second) {
        Note(Kind::kEraseToken, e.token_id());
      }
      break;
    }
    case Payload::kTokenRevoked: {
      auto it = tokens_.find(payload.token_revoked().token_id());
      if (it == tokens_.end() || it->second.revoked) break;
      it->second.revoked = true;
      Note(Kind::kUnrevokeToken, it->first);
      break;
    }
    default:
      break;
  }
}

}  // namespace domain
