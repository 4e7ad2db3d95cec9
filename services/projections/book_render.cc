#include "services/projections/book_render.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace projections::book {

namespace v1 = ::wijkboek::v1;

namespace {

// Strips carriage returns so "\r\n" and "\n" read the same.
std::string Unix(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != '\r') out.push_back(c);
  }
  return out;
}

std::string Counts(const Book& book) {
  auto n = [](std::uint64_t count, const char* one, const char* many) {
    return absl::StrCat(count, " ", count == 1 ? one : many);
  };
  std::size_t pillars = 0;
  for (const auto& p : book.pillars) pillars += p.pillar_id.empty() ? 0 : 1;
  return absl::StrJoin({n(pillars, "pijler", "pijlers"), n(book.goal_count, "doel", "doelen"),
                        n(book.action_count, "activiteit", "activiteiten"),
                        n(book.result_count, "resultaat", "resultaten")},
                       " · ");
}

std::string Anchor(const PillarSection& p) {
  return absl::StrCat("pijler-", p.pillar_id.empty() ? "overig" : p.pillar_id);
}

const char* StatusClass(v1::ActionStatus status) {
  switch (status) {
    case v1::ACTION_STATUS_PLANNED:
      return "planned";
    case v1::ACTION_STATUS_IN_PROGRESS:
      return "in-progress";
    case v1::ACTION_STATUS_ONGOING:
      return "ongoing";
    case v1::ACTION_STATUS_EXTENDED:
      return "extended";
    case v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK:
      return "continued";
    case v1::ACTION_STATUS_COMPLETED:
      return "completed";
    case v1::ACTION_STATUS_STOPPED:
      return "stopped";
    default:
      return "unknown";
  }
}

constexpr char kNoActions[] = "Nog geen activiteiten vastgelegd voor dit doel.";
constexpr char kNoResults[] = "Nog geen resultaten vastgelegd.";
constexpr char kNoOwner[] = "geen — eigenaarschap nog onduidelijk";

// ---- Markdown -----------------------------------------------------------------------------

std::string MdActivity(const Row& r) {
  std::vector<std::string> lines = {absl::StrCat("**", EscapeMarkdown(r.title), "**")};
  if (!r.description.empty()) lines.push_back(EscapeMarkdown(r.description));
  lines.push_back(
      absl::StrCat("*Penvoerder:* ", r.owner.empty() ? kNoOwner : EscapeMarkdown(r.owner)));
  if (!r.partners.empty()) {
    lines.push_back(absl::StrCat("*Partners:* ", EscapeMarkdown(absl::StrJoin(r.partners, ", "))));
  }
  if (!r.period.empty()) lines.push_back(absl::StrCat("*Looptijd:* ", EscapeMarkdown(r.period)));
  return absl::StrJoin(lines, "<br>");
}

std::string MdResults(const Row& r) {
  if (r.results.empty()) return absl::StrCat("*", kNoResults, "*");
  std::vector<std::string> items;
  for (const auto& res : r.results) {
    std::string item = r.results.size() > 1 ? "• " : "";
    if (!res.figure.empty()) absl::StrAppend(&item, "**", EscapeMarkdown(res.figure), "**: ");
    absl::StrAppend(&item, EscapeMarkdown(res.summary));
    if (!res.date.empty()) absl::StrAppend(&item, " *(", EscapeMarkdown(res.date), ")*");
    items.push_back(std::move(item));
  }
  return absl::StrJoin(items, "<br>");
}

std::string MdStatus(const Row& r) {
  std::string out = absl::StrCat("**", EscapeMarkdown(r.status_label), "**");
  if (!r.status_since.empty()) absl::StrAppend(&out, "<br>sinds ", EscapeMarkdown(r.status_since));
  if (!r.status_note.empty()) absl::StrAppend(&out, "<br>", EscapeMarkdown(r.status_note));
  return out;
}

// ---- HTML ---------------------------------------------------------------------------------

constexpr char kCss[] = R"css(
@page { size: A4; margin: 18mm 15mm; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Source Sans Pro", Helvetica, Arial, sans-serif; font-size: 10.5pt;
  line-height: 1.45; color: #1d1d1b; max-width: 1100px; margin: 0 auto; padding: 32px 24px; }
header.cover { border-bottom: 4px solid #00689e; padding-bottom: 16px; margin-bottom: 24px; }
h1 { font-size: 26pt; color: #00689e; margin: 0 0 4px; }
.place { font-size: 13pt; color: #44525e; margin: 0; }
.asof { color: #5b6770; font-size: 9.5pt; margin: 8px 0 0; }
blockquote.ambition { margin: 16px 0 0; padding: 8px 16px; border-left: 4px solid #f39200;
  background: #fdf5ea; font-style: italic; }
.counts { font-weight: 600; color: #00689e; }
nav.toc ol { padding-left: 20px; }
nav.toc a { color: #00689e; text-decoration: none; }
h2 { font-size: 18pt; color: #00689e; border-bottom: 1px solid #c8d7e1; padding-bottom: 4px;
  margin-top: 36px; }
.opgave { background: #eef5fa; padding: 8px 12px; border-radius: 4px; }
h3 { font-size: 12.5pt; margin: 24px 0 6px; break-after: avoid; }
table { width: 100%; border-collapse: collapse; margin: 6px 0 18px; table-layout: fixed; }
thead { display: table-header-group; }
th { background: #00689e; color: #fff; text-align: left; padding: 6px 8px; font-weight: 600; }
td { border: 1px solid #c8d7e1; padding: 6px 8px; vertical-align: top; overflow-wrap: break-word; }
tr { break-inside: avoid; }
tbody tr:nth-child(even) td { background: #f7fafc; }
col.activiteit { width: 38%; } col.resultaat { width: 44%; } col.status { width: 18%; }
.title { font-weight: 600; }
.meta { color: #5b6770; font-size: 9.5pt; }
.gap { color: #8a1f1f; font-weight: 600; }
ul.results { margin: 0; padding-left: 16px; }
ul.results li { margin-bottom: 4px; }
.figure { font-weight: 600; }
.empty { color: #5b6770; font-style: italic; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600;
  font-size: 9.5pt; background: #eef1f4; color: #44525e; }
.status.in-progress, .status.ongoing, .status.extended { background: #e3f0fb; color: #0b5394; }
.status.completed, .status.continued { background: #e4f4e7; color: #1e6b33; }
.status.stopped { background: #f8e3e3; color: #8a1f1f; }
table.kpis td, table.kpis th { font-size: 9.5pt; }
footer { margin-top: 40px; border-top: 1px solid #c8d7e1; padding-top: 8px; color: #5b6770;
  font-size: 9pt; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.toc { break-after: page; }
  section.pillar + section.pillar { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
)css";

std::string HtmlActivity(const Row& r) {
  std::string out = absl::StrCat("<div class=\"title\">", EscapeHtml(r.title), "</div>");
  if (!r.description.empty()) absl::StrAppend(&out, "<div>", EscapeHtml(r.description), "</div>");
  absl::StrAppend(&out, "<div class=\"meta\">Penvoerder: ",
                  r.owner.empty() ? absl::StrCat("<span class=\"gap\">", kNoOwner, "</span>")
                                  : EscapeHtml(r.owner),
                  "</div>");
  if (!r.partners.empty()) {
    absl::StrAppend(&out,
                    "<div class=\"meta\">Partners: ", EscapeHtml(absl::StrJoin(r.partners, ", ")),
                    "</div>");
  }
  if (!r.period.empty()) {
    absl::StrAppend(&out, "<div class=\"meta\">Looptijd: ", EscapeHtml(r.period), "</div>");
  }
  return out;
}

std::string HtmlResults(const Row& r) {
  if (r.results.empty()) return absl::StrCat("<span class=\"empty\">", kNoResults, "</span>");
  std::string out = "<ul class=\"results\">";
  for (const auto& res : r.results) {
    absl::StrAppend(&out, "<li>");
    if (!res.figure.empty()) {
      absl::StrAppend(&out, "<span class=\"figure\">", EscapeHtml(res.figure), "</span>: ");
    }
    absl::StrAppend(&out, EscapeHtml(res.summary));
    if (!res.date.empty()) {
      absl::StrAppend(&out, " <span class=\"meta\">(", EscapeHtml(res.date), ")</span>");
    }
    absl::StrAppend(&out, "</li>");
  }
  return out + "</ul>";
}

std::string HtmlStatus(const Row& r) {
  std::string out = absl::StrCat("<span class=\"status ", StatusClass(r.status), "\">",
                                 EscapeHtml(r.status_label), "</span>");
  if (!r.status_since.empty()) {
    absl::StrAppend(&out, "<div class=\"meta\">sinds ", EscapeHtml(r.status_since), "</div>");
  }
  if (!r.status_note.empty()) absl::StrAppend(&out, "<div>", EscapeHtml(r.status_note), "</div>");
  return out;
}

}  // namespace

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "?";
  std::string s = absl::StrFormat("%.2f", value);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  std::replace(s.begin(), s.end(), '.', ',');  // Dutch decimal comma
  return s;
}

std::string WithUnit(double value, const std::string& unit) {
  if (unit.empty()) return FormatNumber(value);
  if (unit == "%") return FormatNumber(value) + "%";
  return absl::StrCat(FormatNumber(value), " ", unit);
}

std::string EscapeMarkdown(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : Unix(text)) {
    switch (c) {
      case '\n':
        out += "<br>";
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '~':
      case '#':
        out.push_back('\\');
        out.push_back(c);
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string EscapeHtml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : Unix(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\n':
        out += "<br>";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string RenderMarkdown(const Book& book) {
  std::string md = absl::StrCat("# ", EscapeMarkdown(book.title), "\n\n");
  if (!book.place.empty()) absl::StrAppend(&md, EscapeMarkdown(book.place), "\n\n");
  absl::StrAppend(&md, "*Stand van zaken op positie ", book.position,
                  " van het gedeelde logboek (wijkboek).*\n\n");
  if (!book.ambition.empty()) absl::StrAppend(&md, "> ", EscapeMarkdown(book.ambition), "\n\n");
  absl::StrAppend(&md, "**", Counts(book), "**\n");
  for (const PillarSection& p : book.pillars) {
    absl::StrAppend(&md, "\n## ", EscapeMarkdown(p.name), "\n\n");
    if (!p.ambition.empty())
      absl::StrAppend(&md, "**Opgave:** ", EscapeMarkdown(p.ambition), "\n\n");
    if (p.goals.empty()) absl::StrAppend(&md, "*Nog geen doelen vastgelegd voor deze pijler.*\n\n");
    for (const GoalSection& g : p.goals) {
      absl::StrAppend(&md, "### ", EscapeMarkdown(g.heading), "\n\n");
      if (g.rows.empty()) {
        absl::StrAppend(&md, "*", kNoActions, "*\n\n");
        continue;
      }
      absl::StrAppend(&md, "| Activiteit | Resultaat | Status |\n| --- | --- | --- |\n");
      for (const Row& r : g.rows) {
        absl::StrAppend(&md, "| ", MdActivity(r), " | ", MdResults(r), " | ", MdStatus(r), " |\n");
      }
      md += "\n";
    }
    if (!p.kpis.empty()) {
      absl::StrAppend(&md, "### Streefcijfers\n\n",
                      "| Indicator | Nulmeting | Laatste meting | Streefcijfer 10 jaar | "
                      "Streefcijfer 20 jaar | Voortgang (10 / 20 jaar) |\n",
                      "| --- | --- | --- | --- | --- | --- |\n");
      for (const KpiLine& k : p.kpis) {
        absl::StrAppend(&md, "| ", EscapeMarkdown(k.name), " | ", EscapeMarkdown(k.baseline), " | ",
                        EscapeMarkdown(k.latest), " | ", EscapeMarkdown(k.target_10y), " | ",
                        EscapeMarkdown(k.target_20y), " | ", EscapeMarkdown(k.progress), " |\n");
      }
      md += "\n";
    }
  }
  absl::StrAppend(&md, "\n---\n\n*Gegenereerd door wijkboek uit het gedeelde logboek, tot en met",
                  " positie ", book.position, ". Iedere partner ziet hetzelfde beeld.*\n");
  return md;
}

std::string RenderHtml(const Book& book) {
  std::string h = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n",
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      EscapeHtml(book.title), "</title>\n<style>", kCss, "</style>\n</head>\n<body>\n");
  absl::StrAppend(&h, "<header class=\"cover\">\n<h1>", EscapeHtml(book.title), "</h1>\n");
  if (!book.place.empty())
    absl::StrAppend(&h, "<p class=\"place\">", EscapeHtml(book.place), "</p>\n");
  absl::StrAppend(&h, "<p class=\"asof\">Stand van zaken op positie ", book.position,
                  " van het gedeelde logboek (wijkboek).</p>\n");
  if (!book.ambition.empty()) {
    absl::StrAppend(&h, "<blockquote class=\"ambition\">", EscapeHtml(book.ambition),
                    "</blockquote>\n");
  }
  absl::StrAppend(&h, "<p class=\"counts\">", EscapeHtml(Counts(book)), "</p>\n</header>\n");
  if (!book.pillars.empty()) {
    absl::StrAppend(&h, "<nav class=\"toc\">\n<h2>Inhoud</h2>\n<ol>\n");
    for (const PillarSection& p : book.pillars) {
      absl::StrAppend(&h, "<li><a href=\"#", EscapeHtml(Anchor(p)), "\">", EscapeHtml(p.name),
                      "</a></li>\n");
    }
    absl::StrAppend(&h, "</ol>\n</nav>\n");
  }
  for (const PillarSection& p : book.pillars) {
    absl::StrAppend(&h, "<section class=\"pillar\" id=\"", EscapeHtml(Anchor(p)), "\">\n<h2>",
                    EscapeHtml(p.name), "</h2>\n");
    if (!p.ambition.empty()) {
      absl::StrAppend(&h, "<p class=\"opgave\"><strong>Opgave:</strong> ", EscapeHtml(p.ambition),
                      "</p>\n");
    }
    if (p.goals.empty()) {
      absl::StrAppend(&h, "<p class=\"empty\">Nog geen doelen vastgelegd voor deze pijler.</p>\n");
    }
    for (const GoalSection& g : p.goals) {
      absl::StrAppend(&h, "<h3>", EscapeHtml(g.heading), "</h3>\n");
      if (g.rows.empty()) {
        absl::StrAppend(&h, "<p class=\"empty\">", kNoActions, "</p>\n");
        continue;
      }
      absl::StrAppend(
          &h,
          "<table class=\"book\">\n<colgroup><col class=\"activiteit\"><col "
          "class=\"resultaat\"><col class=\"status\"></colgroup>\n<thead><tr>"
          "<th>Activiteit</th><th>Resultaat</th><th>Status</th></tr></thead>\n<tbody>\n");
      for (const Row& r : g.rows) {
        absl::StrAppend(&h, "<tr id=\"actie-", EscapeHtml(r.action_id), "\"><td>", HtmlActivity(r),
                        "</td><td>", HtmlResults(r), "</td><td>", HtmlStatus(r), "</td></tr>\n");
      }
      absl::StrAppend(&h, "</tbody>\n</table>\n");
    }
    if (!p.kpis.empty()) {
      absl::StrAppend(
          &h,
          "<h3>Streefcijfers</h3>\n<table class=\"kpis\">\n<thead><tr><th>Indicator</th>"
          "<th>Nulmeting</th><th>Laatste meting</th><th>Streefcijfer 10 jaar</th>"
          "<th>Streefcijfer 20 jaar</th><th>Voortgang (10 / 20 jaar)</th></tr></thead>\n"
          "<tbody>\n");
      for (const KpiLine& k : p.kpis) {
        absl::StrAppend(&h, "<tr><td>", EscapeHtml(k.name), "</td><td>", EscapeHtml(k.baseline),
                        "</td><td>", EscapeHtml(k.latest), "</td><td>", EscapeHtml(k.target_10y),
                        "</td><td>", EscapeHtml(k.target_20y), "</td><td>", EscapeHtml(k.progress),
                        "</td></tr>\n");
      }
      absl::StrAppend(&h, "</tbody>\n</table>\n");
    }
    absl::StrAppend(&h, "</section>\n");
  }
  absl::StrAppend(&h, "<footer>Gegenereerd door wijkboek uit het gedeelde logboek, tot en met ",
                  "positie ", book.position, ". Iedere partner ziet hetzelfde beeld.</footer>\n",
                  "</body>\n</html>\n");
  return h;
}

}  // namespace projections::book
