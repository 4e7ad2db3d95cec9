#include "services/projections/query_util.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace projections::internal {

std::string PillarOf(const Model& model, const v1::ActionView& action) {
  if (!action.pillar_id().empty()) return action.pillar_id();
  auto goal = model.goals.find(action.goal_id());
  return goal == model.goals.end() ? std::string() : goal->second.pillar_id();
}

std::vector<std::string> Participants(const v1::ActionView& action) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& id) {
    if (id.empty() || std::find(out.begin(), out.end(), id) != out.end()) return;
    out.push_back(id);
  };
  add(action.owner_partner_id());
  for (const auto& id : action.partner_ids()) add(id);
  return out;
}

std::vector<v1::Collaborator> CollaboratorsOf(const Model& model, const std::string& partner_id) {
  auto partner = model.partners.find(partner_id);
  if (partner == model.partners.end()) return {};
  // The partner view lists its actions; both lists together, each action once.
  std::vector<std::string> action_ids(partner->second.owned_action_ids().begin(),
                                      partner->second.owned_action_ids().end());
  for (const auto& id : partner->second.member_action_ids()) {
    if (std::find(action_ids.begin(), action_ids.end(), id) == action_ids.end()) {
      action_ids.push_back(id);
    }
  }
  std::map<std::string, std::uint32_t> shared;
  for (const auto& action_id : action_ids) {
    auto action = model.actions.find(action_id);
    if (action == model.actions.end()) continue;
    for (const auto& other : Participants(action->second)) {
      if (other != partner_id) ++shared[other];
    }
  }
  std::vector<v1::Collaborator> out;
  out.reserve(shared.size());
  for (const auto& [id, count] : shared) {
    v1::Collaborator c;
    c.set_partner_id(id);
    c.set_name(PartnerName(model, id));
    c.set_shared_actions(count);
    out.push_back(std::move(c));
  }
  // std::map gave id order; a stable sort by count keeps it among equals.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.shared_actions() > b.shared_actions();
  });
  return out;
}

std::string PartnerName(const Model& model, const std::string& partner_id) {
  auto it = model.partners.find(partner_id);
  if (it == model.partners.end() || it->second.name().empty()) return partner_id;
  return it->second.name();
}

double Progress(double baseline, double target, std::optional<double> latest,
                bool higher_is_better) {
  if (!latest.has_value() || !std::isfinite(*latest) || !std::isfinite(baseline) ||
      !std::isfinite(target)) {
    return 0;
  }
  if (target == baseline) {
    const bool met = higher_is_better ? *latest >= target : *latest <= target;
    return met ? 100 : 0;
  }
  const double percent = (*latest - baseline) / (target - baseline) * 100.0;
  return std::clamp(percent, 0.0, 100.0);
}

v1::KpiView WithProgress(const v1::KpiView& kpi) {
  v1::KpiView out = kpi;
  std::optional<double> latest;
  if (kpi.has_latest_value()) {
    latest = kpi.latest_value();
  } else if (kpi.measurements_size() > 0) {
    // The model keeps latest_value; the fallback covers a model filled by hand without it.
    latest = kpi.measurements(kpi.measurements_size() - 1).value();
    out.set_latest_value(*latest);
  }
  out.set_progress_10y_percent(
      Progress(kpi.baseline(), kpi.target_10y(), latest, kpi.higher_is_better()));
  out.set_progress_20y_percent(
      Progress(kpi.baseline(), kpi.target_20y(), latest, kpi.higher_is_better()));
  return out;
}

v1::ActionView Trimmed(const v1::ActionView& action, int max_results) {
  v1::ActionView out = action;
  const int total = action.results_size();
  if (out.result_count() < static_cast<std::uint32_t>(total)) out.set_result_count(total);
  if (total > max_results) {
    // Results are oldest first: drop from the front.
    out.mutable_results()->DeleteSubrange(0, total - max_results);
  }
  return out;
}

std::optional<absl::CivilDay> ParseDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  const int year = std::stoi(text.substr(0, 4));
  const int month = std::stoi(text.substr(5, 2));
  const int day = std::stoi(text.substr(8, 2));
  const absl::CivilDay parsed(year, month, day);
  // CivilDay normalises (2024-02-30 becomes 2024-03-01): a real day survives unchanged.
  if (parsed.year() != year || parsed.month() != month || parsed.day() != day) {
    return std::nullopt;
  }
  return parsed;
}

std::optional<absl::CivilDay> DayOf(const std::string& occurred_on,
                                    const google::protobuf::Timestamp& recorded_at) {
  if (auto day = ParseDate(occurred_on)) return day;
  if (recorded_at.seconds() == 0 && recorded_at.nanos() == 0) return std::nullopt;
  const absl::Time t = absl::FromUnixSeconds(recorded_at.seconds());
  return absl::ToCivilDay(t, absl::UTCTimeZone());
}

std::string DutchDate(absl::CivilDay day) {
  static constexpr const char* kMonths[] = {"januari",   "februari", "maart",    "april",
                                            "mei",       "juni",     "juli",     "augustus",
                                            "september", "oktober",  "november", "december"};
  return absl::StrCat(day.day(), " ", kMonths[day.month() - 1], " ", day.year());
}

std::string DutchDate(const std::string& iso_date) {
  auto day = ParseDate(iso_date);
  return day ? DutchDate(*day) : iso_date;
}

std::string FoldCase(const std::string& text) {
  std::string out = text;
  for (size_t i = 0; i < out.size(); ++i) {
    const unsigned char c = out[i];
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c + ('a' - 'A'));
    } else if (c == 0xC3 && i + 1 < out.size()) {
      // UTF-8 for U+00C0..U+00DE is C3 80..C3 9E; the lowercase letter is 0x20 further. U+00D7
      // (the multiplication sign) has no lowercase.
      const unsigned char next = out[i + 1];
      if (next >= 0x80 && next <= 0x9E && next != 0x97) out[i + 1] = static_cast<char>(next + 0x20);
      ++i;
    }
  }
  return out;
}

absl::Status CheckPillar(const Model& model, const std::string& pillar_id) {
  if (pillar_id.empty() || model.pillars.contains(pillar_id)) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat("pillar '", pillar_id, "' does not exist"));
}

absl::Status CheckGoal(const Model& model, const std::string& goal_id) {
  if (goal_id.empty() || model.goals.contains(goal_id)) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat("goal '", goal_id, "' does not exist"));
}

absl::Status CheckPartner(const Model& model, const std::string& partner_id) {
  if (partner_id.empty() || model.partners.contains(partner_id)) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat("partner '", partner_id, "' does not exist"));
}

std::string StatusLabel(v1::ActionStatus status) {
  switch (status) {
    case v1::ACTION_STATUS_PLANNED:
      return "Gepland";
    case v1::ACTION_STATUS_IN_PROGRESS:
      return "Loopt";
    case v1::ACTION_STATUS_ONGOING:
      return "Doorlopend";
    case v1::ACTION_STATUS_EXTENDED:
      return "Verlengd";
    case v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK:
      return "Voortgezet in reguliere werk";
    case v1::ACTION_STATUS_COMPLETED:
      return "Afgerond";
    case v1::ACTION_STATUS_STOPPED:
      return "Gestopt";
    default:
      return "Onbekend";
  }
}

std::vector<const v1::PillarView*> PillarsInOrder(const Model& model) {
  std::vector<const v1::PillarView*> out;
  for (const auto& [id, pillar] : model.pillars) out.push_back(&pillar);
  // The map gave id order; a stable sort keeps it among pillars without a position.
  std::stable_sort(out.begin(), out.end(), [](const v1::PillarView* a, const v1::PillarView* b) {
    const std::uint64_t pa = a->defined_at_position() == 0 ? UINT64_MAX : a->defined_at_position();
    const std::uint64_t pb = b->defined_at_position() == 0 ? UINT64_MAX : b->defined_at_position();
    return pa < pb;
  });
  return out;
}

std::vector<const v1::GoalView*> GoalsOf(const Model& model, const std::string& pillar_id) {
  std::vector<const v1::GoalView*> out;
  for (const auto& [id, goal] : model.goals) {
    if (goal.pillar_id() == pillar_id) out.push_back(&goal);
  }
  std::stable_sort(out.begin(), out.end(), [](const v1::GoalView* a, const v1::GoalView* b) {
    // Number 0 means "none": after the numbered goals.
    const std::uint64_t na = a->number() == 0 ? UINT64_MAX : a->number();
    const std::uint64_t nb = b->number() == 0 ? UINT64_MAX : b->number();
    return na < nb;
  });
  return out;
}

}  // namespace projections::internal
