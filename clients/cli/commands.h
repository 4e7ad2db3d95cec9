#pragma once
// What the `wijkboek` command files share: exit codes, output and error reporting, and the
// commands that live in their own files (import_command.cc, views_command.cc,
// replay_command.cc). main.cc wires them.
//
// Threads: the CLI is single-threaded; these write to stdout/stderr.

#include <google/protobuf/message.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/cli/admin_client.h"
#include "clients/cli/as_of_flags.h"
#include "clients/cli/event_log_client.h"
#include "clients/cli/views_client.h"

namespace wijkboek::cli {

constexpr int kExitServerError = 1;
constexpr int kExitUsage = 2;

// `wijkboek: message` on stderr.
void PrintError(absl::string_view message);

// Reports a server error as `wijkboek: CODE: message` (plus a hint for auth and reachability
// errors) and returns kExitServerError.
int ServerError(const absl::Status& status);

// Prints the message as one JSON line on stdout. nullopt when done; otherwise the command must
// stop and exit with the value. A reader that went away (`| head`, EPIPE) ends the command
// quietly with 0.
[[nodiscard]] std::optional<int> PrintJsonLine(const google::protobuf::Message& message,
                                               bool flush);

// Writes `text` to stdout as it is (adding a final newline if it has none); same result as
// PrintJsonLine.
[[nodiscard]] std::optional<int> PrintText(const std::string& text);

// A unary call's answer: the response as one JSON line (0), or the server's error (1).
template <typename Response>
int PrintResponse(const absl::StatusOr<Response>& response) {
  if (!response.ok()) return ServerError(response.status());
  if (std::optional<int> stop = PrintJsonLine(*response, true)) return *stop;
  return 0;
}

// Flushes stdout: 0, or the exit status for a failed write.
int FinishOutput();

// CLI11 reads "-1" into an unsigned as its two's complement; refuse it instead.
extern const CLI::Validator kNotNegative;

// ---- import (import_command.cc) ----------------------------------------------------------------

struct ImportOptions {
  std::string file;
  bool dry_run = false;
  bool json = false;
};

CLI::App* AddImportCommand(CLI::App& app, ImportOptions* options);

// Makes the EventLog client when the command needs the server; nullptr when it cannot (the reason
// already reported, e.g. no token).
using ConnectEventLog = std::function<std::unique_ptr<client::EventLogClient>()>;

// Reads and checks the whole file, then appends it request by request (nothing when it has any
// problem: exit 2). --dry-run prints the requests instead and needs no server.
int RunImport(const ImportOptions& options, const ConnectEventLog& connect);

// ---- views (views_command.cc) ------------------------------------------------------------------

struct ViewsOptions {
  uint64_t min_position = 0;
  std::string id;  // `views partner ID`, `views action ID`
  std::string sector, role;
  bool include_left = false;
  std::string pillar, goal, status, partner, query, page_token;
  uint32_t page_size = 0;
  bool all = false;
  uint32_t stale_days = 0;
  std::string from, to;
  std::string format = "json";
  AsOfFlags as_of;  // --as-of, --as-of-position, --business-date (time travel)
};

// Adds `views` with one subcommand per view.
CLI::App* AddViewsCommand(CLI::App& app, ViewsOptions* options);

// Runs the view chosen under `views_command`; prints the response as one JSON line (the project
// book's Markdown or HTML as it is with --format markdown|html).
int RunViews(const CLI::App& views_command, const client::ViewsClient& client,
             const ViewsOptions& options);

// ---- admin (admin_command.cc) ------------------------------------------------------------------

struct AdminOptions {
  std::string principal_id, role, partner_id;  // principal add; principal_id also for token issue
  std::string expires, output;                 // token issue
  std::string token_id, reason;                // token revoke
  std::string backup_directory;                // backup
  int backup_timeout_seconds = 3600;           // backup
};

// Adds `admin principal add|list`, `admin token issue|revoke` and `admin backup`.
CLI::App* AddAdminCommand(CLI::App& app, AdminOptions* options);

// Runs the subcommand chosen under `admin_command`; prints the response as one JSON line.
int RunAdmin(const CLI::App& admin_command, const client::AdminClient& client,
             const AdminOptions& options);
// ---- audit (audit_command.cc, audit_export.cc) -------------------------------------------------

struct AuditOptions {
  uint64_t from = 0;  // verify, export: first position (0: the start)
  uint64_t to = 0;    // verify, export: last position (0: the head)
  std::string since_head;  // verify, verify-export: a signed head the log must extend
  std::string file;        // verify-export: the export ("-": stdin)
  std::string format = "cloudevents";  // export: cloudevents | json
  std::string source;      // export: the CloudEvents source (default from --server)
};

// Adds verify, verify-export, head and export under `audit` (which main.cc makes).
void AddAuditCommands(CLI::App& audit, AuditOptions* options);

// Runs the command chosen under `audit`. `server` is --server (the default CloudEvents source).
// Exit status: 0 intact (or done), 1 the log or export is broken, 2 usage, input or connection.
int RunAudit(const CLI::App& audit, const AuditOptions& options, const std::string& server,
             const ConnectEventLog& connect);
// Every page of ListActions for `request`'s filters, merged into one response (later pages ask
// for at least the position of the first).
[[nodiscard]] absl::StatusOr<v1::ListActionsResponse> ListAllActions(
    const client::ViewsClient& client, v1::ListActionsRequest request);

// Adds --as-of, --as-of-position and --business-date (at most one) to `command`.
void AddAsOfOptions(CLI::App* command, AsOfFlags* flags);

// ---- audit replay (replay_command.cc) ----------------------------------------------------------

struct ReplayOptions {
  AsOfFlags as_of;
  std::string view;
  std::string format = "markdown";
  std::string pillar;
};

// Adds `replay` under the `audit` command group.
CLI::App* AddReplayCommand(CLI::App& audit, ReplayOptions* options);

// Asks the chosen view as of the bound and prints its report (or JSON). Exit 2 when no bound or
// a malformed one is given (nothing sent).
int RunReplay(const client::ViewsClient& client, const ReplayOptions& options);

}  // namespace wijkboek::cli
