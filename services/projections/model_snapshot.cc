// The Model's persisted form: one row per entity (see model.h for the keys).
//
// Values are the view messages themselves, serialised. An action's row leaves out its results,
// which have rows of their own: late in a long log an action may hold hundreds of results, and a
// snapshot that re-wrote them all whenever one was added would write the log's text many times
// over (measured: the snapshot cost grew with the square of the log).
#include <charconv>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/projections/model.h"

namespace projections {
namespace {

namespace v1 = wijkboek::v1;

constexpr std::string_view kProgrammeKey = "meta/programme";
constexpr std::string_view kFundsKey = "meta/funds";
constexpr std::string_view kResultPrefix = "result/";

// Splits "kind/rest" at the first slash.
bool SplitKey(std::string_view key, std::string_view* kind, std::string_view* rest) {
  const std::size_t slash = key.find('/');
  if (slash == std::string_view::npos) return false;
  *kind = key.substr(0, slash);
  *rest = key.substr(slash + 1);
  return true;
}

// "<action_id>/<index>" of a result key, after "result/".
bool SplitResult(std::string_view rest, std::string* action_id, std::size_t* index) {
  const std::size_t slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  const std::string_view digits = rest.substr(slash + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *index);
  if (ec != std::errc() || end != digits.data() + digits.size()) return false;
  *action_id = std::string(rest.substr(0, slash));
  return true;
}

// The action without its results, without copying them: every field but `results` by hand.
// model_test checks with reflection that no field is forgotten.
v1::ActionView Header(const v1::ActionView& a) {
  v1::ActionView h;
  h.set_action_id(a.action_id());
  h.set_goal_id(a.goal_id());
  h.set_pillar_id(a.pillar_id());
  h.set_title(a.title());
  h.set_owner_partner_id(a.owner_partner_id());
  *h.mutable_partner_ids() = a.partner_ids();
  h.set_status(a.status());
  h.set_description(a.description());
  *h.mutable_status_history() = a.status_history();
  h.set_planned_start(a.planned_start());
  h.set_planned_end(a.planned_end());
  h.set_started_on(a.started_on());
  *h.mutable_capacity() = a.capacity();
  h.set_hours_per_week(a.hours_per_week());
  h.set_funds_cents(a.funds_cents());
  if (a.has_last_activity_at()) *h.mutable_last_activity_at() = a.last_activity_at();
  h.set_last_activity_position(a.last_activity_position());
  h.set_result_count(a.result_count());
  h.set_owner_left(a.owner_left());
  return h;
}

void AddLines(const std::map<std::string, std::int64_t>& amounts,
              google::protobuf::RepeatedPtrField<v1::FundsLine>* lines) {
  for (const auto& [id, cents] : amounts) {
    v1::FundsLine* line = lines->Add();
    line->set_id(id);
    line->set_amount_cents(cents);
  }
}

template <typename Map>
std::optional<std::string> EncodeIn(const Map& map, std::string_view id) {
  auto it = map.find(std::string(id));
  if (it == map.end()) return std::nullopt;
  return it->second.SerializeAsString();
}

template <typename Map>
absl::Status DecodeInto(Map& map, std::string_view key, std::string_view id,
                        std::string_view value) {
  typename Map::mapped_type view;
  if (!view.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("views snapshot: row ", std::string(key),
                                            " does not parse"));
  }
  map[std::string(id)] = std::move(view);
  return absl::OkStatus();
}

}  // namespace

std::string Model::ResultKey(std::string_view action_id, std::size_t index) {
  return absl::StrCat(std::string(kResultPrefix), std::string(action_id), "/",
                      absl::Dec(index, absl::kZeroPad10));
}

std::optional<std::string> Model::EncodeEntity(std::string_view key) const {
  if (key == kProgrammeKey) return programme.SerializeAsString();
  if (key == kFundsKey) {
    v1::GetFundsResponse funds;
    AddLines(funds_by_partner, funds.mutable_by_partner());
    AddLines(funds_by_source, funds.mutable_by_source());
    return funds.SerializeAsString();
  }
  std::string_view kind, rest;
  if (!SplitKey(key, &kind, &rest)) return std::nullopt;
  if (kind == "pillar") return EncodeIn(pillars, rest);
  if (kind == "goal") return EncodeIn(goals, rest);
  if (kind == "partner") return EncodeIn(partners, rest);
  if (kind == "kpi") return EncodeIn(kpis, rest);
  if (kind == "activity") return EncodeIn(activities, rest);
  if (kind == "action") {
    auto it = actions.find(std::string(rest));
    if (it == actions.end()) return std::nullopt;
    return Header(it->second).SerializeAsString();
  }
  if (kind == "result") {
    std::string action_id;
    std::size_t index = 0;
    if (!SplitResult(rest, &action_id, &index)) return std::nullopt;
    auto it = actions.find(action_id);
    if (it == actions.end() || index >= static_cast<std::size_t>(it->second.results_size())) {
      return std::nullopt;
    }
    return it->second.results(static_cast<int>(index)).SerializeAsString();
  }
  return std::nullopt;
}

absl::Status Model::DecodeEntity(std::string_view key, std::string_view value) {
  const auto unparsable = [&] {
    return absl::DataLossError(absl::StrCat("views snapshot: row ", std::string(key),
                                            " does not parse"));
  };
  if (key == kProgrammeKey) {
    if (!programme.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return unparsable();
    }
    return absl::OkStatus();
  }
  if (key == kFundsKey) {
    v1::GetFundsResponse funds;
    if (!funds.ParseFromArray(value.data(), static_cast<int>(value.size()))) return unparsable();
    funds_by_partner.clear();
    funds_by_source.clear();
    for (const v1::FundsLine& line : funds.by_partner()) {
      funds_by_partner[line.id()] = line.amount_cents();
    }
    for (const v1::FundsLine& line : funds.by_source()) {
      funds_by_source[line.id()] = line.amount_cents();
    }
    return absl::OkStatus();
  }
  std::string_view kind, rest;
  if (SplitKey(key, &kind, &rest)) {
    if (kind == "pillar") return DecodeInto(pillars, key, rest, value);
    if (kind == "goal") return DecodeInto(goals, key, rest, value);
    if (kind == "partner") return DecodeInto(partners, key, rest, value);
    if (kind == "kpi") return DecodeInto(kpis, key, rest, value);
    if (kind == "activity") return DecodeInto(activities, key, rest, value);
    if (kind == "action") {
      v1::ActionView header;
      if (!header.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        return unparsable();
      }
      // Result rows may have been loaded first; they stay.
      v1::ActionView& action = actions[std::string(rest)];
      header.mutable_results()->Swap(action.mutable_results());
      action = std::move(header);
      return absl::OkStatus();
    }
    std::string action_id;
    std::size_t index = 0;
    if (kind == "result" && SplitResult(rest, &action_id, &index)) {
      v1::ActionView& action = actions[action_id];
      const auto size = static_cast<std::size_t>(action.results_size());
      if (index > size) {
        return absl::DataLossError(absl::StrCat("views snapshot: row ", std::string(key),
                                                " follows a missing result row (action has ",
                                                size, ")"));
      }
      v1::ResultView* result =
          index == size ? action.add_results() : action.mutable_results(static_cast<int>(index));
      if (!result->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        return unparsable();
      }
      return absl::OkStatus();
    }
  }
  return absl::DataLossError(
      absl::StrCat("views snapshot: unknown row ", std::string(key)));
}

}  // namespace projections
