// The project book ("projectenboek"): what the programme today writes by hand in the annexes of
// its evaluation — per pillar and goal a table Activiteit | Resultaat | Status — generated from
// the log. Built in two steps: first a neutral outline (Book) from the model, then two renderers
// (Markdown, HTML) that only format and escape it, so both always say the same thing.
//
// The text is Dutch: it is read and printed by the programme's partners and its board.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "services/projections/book_render.h"
#include "services/projections/queries.h"
#include "services/projections/query_util.h"

namespace projections {

namespace v1 = ::wijkboek::v1;

namespace {

using book::Book;
using book::GoalSection;
using book::PillarSection;
using book::Row;

// `error` keeps the first error reading results from disk; once set, results are not read.
Row MakeRow(const Model& model, const v1::ActionView& action, absl::Status* error) {
  Row row;
  row.action_id = action.action_id();
  row.title = action.title().empty() ? action.action_id() : action.title();
  row.description = action.description();
  if (!action.owner_partner_id().empty()) {
    row.owner = internal::PartnerName(model, action.owner_partner_id());
    if (action.owner_left()) row.owner += " (vertrokken)";
  }
  for (const auto& id : action.partner_ids()) {
    if (id != action.owner_partner_id()) row.partners.push_back(internal::PartnerName(model, id));
  }
  if (!action.planned_start().empty() || !action.planned_end().empty()) {
    row.period = absl::StrCat(
        action.planned_start().empty() ? "?" : internal::DutchDate(action.planned_start()), " – ",
        action.planned_end().empty() ? "?" : internal::DutchDate(action.planned_end()));
  }
  if (error->ok()) {
    *error = model.ForEachResult(action, [&row](const v1::ResultView& r) {
      book::ResultLine line;
      line.summary = r.summary();
      if (r.has_value()) line.figure = book::WithUnit(r.value(), r.unit());
      if (auto day = internal::DayOf(r.occurred_on(), r.recorded_at())) {
        line.date = internal::DutchDate(*day);
      }
      row.results.push_back(std::move(line));
      return true;
    });
  }
  row.status = action.status();
  row.status_label = internal::StatusLabel(action.status());
  // The latest status change says since when and why: the annexes' "Status" column carries
  // exactly such notes ("Wordt voortgezet binnen LEA").
  if (action.status_history_size() > 0) {
    const v1::StatusChange& last = action.status_history(action.status_history_size() - 1);
    row.status_note = last.note();
    if (auto day = internal::DayOf(last.occurred_on(), last.recorded_at())) {
      row.status_since = internal::DutchDate(*day);
    }
  }
  return row;
}

std::string GoalHeading(const v1::GoalView& goal) {
  const std::string title = goal.title().empty() ? goal.goal_id() : goal.title();
  if (goal.number() == 0) return absl::StrCat("Doel: ", title);
  return absl::StrCat("Doel ", goal.number(), ": ", title);
}

// The actions of a goal in the order they started (the goal's own list), then any others that
// name the goal (a model filled by hand may leave the list empty).
std::vector<const v1::ActionView*> ActionsOfGoal(const Model& model, const v1::GoalView& goal) {
  std::vector<const v1::ActionView*> out;
  for (const auto& id : goal.action_ids()) {
    auto it = model.actions.find(id);
    if (it != model.actions.end()) out.push_back(&it->second);
  }
  for (const auto& [id, action] : model.actions) {
    if (action.goal_id() == goal.goal_id() &&
        std::find(out.begin(), out.end(), &action) == out.end()) {
      out.push_back(&action);
    }
  }
  return out;
}

book::KpiLine MakeKpiLine(const v1::KpiView& stored) {
  const v1::KpiView kpi = internal::WithProgress(stored);
  book::KpiLine line;
  line.name = kpi.name().empty() ? kpi.kpi_id() : kpi.name();
  line.baseline = book::WithUnit(kpi.baseline(), kpi.unit());
  if (kpi.has_latest_value()) {
    line.latest = book::WithUnit(kpi.latest_value(), kpi.unit());
    const auto& m = kpi.measurements();
    if (!m.empty() && !m[m.size() - 1].period().empty()) {
      line.latest += absl::StrCat(" (", m[m.size() - 1].period(), ")");
    }
  } else {
    line.latest = "nog niet gemeten";
  }
  line.target_10y = book::WithUnit(kpi.target_10y(), kpi.unit());
  line.target_20y = book::WithUnit(kpi.target_20y(), kpi.unit());
  line.progress =
      kpi.has_latest_value()
          ? absl::StrCat(book::FormatNumber(std::round(kpi.progress_10y_percent())), "% / ",
                         book::FormatNumber(std::round(kpi.progress_20y_percent())), "%")
          : "–";
  return line;
}

PillarSection MakePillar(const Model& model, const v1::PillarView& pillar, Book& book,
                         absl::Status* error) {
  PillarSection section;
  section.pillar_id = pillar.pillar_id();
  section.name = pillar.name().empty() ? pillar.pillar_id() : pillar.name();
  section.ambition = pillar.ambition();
  std::vector<const v1::ActionView*> placed;
  for (const v1::GoalView* goal : internal::GoalsOf(model, pillar.pillar_id())) {
    GoalSection g;
    g.heading = GoalHeading(*goal);
    for (const v1::ActionView* a : ActionsOfGoal(model, *goal)) {
      g.rows.push_back(MakeRow(model, *a, error));
      placed.push_back(a);
    }
    ++book.goal_count;
    section.goals.push_back(std::move(g));
  }
  // Actions of this pillar whose goal the model does not know: shown, never lost.
  GoalSection other;
  other.heading = "Overige activiteiten";
  for (const auto& [id, action] : model.actions) {
    if (internal::PillarOf(model, action) == pillar.pillar_id() &&
        std::find(placed.begin(), placed.end(), &action) == placed.end()) {
      other.rows.push_back(MakeRow(model, action, error));
    }
  }
  if (!other.rows.empty()) section.goals.push_back(std::move(other));
  for (const auto& [id, kpi] : model.kpis) {
    if (kpi.pillar_id() == pillar.pillar_id()) section.kpis.push_back(MakeKpiLine(kpi));
  }
  for (const auto& g : section.goals) {
    for (const auto& r : g.rows) {
      ++book.action_count;
      book.result_count += r.results.size();
    }
  }
  return section;
}

}  // namespace

absl::StatusOr<v1::GetProjectBookResponse> GetProjectBook(
    const Model& model, const v1::GetProjectBookRequest& request) {
  if (auto s = internal::CheckPillar(model, request.pillar_id()); !s.ok()) return s;
  Book book;
  absl::Status error;
  book.title = model.programme.name().empty()
                   ? "Projectenboek"
                   : absl::StrCat("Projectenboek ", model.programme.name());
  std::vector<std::string> place;
  if (!model.programme.area().empty()) place.push_back(model.programme.area());
  if (!model.programme.municipality().empty()) {
    place.push_back(absl::StrCat("gemeente ", model.programme.municipality()));
  }
  book.place = absl::StrJoin(place, " · ");
  book.ambition = model.programme.ambition();
  book.position = model.position;
  for (const v1::PillarView* pillar : internal::PillarsInOrder(model)) {
    if (!request.pillar_id().empty() && pillar->pillar_id() != request.pillar_id()) continue;
    book.pillars.push_back(MakePillar(model, *pillar, book, &error));
  }
  if (request.pillar_id().empty()) {
    // Actions in no known pillar at all (their goal is unknown): the book must still show them.
    PillarSection rest;
    rest.name = "Overige activiteiten";
    GoalSection g;
    g.heading = "Zonder bekende pijler of doel";
    for (const auto& [id, action] : model.actions) {
      if (!model.pillars.contains(internal::PillarOf(model, action))) {
        g.rows.push_back(MakeRow(model, action, &error));
        ++book.action_count;
        book.result_count += g.rows.back().results.size();
      }
    }
    if (!g.rows.empty()) {
      rest.goals.push_back(std::move(g));
      book.pillars.push_back(std::move(rest));
    }
  }
  if (!error.ok()) return error;
  v1::GetProjectBookResponse out;
  out.set_markdown(book::RenderMarkdown(book));
  out.set_html(book::RenderHtml(book));
  out.set_as_of_position(model.position);
  return out;
}

}  // namespace projections
