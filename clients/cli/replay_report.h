#pragma once
// The reports of `wijkboek audit replay`: a view's response laid out as headed tables, then
// written as Markdown (GitHub flavour) or as one self-contained HTML page. The project book is
// not here: the server writes its Markdown and HTML itself.
//
// Pure: responses in, text out.
#include <string>
#include <vector>

#include "wijkboek/v1/views.pb.h"

namespace wijkboek::cli {

struct ReportTable {
  std::string heading;  // may be empty
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // each as long as `columns`
};

struct Report {
  std::string title;
  std::vector<std::string> facts;  // short lines under the title ("Log position: 42")
  std::vector<ReportTable> tables;
};

// One report per view. `as_of` says which point of the log was asked for (AsOfBound's
// description); each report also states the log position the server answered from.
Report ProgrammeReport(const v1::GetProgrammeResponse& r, const std::string& as_of);
Report PartnersReport(const v1::ListPartnersResponse& r, const std::string& as_of);
Report ActionsReport(const v1::ListActionsResponse& r, const std::string& as_of);
Report KpisReport(const v1::ListKpisResponse& r, const std::string& as_of);
Report AgendaReport(const v1::GetAgendaResponse& r, const std::string& as_of);
Report FundsReport(const v1::GetFundsResponse& r, const std::string& as_of);
Report CollaborationReport(const v1::GetCollaborationResponse& r, const std::string& as_of);
Report GapsReport(const v1::ListOwnershipGapsResponse& r, const std::string& as_of);

// Tables with `|` escaped and line breaks as <br>; Markdown's special characters
// backslash-escaped in every text.
std::string RenderMarkdown(const Report& report);
// A complete HTML5 document with a little inline CSS; every text HTML-escaped.
std::string RenderHtml(const Report& report);

}  // namespace wijkboek::cli
