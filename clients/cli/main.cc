// wijkboek: the command-line client of the wijkboek event log (append, read, subscribe, head) and
// its views (views ...), the programme importer (import) and the auditors' tools (audit ...).
//
// Exit status: 0 success; 1 the server answered with an error, could not be reached, or the output
// could not be written; 2 bad usage or bad input (nothing was sent). Output is JSON lines on
// stdout; diagnostics on stderr.

#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/channel.h"
#include "clients/cli/cli_support.h"
#include "clients/cli/commands.h"
#include "clients/cli/event_log_client.h"
#include "clients/cli/views_client.h"

namespace wijkboek::cli {
namespace {

constexpr char kDefaultServer[] = "127.0.0.1:50051";

struct GlobalOptions {
  client::ChannelOptions connection;  // server: kDefaultServer unless given
  std::string token_file;
  double timeout_seconds = 10;
};

struct AppendOptions {
  std::string stream;
  std::string expected;
  std::string file;
};

struct ReadOptions {
  std::string stream;
  uint64_t from = 0;
  uint32_t limit = 0;
  bool backwards = false;
};

struct SubscribeOptions {
  uint64_t from = 1;
  std::vector<std::string> stream_prefixes;
  std::vector<std::string> types;
  uint64_t count = 0;  // 0: no limit
  bool until_caught_up = false;
  bool verbose = false;
};

int RunAppend(const client::EventLogClient& client, const AppendOptions& options) {
  absl::StatusOr<v1::ExpectedRevision> expected = ParseExpectedRevision(options.expected);
  if (!expected.ok()) {
    PrintError(expected.status().message());
    return kExitUsage;
  }
  absl::StatusOr<std::vector<v1::ProposedEvent>> events;
  if (options.file.empty() || options.file == "-") {
    if (isatty(STDIN_FILENO)) PrintError("reading JSON lines from stdin; end with Ctrl-D");
    events = ReadProposedEvents(std::cin);
  } else {
    std::ifstream in(options.file);
    if (!in) {
      PrintError(absl::StrCat("cannot read ", options.file));
      return kExitUsage;
    }
    events = ReadProposedEvents(in);
  }
  if (!events.ok()) {
    PrintError(events.status().message());
    return kExitUsage;
  }

  v1::AppendRequest request;
  request.set_stream(options.stream);
  *request.mutable_expected_revision() = *expected;
  for (v1::ProposedEvent& event : *events) *request.add_events() = std::move(event);
  return PrintResponse(client.Append(request));
}

int RunRead(const client::EventLogClient& client, const ReadOptions& options) {
  v1::ReadRequest request;
  request.set_stream(options.stream);
  request.set_from(options.from);
  request.set_limit(options.limit);
  request.set_backwards(options.backwards);
  std::unique_ptr<client::StreamReader<v1::Event>> stream = client.Read(request);
  v1::Event event;
  while (stream->Next(&event)) {
    if (std::optional<int> stop = PrintJsonLine(event, false)) return *stop;
  }
  if (int code = FinishOutput(); code != 0) return code;
  absl::Status status = stream->Finish();
  if (!status.ok()) return ServerError(status);
  return 0;
}

int RunSubscribe(const client::EventLogClient& client, const SubscribeOptions& options) {
  v1::SubscribeRequest request;
  request.set_from_position(options.from);
  for (const std::string& prefix : options.stream_prefixes) {
    request.mutable_filter()->add_stream_prefixes(prefix);
  }
  for (const std::string& type : options.types) request.mutable_filter()->add_event_types(type);
  // Leaving early destroys the stream, which cancels the call.
  std::unique_ptr<client::StreamReader<v1::SubscribeResponse>> stream = client.Subscribe(request);
  v1::SubscribeResponse message;
  uint64_t events_seen = 0;
  while (stream->Next(&message)) {
    switch (message.message_case()) {
      case v1::SubscribeResponse::kEvent:
        // Flush each line: a subscriber is usually piped into something that reacts live.
        if (std::optional<int> stop = PrintJsonLine(message.event(), true)) return *stop;
        if (options.count != 0 && ++events_seen >= options.count) return 0;
        break;
      case v1::SubscribeResponse::kCaughtUp:
        std::cerr << "# caught up at position " << message.caught_up() << std::endl;
        if (options.until_caught_up) return 0;
        break;
      case v1::SubscribeResponse::kCheckpoint:
        if (options.verbose) std::cerr << "# checkpoint " << message.checkpoint() << std::endl;
        break;
      default:
        break;  // a newer server's marker: not ours to interpret
    }
  }
  absl::Status status = stream->Finish();
  if (!status.ok()) return ServerError(status);
  return 0;
}

int RunHead(const client::EventLogClient& client) { return PrintResponse(client.GetHead()); }

// --token-file wins over WIJKBOEK_TOKEN. Empty on error (already reported).
std::string ResolveToken(const GlobalOptions& options) {
  if (!options.token_file.empty()) {
    absl::StatusOr<std::string> token = ReadTokenFile(options.token_file);
    if (!token.ok()) {
      PrintError(token.status().message());
      return "";
    }
    return *token;
  }
  if (const char* env = std::getenv("WIJKBOEK_TOKEN"); env != nullptr) {
    std::string token(absl::StripAsciiWhitespace(env));
    if (!token.empty()) return token;
  }
  PrintError(
      "no token: pass --token-file FILE (the server writes its admin token to "
      "<data-dir>/admin.token) or set WIJKBOEK_TOKEN to the token itself");
  return "";
}

constexpr char kDescription[] =
    "wijkboek: command-line client of the wijkboek event log.\n"
    "Output is one JSON object per line (protobuf JSON mapping with snake_case names;\n"
    "64-bit numbers are strings, bytes base64, fields with default values left out).\n"
    "Exit status: 0 ok; 1 server error, printed as `wijkboek: CODE: message`, or output\n"
    "not writable; 2 usage or input error (nothing was sent).";

constexpr char kFooter[] =
    "Examples:\n"
    "  export WIJKBOEK_SERVER=127.0.0.1:50051\n"
    "  export WIJKBOEK_TOKEN=\"$(cat /var/lib/wijkboek/admin.token)\"\n"
    "  wijkboek head\n"
    "  wijkboek read --stream action-taalmaatjes\n"
    "  wijkboek append --stream action-taalmaatjes --expected no-stream --file events.jsonl\n"
    "  wijkboek subscribe --stream-prefix action- --until-caught-up\n"
    "  wijkboek import deploy/demo/sterk-voor-noord.json\n"
    "  wijkboek views project-book --format markdown\n"
    "  wijkboek --server wijkboek.example.org:50051 --tls-ca ca.pem head   # over TLS\n"
    "  wijkboek audit verify\n"
    "  wijkboek audit replay --as-of 2024-06-30 --view project-book --format markdown\n"
    "Run `wijkboek COMMAND --help` for a command's options.";

const CLI::Validator kAboveZero(
    [](std::string& text) {
      char* end = nullptr;
      double value = std::strtod(text.c_str(), &end);
      bool ok = end != text.c_str() && *end == '\0' && value > 0;
      return ok ? std::string() : std::string("must be a number above 0");
    },
    "");

void AddGlobalOptions(CLI::App& app, GlobalOptions* options) {
  client::ChannelOptions& connection = options->connection;
  connection.server = kDefaultServer;
  app.add_option("--server", connection.server, "Server address")
      ->type_name("HOST:PORT")
      ->envname("WIJKBOEK_SERVER")
      ->default_str(kDefaultServer);
  app.add_flag("--tls", connection.tls,
               "Connect over TLS, trusting the system's CAs\n(implied by the --tls-* options)")
      ->envname("WIJKBOEK_TLS");
  app.add_option("--tls-ca", connection.tls_ca,
                 "Connect over TLS and trust the CA(s) in this\nPEM file (e.g. a test CA)")
      ->type_name("FILE")
      ->envname("WIJKBOEK_TLS_CA");
  app.add_option("--tls-cert", connection.tls_cert,
                 "Client certificate (PEM) for a server that\nrequires mutual TLS; needs --tls-key")
      ->type_name("FILE")
      ->envname("WIJKBOEK_TLS_CERT");
  app.add_option("--tls-key", connection.tls_key, "The client certificate's private key (PEM)")
      ->type_name("FILE")
      ->envname("WIJKBOEK_TLS_KEY");
  app.add_option("--tls-server-name", connection.tls_server_name,
                 "Expect this name in the server's certificate\ninstead of the host of --server")
      ->type_name("NAME")
      ->envname("WIJKBOEK_TLS_SERVER_NAME");
  app.add_option("--token-file", options->token_file,
                 "File whose first line is the bearer token;\n"
                 "without it, env WIJKBOEK_TOKEN holds the token itself")
      ->type_name("FILE");
  app.add_option("--timeout", options->timeout_seconds,
                 "Deadline of unary calls (append, head, views,\neach request of an import)")
      ->type_name("SECONDS")
      ->check(kAboveZero)
      ->capture_default_str();
}

CLI::App* AddAppendCommand(CLI::App& app, AppendOptions* options) {
  CLI::App* command = app.add_subcommand("append", "Append events to one stream, atomically");
  command->add_option("--stream", options->stream, "Stream to append to")->required();
  command
      ->add_option("--expected", options->expected,
                   "any (no check), no-stream (must not exist yet), exists,\n"
                   "or N (revision of the stream's last event); a mismatch fails with ABORTED")
      ->type_name("any|no-stream|exists|N")
      ->required()
      ->check(CLI::Validator(
          [](std::string& text) {
            return ParseExpectedRevision(text).ok()
                       ? std::string()
                       : "want any, no-stream, exists or a revision number, not " + text;
          },
          ""));
  command->add_option("--file", options->file, "Read the JSON lines from FILE instead of stdin")
      ->type_name("FILE");
  command->footer(
      "Reads ProposedEvents as JSON lines from stdin or --file; blank lines are skipped and\n"
      "all lines form one request. Prints the AppendResponse as one JSON line.\n"
      "A line without event_id gets a random UUIDv4: give explicit event_ids if you may\n"
      "retry, so that a retry is deduplicated instead of appended twice. A line that does\n"
      "not parse is reported with its number and nothing is sent.\n"
      "The stream must match the payload: action events go to action-<action_id>,\n"
      "partner events to partner-<partner_id>, and so on (see events.proto).\n"
      "\n"
      "Example:\n"
      "  echo '{\"event_id\":\"6f1c0a52-3f7e-4c59-9d1a-2b8e5f4c7a10\",\"payload\":\n"
      "    {\"action_started\":{\"action_id\":\"taalmaatjes\",\"goal_id\":\"jo-leerachterstanden-"
      "ingelopen\",\n"
      "    \"title\":\"Taalmaatjes\",\"owner_partner_id\":\"bibliotheek\"}},\"metadata\":"
      "{\"source\":\"cli\"}}' \\\n"
      "  | wijkboek append --stream action-taalmaatjes --expected no-stream\n"
      "  {\"first_position\":\"1\",\"last_position\":\"1\",\"stream_revision\":\"1\"}");
  return command;
}

CLI::App* AddReadCommand(CLI::App& app, ReadOptions* options) {
  CLI::App* command =
      app.add_subcommand("read", "Print events: the whole log by position, or one stream");
  command->add_option("--stream", options->stream, "Read only this stream (default: whole log)")
      ->type_name("S");
  command
      ->add_option("--from", options->from,
                   "First position (whole log) or revision (--stream), inclusive;\n"
                   "0 = the start, or with --backwards the end")
      ->check(kNotNegative)
      ->capture_default_str();
  command->add_option("--limit", options->limit, "At most N events; 0 = no limit")
      ->check(kNotNegative)
      ->capture_default_str();
  command->add_flag("--backwards", options->backwards, "Newest first");
  command->footer(
      "Prints one Event per line as JSON.\n"
      "\n"
      "Examples:\n"
      "  wijkboek read                                  # the whole log\n"
      "  wijkboek read --stream action-taalmaatjes --from 2\n"
      "  wijkboek read --backwards --limit 5            # the last five events");
  return command;
}

CLI::App* AddSubscribeCommand(CLI::App& app, SubscribeOptions* options) {
  CLI::App* command = app.add_subcommand("subscribe", "Follow the log: history, then live events");
  command
      ->add_option("--from", options->from,
                   "First position: 1 = everything, N = from position N,\n"
                   "0 = only new events")
      ->check(kNotNegative)
      ->capture_default_str();
  command
      ->add_option("--stream-prefix", options->stream_prefixes,
                   "Only streams starting with P (repeatable: any of them)")
      ->type_name("P")
      ->allow_extra_args(false);
  command
      ->add_option("--type", options->types,
                   "Only events of type T, e.g. ResultRecorded (repeatable)")
      ->type_name("T")
      ->allow_extra_args(false);
  command->add_option("--count", options->count, "Exit 0 after N events")
      ->type_name("N")
      ->check(kAboveZero);
  command->add_flag("--until-caught-up", options->until_caught_up,
                    "Exit 0 once history is delivered");
  command->add_flag("--verbose", options->verbose, "Also print checkpoints to stderr");
  command->footer(
      "Prints each Event as one JSON line, flushed at once. Markers go to stderr:\n"
      "`# caught up at position N` when history is delivered and live events follow,\n"
      "`# checkpoint N` (only with --verbose). Runs until interrupted, unless --count or\n"
      "--until-caught-up ends it.\n"
      "\n"
      "Examples:\n"
      "  wijkboek subscribe --stream-prefix action- --type ResultRecorded\n"
      "  wijkboek subscribe --until-caught-up > everything.jsonl\n"
      "  wijkboek subscribe --from 0 --count 1         # wait for the next event");
  return command;
}

CLI::App* AddHeadCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("head", "Print the position and hash of the last event");
  command->footer(
      "Prints the GetHeadResponse as JSON; the hash is base64. An empty log has no position.\n"
      "\n"
      "Example:\n"
      "  wijkboek head\n"
      "  {\"position\":\"42\",\"hash\":\"3q2+7w...\"}");
  return command;
}

int Main(int argc, char** argv) {
  // A closed stdout (`wijkboek read | head`) must end us quietly, not kill us with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app(kDescription, "wijkboek");
  app.footer(kFooter);
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the command
  app.get_formatter()->column_width(30);

  GlobalOptions global;
  AppendOptions append;
  ReadOptions read;
  SubscribeOptions subscribe;
  ImportOptions import;
  ViewsOptions views;
  AdminOptions admin;
  ReplayOptions replay;
  AddGlobalOptions(app, &global);
  CLI::App* append_cmd = AddAppendCommand(app, &append);
  CLI::App* read_cmd = AddReadCommand(app, &read);
  CLI::App* subscribe_cmd = AddSubscribeCommand(app, &subscribe);
  AddHeadCommand(app);
  CLI::App* import_cmd = AddImportCommand(app, &import);
  CLI::App* views_cmd = AddViewsCommand(app, &views);
  CLI::App* admin_cmd = AddAdminCommand(app, &admin);
  AuditOptions audit;
  CLI::App* audit_cmd = app.add_subcommand(
      "audit", "For auditors: verify, sign, export and replay the log's history");
  audit_cmd->require_subcommand(1);
  AddAuditCommands(*audit_cmd, &audit);
  CLI::App* replay_cmd = AddReplayCommand(*audit_cmd, &replay);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints the help, or the error and a pointer to --help
    return code == 0 ? 0 : kExitUsage;
  }

  const auto timeout =
      std::chrono::milliseconds(static_cast<int64_t>(global.timeout_seconds * 1000));
  // nullptr when the TLS files are unusable (reported).
  auto channel = [&]() -> std::shared_ptr<grpc::Channel> {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> made = client::MakeChannel(global.connection);
    if (made.ok()) return *made;
    PrintError(made.status().message());
    return nullptr;
  };
  // nullptr when there is no token or the TLS files are unusable (reported).
  const ConnectEventLog connect = [&]() -> std::unique_ptr<client::EventLogClient> {
    std::string token = ResolveToken(global);
    if (token.empty()) return nullptr;
    std::shared_ptr<grpc::Channel> connection = channel();
    if (connection == nullptr) return nullptr;
    return std::make_unique<client::EventLogClient>(connection, std::move(token), timeout);
  };
  // The importer checks its file (and a dry run ends) before it needs a token or a channel.
  if (*import_cmd) return RunImport(import, connect);
  // verify-export needs no token; the audit commands exit 2 when they cannot check.
  if (*audit_cmd && !*replay_cmd) {
    return RunAudit(*audit_cmd, audit, global.connection.server, connect);
  }

  std::string token = ResolveToken(global);
  if (token.empty()) return kExitUsage;
  std::shared_ptr<grpc::Channel> connection = channel();
  if (connection == nullptr) return kExitUsage;
  if (*views_cmd) {
    return RunViews(*views_cmd, client::ViewsClient(connection, std::move(token), timeout), views);
  }
  if (*admin_cmd) {
    return RunAdmin(*admin_cmd, client::AdminClient(connection, std::move(token), timeout), admin);
  }
  if (*admin_cmd) {
    return RunAdmin(*admin_cmd, client::AdminClient(connection, std::move(token), timeout), admin);
  }
  if (*replay_cmd) {
    // Replaying a long log takes a while: without --timeout, as long as the server allows.
    const bool timeout_given = app.get_option("--timeout")->count() > 0;
    return RunReplay(client::ViewsClient(connection, std::move(token),
                                         timeout_given ? timeout : std::chrono::minutes(10)),
                     replay);
  }
  client::EventLogClient client(connection, std::move(token), timeout);

  if (*append_cmd) return RunAppend(client, append);
  if (*read_cmd) return RunRead(client, read);
  if (*subscribe_cmd) return RunSubscribe(client, subscribe);
  return RunHead(client);
}

}  // namespace
}  // namespace wijkboek::cli

int main(int argc, char** argv) { return wijkboek::cli::Main(argc, argv); }
