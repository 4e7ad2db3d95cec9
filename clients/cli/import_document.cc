// Reading and checking a programme file (import_document.h).

#include "clients/cli/import_document.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/importer.h"
#include "services/domain/schema.h"

namespace wijkboek::importer {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxProblems = 50;

// Problems found in the file, in file order; reported all at once.
class Problems {
 public:
  void Add(const std::string& where, const std::string& what) {
    if (lines_.size() < kMaxProblems) lines_.push_back(absl::StrCat(where, ": ", what));
    ++count_;
  }
  bool empty() const { return count_ == 0; }
  absl::Status ToStatus() const {
    std::vector<std::string> lines = lines_;
    if (count_ > lines_.size())
      lines.push_back(absl::StrCat("... and ", count_ - lines_.size(), " more"));
    lines.push_back(absl::StrCat(count_, count_ == 1 ? " problem" : " problems",
                                 " in the file; nothing was imported"));
    return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  }

 private:
  std::vector<std::string> lines_;
  std::size_t count_ = 0;
};

std::string Quote(const std::string& text) { return absl::StrCat("\"", text, "\""); }

// ---- Reading fields: absent and null are the same; a wrong type is a problem ------------------

const Json* Field(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string GetString(const Json& object, const char* key, const std::string& where,
                      Problems& problems) {
  const Json* value = Field(object, key);
  if (value == nullptr) return "";
  if (!value->is_string()) {
    problems.Add(where, absl::StrCat(key, " must be a string, not ", value->type_name()));
    return "";
  }
  return value->get<std::string>();
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string GetRequiredString(const Json& object, const char* key, const std::string& where,
                              Problems& problems) {
  std::string value = GetString(object, key, where, problems);
  if (IsBlank(value) && (Field(object, key) == nullptr || Field(object, key)->is_string())) {
    problems.Add(where, absl::StrCat("missing ", key));
  }
  return value;
}

// A required id: present and a slug (lowercase letters and digits joined by single hyphens).
std::string GetId(const Json& object, const char* key, const std::string& where,
                  Problems& problems) {
  std::string id = GetRequiredString(object, key, where, problems);
  if (!id.empty() && !domain::IsSlug(id)) {
    problems.Add(where, absl::StrCat(key, " ", Quote(id),
                                     " is not an id (lowercase letters and digits joined by "
                                     "single hyphens, at most 100 characters)"));
  }
  return id;
}

std::vector<std::string> GetStringList(const Json& object, const char* key,
                                       const std::string& where, Problems& problems) {
  std::vector<std::string> out;
  const Json* value = Field(object, key);
  if (value == nullptr) return out;
  if (!value->is_array()) {
    problems.Add(where, absl::StrCat(key, " must be a list of strings, not ", value->type_name()));
    return out;
  }
  for (std::size_t i = 0; i < value->size(); ++i) {
    const Json& item = (*value)[i];
    if (!item.is_string() || IsBlank(item.get_ref<const std::string&>())) {
      problems.Add(where, absl::StrCat(key, "[", i, "] must be a non-empty string"));
      continue;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

uint32_t GetCount(const Json& object, const char* key, const std::string& where,
                  Problems& problems) {
  const Json* value = Field(object, key);
  if (value == nullptr) return 0;
  if (!value->is_number_integer() || value->get<int64_t>() < 0 ||
      value->get<int64_t>() > std::numeric_limits<uint32_t>::max()) {
    problems.Add(where, absl::StrCat(key, " must be a whole number from 0, not ", value->dump()));
    return 0;
  }
  return static_cast<uint32_t>(value->get<int64_t>());
}

// The entries of a top-level list; a problem when present but not a list of objects.
std::vector<const Json*> GetEntries(const Json& root, const char* key, Problems& problems) {
  std::vector<const Json*> out;
  const Json* list = Field(root, key);
  if (list == nullptr) return out;
  if (!list->is_array()) {
    problems.Add(key, absl::StrCat("must be a list, not ", list->type_name()));
    return out;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (!(*list)[i].is_object()) {
      problems.Add(absl::StrCat(key, "[", i, "]"), "must be an object");
      continue;
    }
    out.push_back(&(*list)[i]);
  }
  return out;
}

// "actions[12] (jo-taalmaatjes)", or "actions[12]" when the entry has no usable id.
std::string Where(const std::string& path, std::size_t index, const Json& entry) {
  std::string where = absl::StrCat(path, "[", index, "]");
  const Json* id = Field(entry, "id");
  if (id != nullptr && id->is_string() && !id->get_ref<const std::string&>().empty()) {
    absl::StrAppend(&where, " (", id->get<std::string>(), ")");
  }
  return where;
}

// ---- Reading the file --------------------------------------------------------------------------

Programme ReadProgramme(const Json& root, Problems& problems) {
  Programme p;
  const Json* object = Field(root, "programme");
  if (object == nullptr || !object->is_object()) {
    problems.Add("programme", "missing (want an object with at least a name)");
    return p;
  }
  p.name = GetRequiredString(*object, "name", "programme", problems);
  p.municipality = GetString(*object, "municipality", "programme", problems);
  p.area = GetString(*object, "area", "programme", problems);
  p.ambition = GetString(*object, "ambition", "programme", problems);
  p.horizon_year = GetCount(*object, "horizon_year", "programme", problems);
  return p;
}

std::vector<Pillar> ReadPillars(const Json& root, Problems& problems) {
  std::vector<Pillar> pillars;
  std::vector<const Json*> entries = GetEntries(root, "pillars", problems);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Json& entry = *entries[i];
    Pillar& pillar = pillars.emplace_back();
    pillar.where = Where("pillars", i, entry);
    pillar.id = GetId(entry, "id", pillar.where, problems);
    pillar.name = GetRequiredString(entry, "name", pillar.where, problems);
    pillar.opgave = GetString(entry, "opgave", pillar.where, problems);
    std::string path = absl::StrCat("pillars[", i, "].goals");
    std::vector<const Json*> goals = GetEntries(entry, "goals", problems);
    for (std::size_t j = 0; j < goals.size(); ++j) {
      Goal& goal = pillar.goals.emplace_back();
      goal.where = Where(path, j, *goals[j]);
      goal.id = GetId(*goals[j], "id", goal.where, problems);
      goal.title = GetRequiredString(*goals[j], "title", goal.where, problems);
      goal.number = GetCount(*goals[j], "number", goal.where, problems);
      goal.related_goal = GetString(*goals[j], "related_goal", goal.where, problems);
    }
  }
  return pillars;
}

std::vector<Partner> ReadPartners(const Json& root, Problems& problems) {
  std::vector<Partner> partners;
  std::vector<const Json*> entries = GetEntries(root, "partners", problems);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    Partner& partner = partners.emplace_back();
    partner.where = Where("partners", i, *entries[i]);
    partner.id = GetId(*entries[i], "id", partner.where, problems);
    partner.name = GetRequiredString(*entries[i], "name", partner.where, problems);
    partner.sector = GetString(*entries[i], "sector", partner.where, problems);
    partner.roles = GetStringList(*entries[i], "roles", partner.where, problems);
  }
  return partners;
}

std::vector<Figure> ReadFigures(const Json& action, const std::string& where, Problems& problems) {
  std::vector<Figure> figures;
  const Json* list = Field(action, "figures");
  if (list == nullptr) return figures;
  if (!list->is_array()) {
    problems.Add(where, absl::StrCat("figures must be a list, not ", list->type_name()));
    return figures;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    std::string at = absl::StrCat(where, ": figures[", i, "]");
    const Json& entry = (*list)[i];
    if (!entry.is_object()) {
      problems.Add(at, "must be an object");
      continue;
    }
    Figure& figure = figures.emplace_back();
    figure.label = GetRequiredString(entry, "label", at, problems);
    figure.unit = GetString(entry, "unit", at, problems);
    figure.period = GetString(entry, "period", at, problems);
    figure.source_field = GetString(entry, "source_field", at, problems);
    const Json* value = Field(entry, "value");
    if (value != nullptr && value->is_number()) {
      figure.value = value->get<double>();
    } else if (value != nullptr && value->is_string() && !IsBlank(value->get<std::string>())) {
      figure.text_value = value->get<std::string>();  // e.g. the range "30-40"
    } else {
      problems.Add(at, "value must be a number or a text such as \"30-40\"");
    }
  }
  return figures;
}

std::vector<Action> ReadActions(const Json& root, Problems& problems) {
  std::vector<Action> actions;
  std::vector<const Json*> entries = GetEntries(root, "actions", problems);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Json& entry = *entries[i];
    Action& action = actions.emplace_back();
    action.where = Where("actions", i, entry);
    action.id = GetId(entry, "id", action.where, problems);
    action.pillar = GetString(entry, "pillar", action.where, problems);
    action.goal = GetRequiredString(entry, "goal", action.where, problems);
    action.title = GetRequiredString(entry, "title", action.where, problems);
    action.result = GetString(entry, "result", action.where, problems);
    action.status = GetString(entry, "status", action.where, problems);
    action.status_code = GetRequiredString(entry, "status_code", action.where, problems);
    action.partners = GetStringList(entry, "partners", action.where, problems);
    action.figures = ReadFigures(entry, action.where, problems);
  }
  return actions;
}

std::vector<TimelineEntry> ReadTimeline(const Json& root, Problems& problems) {
  std::vector<TimelineEntry> timeline;
  std::vector<const Json*> entries = GetEntries(root, "timeline", problems);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    TimelineEntry& entry = timeline.emplace_back();
    entry.where = absl::StrCat("timeline[", i, "]");
    entry.date = GetString(*entries[i], "date", entry.where, problems);
    entry.date_text = GetString(*entries[i], "date_text", entry.where, problems);
    entry.event = GetRequiredString(*entries[i], "event", entry.where, problems);
    entry.section = GetString(*entries[i], "section", entry.where, problems);
  }
  return timeline;
}

// ---- Checking references -----------------------------------------------------------------------

std::string OneOf(const std::vector<std::string>& words) {
  return absl::StrCat("expected one of ", absl::StrJoin(words, ", "));
}

bool Contains(const std::vector<std::string>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// Records `id` as seen; a problem when it was seen before (ids must be unique per kind).
void Unique(std::map<std::string, std::string>& seen, const std::string& id,
            const std::string& kind, const std::string& where, Problems& problems) {
  if (id.empty()) return;
  auto [it, inserted] = seen.emplace(id, std::string(where));
  if (!inserted) {
    problems.Add(where,
                 absl::StrCat("duplicate ", kind, " id ", Quote(id), " (also ", it->second, ")"));
  }
}

void CheckReferences(const Document& doc, Problems& problems) {
  std::map<std::string, std::string> pillars, goals, partners, actions;
  std::map<std::string, std::string> goal_pillar;  // goal id -> pillar id
  for (const Pillar& pillar : doc.pillars) {
    Unique(pillars, pillar.id, "pillar", pillar.where, problems);
    for (const Goal& goal : pillar.goals) {
      Unique(goals, goal.id, "goal", goal.where, problems);
      goal_pillar.emplace(goal.id, pillar.id);
    }
  }
  for (const Pillar& pillar : doc.pillars) {
    for (const Goal& goal : pillar.goals) {
      if (!goal.related_goal.empty() && !goals.contains(goal.related_goal)) {
        problems.Add(goal.where, absl::StrCat("related_goal ", Quote(goal.related_goal),
                                              " is not a goal in this file"));
      }
    }
  }
  for (const Partner& partner : doc.partners) {
    Unique(partners, partner.id, "partner", partner.where, problems);
    if (!partner.sector.empty() && !Contains(KnownSectors(), partner.sector)) {
      problems.Add(partner.where, absl::StrCat("unknown sector ", Quote(partner.sector), "; ",
                                               OneOf(KnownSectors()), " (or none)"));
    }
  }
  for (const Action& action : doc.actions) {
    Unique(actions, action.id, "action", action.where, problems);
    if (!action.pillar.empty() && !pillars.contains(action.pillar)) {
      problems.Add(action.where,
                   absl::StrCat("pillar ", Quote(action.pillar), " is not a pillar in this file"));
    }
    auto goal = goal_pillar.find(action.goal);
    if (!action.goal.empty() && goal == goal_pillar.end()) {
      problems.Add(action.where,
                   absl::StrCat("goal ", Quote(action.goal), " is not a goal in this file"));
    } else if (goal != goal_pillar.end() && !action.pillar.empty() &&
               goal->second != action.pillar && pillars.contains(action.pillar)) {
      problems.Add(action.where, absl::StrCat("goal ", Quote(action.goal), " belongs to pillar ",
                                              Quote(goal->second), ", not ", Quote(action.pillar)));
    }
    if (!action.status_code.empty() && !Contains(KnownStatusCodes(), action.status_code)) {
      problems.Add(action.where, absl::StrCat("unknown status_code ", Quote(action.status_code),
                                              "; ", OneOf(KnownStatusCodes())));
    }
    std::set<std::string> listed;
    for (const std::string& partner : action.partners) {
      if (!partners.contains(partner)) {
        problems.Add(action.where,
                     absl::StrCat("partner ", Quote(partner), " is not a partner in this file"));
      } else if (!listed.insert(partner).second) {
        problems.Add(action.where, absl::StrCat("partner ", Quote(partner), " is listed twice"));
      }
    }
  }
}

}  // namespace

const std::vector<std::string>& KnownSectors() {
  // The sectors of the Sterk voor Noord partners (data/README.md: "a sector from a fixed list";
  // the file's notes explain how each was chosen). "overig" is for a clear role that fits no
  // category. Extend this list, not the file, when a programme needs another sector.
  static const auto* sectors = new std::vector<std::string>{
      "afvalbeheer",  "bewoners",     "bibliotheek",  "fonds",
      "gemeente",     "ggz",          "hogeschool",   "jeugdgezondheid",
      "kinderopvang", "onderwijs-po", "onderwijs-vo", "overig",
      "politie",      "stichting",    "welzijn",      "woningcorporatie",
      "zorg",
  };
  return *sectors;
}

const std::vector<std::string>& KnownStatusCodes() {
  static const auto* codes = new std::vector<std::string>{
      "completed", "in_progress", "ongoing", "extended", "continued_in_regular_work",
      "stopped",   "planned",
  };
  return *codes;
}

absl::StatusOr<Document> ReadDocument(std::string_view json_text) {
  Json root;
  try {
    root = Json::parse(json_text);
  } catch (const Json::parse_error& e) {  // the library reports syntax errors only by exception
    return absl::InvalidArgumentError(absl::StrCat("not valid JSON: ", e.what()));
  } catch (const Json::out_of_range& e) {  // a number too large for a double, e.g. 2e308
    return absl::InvalidArgumentError(absl::StrCat("not usable JSON: ", e.what()));
  }
  if (!root.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("want a JSON object with programme, pillars, partners and actions, not ",
                     root.type_name()));
  }
  Problems problems;
  Document doc;
  doc.programme = ReadProgramme(root, problems);
  doc.pillars = ReadPillars(root, problems);
  doc.partners = ReadPartners(root, problems);
  doc.actions = ReadActions(root, problems);
  doc.timeline = ReadTimeline(root, problems);
  CheckReferences(doc, problems);
  if (!problems.empty()) return problems.ToStatus();
  return doc;
}

}  // namespace wijkboek::importer
