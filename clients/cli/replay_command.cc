// `wijkboek audit replay`: one view as it stood at an earlier point of the log — by record time,
// position or business date — printed as a report (Markdown or HTML) or as the view's JSON.
// The server folds the log up to that point (time travel, views.proto); see clients/cli/README.md.

#include <string>

#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/replay_report.h"

namespace wijkboek::cli {
namespace {

constexpr const char* kViews[] = {"programme",     "partners",       "actions",
                                  "kpis",          "agenda",         "funds",
                                  "collaboration", "ownership-gaps", "project-book"};

// Prints the response as JSON, or its report as Markdown or HTML.
template <typename Response>
int Emit(const absl::StatusOr<Response>& response, const std::string& format,
         Report (*report)(const Response&, const std::string&), const std::string& as_of) {
  if (!response.ok()) return ServerError(response.status());
  std::optional<int> stop;
  if (format == "json") {
    stop = PrintJsonLine(*response, true);
  } else {
    const Report r = report(*response, as_of);
    stop = PrintText(format == "html" ? RenderHtml(r) : RenderMarkdown(r));
  }
  return stop.value_or(0);
}

}  // namespace

CLI::App* AddReplayCommand(CLI::App& audit, ReplayOptions* options) {
  CLI::App* replay = audit.add_subcommand(
      "replay", "One view as it stood at an earlier point of the log, as a report");
  AddAsOfOptions(replay, &options->as_of);
  replay->add_option("--view", options->view, "The view to replay")
      ->type_name("VIEW")
      ->required()
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kViews), std::end(kViews))));
  replay
      ->add_option("--format", options->format,
                   "markdown or html (a report), or json (the view's response)")
      ->check(CLI::IsMember({"markdown", "html", "json"}))
      ->capture_default_str();
  replay
      ->add_option("--pillar", options->pillar,
                   "Only this pillar (actions, kpis, agenda, collaboration, project-book)")
      ->type_name("ID");
  replay->footer(
      "VIEW is programme, partners, actions, kpis, agenda, funds, collaboration,\n"
      "ownership-gaps or project-book. Give exactly one of --as-of, --as-of-position and\n"
      "--business-date. Record time and business time differ: a result recorded on 5 July\n"
      "for 20 June is in `--business-date 2024-06-30` but not in `--as-of 2024-06-30`.\n"
      "The report states the log position the server replayed to. Replaying a long log takes\n"
      "a while (tens of seconds per million events; the server keeps the last two replays,\n"
      "so asking again for the same point is quick): without --timeout the call may take up\n"
      "to 10 minutes. The agenda and the ownership gaps count the bound's own day as today\n"
      "(for --as-of-position: the real today).\n"
      "\n"
      "Examples:\n"
      "  wijkboek audit replay --as-of 2024-06-30 --view project-book --format markdown\n"
      "  wijkboek audit replay --business-date 2024-06-30 --view kpis --format html > kpis.html\n"
      "  wijkboek audit replay --as-of-position 1200 --view actions --format json");
  return replay;
}

int RunReplay(const client::ViewsClient& client, const ReplayOptions& options) {
  absl::StatusOr<AsOfBound> bound = ResolveAsOf(options.as_of);
  if (!bound.ok()) {
    PrintError(bound.status().message());
    return kExitUsage;
  }
  if (bound->live()) {
    PrintError("audit replay: give --as-of, --as-of-position or --business-date");
    return kExitUsage;
  }
  const std::string& view = options.view;
  const std::string& format = options.format;
  const std::string& as_of = bound->description;
  auto ask = [&](auto request) {
    ApplyAsOf(*bound, &request);
    return request;
  };
  if (view == "programme") {
    return Emit(client.GetProgramme(ask(v1::GetProgrammeRequest())), format, &ProgrammeReport,
                as_of);
  }
  if (view == "partners") {
    v1::ListPartnersRequest request;
    request.set_include_left(true);  // an audit shows who was there, also who left since
    return Emit(client.ListPartners(ask(request)), format, &PartnersReport, as_of);
  }
  if (view == "actions") {
    v1::ListActionsRequest request;
    request.set_pillar_id(options.pillar);
    return Emit(ListAllActions(client, ask(request)), format, &ActionsReport, as_of);
  }
  if (view == "kpis") {
    v1::ListKpisRequest request;
    request.set_pillar_id(options.pillar);
    return Emit(client.ListKpis(ask(request)), format, &KpisReport, as_of);
  }
  if (view == "agenda") {
    v1::GetAgendaRequest request;
    request.set_pillar_id(options.pillar);
    return Emit(client.GetAgenda(ask(request)), format, &AgendaReport, as_of);
  }
  if (view == "funds") {
    return Emit(client.GetFunds(ask(v1::GetFundsRequest())), format, &FundsReport, as_of);
  }
  if (view == "collaboration") {
    v1::GetCollaborationRequest request;
    request.set_pillar_id(options.pillar);
    return Emit(client.GetCollaboration(ask(request)), format, &CollaborationReport, as_of);
  }
  if (view == "ownership-gaps") {
    return Emit(client.ListOwnershipGaps(ask(v1::ListOwnershipGapsRequest())), format, &GapsReport,
                as_of);
  }
  // project-book: the server writes the document itself.
  v1::GetProjectBookRequest request;
  request.set_pillar_id(options.pillar);
  absl::StatusOr<v1::GetProjectBookResponse> book = client.GetProjectBook(ask(request));
  if (!book.ok()) return ServerError(book.status());
  std::optional<int> stop = format == "json"
                                ? PrintJsonLine(*book, true)
                                : PrintText(format == "html" ? book->html() : book->markdown());
  return stop.value_or(0);
}

}  // namespace wijkboek::cli
