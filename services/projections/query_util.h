#pragma once
// Helpers shared by the query files (queries.cc, action_queries.cc, project_book.cc). Internal to
// services/projections: not part of the public surface in queries.h.
//
// All functions are pure: they read the Model, never change it, and keep no state.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "services/projections/model.h"
#include "wijkboek/v1/views.pb.h"

namespace projections::internal {

namespace v1 = ::wijkboek::v1;

// The pillar an action belongs to: its own pillar_id, else its goal's (the model normally fills
// both; the fallback keeps a half-filled model usable). Empty when neither is known.
std::string PillarOf(const Model& model, const v1::ActionView& action);

// The partners working on an action: the owner (when there is one) first, then the coalition in
// its order, each once.
std::vector<std::string> Participants(const v1::ActionView& action);

// Partners that share at least one action with `partner_id` (as owner or member), with the number
// of shared actions; most shared first, then by partner id.
std::vector<v1::Collaborator> CollaboratorsOf(const Model& model, const std::string& partner_id);

// The partner's name, or its id when the model does not know it.
std::string PartnerName(const Model& model, const std::string& partner_id);

// How far `latest` has come from `baseline` towards `target`, in percent, clamped to 0–100. The
// direction comes from the sign of target - baseline, so it works for "lower is better" KPIs too;
// when target == baseline, `higher_is_better` decides whether the latest value meets it (100) or
// not (0). No measurement (nullopt) or a non-finite figure: 0.
double Progress(double baseline, double target, std::optional<double> latest,
                bool higher_is_better);

// The KPI with progress_10y_percent and progress_20y_percent filled in.
v1::KpiView WithProgress(const v1::KpiView& kpi);

// An action as lists show it: at most `max_results` of its newest results (still oldest first),
// with result_count the total. Lists stay small however many results an action collects.
v1::ActionView Trimmed(const v1::ActionView& action, int max_results);

// Parses a strict ISO date "YYYY-MM-DD" that names a real day; nullopt otherwise.
std::optional<absl::CivilDay> ParseDate(const std::string& text);

// The business day of something recorded: `occurred_on` when it parses, else the UTC day of
// `recorded_at`, else nullopt (nothing known).
std::optional<absl::CivilDay> DayOf(const std::string& occurred_on,
                                    const google::protobuf::Timestamp& recorded_at);

// A day as Dutch text reads it: "15 januari 2024".
std::string DutchDate(absl::CivilDay day);
// DutchDate of an ISO date; the text itself when it is not one (never loses what was written).
std::string DutchDate(const std::string& iso_date);

// Lowercases ASCII letters and the Latin-1 capitals of UTF-8 (À..Þ, e.g. "Ë" -> "ë"), which covers
// the Dutch alphabet; every other byte is kept, so UTF-8 stays valid and matching stays bytewise.
std::string FoldCase(const std::string& text);

// NOT_FOUND naming the id, when the model has no pillar / goal / partner with it. OK for an
// empty id (no filter).
absl::Status CheckPillar(const Model& model, const std::string& pillar_id);
absl::Status CheckGoal(const Model& model, const std::string& goal_id);
absl::Status CheckPartner(const Model& model, const std::string& partner_id);

// The Dutch label of a status, as the programme writes it in its annexes ("Loopt", "Afgerond").
std::string StatusLabel(v1::ActionStatus status);

// Pillars in the programme's own order: by defined_at_position (the order they were defined in),
// pillars without one after the others, by id.
std::vector<const v1::PillarView*> PillarsInOrder(const Model& model);

// Goals of a pillar in reading order: by number (goals without a number last), then goal id.
std::vector<const v1::GoalView*> GoalsOf(const Model& model, const std::string& pillar_id);

}  // namespace projections::internal
