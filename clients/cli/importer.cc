// The programme importer (importer.h): map a checked file (import_document.h) to requests.

#include "clients/cli/importer.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/import_document.h"
#include "services/domain/schema.h"

namespace wijkboek::importer {
namespace {

constexpr std::size_t kTitleChars = 120;
constexpr char kDecisionBody[] = "Programma";

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// ---- Mapping -----------------------------------------------------------------------------------

v1::AppendRequest NewRequest(std::string stream) {
  v1::AppendRequest request;
  request.set_stream(std::move(stream));
  request.mutable_expected_revision()->set_any(true);
  return request;
}

// A new event in `request` with its deterministic id; `key` is unique within the stream.
v1::Payload* AddEvent(v1::AppendRequest& request, std::string_view key) {
  v1::ProposedEvent* event = request.add_events();
  event->set_event_id(ImportEventId(request.stream(), key));
  (*event->mutable_metadata())["source"] = "wijkboek-import";
  return event->mutable_payload();
}

// "2,5", "896": the figure as people write it in Dutch.
std::string FormatNumber(double value) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, error == std::errc() ? end : buffer);
  std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

// "taalkoppels gemaakt en begeleid (2023): 75 koppels (bron: activiteit)".
std::string FigureSummary(const Figure& figure) {
  std::string summary = figure.label;
  if (!figure.period.empty()) absl::StrAppend(&summary, " (", figure.period, ")");
  absl::StrAppend(&summary, ": ", figure.value ? FormatNumber(*figure.value) : figure.text_value);
  if (!figure.unit.empty()) absl::StrAppend(&summary, " ", figure.unit);
  if (!figure.source_field.empty()) {
    absl::StrAppend(&summary,
                    " (bron: ", figure.source_field == "title" ? "activiteit" : figure.source_field,
                    ")");
  }
  return summary;
}

// A result id unique within its action: the slug of `text`, or `fallback`, with -2, -3, ... on
// collision.
std::string UniqueId(std::set<std::string>& taken, std::string base, std::string_view fallback) {
  if (base.empty()) base = std::string(fallback);
  std::string id = base;
  for (int n = 2; !taken.insert(id).second; ++n) id = absl::StrCat(base, "-", n);
  return id;
}

v1::ActionStatus StatusFor(std::string_view code) {
  static const auto* statuses = new std::map<std::string_view, v1::ActionStatus>{
      {"planned", v1::ACTION_STATUS_PLANNED},
      {"in_progress", v1::ACTION_STATUS_IN_PROGRESS},
      {"ongoing", v1::ACTION_STATUS_ONGOING},
      {"extended", v1::ACTION_STATUS_EXTENDED},
      {"continued_in_regular_work", v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK},
      {"completed", v1::ACTION_STATUS_COMPLETED},
      {"stopped", v1::ACTION_STATUS_STOPPED},
  };
  return statuses->at(code);
}

void MapPillar(const Pillar& pillar, ImportPlan& plan) {
  v1::AppendRequest request = NewRequest(absl::StrCat("pillar-", pillar.id));
  v1::PillarDefined* defined = AddEvent(request, "PillarDefined")->mutable_pillar_defined();
  defined->set_pillar_id(pillar.id);
  defined->set_name(pillar.name);
  defined->set_ambition(pillar.opgave);
  ++plan.counts.pillars;
  for (const Goal& goal : pillar.goals) {
    v1::GoalDefined* g =
        AddEvent(request, absl::StrCat("GoalDefined/", goal.id))->mutable_goal_defined();
    g->set_goal_id(goal.id);
    g->set_pillar_id(pillar.id);
    g->set_title(goal.title);
    g->set_number(goal.number);
    ++plan.counts.goals;
  }
  plan.requests.push_back(std::move(request));
}

void MapPartner(const Partner& partner, ImportPlan& plan) {
  v1::AppendRequest request = NewRequest(absl::StrCat("partner-", partner.id));
  v1::PartnerJoined* joined = AddEvent(request, "PartnerJoined")->mutable_partner_joined();
  joined->set_partner_id(partner.id);
  joined->set_name(partner.name);
  joined->set_sector(partner.sector);
  for (const std::string& role : partner.roles) joined->add_roles(role);
  ++plan.counts.partners;
  plan.requests.push_back(std::move(request));
}

// ActionStarted with the current status, the result text and figures as results; a stopped
// action starts IN_PROGRESS and is stopped after its results (the rules refuse results on a
// stopped action and STOPPED as an initial status).
void MapAction(const Action& action, ImportPlan& plan) {
  v1::AppendRequest request = NewRequest(absl::StrCat("action-", action.id));
  const bool stopped = action.status_code == "stopped";
  std::string status_note =
      action.status.empty() ? "" : absl::StrCat("Status in de evaluatie: ", action.status);

  v1::ActionStarted* started = AddEvent(request, "ActionStarted")->mutable_action_started();
  started->set_action_id(action.id);
  started->set_goal_id(action.goal);
  std::string title = ShortTitle(action.title, kTitleChars);
  std::string full_text(action.title);
  while (!full_text.empty() && IsBlank(full_text.substr(full_text.size() - 1)))
    full_text.pop_back();
  std::vector<std::string> description;
  if (title != full_text) description.push_back(full_text);
  if (!status_note.empty()) description.push_back(status_note);
  started->set_title(title);
  started->set_description(absl::StrJoin(description, "\n\n"));
  if (!action.partners.empty()) {
    started->set_owner_partner_id(action.partners.front());
    for (std::size_t i = 1; i < action.partners.size(); ++i) {
      started->add_partner_ids(action.partners[i]);
    }
  }
  started->set_status(stopped ? v1::ACTION_STATUS_IN_PROGRESS : StatusFor(action.status_code));
  ++plan.counts.actions;

  std::set<std::string> result_ids;
  auto add_result = [&](const std::string& id) {
    v1::ResultRecorded* result =
        AddEvent(request, absl::StrCat("ResultRecorded/", id))->mutable_result_recorded();
    result->set_action_id(action.id);
    result->set_result_id(id);
    ++plan.counts.results;
    return result;
  };
  if (!IsBlank(action.result)) {
    add_result(UniqueId(result_ids, "resultaat", ""))->set_summary(action.result);
  }
  for (std::size_t i = 0; i < action.figures.size(); ++i) {
    const Figure& figure = action.figures[i];
    std::string label =
        figure.period.empty() ? figure.label : absl::StrCat(figure.label, " ", figure.period);
    v1::ResultRecorded* result =
        add_result(UniqueId(result_ids, Slugify(label, 60), absl::StrCat("cijfer-", i + 1)));
    result->set_summary(FigureSummary(figure));
    if (figure.value) {  // a range has no single value: its text is in the summary
      result->set_value(*figure.value);
      result->set_unit(figure.unit);
    }
  }
  if (stopped) {
    v1::ActionStatusChanged* change =
        AddEvent(request, "ActionStatusChanged/stopped")->mutable_action_status_changed();
    change->set_action_id(action.id);
    change->set_status(v1::ACTION_STATUS_STOPPED);
    change->set_note(status_note.empty() ? "Gestopt" : status_note);
    ++plan.counts.status_changes;
  }
  plan.requests.push_back(std::move(request));
}

// Timeline entries become decisions of the programme. Only a full date is a business date
// (occurred_on); otherwise the date as written goes into the text.
void MapTimeline(const std::vector<TimelineEntry>& timeline, ImportPlan& plan) {
  if (timeline.empty()) return;
  v1::AppendRequest request = NewRequest("programme");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    const TimelineEntry& entry = timeline[i];
    std::string base = Slugify(absl::StrCat(entry.date, " ", entry.event), 60);
    std::string id = UniqueId(ids, base, absl::StrCat("tijdlijn-", i + 1));
    v1::DecisionRecorded* decision =
        AddEvent(request, absl::StrCat("DecisionRecorded/", id))->mutable_decision_recorded();
    decision->set_decision_id(id);
    decision->set_body(kDecisionBody);
    std::string title = ShortTitle(entry.event, kTitleChars);
    decision->set_title(title);
    std::vector<std::string> text;
    if (title != entry.event) text.push_back(entry.event);
    if (domain::IsIsoDate(entry.date)) {
      decision->set_occurred_on(entry.date);
    } else if (!entry.date_text.empty() || !entry.date.empty()) {
      text.push_back(
          absl::StrCat("Datum: ", entry.date_text.empty() ? entry.date : entry.date_text));
    }
    if (!entry.section.empty()) text.push_back(absl::StrCat("Bron: ", entry.section));
    decision->set_text(absl::StrJoin(text, "\n"));
    ++plan.counts.decisions;
  }
  plan.requests.push_back(std::move(request));
}

ImportPlan Map(const Document& doc) {
  ImportPlan plan;
  v1::ProgrammeDescribed described;
  described.set_name(doc.programme.name);
  described.set_municipality(doc.programme.municipality);
  described.set_area(doc.programme.area);
  described.set_ambition(doc.programme.ambition);
  described.set_horizon_year(doc.programme.horizon_year);
  // The latest description counts, so its key is its content: a changed description (or another
  // programme's) is recorded as a new one instead of clashing with the old id.
  v1::AppendRequest programme = NewRequest("programme");
  *AddEvent(programme,
            absl::StrCat("ProgrammeDescribed/", ImportEventId("", described.SerializeAsString())))
       ->mutable_programme_described() = described;
  ++plan.counts.programmes;
  plan.requests.push_back(std::move(programme));
  for (const Pillar& pillar : doc.pillars) MapPillar(pillar, plan);
  for (const Partner& partner : doc.partners) MapPartner(partner, plan);
  for (const Action& action : doc.actions) MapAction(action, plan);
  MapTimeline(doc.timeline, plan);
  return plan;
}

// Every event must pass the log's shape rules, and ids must not repeat: otherwise the server
// would refuse a request half-way through the import. A failure here is the importer's bug.
absl::Status SelfCheck(const ImportPlan& plan) {
  std::set<std::string> event_ids;
  for (std::size_t i = 0; i < plan.requests.size(); ++i) {
    const v1::AppendRequest& request = plan.requests[i];
    for (int j = 0; j < request.events_size(); ++j) {
      std::string path = absl::StrCat("requests[", i, "].events[", j, "].payload");
      absl::Status status =
          domain::ValidateForStream(request.events(j).payload(), request.stream(), path);
      if (!status.ok())
        return absl::InternalError(absl::StrCat("importer bug: ", status.message()));
      if (!event_ids.insert(request.events(j).event_id()).second) {
        return absl::InternalError(absl::StrCat("importer bug: ", path, ": event_id ",
                                                request.events(j).event_id(), " repeats"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ImportPlan> PlanImport(std::string_view json_text) {
  absl::StatusOr<Document> doc = ReadDocument(json_text);
  if (!doc.ok()) return doc.status();
  ImportPlan plan = Map(*doc);
  if (absl::Status status = SelfCheck(plan); !status.ok()) return status;
  return plan;
}

}  // namespace wijkboek::importer
