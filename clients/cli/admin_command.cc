// `wijkboek admin principal add|list`, `wijkboek admin token issue|revoke` and
// `wijkboek admin backup`: wijkboek.v1.Admin.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli/commands.h"

namespace wijkboek::cli {
namespace {

std::optional<v1::Role> ParseRole(std::string text) {
  text = absl::AsciiStrToLower(text);
  if (text.rfind("role_", 0) == 0) text.erase(0, 5);
  if (text == "admin") return v1::ROLE_ADMIN;
  if (text == "partner") return v1::ROLE_PARTNER;
  if (text == "auditor") return v1::ROLE_AUDITOR;
  if (text == "dashboard") return v1::ROLE_DASHBOARD;
  return std::nullopt;
}

const CLI::Validator kRole(
    [](std::string& text) {
      return ParseRole(text) ? std::string()
                             : "want admin, partner, auditor or dashboard, not " + text;
    },
    "");

// "2027-01-01" (midnight UTC), "2027-01-01T12:00:00Z" (RFC 3339) or a duration from now: "90d",
// "12h", "30m".
absl::StatusOr<absl::Time> ParseExpiry(const std::string& text, absl::Time now) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return t;
  if (absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &t, &err)) return t;
  if (text.size() >= 2) {
    std::int64_t n = 0;
    char unit = text.back();
    if (absl::SimpleAtoi(text.substr(0, text.size() - 1), &n) && n > 0) {
      if (unit == 'd') return now + absl::Hours(24 * n);
      if (unit == 'h') return now + absl::Hours(n);
      if (unit == 'm') return now + absl::Minutes(n);
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--expires: '", text,
                   "' is not a date (2027-01-01), a time (2027-01-01T12:00:00Z) or a duration "
                   "(90d, 12h, 30m)"));
}

// Writes the secret to `path`, readable by the owner only; refuses to overwrite.
absl::Status WriteSecret(const std::string& path, const std::string& token) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno),
                     " (an existing file is never overwritten)"));
  }
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

int RunIssue(const client::AdminClient& client, const AdminOptions& options) {
  v1::IssueTokenRequest request;
  request.set_principal_id(options.principal_id);
  if (!options.output.empty() && ::access(options.output.c_str(), F_OK) == 0) {
    PrintError(absl::StrCat(options.output, " exists; a token file is never overwritten (nothing "
                            "was issued)"));
    return kExitUsage;
  }
  if (!options.expires.empty()) {
    absl::StatusOr<absl::Time> expires = ParseExpiry(options.expires, absl::Now());
    if (!expires.ok()) {
      PrintError(expires.status().message());
      return kExitUsage;
    }
    request.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(*expires));
  }
  absl::StatusOr<v1::IssueTokenResponse> response = client.IssueToken(request);
  if (!response.ok()) return ServerError(response.status());
  if (!options.output.empty()) {
    if (absl::Status s = WriteSecret(options.output, response->token()); !s.ok()) {
      PrintError(absl::StrCat(s.message(), "; token ", response->token_id(),
                              " was issued but its secret is lost: revoke it"));
      return kExitServerError;
    }
    response->clear_token();
    PrintError(absl::StrCat("token ", response->token_id(), " written to ", options.output));
  } else {
    PrintError("this is the only time the token is shown; keep it somewhere safe");
  }
  return PrintResponse(response);
}

}  // namespace

CLI::App* AddAdminCommand(CLI::App& app, AdminOptions* options) {
  CLI::App* admin =
      app.add_subcommand("admin", "Principals, tokens and backups (admin principals only)");
  admin->require_subcommand(1);
  admin->footer(
      "Every change is an event in the log (stream principal-<id>), so auditors see who was\n"
      "given access when; a token's secret is shown once and stored nowhere.\n"
      "\n"
      "Examples:\n"
      "  wijkboek admin principal add vidomes-crm --role partner --partner vidomes\n"
      "  wijkboek admin token issue vidomes-crm --expires 365d --output vidomes.token\n"
      "  wijkboek admin principal list\n"
      "  wijkboek admin token revoke tok-3f9a0c1d2e4b5a69 --reason 'laptop lost'\n"
      "  wijkboek admin backup /var/backups/wijkboek/2026-11-23");

  CLI::App* principal = admin->add_subcommand("principal", "Register or list principals");
  principal->require_subcommand(1);
  CLI::App* add = principal->add_subcommand("add", "Register a principal");
  add->add_option("id", options->principal_id,
                  "Principal id: lowercase letters, digits and hyphens (at most 64)")
      ->required();
  add->add_option("--role", options->role, "admin, partner, auditor or dashboard")
      ->required()
      ->check(kRole);
  add->add_option("--partner", options->partner_id,
                  "For --role partner: the partner id it writes as (a current partner)")
      ->type_name("ID");
  add->footer(
      "Roles: admin (programme structure, partners, credentials), partner (writes as its\n"
      "partner, on actions it owns or has joined), auditor (reads and verifies the whole log),\n"
      "dashboard (reads views, subscribes). Prints the RegisterPrincipalResponse.");
  principal->add_subcommand("list", "Every principal with its tokens (ids, never secrets)");

  CLI::App* token = admin->add_subcommand("token", "Issue or revoke tokens");
  token->require_subcommand(1);
  CLI::App* issue = token->add_subcommand("issue", "Issue a new token to a principal");
  issue->add_option("principal", options->principal_id, "The principal it is for")->required();
  issue->add_option("--expires", options->expires,
                    "When it stops working: 2027-01-01, 2027-01-01T12:00:00Z,\n"
                    "or a duration from now (90d, 12h, 30m); default: never")
      ->type_name("WHEN");
  issue->add_option("--output", options->output,
                    "Write the secret to FILE (mode 0600, never overwritten)\n"
                    "instead of printing it")
      ->type_name("FILE");
  issue->footer("Prints the IssueTokenResponse: token (the secret, shown once), token_id, position.");
  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token: it stops working at once");
  revoke->add_option("token_id", options->token_id, "The token's id (tok-...)")->required();
  revoke->add_option("--reason", options->reason, "Recorded in the TokenRevoked event");

  CLI::App* backup = admin->add_subcommand(
      "backup", "A consistent copy of the server's log into a new directory on its machine");
  backup->add_option("directory", options->backup_directory,
                     "Absolute path on the server's machine; must not exist or be empty")
      ->required();
  backup->add_option("--timeout", options->backup_timeout_seconds,
                     "Seconds to wait for the backup to finish")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  backup->footer(
      "Writers keep appending while it runs. The directory gets the log (a RocksDB checkpoint:\n"
      "hard links on the data directory's filesystem, else copies), admin.token.sha256 and\n"
      "signed-heads.jsonl; never the secrets admin.token, dashboard.token, head-signing.key.\n"
      "Prints the BackupResponse: directory, position (the last event it holds), head_hash,\n"
      "bytes.\n"
      "Restore on the server's machine with: wijkboekd --restore-from DIR --data-dir NEW\n"
      "\n"
      "Example:\n"
      "  wijkboek admin backup /var/backups/wijkboek/$(date +%F)");
  return admin;
}

int RunAdmin(const CLI::App& admin_command, const client::AdminClient& client,
             const AdminOptions& options) {
  const CLI::App* principal = admin_command.get_subcommand("principal");
  if (principal->parsed()) {
    if (principal->get_subcommand("add")->parsed()) {
      v1::RegisterPrincipalRequest request;
      request.set_principal_id(options.principal_id);
      request.set_role(*ParseRole(options.role));
      request.set_partner_id(options.partner_id);
      return PrintResponse(client.RegisterPrincipal(request));
    }
    return PrintResponse(client.ListPrincipals(v1::ListPrincipalsRequest()));
  }
  if (admin_command.get_subcommand("backup")->parsed()) {
    v1::BackupRequest request;
    request.set_directory(options.backup_directory);
    return PrintResponse(client.Backup(
        request, client::Clock::now() + std::chrono::seconds(options.backup_timeout_seconds)));
  }
  const CLI::App* token = admin_command.get_subcommand("token");
  if (token->get_subcommand("issue")->parsed()) return RunIssue(client, options);
  v1::RevokeTokenRequest request;
  request.set_token_id(options.token_id);
  request.set_reason(options.reason);
  return PrintResponse(client.RevokeToken(request));
}

}  // namespace wijkboek::cli
