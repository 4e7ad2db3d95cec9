// The snapshot encoding of ProgrammeState: deterministic, versioned, length-prefixed.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/domain/state.h"

namespace domain {

using wijkboek::v1::ActionStatus;
namespace v1 = ::wijkboek::v1;

namespace {

// The set sorted, for deterministic output.
template <typename Set>
std::vector<std::string> Sorted(const Set& set) {
  std::vector<std::string> out(set.begin(), set.end());
  std::sort(out.begin(), out.end());
  return out;
}

template <typename Map>
std::vector<std::string> SortedKeys(const Map& map) {
  std::vector<std::string> out;
  out.reserve(map.size());
  for (const auto& [key, value] : map) out.push_back(key);
  std::sort(out.begin(), out.end());
  return out;
}

// ---- The snapshot encoding ----------------------------------------------------------------------
// Unsigned LEB128 varints; a string is its length as a varint, then its bytes.

// Version 2 added principals and tokens; a version 1 snapshot (written before they existed) is
// read as having none.
constexpr char kVersion = 2;

class Writer {
 public:
  void Byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Varint(std::uint64_t v) {
    while (v >= 0x80) {
      Byte(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    Byte(static_cast<std::uint8_t>(v));
  }
  void String(const std::string& s) {
    Varint(s.size());
    out_.append(s);
  }
  template <typename Set>
  void Strings(const Set& set) {
    std::vector<std::string> sorted = Sorted(set);
    Varint(sorted.size());
    for (const std::string& s : sorted) String(s);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool Byte(std::uint8_t* b) {
    if (at_ >= in_.size()) return false;
    *b = static_cast<std::uint8_t>(in_[at_++]);
    return true;
  }
  bool Varint(std::uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t b;
      if (!Byte(&b)) return false;
      *v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  // A count of items that each take at least one byte: never more than the bytes left.
  bool Count(std::uint64_t* n) { return Varint(n) && *n <= in_.size() - at_; }
  bool String(std::string* s) {
    std::uint64_t n;
    if (!Varint(&n) || n > in_.size() - at_) return false;
    s->assign(in_.substr(at_, n));
    at_ += n;
    return true;
  }
  template <typename Set>
  bool Strings(Set* set) {
    std::uint64_t n;
    if (!Count(&n)) return false;
    set->reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) {
      std::string s;
      if (!String(&s)) return false;
      set->insert(std::move(s));
    }
    return true;
  }
  bool AtEnd() const { return at_ == in_.size(); }
  std::size_t at() const { return at_; }

 private:
  std::string_view in_;
  std::size_t at_ = 0;
};

}  // namespace

// ---- Serialize / Parse --------------------------------------------------------------------------
// version 1:
//   u8 version
//   pillars     n × id
//   goals       n × (goal id, pillar id)
//   kpis        n × (kpi id, m × measurement id)
//   partners    n × (partner id, u8 current)
//   actions     n × (action id, u8 status, owner, m × member, r × result id)
//   decisions, activities, signals   n × id each
// version 2 adds:
//   principals  n × (principal id, u8 role, partner id)
//   tokens      n × (token id, principal id, u8 revoked)
// Every list is a varint count, sorted by id; every id a varint length and its bytes.

std::string ProgrammeState::Serialize() const {
  Writer w;
  w.Byte(kVersion);
  w.Strings(pillars_);
  w.Varint(goals_.size());
  for (const std::string& g : SortedKeys(goals_)) {
    w.String(g);
    w.String(goals_.at(g));
  }
  w.Varint(kpis_.size());
  for (const std::string& k : SortedKeys(kpis_)) {
    w.String(k);
    w.Strings(kpis_.at(k));
  }
  w.Varint(partners_.size());
  for (const std::string& p : SortedKeys(partners_)) {
    w.String(p);
    w.Byte(partners_.at(p) ? 1 : 0);
  }
  w.Varint(actions_.size());
  for (const std::string& id : SortedKeys(actions_)) {
    const Action& a = actions_.at(id);
    w.String(id);
    w.Byte(static_cast<std::uint8_t>(a.status));
    w.String(a.owner);
    w.Strings(a.members);
    w.Strings(a.result_ids);
  }
  w.Strings(decisions_);
  w.Strings(activities_);
  w.Strings(signals_);
  w.Varint(principals_.size());
  for (const std::string& id : SortedKeys(principals_)) {
    const Principal& p = principals_.at(id);
    w.String(id);
    w.Byte(static_cast<std::uint8_t>(p.role));
    w.String(p.partner_id);
  }
  w.Varint(tokens_.size());
  for (const std::string& id : SortedKeys(tokens_)) {
    const Token& t = tokens_.at(id);
    w.String(id);
    w.String(t.principal_id);
    w.Byte(t.revoked ? 1 : 0);
  }
  return w.Take();
}

absl::StatusOr<ProgrammeState> ProgrammeState::Parse(std::string_view bytes) {
  Reader r(bytes);
  const auto corrupt = [&r](std::string_view what) {
    return absl::DataLossError(
        absl::StrCat("domain state snapshot: ", std::string(what), " at byte ", r.at()));
  };
  std::uint8_t version;
  if (!r.Byte(&version)) return corrupt("empty");
  if (version != kVersion && version != 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "domain state snapshot has version ", static_cast<int>(version),
        "; this build reads version ", static_cast<int>(kVersion), " (rebuild it from the log)"));
  }
  ProgrammeState s;
  std::uint64_t n;
  if (!r.Strings(&s.pillars_)) return corrupt("truncated pillars");
  if (!r.Count(&n)) return corrupt("truncated goals");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string goal, pillar;
    if (!r.String(&goal) || !r.String(&pillar)) return corrupt("truncated goal");
    s.goals_.emplace(std::move(goal), std::move(pillar));
  }
  if (!r.Count(&n)) return corrupt("truncated kpis");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string kpi;
    if (!r.String(&kpi) || !r.Strings(&s.kpis_[kpi])) return corrupt("truncated kpi");
  }
  if (!r.Count(&n)) return corrupt("truncated partners");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string partner;
    std::uint8_t current;
    if (!r.String(&partner) || !r.Byte(&current)) return corrupt("truncated partner");
    if (current > 1) return corrupt("bad partner flag");
    s.partners_.emplace(std::move(partner), current == 1);
  }
  if (!r.Count(&n)) return corrupt("truncated actions");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string id;
    std::uint8_t status;
    Action a;
    absl::flat_hash_set<std::string> members;
    if (!r.String(&id) || !r.Byte(&status) || !r.String(&a.owner) || !r.Strings(&members) ||
        !r.Strings(&a.result_ids)) {
      return corrupt("truncated action");
    }
    if (!IsKnownStatus(status)) return corrupt("bad action status");
    a.status = static_cast<ActionStatus>(status);
    a.members = Sorted(members);
    s.actions_.emplace(std::move(id), std::move(a));
  }
  if (!r.Strings(&s.decisions_)) return corrupt("truncated decisions");
  if (!r.Strings(&s.activities_)) return corrupt("truncated activities");
  if (!r.Strings(&s.signals_)) return corrupt("truncated signals");
  if (version == 1) {
    if (!r.AtEnd()) return corrupt("trailing bytes");
    return s;
  }
  if (!r.Count(&n)) return corrupt("truncated principals");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string id;
    std::uint8_t role;
    Principal p;
    if (!r.String(&id) || !r.Byte(&role) || !r.String(&p.partner_id)) {
      return corrupt("truncated principal");
    }
    if (!v1::Role_IsValid(role)) return corrupt("bad principal role");
    p.role = static_cast<v1::Role>(role);
    s.principals_.emplace(std::move(id), std::move(p));
  }
  if (!r.Count(&n)) return corrupt("truncated tokens");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string id;
    Token t;
    std::uint8_t revoked;
    if (!r.String(&id) || !r.String(&t.principal_id) || !r.Byte(&revoked)) {
      return corrupt("truncated token");
    }
    if (revoked > 1) return corrupt("bad token flag");
    t.revoked = revoked == 1;
    s.tokens_.emplace(std::move(id), std::move(t));
  }
  if (!r.AtEnd()) return corrupt("trailing bytes");
  return s;
}

}  // namespace domain
