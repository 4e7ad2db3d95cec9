#pragma once
// The programme's rules on write, and the small state they decide on.
//
// ProgrammeState is folded from the log (Apply) and answers one question (Decide): may this event
// be appended now? It knows ids, memberships and statuses only: enough for every rule, small
// enough to copy and to persist whole. No I/O, no gRPC, no RocksDB. The rules themselves, and the
// table of allowed status transitions, are written down in services/domain/README.md.
//
// Size: one entry per pillar, goal, KPI, partner, action, decision, activity and signal, plus the
// measurement ids and result ids that were given (results without a result_id cost nothing).
//
// Undo: the writer's gate must take back the Apply calls of a refused request or of a group whose
// write failed, without copying the whole state. With RecordUndo(true) every Apply notes the few
// values it changed; UndoTo(mark) takes them back, latest first. Off by default (the projector
// folds the log and never takes anything back).
//
// Threads: none of its own; the owner synchronises.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wijkboek/v1/events.pb.h"

namespace domain {

// A value of ActionStatus other than UNSPECIFIED: a status an action can have.
bool IsKnownStatus(int status);

// "planned", "in_progress", ..., "stopped" (the names the programme's data uses); "unspecified"
// for 0 and "status <n>" for a number outside the enum.
std::string StatusName(wijkboek::v1::ActionStatus status);

// The status a person or a URL names, in lowercase: "in-progress", "in_progress" or
// "action_status_in_progress"; nullopt for anything else (and for "unspecified").
std::optional<wijkboek::v1::ActionStatus> ParseStatusName(std::string_view text);

// "planned, in-progress, ..., stopped": the names to offer in an error message.
std::string StatusNamesForPeople();

// The table of allowed ActionStatusChanged transitions (README.md). Changing to the same status
// is never allowed; STOPPED is final.
bool IsAllowedTransition(wijkboek::v1::ActionStatus from, wijkboek::v1::ActionStatus to);

// The statuses an action in `from` may change to, in enum order.
std::vector<wijkboek::v1::ActionStatus> AllowedTransitionsFrom(wijkboek::v1::ActionStatus from);

// Who writes an event: a registered principal as the log knows it (PrincipalRegistered).
struct Actor {
  std::string principal_id;
  wijkboek::v1::Role role = wijkboek::v1::ROLE_UNSPECIFIED;
  std::string partner_id;  // only for ROLE_PARTNER
};

// The server itself, for the few events it writes on its own (registering the first admin from
// the bootstrap token). No principal can be registered under this id.
inline constexpr std::string_view kServerPrincipal = "wijkboekd";

// "admin", "partner", "auditor", "dashboard"; "unspecified" and "role <n>" otherwise.
std::string RoleName(wijkboek::v1::Role role);

class ProgrammeState {
 public:
  // OK, or FAILED_PRECONDITION with a message that names the rule and the ids, e.g.
  // "action taalmaatjes: owner partner 'vidomes' is not a current partner". The payload's shape
  // was checked before (schema.h). INVALID_ARGUMENT only for what the shape rules let through
  // but no state could accept: a status number outside ActionStatus, and an empty payload.
  [[nodiscard]] absl::Status Decide(const wijkboek::v1::Payload& payload) const;

  // May `actor` write `payload` now? OK, or PERMISSION_DENIED naming the principal, its role and
  // the rule, e.g. "principal vidomes-crm (partner vidomes) may not record a result on action
  // taalmaatjes: a partner writes only on actions it owns or has joined". The rules are the
  // table "Who may write what" in services/domain/README.md. Call before Decide: a refusal here
  // says nothing about the event's content.
  [[nodiscard]] absl::Status Authorize(const Actor& actor,
                                       const wijkboek::v1::Payload& payload) const;

  // The actor behind `principal_id` (recorded_by), or nullopt when no such principal was
  // registered. kServerPrincipal is always an admin.
  std::optional<Actor> FindActor(const std::string& principal_id) const;
  bool HasPrincipal(const std::string& principal_id) const {
    return principals_.contains(principal_id);
  }
  // The principal a token was issued to; empty when there is no such token.
  std::string TokenOwnerOf(const std::string& token_id) const;
  bool IsTokenRevoked(const std::string& token_id) const;
  // Every registered principal id, sorted.
  std::vector<std::string> PrincipalIds() const;

  // Folds an event that Decide accepted (or that is in the log). Total: an event that Decide
  // would have refused never crashes it; what does not fit is ignored (a second definition of
  // an id keeps the first, an event about an unknown action changes nothing, ...). See README.md.
  void Apply(const wijkboek::v1::Payload& payload);

  // A compact, deterministic encoding of the whole state, and back: equal states give equal
  // bytes. A version byte, then length-prefixed, sorted sections (see state_snapshot.cc). The undo
  // log is not part of it. Parse: DATA_LOSS when the bytes are truncated or malformed,
  // FAILED_PRECONDITION for an unknown version.
  std::string Serialize() const;
  [[nodiscard]] static absl::StatusOr<ProgrammeState> Parse(std::string_view bytes);

  // Compares the state only, never the undo log.
  bool operator==(const ProgrammeState& other) const;

  // ---- Taking back Apply calls --------------------------------------------------------------
  // Starts (true) or stops (false, and forgets) recording how to take back each Apply.
  void RecordUndo(bool on);
  // A point to return to: how many undo steps are recorded now.
  std::size_t UndoMark() const { return undo_.size(); }
  // Takes back every Apply recorded since `mark` (a value UndoMark returned since the last
  // ForgetUndo), latest first. The state is then exactly what it was at `mark`.
  void UndoTo(std::size_t mark);
  // Forgets the recorded steps (they can no longer be taken back); recording goes on.
  void ForgetUndo() { undo_.clear(); }

  // ---- Small queries (for tests, tools and error messages) -----------------------------------
  bool IsCurrentPartner(const std::string& partner_id) const;
  bool HasAction(const std::string& action_id) const { return actions_.contains(action_id); }
  // The action's status; ACTION_STATUS_UNSPECIFIED when there is no such action.
  wijkboek::v1::ActionStatus ActionStatusOf(const std::string& action_id) const;
  // The action's owner; empty when none (or no such action).
  std::string ActionOwnerOf(const std::string& action_id) const;

 private:
  struct Principal {
    wijkboek::v1::Role role = wijkboek::v1::ROLE_UNSPECIFIED;
    std::string partner_id;
    bool operator==(const Principal&) const = default;
  };
  struct Token {
    std::string principal_id;
    bool revoked = false;
    bool operator==(const Token&) const = default;
  };

  struct Action {
    wijkboek::v1::ActionStatus status = wijkboek::v1::ACTION_STATUS_PLANNED;
    std::string owner;                            // empty: an ownership gap
    std::vector<std::string> members;             // coalition, sorted, never the owner
    absl::flat_hash_set<std::string> result_ids;  // only the result_ids that were given
    bool operator==(const Action&) const = default;
  };

  // One change made by Apply, and what it takes to undo it.
  struct UndoStep {
    enum class Kind : std::uint8_t {
      kErasePillar,
      kEraseGoal,
      kEraseKpi,
      kEraseMeasurement,   // key: kpi, sub: measurement id
      kErasePartner,       // the partner was unknown before
      kSetPartnerCurrent,  // restore partners_[key] = flag
      kEraseAction,
      kSetActionStatus,  // restore status = flag
      kSetActionOwner,   // restore owner = sub
      kEraseMember,      // key: action, sub: partner
      kInsertMember,     // key: action, sub: partner
      kEraseResult,      // key: action, sub: result id
      kEraseDecision,
      kEraseActivity,
      kEraseSignal,
      kErasePrincipal,
      kEraseToken,
      kUnrevokeToken,
    };
    Kind kind;
    int flag = 0;
    std::string key;
    std::string sub;
  };

  // Per event type or group of types; each returns OK or the refusal.
  absl::Status DecidePartnerEvent(const wijkboek::v1::Payload& payload) const;
  absl::Status DecideStructureEvent(const wijkboek::v1::Payload& payload) const;
  absl::Status DecideActionEvent(const wijkboek::v1::Payload& payload) const;
  absl::Status DecideCommunityEvent(const wijkboek::v1::Payload& payload) const;
  absl::Status DecideActionStarted(const wijkboek::v1::ActionStarted& e) const;
  absl::Status DecideOwnershipTransferred(const wijkboek::v1::OwnershipTransferred& e) const;
  absl::Status DecideStatusChanged(const wijkboek::v1::ActionStatusChanged& e) const;
  absl::Status DecideActivityScheduled(const wijkboek::v1::ActivityScheduled& e) const;
  absl::Status DecideCredentialEvent(const wijkboek::v1::Payload& payload) const;
  // For a partner actor: may it write this action event (it owns or has joined the action)?
  absl::Status AuthorizePartner(const Actor& actor, const wijkboek::v1::Payload& payload) const;
  // The action exists and is not stopped; `what` ends "action x is stopped; <what>".
  absl::Status ActiveAction(const std::string& action_id, std::string_view what,
                            const Action** out) const;
  // `partner_id` is a current partner; refusal names it as `role` of `subject`.
  absl::Status CurrentPartner(std::string_view subject, std::string_view role,
                              const std::string& partner_id) const;

  void ApplyAction(const wijkboek::v1::Payload& payload);
  void ApplyCredential(const wijkboek::v1::Payload& payload);
  void AddMember(Action& action, const std::string& action_id, const std::string& partner_id);
  void RemoveMember(Action& action, const std::string& action_id, const std::string& partner_id);
  void Note(UndoStep::Kind kind, const std::string& key, std::string sub = {}, int flag = 0);
  void Undo(const UndoStep& step);

  absl::flat_hash_set<std::string> pillars_;
  absl::flat_hash_map<std::string, std::string> goals_;                      // goal -> its pillar
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> kpis_;  // -> measurement ids
  absl::flat_hash_map<std::string, bool> partners_;  // -> current (false: it left)
  absl::flat_hash_map<std::string, Action> actions_;
  absl::flat_hash_set<std::string> decisions_;
  absl::flat_hash_set<std::string> activities_;
  absl::flat_hash_set<std::string> signals_;
  absl::flat_hash_map<std::string, Principal> principals_;
  absl::flat_hash_map<std::string, Token> tokens_;

  bool record_undo_ = false;
  std::vector<UndoStep> undo_;  // oldest first; only while record_undo_
};

}  // namespace domain
