#include "services/domain/schema.h"

#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace domain {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using wijkboek::v1::Payload;

// Fields every event of a type must carry, beyond the aggregate id that names its stream.
// Ids are checked as slugs wherever they are set; these lists say which may not be empty.
struct TypeRule {
  std::string_view aggregate;  // stream prefix; "programme" is a stream of its own
  std::string_view id_field;   // the field whose value completes the stream name
  std::set<std::string_view> required;
};

const TypeRule* RuleFor(Payload::EventCase c) {
  static const auto* rules = new std::map<Payload::EventCase, TypeRule>{
      {Payload::kPartnerJoined, {"partner", "partner_id", {"name"}}},
      {Payload::kPartnerProfileUpdated, {"partner", "partner_id", {}}},
      {Payload::kPartnerLeft, {"partner", "partner_id", {}}},
      {Payload::kPillarDefined, {"pillar", "pillar_id", {"name"}}},
      {Payload::kGoalDefined, {"pillar", "pillar_id", {"goal_id", "title"}}},
      {Payload::kKpiDefined, {"kpi", "kpi_id", {"pillar_id", "name", "unit"}}},
      {Payload::kMeasurementRecorded, {"kpi", "kpi_id", {}}},
      {Payload::kActionStarted, {"action", "action_id", {"goal_id", "title"}}},
      {Payload::kPartnerJoinedAction, {"action", "action_id", {"partner_id"}}},
      {Payload::kOwnershipTransferred, {"action", "action_id", {"to_partner_id"}}},
      {Payload::kResultRecorded, {"action", "action_id", {"summary"}}},
      {Payload::kActionStatusChanged, {"action", "action_id", {}}},
      {Payload::kCapacityCommitted, {"action", "action_id", {"partner_id"}}},
      {Payload::kFundsAllocated, {"action", "action_id", {"source"}}},
      {Payload::kDecisionRecorded, {"programme", "decision_id", {"body", "title"}}},
      {Payload::kActivityScheduled, {"programme", "activity_id", {"title", "starts_on"}}},
      {Payload::kSignalRaised, {"programme", "signal_id", {"pillar_id", "summary"}}},
      {Payload::kProgrammeDescribed, {"programme", "", {"name"}}},
      {Payload::kPrincipalRegistered, {"principal", "principal_id", {}}},
      {Payload::kTokenIssued, {"principal", "principal_id", {"token_id", "token_sha256"}}},
      {Payload::kTokenRevoked, {"principal", "principal_id", {"token_id"}}},
  };
  auto it = rules->find(c);
  return it == rules->end() ? nullptr : &it->second;
}

// The event message inside the payload's oneof, or nullptr.
const Message* EventMessage(const Payload& payload) {
  const auto* oneof = Payload::descriptor()->FindOneofByName("event");
  const FieldDescriptor* f = payload.GetReflection()->GetOneofFieldDescriptor(payload, oneof);
  return f == nullptr ? nullptr : &payload.GetReflection()->GetMessage(payload, f);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsIdField(std::string_view name) { return EndsWith(name, "_id") || EndsWith(name, "_ids"); }

bool IsDateField(std::string_view name) {
  return EndsWith(name, "_on") || name == "planned_start" || name == "planned_end";
}

absl::Status Invalid(std::string_view path, std::string_view field, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(path), ".", std::string(field), ": ", std::string(what)));
}

absl::Status TooLong(std::string_view path, std::string_view field, std::size_t size,
                     std::size_t max) {
  return Invalid(path, field,
                 absl::StrCat("is ", size, " bytes long; at most ", max, " bytes are allowed"));
}

absl::Status CheckStringField(const Message& m, const FieldDescriptor* f, std::string_view path,
                              const TypeRule& rule, std::size_t max_bytes) {
  const Reflection* r = m.GetReflection();
  std::string_view name = f->name();
  if (f->is_repeated()) {
    for (int i = 0; i < r->FieldSize(m, f); ++i) {
      std::string v = r->GetRepeatedString(m, f, i);
      std::string item = absl::StrCat(std::string(name), "[", i, "]");
      if (v.size() > max_bytes) return TooLong(path, item, v.size(), max_bytes);
      if (IsIdField(name) && !IsSlug(v)) {
        return Invalid(path, item, absl::StrCat("'", v, "' is not an id (lowercase letters, digits and single hyphens, at most 100 characters)"));
      }
      if (v.empty()) return Invalid(path, item, "must not be empty");
    }
    return absl::OkStatus();
  }
  std::string v = r->GetString(m, f);
  if (v.size() > max_bytes) return TooLong(path, name, v.size(), max_bytes);
  bool required = name == rule.id_field || rule.required.contains(name);
  if (v.empty()) {
    return required ? Invalid(path, name, "is required") : absl::OkStatus();
  }
  if (IsIdField(name) && !IsSlug(v)) {
    return Invalid(path, name, absl::StrCat("'", v, "' is not an id (lowercase letters, digits and single hyphens, at most 100 characters)"));
  }
  if (IsDateField(name) && !IsIsoDate(v)) {
    return Invalid(path, name, absl::StrCat("'", v, "' is not a date (YYYY-MM-DD)"));
  }
  return absl::OkStatus();
}

absl::Status CheckFigures(const Message& m, const FieldDescriptor* f, std::string_view path) {
  const Reflection* r = m.GetReflection();
  std::string_view name = f->name();
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE && !f->is_repeated()) {
    double v = r->GetDouble(m, f);
    if (!std::isfinite(v)) return Invalid(path, name, "must be a finite number");
    if ((name == "hours_per_week") && (v <= 0 || v > 168)) {
      return Invalid(path, name, "must be more than 0 and at most 168");
    }
  }
  if (name == "amount_cents" && r->GetInt64(m, f) <= 0) {
    return Invalid(path, name, "must be a positive amount in cents");
  }
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM && !f->is_repeated()) {
    int number = r->GetEnumValue(m, f);
    if (f->enum_type()->FindValueByNumber(number) == nullptr) {
      return Invalid(path, name, absl::StrCat(number, " is not a known ", f->enum_type()->name()));
    }
    bool required = (name == "status" && m.GetDescriptor()->name() == "ActionStatusChanged") ||
                    (name == "role" && m.GetDescriptor()->name() == "PrincipalRegistered");
    if (required && number == 0) return Invalid(path, name, "is required");
  }
  return absl::OkStatus();
}

// Rules between fields of one event: orderly date ranges, no one listed twice.
absl::Status CheckFieldPairs(const Payload& payload, std::string_view path) {
  auto range = [&](std::string_view from_name, const std::string& from, std::string_view to_name,
                   const std::string& to) -> absl::Status {
    if (!from.empty() && !to.empty() && to < from) {  // ISO dates order as strings
      return Invalid(path, to_name, absl::StrCat(to, " lies before ", std::string(from_name), " ", from));
    }
    return absl::OkStatus();
  };
  switch (payload.event_case()) {
    case Payload::kActionStarted: {
      const auto& a = payload.action_started();
      std::set<std::string> seen;
      for (int i = 0; i < a.partner_ids_size(); ++i) {
        const std::string& id = a.partner_ids(i);
        std::string field = absl::StrCat("action_started.partner_ids[", i, "]");
        if (id == a.owner_partner_id()) {
          return Invalid(path, field, absl::StrCat("'", id, "' is the owner; list only the other partners"));
        }
        if (!seen.insert(id).second) return Invalid(path, field, absl::StrCat("'", id, "' is listed twice"));
      }
      return range("planned_start", a.planned_start(), "action_started.planned_end", a.planned_end());
    }
    case Payload::kActivityScheduled: {
      const auto& a = payload.activity_scheduled();
      return range("starts_on", a.starts_on(), "activity_scheduled.ends_on", a.ends_on());
    }
    case Payload::kOwnershipTransferred: {
      const auto& t = payload.ownership_transferred();
      if (t.from_partner_id() == t.to_partner_id()) {
        return Invalid(path, "ownership_transferred.to_partner_id",
                       "is the same as from_partner_id; a transfer needs a new owner");
      }
      return absl::OkStatus();
    }
    case Payload::kPrincipalRegistered: {
      const auto& p = payload.principal_registered();
      if (p.principal_id() == "wijkboekd") {
        return Invalid(path, "principal_registered.principal_id",
                       "'wijkboekd' is the server's own name; choose another");
      }
      if (p.role() == wijkboek::v1::ROLE_PARTNER && p.partner_id().empty()) {
        return Invalid(path, "principal_registered.partner_id",
                       "is required for a partner principal: the partner it writes as");
      }
      if (p.role() != wijkboek::v1::ROLE_PARTNER && !p.partner_id().empty()) {
        return Invalid(path, "principal_registered.partner_id",
                       "is only for partner principals; leave it empty for this role");
      }
      return absl::OkStatus();
    }
    case Payload::kTokenIssued: {
      const auto& t = payload.token_issued();
      if (t.token_sha256().size() != 32) {
        return Invalid(path, "token_issued.token_sha256",
                       absl::StrCat("must be 32 bytes (a SHA-256), not ", t.token_sha256().size()));
      }
      if (t.expires_at_unix_micros() < 0) {
        return Invalid(path, "token_issued.expires_at_unix_micros", "must not be negative");
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

}  // namespace

bool IsCredentialEvent(const Payload& payload) {
  return payload.has_principal_registered() || payload.has_token_issued() ||
         payload.has_token_revoked();
}

std::string EventType(const Payload& payload) {
  const Message* m = EventMessage(payload);
  return m == nullptr ? std::string() : std::string(m->GetDescriptor()->name());
}

std::string StreamFor(const Payload& payload) {
  const TypeRule* rule = RuleFor(payload.event_case());
  const Message* m = EventMessage(payload);
  if (rule == nullptr || m == nullptr) return {};
  if (rule->aggregate == "programme") return "programme";
  const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(std::string(rule->id_field));
  return absl::StrCat(std::string(rule->aggregate), "-", m->GetReflection()->GetString(*m, f));
}

bool IsKnownEventType(std::string_view type) {
  const auto* oneof = Payload::descriptor()->FindOneofByName("event");
  for (int i = 0; i < oneof->field_count(); ++i) {
    if (oneof->field(i)->message_type()->name() == type) return true;
  }
  return false;
}

bool IsSlug(std::string_view id) {
  if (id.empty() || id.size() > 100 || id.front() == '-' || id.back() == '-') return false;
  char prev = 0;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

bool IsIsoDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  int y = std::stoi(std::string(d.substr(0, 4)));
  int m = std::stoi(std::string(d.substr(5, 2)));
  int day = std::stoi(std::string(d.substr(8, 2)));
  if (y < 1900 || m < 1 || m > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max_day = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return day <= max_day;
}

bool IsUuid(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

absl::Status ValidatePayload(const Payload& payload, std::string_view field_path,
                             std::size_t max_string_bytes) {
  const Message* m = EventMessage(payload);
  const TypeRule* rule = RuleFor(payload.event_case());
  if (m == nullptr || rule == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field_path), ": no event set (set exactly one of partner_joined, action_started, ...)"));
  }
  std::string path = absl::StrCat(std::string(field_path), ".", Payload::descriptor()
                                                       ->FindFieldByNumber(payload.event_case())
                                                       ->name());
  const auto* d = m->GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    absl::Status s = f->cpp_type() == FieldDescriptor::CPPTYPE_STRING
                         ? CheckStringField(*m, f, path, *rule, max_string_bytes)
                         : CheckFigures(*m, f, path);
    if (!s.ok()) return s;
  }
  return CheckFieldPairs(payload, field_path);
}

absl::Status ValidateForStream(const Payload& payload, std::string_view stream,
                               std::string_view field_path, std::size_t max_string_bytes) {
  if (absl::Status s = ValidatePayload(payload, field_path, max_string_bytes); !s.ok()) return s;
  std::string want = StreamFor(payload);
  if (want != stream) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(field_path), ": a ", EventType(payload), " belongs in stream '", want,
        "', not '", std::string(stream),
        "' (streams are named by the payload: partner-<partner_id>, pillar-<pillar_id>, "
        "kpi-<kpi_id>, action-<action_id>, principal-<principal_id>, programme)"));
  }
  return absl::OkStatus();
}

}  // namespace domain
