// `wijkboek import FILE.json [--dry-run] [--json]`: records a programme file through the EventLog
// API, as any partner system would. The mapping is in importer.h; this file reads the file, sends
// the requests in order and reports.

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/cli/commands.h"
#include "clients/cli/importer.h"

namespace wijkboek::cli {
namespace {

// What the append loop did.
struct Outcome {
  int appended_requests = 0;      // stored now
  int deduplicated_requests = 0;  // were already there
  int appended_events = 0;
  uint64_t head = 0;
};

// "1 programme, 4 pillars, 30 goals, ..." (only the kinds present).
std::string CountsText(const importer::ImportCounts& c) {
  std::vector<std::string> parts;
  auto add = [&](int n, const char* one, const char* many) {
    if (n > 0) parts.push_back(absl::StrCat(n, " ", n == 1 ? one : many));
  };
  add(c.programmes, "programme", "programmes");
  add(c.pillars, "pillar", "pillars");
  add(c.goals, "goal", "goals");
  add(c.partners, "partner", "partners");
  add(c.actions, "action", "actions");
  add(c.results, "result", "results");
  add(c.status_changes, "status change", "status changes");
  add(c.decisions, "decision", "decisions");
  return absl::StrJoin(parts, ", ");
}

std::string SummaryJson(const ImportOptions& options, const importer::ImportPlan& plan,
                        const Outcome& outcome) {
  const importer::ImportCounts& c = plan.counts;
  nlohmann::json json = {
      {"file", options.file},
      {"requests", plan.requests.size()},
      {"appended_requests", outcome.appended_requests},
      {"deduplicated_requests", outcome.deduplicated_requests},
      {"events", c.Events()},
      {"appended_events", outcome.appended_events},
      {"counts",
       {{"programmes", c.programmes},
        {"pillars", c.pillars},
        {"goals", c.goals},
        {"partners", c.partners},
        {"actions", c.actions},
        {"results", c.results},
        {"status_changes", c.status_changes},
        {"decisions", c.decisions}}},
      {"head_position", outcome.head},
  };
  return json.dump();
}

// Prints the file's problems, one per line, and returns the exit status.
int FileProblems(const std::string& file, const absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument) return ServerError(status);
  for (absl::string_view line : absl::StrSplit(status.message(), '\n')) {
    PrintError(absl::StrCat(file, ": ", line));
  }
  return kExitUsage;
}

int DryRun(const ImportOptions& options, const importer::ImportPlan& plan) {
  for (const v1::AppendRequest& request : plan.requests) {
    if (std::optional<int> stop = PrintJsonLine(request, false)) return *stop;
  }
  if (int code = FinishOutput(); code != 0) return code;
  std::cerr << "dry run: " << options.file << " maps to " << plan.requests.size() << " requests, "
            << plan.counts.Events() << " events (" << CountsText(plan.counts)
            << "); nothing was sent" << std::endl;
  return 0;
}

}  // namespace

CLI::App* AddImportCommand(CLI::App& app, ImportOptions* options) {
  CLI::App* command =
      app.add_subcommand("import", "Record a programme file (JSON) as events, idempotently");
  command->add_option("FILE", options->file, "The programme file, e.g. sterk-voor-noord.json")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_flag("--dry-run", options->dry_run,
                    "Check and map the file, print the requests as JSON lines;\n"
                    "send nothing (needs no server)");
  command->add_flag("--json", options->json, "Print the summary as one JSON object");
  command->footer(
      "Reads a file shaped like deploy/demo/sterk-voor-noord.json (programme, pillars with\n"
      "goals, partners, actions, timeline) and appends it through the EventLog API: one\n"
      "atomic request per pillar, partner and action, in that order, then the timeline as\n"
      "decisions. An action's first listed partner becomes its owner, the rest its coalition;\n"
      "its result text and figures become results; its status_code its current status.\n"
      "\n"
      "The whole file is checked first: any problem (unknown sector or status_code, an\n"
      "action whose goal or partner is not in the file, duplicate ids, missing names) is\n"
      "reported with the entry it is in, exit 2, and nothing is sent.\n"
      "\n"
      "Idempotent: event ids are derived from the file's ids, so importing the same file again\n"
      "appends nothing (\"nothing new\"), and re-running an interrupted import resumes it.\n"
      "A server error stops the import with exit 1; requests before it stay recorded.\n"
      "\n"
      "Examples:\n"
      "  wijkboek import deploy/demo/sterk-voor-noord.json\n"
      "  wijkboek import programme.json --dry-run | head -n 3");
  return command;
}

int RunImport(const ImportOptions& options, const ConnectEventLog& connect) {
  std::ifstream in(options.file, std::ios::binary);
  std::stringstream text;
  if (in.is_open()) text << in.rdbuf();
  if (!in.is_open() || in.bad()) {
    PrintError(absl::StrCat("cannot read ", options.file));
    return kExitUsage;
  }
  absl::StatusOr<importer::ImportPlan> plan = importer::PlanImport(text.str());
  if (!plan.ok()) return FileProblems(options.file, plan.status());
  if (options.dry_run) return DryRun(options, *plan);

  std::unique_ptr<client::EventLogClient> client = connect();
  if (client == nullptr) return kExitUsage;

  Outcome outcome;
  const std::size_t total = plan->requests.size();
  for (std::size_t i = 0; i < total; ++i) {
    const v1::AppendRequest& request = plan->requests[i];
    absl::StatusOr<v1::AppendResponse> response = client->Append(request);
    if (!response.ok()) {
      int code = ServerError(response.status());
      PrintError(absl::StrCat(
          "import stopped at request ", i + 1, " of ", total, " (stream ", request.stream(),
          "); nothing of it was stored. Before it: ", outcome.appended_requests, " appended, ",
          outcome.deduplicated_requests, " already there. Run the import again to resume."));
      return code;
    }
    if (response->deduplicated()) {
      ++outcome.deduplicated_requests;
    } else {
      ++outcome.appended_requests;
      outcome.appended_events += request.events_size();
    }
  }
  absl::StatusOr<v1::GetHeadResponse> head = client->GetHead();
  if (!head.ok()) return ServerError(head.status());
  outcome.head = head->position();

  std::string summary;
  if (options.json) {
    summary = SummaryJson(options, *plan, outcome);
  } else if (outcome.appended_requests == 0) {
    summary = absl::StrCat("nothing new: ", total, " requests were already imported ",
                           "(deduplicated); head at position ", outcome.head);
  } else {
    summary = absl::StrCat("imported ", options.file, ": ", CountsText(plan->counts), "\n  ",
                           outcome.appended_events, " events in ", outcome.appended_requests,
                           " requests appended");
    if (outcome.deduplicated_requests > 0) {
      absl::StrAppend(&summary, ", ", outcome.deduplicated_requests,
                      " requests were already there (resumed)");
    }
    absl::StrAppend(&summary, "; head at position ", outcome.head);
  }
  if (std::optional<int> stop = PrintText(summary)) return *stop;
  return 0;
}

}  // namespace wijkboek::cli
