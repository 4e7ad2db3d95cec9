// `wijkboek audit verify|verify-export|head|export`: proof that the log was not rewritten, for the
// board, the council's researchers and accountants. This file registers them and runs `verify`
// (online, through the Verify RPC) and `head`; audit_export.cc runs `export` and `verify-export`.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "clients/cli/audit_support.h"
#include "services/audit/digest.h"
#include "services/audit/signed_head.h"

namespace wijkboek::cli {
namespace {

// Verify asks the server to read this many events per call: small enough to report progress and
// to fit each call in --timeout, large enough that the calls cost nothing next to the reading.
constexpr std::uint64_t kVerifyChunk = 20000;

// `audit verify`: the server recomputes the chain in chunks; with --since-head a chunk ends at the
// signed head's position and the hash there must be the signed one.
int RunVerify(const client::EventLogClient& client, const AuditOptions& options) {
  std::optional<v1::SignedHead> since;
  if (!options.since_head.empty()) {
    since = LoadSignedHead(options.since_head);
    if (!since) return kExitCannotCheck;
  }
  absl::StatusOr<v1::GetHeadResponse> head = client.GetHead();
  if (!head.ok()) return AuditServerError(head.status());
  const std::uint64_t from = std::max<std::uint64_t>(options.from, 1);
  const std::uint64_t to = options.to == 0 ? head->position() : options.to;
  if (to > head->position()) {
    PrintError(absl::StrCat("--to ", to, " lies past the head of the log, position ",
                            head->position()));
    return kExitCannotCheck;
  }
  if (from > to && to != 0) {
    PrintError(options.to == 0 ? absl::StrCat("--from ", from, " lies past the head of the log, position ", to)
                               : absl::StrCat("--from ", from, " is after --to ", to));
    return kExitCannotCheck;
  }
  if (since && since->position() > head->position()) {
    PrintError(absl::StrCat("the log ends at position ", head->position(), ", before the signed head at ",
                            audit::DescribeSignedHead(*since), ": events were removed"));
    return kExitBroken;
  }
  if (since && since->position() != 0 && (since->position() < from || since->position() > to)) {
    PrintError(absl::StrCat("the signed head's position ", since->position(),
                            " lies outside --from ", from, " --to ", to, ": include it"));
    return kExitCannotCheck;
  }

  v1::VerifyResponse total;
  total.set_ok(true);
  Progress progress("verified");
  for (std::uint64_t chunk_from = from; chunk_from <= to;) {
    std::uint64_t chunk_to = std::min(to, chunk_from + kVerifyChunk - 1);
    if (since && since->position() >= chunk_from && since->position() < chunk_to) {
      chunk_to = since->position();
    }
    v1::VerifyRequest request;
    request.set_from_position(chunk_from);
    request.set_to_position(chunk_to);
    absl::StatusOr<v1::VerifyResponse> chunk = client.Verify(request);
    if (!chunk.ok()) return AuditServerError(chunk.status());
    total.set_checked(total.checked() + chunk->checked());
    if (!chunk->ok()) {
      total.set_ok(false);
      total.set_first_bad_position(chunk->first_bad_position());
      total.set_reason(chunk->reason());
      break;
    }
    if (since && chunk_to == since->position()) {
      if (absl::Status s = audit::CheckHashAtSignedHead(*since, chunk->head_hash()); !s.ok()) {
        total.set_ok(false);
        total.set_checked(total.checked() - 1);  // the event at chunk_to is the bad one
        total.set_first_bad_position(chunk_to);
        total.set_reason(std::string(s.message()));
        break;
      }
    }
    total.set_to_position(chunk_to);
    total.set_head_hash(chunk->head_hash());
    progress.Update(total.checked(), chunk_to, to);
    chunk_from = chunk_to + 1;
  }
  if (!total.ok()) {
    total.clear_to_position();
    total.clear_head_hash();
  }
  return ReportVerdict(total, absl::StrCat("the log from position ", from, " to ", to), since,
                       progress.seconds());
}

// `audit head`: the signed head, checked before it is printed, so that what an auditor keeps is
// known to verify.
int RunHead(const client::EventLogClient& client) {
  absl::StatusOr<v1::SignedHead> head = client.GetSignedHead();
  if (!head.ok()) return AuditServerError(head.status());
  if (absl::Status s = audit::CheckSignedHead(*head); !s.ok()) {
    PrintError(absl::StrCat("the server sent a signed head that does not check: ", s.message()));
    return kExitBroken;
  }
  if (std::optional<int> stop = PrintJsonLine(*head, true)) return *stop;
  std::cerr << "wijkboek: signed head at " << audit::DescribeSignedHead(*head)
            << "; keep this line: `wijkboek audit verify --since-head FILE` proves later that the "
               "log still extends it"
            << std::endl;
  return kExitIntact;
}

void AddRange(CLI::App* command, AuditOptions* options) {
  command->add_option("--from", options->from, "First position (default: 1)")
      ->check(kNotNegative);
  command->add_option("--to", options->to, "Last position (default: the head)")
      ->check(kNotNegative);
}

}  // namespace

int AuditServerError(const absl::Status& status) {
  ServerError(status);
  return kExitCannotCheck;
}

std::optional<v1::SignedHead> LoadSignedHead(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    PrintError(absl::StrCat("cannot read the signed head file ", path));
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<v1::SignedHead> head = audit::ParseSignedHead(text.str());
  absl::Status checked = head.ok() ? audit::CheckSignedHead(*head) : head.status();
  if (!checked.ok()) {
    PrintError(absl::StrCat(path, ": ", checked.message()));
    return std::nullopt;
  }
  return *std::move(head);
}

int ReportVerdict(const v1::VerifyResponse& verdict, const std::string& what,
                  const std::optional<v1::SignedHead>& since_head, double seconds) {
  if (std::optional<int> stop = PrintJsonLine(verdict, true)) return *stop;
  if (!verdict.ok()) {
    if (verdict.first_bad_position() != 0) {
      PrintError(absl::StrCat("BROKEN at position ", verdict.first_bad_position(), ": ",
                              verdict.reason()));
    } else {
      PrintError(absl::StrCat("NOT VERIFIED: ", verdict.reason()));
    }
    return kExitBroken;
  }
  std::string message = absl::StrCat("intact: ", what, " (", verdict.checked(),
                                     " events checked in ", FormatSeconds(seconds), ")");
  if (since_head) {
    absl::StrAppend(&message, "; it extends the signed head at ",
                    audit::DescribeSignedHead(*since_head));
  }
  PrintError(message);
  return kExitIntact;
}

Progress::Progress(std::string verb) : verb_(std::move(verb)) {}

void Progress::Update(std::uint64_t events, std::uint64_t position, std::uint64_t head) {
  if (Clock::now() - last_ < std::chrono::seconds(2)) return;
  last_ = Clock::now();
  std::cerr << "wijkboek: " << verb_ << " " << events << " events (at position " << position
            << (head != 0 ? absl::StrCat(" of ", head) : "") << ")" << std::endl;
}

std::string FormatSeconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", seconds);
  return text;
}

double Progress::seconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

constexpr char kExitStatus[] =
    "\n"
    "Exit status: 0 intact, 1 broken (`wijkboek: BROKEN at position N: why` on stderr),\n"
    "2 bad usage or input, or no connection (nothing could be checked).";

void AddAuditCommands(CLI::App& audit, AuditOptions* options) {
  audit.footer(
      "Exit status of every audit command: 0 intact (or done), 1 the log or the export is\n"
      "broken (the first bad position is named), 2 bad usage or input, or no connection.");

  CLI::App* verify = audit.add_subcommand(
      "verify", "Have the server recompute the hash chain and check every stored event");
  AddRange(verify, options);
  verify
      ->add_option("--since-head", options->since_head,
                   "A signed head kept earlier (`audit head` output, or the server's\n"
                   "signed-heads.jsonl): the log must still hold its hash at its position")
      ->type_name("FILE");
  verify->footer(
      "Per position the server checks: the stored hash is SHA-256(prev_hash || envelope bytes),\n"
      "prev_hash is the hash before it, the envelope names this position (no event moved or\n"
      "swapped), and the streams and event_ids indexes point back at it. It reads the log in\n"
      "chunks of 20,000 events, each within --timeout; progress goes to stderr. Prints the\n"
      "verdict as a VerifyResponse JSON line.\n"
      "A rewrite that rehashed the whole chain is consistent in itself: only --since-head with a\n"
      "head signed before the rewrite catches it.\n"
      "\n"
      "Examples:\n"
      "  wijkboek audit verify\n"
      "  wijkboek audit verify --from 1000 --to 2000\n"
      "  wijkboek audit verify --since-head head-2026-11-01.json\n" +
      std::string(kExitStatus));

  CLI::App* verify_export = audit.add_subcommand(
      "verify-export", "Verify an export offline, from the file alone (no server, no token)");
  verify_export->add_option("FILE", options->file, "The export (`-`: stdin)")->required();
  verify_export->add_option("--since-head", options->since_head,
                            "A signed head the export must extend (its position must be in it)")
      ->type_name("FILE");
  verify_export->footer(
      "Recomputes the hash chain from the envelope bytes in each line and checks that every\n"
      "readable field (id, subject, position, revision, type, time, recordedby, data, ...)\n"
      "says exactly what those bytes say. Works for both export formats. Prints the verdict as\n"
      "one JSON line; names the first bad position and line.\n"
      "\n"
      "Example:\n"
      "  wijkboek audit export > log.jsonl && wijkboek audit verify-export log.jsonl\n" +
      std::string(kExitStatus));

  CLI::App* head = audit.add_subcommand("head", "Print the log's head, signed by the server");
  head->footer(
      "Prints a SignedHead as one JSON line: position, hash, signed_at, the server's Ed25519\n"
      "public key and key_id, and the signature over\n"
      "  \"wijkboek signed head v1\\nposition=<position>\\nhash=<hex>\\nsigned_at=<unix micros>\\n\".\n"
      "Keep it somewhere the server cannot reach; later, `audit verify --since-head FILE` (or\n"
      "`audit verify-export --since-head FILE`) proves the log still extends it. The server also\n"
      "signs its head every minute when it moved, into <data-dir>/signed-heads.jsonl.\n"
      "\n"
      "Example:\n"
      "  wijkboek audit head > head-$(date +%F).json");

  CLI::App* export_cmd = audit.add_subcommand(
      "export", "Write the log as JSON lines (CloudEvents 1.0), verifiable offline");
  AddRange(export_cmd, options);
  export_cmd->add_option("--format", options->format, "cloudevents or json")
      ->check(CLI::IsMember({"cloudevents", "json"}))
      ->capture_default_str();
  export_cmd->add_option("--source", options->source,
                         "CloudEvents source (default: wijkboek://<--server>)")
      ->type_name("URI");
  export_cmd->footer(
      "Streams one event per line to stdout, in constant memory, with progress on stderr.\n"
      "cloudevents: specversion, id (event_id), source, type (wijkboek.v1.<Type>), subject\n"
      "(stream), time (recorded_at), datacontenttype, data (the event as protobuf JSON), and\n"
      "the extensions position, revision, recordedby, hash, prevhash (hex) and envelope\n"
      "(base64 of the exact hashed bytes; metadata travels in it).\n"
      "json: each Event message as protobuf JSON, envelope included.\n"
      "\n"
      "Examples:\n"
      "  wijkboek audit export > log.jsonl\n"
      "  wijkboek audit export --from 1000 --to 1999 --format json > part.jsonl");
}

int RunAudit(const CLI::App& audit, const AuditOptions& options, const std::string& server,
             const ConnectEventLog& connect) {
  // verify-export needs neither a server nor a token.
  if (audit.got_subcommand("verify-export")) return RunVerifyExport(options);
  std::unique_ptr<client::EventLogClient> client = connect();
  if (client == nullptr) return kExitCannotCheck;
  if (audit.got_subcommand("verify")) return RunVerify(*client, options);
  if (audit.got_subcommand("head")) return RunHead(*client);
  return RunExport(*client, options, server);
}

}  // namespace wijkboek::cli
