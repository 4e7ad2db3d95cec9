#pragma once
// What the `wijkboek audit` commands share (audit_command.cc: verify, head; audit_export.cc:
// export, verify-export): exit statuses, signed-head files, the verdict and progress on stderr.
//
// Threads: the CLI is single-threaded.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "clients/cli/commands.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace wijkboek::cli {

constexpr int kExitIntact = 0;
constexpr int kExitBroken = 1;
constexpr int kExitCannotCheck = 2;

// A server error for an audit command: printed like any other, but exit 2 (nothing was found
// broken; the check could not be made).
int AuditServerError(const absl::Status& status);

// The signed head in `path` (as `audit head` prints it, or the server's signed-heads.jsonl: its
// last line), with its signature checked. nullopt after printing why.
std::optional<v1::SignedHead> LoadSignedHead(const std::string& path);

// Prints the verdict as one JSON line on stdout and a sentence on stderr naming `what` was
// checked; returns kExitIntact or kExitBroken (or the status of a failed write).
int ReportVerdict(const v1::VerifyResponse& verdict, const std::string& what,
                  const std::optional<v1::SignedHead>& since_head, double seconds);

// "1.23 s".
std::string FormatSeconds(double seconds);

// `wijkboek: <verb> N events (at position P[ of H])` on stderr, at most every two seconds.
class Progress {
 public:
  explicit Progress(std::string verb);
  void Update(std::uint64_t events, std::uint64_t position, std::uint64_t head = 0);
  double seconds() const;

 private:
  using Clock = std::chrono::steady_clock;
  std::string verb_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = start_;
};

int RunExport(const client::EventLogClient& client, const AuditOptions& options,
              const std::string& server);
int RunVerifyExport(const AuditOptions& options);

}  // namespace wijkboek::cli
