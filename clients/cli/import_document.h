#pragma once
// The programme file as the importer reads it (internal to wijkboek_importer; see importer.h):
// plain structs holding what the mapping needs, filled by ReadDocument, which also checks the
// whole file and reports every problem at once.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace wijkboek::importer {

// Each entry keeps `where` ("actions[12] (jo-taalmaatjes)") for messages.
struct Programme {
  std::string name, municipality, area, ambition;
  uint32_t horizon_year = 0;
};

struct Goal {
  std::string where, id, title, related_goal;
  uint32_t number = 0;
};

struct Pillar {
  std::string where, id, name, opgave;
  std::vector<Goal> goals;
};

struct Partner {
  std::string where, id, name, sector;
  std::vector<std::string> roles;
};

struct Figure {
  std::string label, unit, period, source_field;
  std::optional<double> value;  // absent when the file gives text, e.g. a range "30-40"
  std::string text_value;
};

struct Action {
  std::string where, id, pillar, goal, title, result, status, status_code;
  std::vector<std::string> partners;
  std::vector<Figure> figures;
};

struct TimelineEntry {
  std::string where, date, date_text, event, section;
};

struct Document {
  Programme programme;
  std::vector<Pillar> pillars;
  std::vector<Partner> partners;
  std::vector<Action> actions;
  std::vector<TimelineEntry> timeline;
};

// Parses the text and reads and checks the whole file: INVALID_ARGUMENT listing every problem
// (see PlanImport in importer.h). A returned Document is complete and consistent: ids are slugs
// and unique, every reference resolves, every status code and sector is known.
[[nodiscard]] absl::StatusOr<Document> ReadDocument(std::string_view json_text);

}  // namespace wijkboek::importer
