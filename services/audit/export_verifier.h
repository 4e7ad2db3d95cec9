#pragma once
// Verifies an export (export_format.h) from the file alone, with no server: line by line it
// recomputes the hash chain from the envelope bytes and checks that each line's readable form is
// exactly what those bytes say. Memory stays constant: only the previous line's position and
// hash are kept.
//
// Per line: a JSON object in the format of the first line; the envelope is canonical base64 of a
// RecordedEnvelope whose payload parses; its position follows the previous line's (the first line
// may start anywhere; at position 1 its prev_hash must be zero); its prev_hash is the previous
// line's hash; and the line equals, as JSON values, what EncodeExportLine makes of the event the
// envelope describes, with hash = SHA-256(prev_hash || envelope) (so a changed hash, id, subject,
// time, data, ... or an added or missing attribute is caught). In CloudEvents every line must
// name the first line's source. With a signed head, the line at its position must carry its hash.
//
// Ownership and threads: one verifier per export, used from one thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "services/audit/export_format.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace audit {

class ExportVerifier {
 public:
  // `since_head`: a signed head the export must extend; check its signature first
  // (CheckSignedHead): the verifier only compares positions and hashes.
  explicit ExportVerifier(std::optional<wijkboek::v1::SignedHead> since_head = std::nullopt);

  // Checks the next line (without its newline); blank lines are skipped but counted. Returns
  // false once the export was found broken: later lines are then ignored.
  bool AddLine(std::string_view line);

  // The verdict after the last line, in the shape of the Verify RPC's answer: ok, checked,
  // first_bad_position and reason (it names the line), to_position and head_hash (the last
  // line's). Also not ok when a signed head was given and no line is at its position.
  wijkboek::v1::VerifyResponse Finish() const;

  std::uint64_t first_position() const { return first_position_; }  // 0 before the first event
  std::uint64_t last_position() const { return last_position_; }
  std::uint64_t lines() const { return line_; }
  std::uint64_t checked() const { return checked_; }  // events found intact so far
  // True once the line at the signed head's position carried its hash.
  bool since_head_matched() const { return since_head_matched_; }

 private:
  // Why the line is bad, or nullopt; *bad_position is where (set also when it is good).
  std::optional<std::string> Check(std::string_view line, std::uint64_t* bad_position);

  std::optional<wijkboek::v1::SignedHead> since_head_;
  bool since_head_matched_ = false;
  std::uint64_t line_ = 0;
  std::uint64_t checked_ = 0;
  std::uint64_t first_position_ = 0;
  std::uint64_t last_position_ = 0;
  std::string last_hash_;  // raw bytes
  std::optional<ExportFormat> format_;
  std::string source_;  // CloudEvents: the first line's
  bool failed_ = false;
  std::uint64_t first_bad_position_ = 0;
  std::string reason_;
};

}  // namespace audit
