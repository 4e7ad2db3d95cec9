// `wijkboek views <name> [filters]`: one subcommand per RPC of wijkboek.v1.Views. Each prints its
// response as one JSON line; `views project-book --format markdown|html` prints the document.

#include <string>

#include "absl/strings/str_cat.h"
#include "clients/cli/cli_support.h"
#include "clients/cli/commands.h"

namespace wijkboek::cli {
namespace {

// YYYY-MM-DD by shape; the server checks the calendar.
const CLI::Validator kDate(
    [](std::string& text) {
      bool ok = text.size() == 10 && text[4] == '-' && text[7] == '-';
      for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) ok = ok && text[i] >= '0' && text[i] <= '9';
      return ok ? std::string() : "want a date YYYY-MM-DD, not " + text;
    },
    "");

const CLI::Validator kStatus(
    [](std::string& text) {
      absl::StatusOr<v1::ActionStatus> status = ParseActionStatus(text);
      return status.ok() ? std::string() : std::string(status.status().message());
    },
    "");

CLI::App* AddView(CLI::App* views, const char* name, const char* description,
                  ViewsOptions* options) {
  CLI::App* command = views->add_subcommand(name, description);
  command
      ->add_option("--min-position", options->min_position,
                   "Wait (up to --timeout) until the views reflect position N;\n"
                   "pass an append's last_position to read your own write")
      ->type_name("N")
      ->check(kNotNegative);
  AddAsOfOptions(command, &options->as_of);
  return command;
}

void AddPillarFilter(CLI::App* command, ViewsOptions* options, const char* what) {
  command->add_option("--pillar", options->pillar, what)->type_name("ID");
}

// `views actions`: one page, or with --all every page merged into one response.
int RunActions(const client::ViewsClient& client, const ViewsOptions& options,
               v1::ListActionsRequest request) {
  request.set_pillar_id(options.pillar);
  request.set_goal_id(options.goal);
  if (!options.status.empty()) request.set_status(*ParseActionStatus(options.status));
  request.set_partner_id(options.partner);
  request.set_query(options.query);
  request.set_page_size(options.page_size);
  request.set_page_token(options.page_token);
  if (!options.all) return PrintResponse(client.ListActions(request));
  return PrintResponse(ListAllActions(client, std::move(request)));
}

int RunProjectBook(const client::ViewsClient& client, const ViewsOptions& options,
                   v1::GetProjectBookRequest request) {
  request.set_pillar_id(options.pillar);
  absl::StatusOr<v1::GetProjectBookResponse> response = client.GetProjectBook(request);
  if (options.format == "json" || !response.ok()) return PrintResponse(response);
  const std::string& document = options.format == "html" ? response->html() : response->markdown();
  if (std::optional<int> stop = PrintText(document)) return *stop;
  return 0;
}

}  // namespace

CLI::App* AddViewsCommand(CLI::App& app, ViewsOptions* options) {
  CLI::App* views = app.add_subcommand("views", "Ask the programme's views (wijkboek.v1.Views)");
  views->require_subcommand(1);
  views->footer(
      "Each view prints its response as one JSON line, with as_of_position: the log position\n"
      "it reflects. Every view also takes --as-of DATE|TIME, --as-of-position N or\n"
      "--business-date DATE: the view as it stood then (see `wijkboek audit replay --help`).\n"
      "Run `wijkboek views VIEW --help` for a view's filters.\n"
      "\n"
      "Examples:\n"
      "  wijkboek views programme\n"
      "  wijkboek views partners --sector welzijn\n"
      "  wijkboek views actions --pillar jeugd-en-onderwijs --status in-progress --all\n"
      "  wijkboek views action jo-brugfunctionaris\n"
      "  wijkboek views project-book --format markdown > projectenboek.md\n"
      "  wijkboek views kpis --business-date 2024-06-30");

  AddView(views, "programme", "Per pillar: goals, actions per status, latest results, KPIs",
          options);

  CLI::App* partners = AddView(views, "partners", "The partner directory", options);
  partners->add_option("--sector", options->sector, "Only this sector, e.g. welzijn")
      ->type_name("S");
  partners->add_option("--role", options->role, "Only this role, e.g. bestuur or trekker")
      ->type_name("R");
  partners->add_flag("--include-left", options->include_left, "Also partners that left");

  CLI::App* partner =
      AddView(views, "partner", "One partner: its actions and collaborators", options);
  partner->add_option("ID", options->id, "Partner id, e.g. vidomes")->required();

  CLI::App* actions = AddView(views, "actions", "Actions, filtered and paged", options);
  AddPillarFilter(actions, options, "Only actions of this pillar");
  actions->add_option("--goal", options->goal, "Only actions for this goal")->type_name("ID");
  actions
      ->add_option("--status", options->status,
                   "planned, in-progress, ongoing, extended,\n"
                   "continued-in-regular-work, completed or stopped")
      ->type_name("S")
      ->check(kStatus);
  actions->add_option("--partner", options->partner, "Only actions it owns or joins")
      ->type_name("ID");
  actions->add_option("--query", options->query, "Text in title, description or results")
      ->type_name("TEXT");
  actions->add_option("--page-size", options->page_size, "Actions per page (server: 0 = 50)")
      ->type_name("N")
      ->check(kNotNegative);
  actions->add_option("--page-token", options->page_token, "next_page_token of the last page")
      ->type_name("T");
  actions->add_flag("--all", options->all, "Fetch every page; print them as one response");

  CLI::App* action = AddView(views, "action", "One action: status history and results", options);
  action->add_option("ID", options->id, "Action id, e.g. jo-brugfunctionaris")->required();

  CLI::App* collaboration =
      AddView(views, "collaboration", "Partners and who shares actions with whom", options);
  AddPillarFilter(collaboration, options, "Only actions of this pillar");

  CLI::App* gaps = AddView(views, "gaps",
                           "Ownership gaps: no owner, owner left, stale, goals "
                           "without actions",
                           options);
  gaps->add_option("--stale-days", options->stale_days,
                   "Stale after N days without result or status change (server: 0 = 180)")
      ->type_name("N")
      ->check(kNotNegative);

  CLI::App* kpis = AddView(views, "kpis", "KPIs with baseline, targets and progress", options);
  AddPillarFilter(kpis, options, "Only KPIs of this pillar");

  CLI::App* agenda = AddView(views, "agenda", "Scheduled activities", options);
  agenda->add_option("--from", options->from, "From this date (server default: today)")
      ->type_name("YYYY-MM-DD")
      ->check(kDate);
  agenda->add_option("--to", options->to, "Up to and including this date")
      ->type_name("YYYY-MM-DD")
      ->check(kDate);
  AddPillarFilter(agenda, options, "Only activities of this pillar");

  AddView(views, "funds", "Money per pillar, partner and source", options);

  CLI::App* book = AddView(views, "project-book",
                           "Per pillar and goal: Activiteit / Resultaat / Status", options);
  AddPillarFilter(book, options, "Only this pillar");
  book->add_option("--format", options->format,
                   "json (the response), markdown or html (the document itself)")
      ->check(CLI::IsMember({"json", "markdown", "html"}))
      ->capture_default_str();
  return views;
}

int RunViews(const CLI::App& views_command, const client::ViewsClient& client,
             const ViewsOptions& options) {
  const std::string view = views_command.get_subcommands().front()->get_name();
  absl::StatusOr<AsOfBound> bound = ResolveAsOf(options.as_of);
  if (!bound.ok()) {
    PrintError(bound.status().message());
    return kExitUsage;
  }
  // Every request reads the views at the same point: min_position, or the time-travel bound.
  auto at = [&](auto request) {
    request.set_min_position(options.min_position);
    ApplyAsOf(*bound, &request);
    return request;
  };
  if (view == "programme") {
    return PrintResponse(client.GetProgramme(at(v1::GetProgrammeRequest())));
  }
  if (view == "partners") {
    auto request = at(v1::ListPartnersRequest());
    request.set_sector(options.sector);
    request.set_role(options.role);
    request.set_include_left(options.include_left);
    return PrintResponse(client.ListPartners(request));
  }
  if (view == "partner") {
    auto request = at(v1::GetPartnerRequest());
    request.set_partner_id(options.id);
    return PrintResponse(client.GetPartner(request));
  }
  if (view == "actions") return RunActions(client, options, at(v1::ListActionsRequest()));
  if (view == "action") {
    auto request = at(v1::GetActionRequest());
    request.set_action_id(options.id);
    return PrintResponse(client.GetAction(request));
  }
  if (view == "collaboration") {
    auto request = at(v1::GetCollaborationRequest());
    request.set_pillar_id(options.pillar);
    return PrintResponse(client.GetCollaboration(request));
  }
  if (view == "gaps") {
    auto request = at(v1::ListOwnershipGapsRequest());
    request.set_stale_days(options.stale_days);
    return PrintResponse(client.ListOwnershipGaps(request));
  }
  if (view == "kpis") {
    auto request = at(v1::ListKpisRequest());
    request.set_pillar_id(options.pillar);
    return PrintResponse(client.ListKpis(request));
  }
  if (view == "agenda") {
    auto request = at(v1::GetAgendaRequest());
    request.set_from_date(options.from);
    request.set_to_date(options.to);
    request.set_pillar_id(options.pillar);
    return PrintResponse(client.GetAgenda(request));
  }
  if (view == "funds") {
    return PrintResponse(client.GetFunds(at(v1::GetFundsRequest())));
  }
  return RunProjectBook(client, options, at(v1::GetProjectBookRequest()));
}

absl::StatusOr<v1::ListActionsResponse> ListAllActions(const client::ViewsClient& client,
                                                       v1::ListActionsRequest request) {
  if (request.page_size() == 0) request.set_page_size(500);  // the server's maximum page
  v1::ListActionsResponse all;
  while (true) {
    absl::StatusOr<v1::ListActionsResponse> page = client.ListActions(request);
    if (!page.ok()) return page.status();
    for (v1::ActionView& action : *page->mutable_actions()) *all.add_actions() = std::move(action);
    all.set_total_count(page->total_count());
    all.set_as_of_position(page->as_of_position());
    if (page->next_page_token().empty()) return all;
    request.set_page_token(page->next_page_token());
    // Later pages must not see an older state than the first (a time-travel bound is fixed
    // anyway: the server ignores min_position with it).
    request.set_min_position(std::max(request.min_position(), page->as_of_position()));
  }
}

void AddAsOfOptions(CLI::App* command, AsOfFlags* flags) {
  CLI::Option* as_of =
      command
          ->add_option("--as-of", flags->as_of,
                       "Time travel, record time: the view as the log held it then.\n"
                       "A DATE (YYYY-MM-DD) means the end of that day in\n"
                       "Europe/Amsterdam; or an RFC 3339 time")
          ->type_name("DATE|TIME");
  CLI::Option* position = command
                              ->add_option("--as-of-position", flags->position,
                                           "Time travel: the view of the log up to position N")
                              ->type_name("N")
                              ->check(kNotNegative);
  CLI::Option* business =
      command
          ->add_option("--business-date", flags->business_date,
                       "Time travel, business time: what happened on or before DATE")
          ->type_name("YYYY-MM-DD");
  as_of->excludes(position)->excludes(business);
  position->excludes(business);
}

}  // namespace wijkboek::cli
