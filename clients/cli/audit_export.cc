// `wijkboek audit export` (the log as JSON lines, streamed) and `wijkboek audit verify-export`
// (an export checked from the file alone). The format and the checks live in services/audit
// (export_format.h, export_verifier.h); this file only reads and writes.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "clients/cli/audit_support.h"
#include "services/audit/export_format.h"
#include "services/audit/export_verifier.h"

namespace wijkboek::cli {
namespace {

// Writes one line to stdout. nullopt when done; otherwise the exit status (0 when the reader went
// away, as with `| head`).
std::optional<int> WriteLine(std::string line) {
  line.push_back('\n');
  if (std::fwrite(line.data(), 1, line.size(), stdout) == line.size()) return std::nullopt;
  if (errno == EPIPE) return 0;
  PrintError(absl::StrCat("writing the export: ", std::strerror(errno)));
  return kExitCannotCheck;
}

}  // namespace

int RunExport(const client::EventLogClient& client, const AuditOptions& options,
              const std::string& server) {
  if (options.from != 0 && options.to != 0 && options.from > options.to) {
    PrintError(absl::StrCat("--from ", options.from, " is after --to ", options.to));
    return kExitCannotCheck;
  }
  const audit::ExportFormat format = *audit::ParseExportFormat(options.format);
  const std::string source = options.source.empty() ? "wijkboek://" + server : options.source;
  absl::StatusOr<v1::GetHeadResponse> head = client.GetHead();
  if (!head.ok()) return AuditServerError(head.status());
  // Without --to the export ends at the head seen now, so that events appended while it runs do
  // not stretch it (and its summary names the range it holds).
  const std::uint64_t to = options.to == 0 ? head->position() : options.to;
  const std::uint64_t from = std::max<std::uint64_t>(options.from, 1);
  if (to > head->position() || (from > to && head->position() != 0)) {
    PrintError(absl::StrCat(to > head->position() ? "--to " : "--from ",
                            to > head->position() ? to : from,
                            " lies past the head of the log, position ", head->position()));
    return kExitCannotCheck;
  }
  v1::ReadRequest request;
  request.set_from(from);
  request.set_include_envelope(true);
  if (to >= from && to - from + 1 <= UINT32_MAX) request.set_limit(to - from + 1);
  if (to < from) {
    std::cerr << "wijkboek: nothing to export: the log is empty" << std::endl;
    return kExitIntact;
  }
  // Batches: one message per event costs the server more than the event itself.
  std::unique_ptr<client::StreamReader<v1::EventBatch>> stream = client.ReadBatches(request);
  Progress progress("exported");
  v1::EventBatch batch;
  std::uint64_t exported = 0;
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  while (last < to && stream->Next(&batch)) {
    for (const v1::Event& event : batch.events()) {
      if (event.position() > to) break;
      absl::StatusOr<std::string> line = audit::EncodeExportLine(event, format, source);
      if (!line.ok()) {
        PrintError(absl::StrCat("position ", event.position(), ": ", line.status().message()));
        return kExitBroken;
      }
      if (std::optional<int> stop = WriteLine(*std::move(line))) return *stop;
      if (first == 0) first = event.position();
      last = event.position();
      progress.Update(++exported, last, to);
    }
  }
  if (std::fflush(stdout) != 0 && errno != EPIPE) {
    PrintError(absl::StrCat("writing the export: ", std::strerror(errno)));
    return kExitCannotCheck;
  }
  if (last < to) {
    if (absl::Status status = stream->Finish(); !status.ok()) return AuditServerError(status);
  }
  std::cerr << "wijkboek: exported " << exported << " events";
  if (exported != 0) std::cerr << ", positions " << first << " to " << last;
  std::cerr << " in " << FormatSeconds(progress.seconds()) << std::endl;
  return kExitIntact;
}

int RunVerifyExport(const AuditOptions& options) {
  std::optional<v1::SignedHead> since;
  if (!options.since_head.empty()) {
    since = LoadSignedHead(options.since_head);
    if (!since) return kExitCannotCheck;
  }
  std::ifstream file;
  if (options.file != "-") {
    file.open(options.file, std::ios::binary);
    if (!file) {
      PrintError(absl::StrCat("cannot read ", options.file));
      return kExitCannotCheck;
    }
  }
  std::istream& in = options.file == "-" ? std::cin : file;
  audit::ExportVerifier verifier(since);
  Progress progress("verified");
  std::string line;
  while (std::getline(in, line)) {
    if (!verifier.AddLine(line)) break;
    progress.Update(verifier.checked(), verifier.last_position());
  }
  if (in.bad()) {
    PrintError(absl::StrCat("reading ", options.file, ": ", std::strerror(errno)));
    return kExitCannotCheck;
  }
  const std::string what =
      verifier.checked() == 0
          ? absl::StrCat("the export ", options.file, ", which holds no events")
          : absl::StrCat("the export ", options.file, ", positions ", verifier.first_position(),
                         " to ", verifier.last_position(),
                         verifier.first_position() > 1
                             ? absl::StrCat(" (its link to position ", verifier.first_position() - 1,
                                            " is not in the file)")
                             : "");
  return ReportVerdict(verifier.Finish(), what, since, progress.seconds());
}

}  // namespace wijkboek::cli
