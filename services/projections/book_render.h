#pragma once
// The project book's outline and its two renderings. Internal to services/projections: the
// public entry point is GetProjectBook in queries.h.
//
// The outline holds plain text exactly as people wrote it (titles, summaries, notes); only the
// renderers escape, each for its own format, so no text can break the document's structure.
#include <cstdint>
#include <string>
#include <vector>

#include "wijkboek/v1/events.pb.h"

namespace projections::book {

struct ResultLine {
  std::string summary;
  std::string figure;  // "75 koppels"; empty without a figure
  std::string date;    // Dutch date; empty when unknown
};

// One action: one row of the table Activiteit | Resultaat | Status.
struct Row {
  std::string action_id;
  std::string title;
  std::string description;
  std::string owner;                  // the penvoerder's name; empty = none
  std::vector<std::string> partners;  // the coalition's names
  std::string period;                 // planned period, Dutch dates; may be empty
  std::vector<ResultLine> results;    // oldest first
  wijkboek::v1::ActionStatus status = wijkboek::v1::ACTION_STATUS_UNSPECIFIED;
  std::string status_label;  // Dutch
  std::string status_since;  // Dutch date of the latest status change; may be empty
  std::string status_note;
};

struct GoalSection {
  std::string heading;  // "Doel 3: ..."
  std::vector<Row> rows;
};

struct KpiLine {
  std::string name, baseline, latest, target_10y, target_20y, progress;
};

struct PillarSection {
  std::string pillar_id;  // empty for the closing "Overige activiteiten"
  std::string name;
  std::string ambition;  // the pillar's "opgave"
  std::vector<GoalSection> goals;
  std::vector<KpiLine> kpis;
};

struct Book {
  std::string title;     // "Projectenboek Sterk voor Noord"
  std::string place;     // "Leidschendam-Noord · gemeente Leidschendam-Voorburg"; may be empty
  std::string ambition;  // the programme's
  std::uint64_t position = 0;
  std::vector<PillarSection> pillars;
  std::uint32_t goal_count = 0;
  std::uint32_t action_count = 0;
  std::uint32_t result_count = 0;
};

// Markdown (GitHub flavour): headings, pipe tables. In table cells `|` is escaped and a newline
// becomes <br>; Markdown's special characters are backslash-escaped everywhere.
std::string RenderMarkdown(const Book& book);
// A complete HTML5 document with inline CSS (screen and print, A4), no external assets; every
// text is HTML-escaped.
std::string RenderHtml(const Book& book);

// Text escapers, exposed for tests.
std::string EscapeMarkdown(const std::string& text);  // newlines become <br>
std::string EscapeHtml(const std::string& text);      // newlines become <br>

// Numbers as Dutch text writes them: "61,5", "75", at most two decimals.
std::string FormatNumber(double value);
// A figure with its unit: "75 koppels", "61,5%".
std::string WithUnit(double value, const std::string& unit);

}  // namespace projections::book
