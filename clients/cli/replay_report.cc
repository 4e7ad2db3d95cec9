#include "clients/cli/replay_report.h"

#include <cmath>
#include <cstdint>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"

namespace wijkboek::cli {
namespace {

// ---- Cells ---------------------------------------------------------------------------------

std::string Status(v1::ActionStatus status) {
  std::string name = v1::ActionStatus_Name(status);
  constexpr std::string_view kPrefix = "ACTION_STATUS_";
  if (name.rfind(kPrefix, 0) == 0) name = name.substr(kPrefix.size());
  absl::AsciiStrToLower(&name);
  return absl::StrReplaceAll(name, {{"_", "-"}});
}

std::string Number(double value) {
  if (!std::isfinite(value)) return "";
  std::string text = absl::StrFormat("%.2f", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string Euros(std::int64_t cents) {
  const char* sign = cents < 0 ? "-" : "";
  const std::uint64_t abs = cents < 0 ? -static_cast<std::uint64_t>(cents) : cents;
  return absl::StrFormat("%s%d.%02d", sign, abs / 100, abs % 100);
}

std::string Percent(double value) { return Number(value) + " %"; }

std::string When(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

template <typename Repeated>
std::string Joined(const Repeated& items) {
  return absl::StrJoin(items.begin(), items.end(), ", ");
}

Report Titled(const std::string& view, std::uint64_t position, const std::string& as_of) {
  Report report;
  report.title = view + (as_of.empty() ? std::string() : " as of " + as_of);
  report.facts.push_back(absl::StrCat("Log position: ", position));
  if (as_of.empty()) report.facts.push_back("The live views, not a replay.");
  return report;
}

// ---- Escaping ------------------------------------------------------------------------------

std::string EscapeMarkdown(const std::string& text) {
  constexpr std::string_view kSpecial = "\\`*_[]<>#|";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      out += "<br>";
      continue;
    }
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string EscapeHtml(const std::string& text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"},
                                    {"<", "&lt;"},
                                    {">", "&gt;"},
                                    {"\"", "&quot;"},
                                    {"'", "&#39;"},
                                    {"\n", "<br>"}});
}

}  // namespace

// ---- The reports ---------------------------------------------------------------------------

Report ProgrammeReport(const v1::GetProgrammeResponse& r, const std::string& as_of) {
  Report report =
      Titled("Programme" + (r.name().empty() ? "" : " " + r.name()), r.as_of_position(), as_of);
  report.facts.push_back(absl::StrCat("Partners: ", r.partner_count(), "; actions: ",
                                      r.action_count(), "; results: ", r.result_count()));
  ReportTable pillars{"Pillars", {"Pillar", "Goals", "Actions", "Results", "Actions by status"}};
  ReportTable kpis{
      "KPIs", {"Pillar", "KPI", "Baseline", "Latest", "Target (10 years)", "Progress (10 years)"}};
  for (const v1::PillarView& p : r.pillars()) {
    std::vector<std::string> by_status;
    for (const v1::StatusCount& s : p.actions_by_status()) {
      by_status.push_back(absl::StrCat(Status(s.status()), " ", s.count()));
    }
    pillars.rows.push_back({p.name().empty() ? p.pillar_id() : p.name(),
                            absl::StrCat(p.goals_size()), absl::StrCat(p.action_count()),
                            absl::StrCat(p.result_count()), absl::StrJoin(by_status, ", ")});
    for (const v1::KpiView& k : p.kpis()) {
      kpis.rows.push_back({p.pillar_id(), k.name().empty() ? k.kpi_id() : k.name(),
                           Number(k.baseline()),
                           k.has_latest_value() ? Number(k.latest_value()) : "",
                           Number(k.target_10y()), Percent(k.progress_10y_percent())});
    }
  }
  report.tables.push_back(std::move(pillars));
  if (!kpis.rows.empty()) report.tables.push_back(std::move(kpis));
  return report;
}

Report PartnersReport(const v1::ListPartnersResponse& r, const std::string& as_of) {
  Report report = Titled("Partners", r.as_of_position(), as_of);
  ReportTable t{"", {"Partner", "Name", "Sector", "Active", "Owns", "Member of", "Last activity"}};
  for (const v1::PartnerView& p : r.partners()) {
    t.rows.push_back({p.partner_id(), p.name(), p.sector(), p.active() ? "yes" : "left",
                      absl::StrCat(p.owned_action_ids_size()),
                      absl::StrCat(p.member_action_ids_size()), When(p.last_activity_at())});
  }
  report.tables.push_back(std::move(t));
  return report;
}

Report ActionsReport(const v1::ListActionsResponse& r, const std::string& as_of) {
  Report report = Titled("Actions", r.as_of_position(), as_of);
  report.facts.push_back(absl::StrCat("Actions: ", r.total_count()));
  ReportTable t{"",
                {"Pillar", "Goal", "Action", "Title", "Owner", "Partners", "Status", "Results",
                 "Last activity"}};
  for (const v1::ActionView& a : r.actions()) {
    t.rows.push_back({a.pillar_id(), a.goal_id(), a.action_id(), a.title(),
                      a.owner_partner_id().empty() ? "(none)" : a.owner_partner_id(),
                      Joined(a.partner_ids()), Status(a.status()), absl::StrCat(a.result_count()),
                      When(a.last_activity_at())});
  }
  report.tables.push_back(std::move(t));
  return report;
}

Report KpisReport(const v1::ListKpisResponse& r, const std::string& as_of) {
  Report report = Titled("KPIs", r.as_of_position(), as_of);
  ReportTable t{
      "",
      {"Pillar", "KPI", "Name", "Unit", "Baseline", "Latest", "Target (10 years)",
       "Target (20 years)", "Progress (10 years)", "Progress (20 years)", "Measurements"}};
  for (const v1::KpiView& k : r.kpis()) {
    t.rows.push_back({k.pillar_id(), k.kpi_id(), k.name(), k.unit(), Number(k.baseline()),
                      k.has_latest_value() ? Number(k.latest_value()) : "", Number(k.target_10y()),
                      Number(k.target_20y()), Percent(k.progress_10y_percent()),
                      Percent(k.progress_20y_percent()), absl::StrCat(k.measurements_size())});
  }
  report.tables.push_back(std::move(t));
  return report;
}

Report AgendaReport(const v1::GetAgendaResponse& r, const std::string& as_of) {
  Report report = Titled("Agenda", r.as_of_position(), as_of);
  ReportTable t{"", {"Starts", "Ends", "Activity", "Location", "Pillar", "Organiser"}};
  for (const v1::ActivityView& a : r.activities()) {
    t.rows.push_back({a.starts_on(), a.ends_on(), a.title(), a.location(), a.pillar_id(),
                      a.organiser_partner_id()});
  }
  report.tables.push_back(std::move(t));
  return report;
}

Report FundsReport(const v1::GetFundsResponse& r, const std::string& as_of) {
  Report report = Titled("Funds", r.as_of_position(), as_of);
  report.facts.push_back(absl::StrCat("Total: EUR ", Euros(r.total_cents())));
  auto table = [](const char* heading, const char* what,
                  const google::protobuf::RepeatedPtrField<v1::FundsLine>& lines) {
    ReportTable t{heading, {what, "Name", "Amount (EUR)"}};
    for (const v1::FundsLine& l : lines) {
      t.rows.push_back({l.id(), l.name(), Euros(l.amount_cents())});
    }
    return t;
  };
  report.tables.push_back(table("By pillar", "Pillar", r.by_pillar()));
  report.tables.push_back(table("By partner", "Partner", r.by_partner()));
  report.tables.push_back(table("By source", "Source", r.by_source()));
  return report;
}

Report CollaborationReport(const v1::GetCollaborationResponse& r, const std::string& as_of) {
  Report report = Titled("Collaboration", r.as_of_position(), as_of);
  ReportTable nodes{"Partners", {"Partner", "Name", "Sector", "Actions"}};
  for (const v1::CollaborationNode& n : r.nodes()) {
    nodes.rows.push_back({n.partner_id(), n.name(), n.sector(), absl::StrCat(n.action_count())});
  }
  ReportTable edges{"Who works with whom", {"Partner", "Partner", "Shared actions", "Actions"}};
  for (const v1::CollaborationEdge& e : r.edges()) {
    edges.rows.push_back(
        {e.partner_a(), e.partner_b(), absl::StrCat(e.shared_actions()), Joined(e.action_ids())});
  }
  report.tables.push_back(std::move(nodes));
  report.tables.push_back(std::move(edges));
  return report;
}

Report GapsReport(const v1::ListOwnershipGapsResponse& r, const std::string& as_of) {
  Report report = Titled("Ownership gaps", r.as_of_position(), as_of);
  ReportTable t{"",
                {"Kind", "Pillar", "Goal", "Action", "Owner", "Days without activity", "Reason"}};
  for (const v1::OwnershipGap& g : r.gaps()) {
    std::string kind = v1::GapKind_Name(g.kind());
    constexpr std::string_view kPrefix = "GAP_KIND_";
    if (kind.rfind(kPrefix, 0) == 0) kind = absl::AsciiStrToLower(kind.substr(kPrefix.size()));
    t.rows.push_back({absl::StrReplaceAll(kind, {{"_", " "}}), g.pillar_id(), g.goal_id(),
                      g.action_id(), g.owner_partner_id(),
                      g.kind() == v1::GAP_KIND_STALE ? absl::StrCat(g.days_since_activity()) : "",
                      g.reason()});
  }
  report.tables.push_back(std::move(t));
  return report;
}

// ---- Rendering -----------------------------------------------------------------------------

std::string RenderMarkdown(const Report& report) {
  std::string out = absl::StrCat("# ", EscapeMarkdown(report.title), "\n\n");
  for (const std::string& fact : report.facts) absl::StrAppend(&out, EscapeMarkdown(fact), "  \n");
  for (const ReportTable& t : report.tables) {
    out += "\n";
    if (!t.heading.empty()) absl::StrAppend(&out, "## ", EscapeMarkdown(t.heading), "\n\n");
    if (t.rows.empty()) {
      out += "(none)\n";
      continue;
    }
    auto row = [&out](const std::vector<std::string>& cells) {
      out += "|";
      for (const std::string& c : cells) absl::StrAppend(&out, " ", EscapeMarkdown(c), " |");
      out += "\n";
    };
    row(t.columns);
    out += "|";
    for (std::size_t i = 0; i < t.columns.size(); ++i) out += " --- |";
    out += "\n";
    for (const auto& r : t.rows) row(r);
  }
  return out;
}

std::string RenderHtml(const Report& report) {
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
      EscapeHtml(report.title),
      "</title>\n<style>\n"
      "body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a}\n"
      "table{border-collapse:collapse;margin:0.5rem 0 1.5rem}\n"
      "th,td{border:1px solid #bbb;padding:0.25rem 0.5rem;text-align:left;vertical-align:top}\n"
      "th{background:#eef2f5}\n"
      "</style>\n</head>\n<body>\n<h1>",
      EscapeHtml(report.title), "</h1>\n");
  for (const std::string& fact : report.facts)
    absl::StrAppend(&out, "<p>", EscapeHtml(fact), "</p>\n");
  for (const ReportTable& t : report.tables) {
    if (!t.heading.empty()) absl::StrAppend(&out, "<h2>", EscapeHtml(t.heading), "</h2>\n");
    if (t.rows.empty()) {
      out += "<p>(none)</p>\n";
      continue;
    }
    out += "<table>\n<thead><tr>";
    for (const std::string& c : t.columns) absl::StrAppend(&out, "<th>", EscapeHtml(c), "</th>");
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& r : t.rows) {
      out += "<tr>";
      for (const std::string& c : r) absl::StrAppend(&out, "<td>", EscapeHtml(c), "</td>");
      out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace wijkboek::cli
