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
#include "services/projections/query_util.h"

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
    if (it == actions.end()) return std::nullopt;
    // Only results still in memory can be dirty: ReleaseResults runs after their rows are written.
    const std::size_t on_disk = OnDisk(action_id);
    if (index < on_disk || index - on_disk >= static_cast<std::size_t>(it->second.results_size())) {
      return std::nullopt;
    }
    return it->second.results(static_cast<int>(index - on_disk)).SerializeAsString();
  }
  return std::nullopt;
}

std::size_t Model::OnDisk(const std::string& action_id) const {
  auto it = results_on_disk.find(action_id);
  return it == results_on_disk.end() ? 0 : it->second.count;
}

absl::Status Model::ForEachResult(const v1::ActionView& action,
                                  const std::function<bool(const v1::ResultView&)>& each) const {
  const std::size_t on_disk = OnDisk(action.action_id());
  if (on_disk > 0) {
    if (!stored_rows) {
      return absl::InternalError(absl::StrCat("action ", action.action_id(), " has ", on_disk,
                                              " results on disk but the model cannot read them"));
    }
    const std::string prefix = absl::StrCat(std::string(kResultPrefix), action.action_id(), "/");
    std::size_t next = 0;
    bool stopped = false;
    absl::Status row_error;
    absl::Status scan = stored_rows(prefix, [&](std::string_view key, std::string_view value) {
      std::size_t index = 0;
      const std::string_view digits = key.substr(prefix.size());
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      // Another action whose id starts with this one's and a slash: not ours.
      if (ec != std::errc() || end != digits.data() + digits.size()) return true;
      if (index >= on_disk) return false;
      v1::ResultView result;
      if (index != next ||
          !result.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        row_error = absl::DataLossError(absl::StrCat(
            "views: result row ", std::string(key),
            index != next ? absl::StrCat(" where row ", next, " was expected") : " does not parse",
            "; rebuild the views (wijkboekd --rebuild-views)"));
        return false;
      }
      ++next;
      if (!each(result)) stopped = true;
      return !stopped;
    });
    if (!scan.ok()) return scan;
    if (!row_error.ok()) return row_error;
    if (stopped) return absl::OkStatus();
    if (next != on_disk) {
      return absl::DataLossError(absl::StrCat(
          "views: action ", action.action_id(), " has ", next, " result rows on disk of ", on_disk,
          "; rebuild the views (wijkboekd --rebuild-views)"));
    }
  }
  for (const v1::ResultView& r : action.results()) {
    if (!each(r)) break;
  }
  return absl::OkStatus();
}

void Model::ReleaseResults(std::size_t keep) {
  absl::flat_hash_set<std::string> touched;
  for (const std::string& key : dirty) {
    std::string_view kind, rest;
    std::string action_id;
    std::size_t index = 0;
    if (SplitKey(key, &kind, &rest) && kind == "result" && SplitResult(rest, &action_id, &index)) {
      touched.insert(std::move(action_id));
    }
  }
  for (const std::string& action_id : touched) ReleaseResultsOf(action_id, keep);
}

void Model::ReleaseResultsOf(const std::string& action_id, std::size_t keep) {
  auto it = actions.find(action_id);
  if (it == actions.end()) return;
  auto* results = it->second.mutable_results();
  if (static_cast<std::size_t>(results->size()) <= keep) return;
  const int drop = results->size() - static_cast<int>(keep);
  ResultsOnDisk& disk = results_on_disk[action_id];
  for (int i = 0; i < drop; ++i) {
    const v1::ResultView& r = results->Get(i);
    std::optional<absl::CivilDay> day = internal::DayOf(r.occurred_on(), r.recorded_at());
    if (day && (!disk.last_day || *day > *disk.last_day)) disk.last_day = day;
  }
  disk.count += static_cast<std::uint32_t>(drop);
  results->DeleteSubrange(0, drop);
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
      const std::size_t on_disk = OnDisk(action_id);
      const auto size = on_disk + static_cast<std::size_t>(action.results_size());
      if (index > size || index < on_disk) {
        return absl::DataLossError(absl::StrCat("views snapshot: row ", std::string(key),
                                                index < on_disk ? " comes again" :
                                                " follows a missing result row",
                                                " (action has ", size, ")"));
      }
      v1::ResultView* result = index == size
                                   ? action.add_results()
                                   : action.mutable_results(static_cast<int>(index - on_disk));
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
