#include "services/audit/export_verifier.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/audit/digest.h"
#include "services/audit/signed_head.h"

namespace audit {
namespace {

using nlohmann::json;

// A JSON value for a message, shortened so that one envelope cannot flood it.
std::string Short(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

// The first difference between what the line says and what the envelope says, in words.
std::string DescribeDifference(const json& expected, const json& actual) {
  const json patch = json::diff(expected, actual);
  const json& op = patch.at(0);
  const std::string path = op.at("path").get<std::string>();
  const std::string kind = op.at("op").get<std::string>();
  if (kind == "add") return absl::StrCat(path, " is not part of what the envelope says");
  const json& want = expected.at(json::json_pointer(path));
  if (kind == "remove") return absl::StrCat(path, " is missing; the envelope says ", Short(want));
  return absl::StrCat(path, " says ", Short(actual.at(json::json_pointer(path))),
                      " but the envelope says ", Short(want));
}

// The position a line claims, for naming a line whose envelope cannot be read.
std::uint64_t ClaimedPosition(const json& line) {
  std::uint64_t position = 0;
  if (line.is_object() && line.contains("position")) {
    const json& value = line["position"];
    if (value.is_string()) {
      (void)absl::SimpleAtoi(value.get<std::string>(), &position);
    } else if (value.is_number_unsigned()) {
      position = value.get<std::uint64_t>();
    }
  }
  return position;
}

}  // namespace

ExportVerifier::ExportVerifier(std::optional<wijkboek::v1::SignedHead> since_head)
    : since_head_(std::move(since_head)) {
  // A head signed on an empty log is extended by every log.
  since_head_matched_ = since_head_ && since_head_->position() == 0;
}

bool ExportVerifier::AddLine(std::string_view line) {
  if (failed_) return false;
  ++line_;
  if (absl::StripAsciiWhitespace(absl::string_view(line.data(), line.size())).empty()) return true;
  std::uint64_t position = last_position_ + 1;
  if (std::optional<std::string> reason = Check(line, &position)) {
    failed_ = true;
    first_bad_position_ = position;
    reason_ = absl::StrCat("line ", line_, ": ", *reason);
    return false;
  }
  return true;
}

std::optional<std::string> ExportVerifier::Check(std::string_view text,
                                                 std::uint64_t* bad_position) {
  const json line = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!line.is_object()) return "not a JSON object";
  if (last_position_ == 0) *bad_position = ClaimedPosition(line);

  const ExportFormat format =
      line.contains("specversion") ? ExportFormat::kCloudEvents : ExportFormat::kJson;
  if (format_ && *format_ != format) return "not in the format of the first line";
  if (!line.contains("envelope") || !line["envelope"].is_string()) return "has no envelope";
  const std::string& encoded = line["envelope"].get_ref<const std::string&>();
  std::string bytes;
  if (!absl::Base64Unescape(encoded, &bytes) || absl::Base64Escape(bytes) != encoded) {
    return "the envelope is not base64 (or not in its one canonical spelling)";
  }
  absl::StatusOr<wijkboek::v1::Event> truth = EventFromEnvelope(bytes);
  if (!truth.ok()) return std::string(truth.status().message());
  const std::uint64_t position = truth->position();

  if (last_position_ != 0 && position != last_position_ + 1) {
    return absl::StrCat("the envelope says position ", position, " but the line before was position ",
                        last_position_, ": lines were removed, added or reordered");
  }
  *bad_position = position;
  if (position == 0) return "the envelope says position 0";
  const bool linked = last_position_ != 0 || position == 1;
  const std::string expected_prev = last_position_ != 0 ? last_hash_ : std::string(kHashSize, '\0');
  if (linked && truth->prev_hash() != expected_prev) {
    return absl::StrCat("prev_hash ", Hex(truth->prev_hash()), " is not the hash ",
                        Hex(expected_prev), position == 1 ? " (zero) a first event links to"
                                                          : " of the line before");
  }

  if (format == ExportFormat::kCloudEvents) {
    if (!format_) {
      if (!line.contains("source") || !line["source"].is_string()) return "has no source";
      source_ = line["source"].get<std::string>();
    }
  }
  absl::StatusOr<std::string> expected_text = EncodeExportLine(*truth, format, source_);
  if (!expected_text.ok()) return std::string(expected_text.status().message());
  const json expected = json::parse(*expected_text);
  if (line.value("hash", json()) != expected["hash"]) {
    return absl::StrCat("hash ", Short(line.value("hash", json())),
                        " is not SHA-256(prev_hash || envelope) = ", Short(expected["hash"]),
                        ": the hash or the envelope was changed");
  }
  if (line != expected) {
    return absl::StrCat("the readable form differs from the envelope: ",
                        DescribeDifference(expected, line));
  }

  if (since_head_ && position == since_head_->position()) {
    if (absl::Status s = CheckHashAtSignedHead(*since_head_, truth->hash()); !s.ok()) {
      return std::string(s.message());
    }
    since_head_matched_ = true;
  }
  format_ = format;
  if (first_position_ == 0) first_position_ = position;
  last_position_ = position;
  last_hash_ = truth->hash();
  ++checked_;
  return std::nullopt;
}

wijkboek::v1::VerifyResponse ExportVerifier::Finish() const {
  wijkboek::v1::VerifyResponse verdict;
  verdict.set_checked(checked_);
  if (failed_) {
    verdict.set_first_bad_position(first_bad_position_);
    verdict.set_reason(reason_);
    return verdict;
  }
  if (since_head_ && !since_head_matched_) {
    verdict.set_reason(
        last_position_ == 0
            ? absl::StrCat("the export holds no events, so it cannot extend the signed head at "
                           "position ", since_head_->position())
            : absl::StrCat("the export holds positions ", first_position_, " to ", last_position_,
                           ", not the signed head's position ", since_head_->position(),
                           ": export a range that includes it"));
    return verdict;
  }
  verdict.set_ok(true);
  verdict.set_to_position(last_position_);
  verdict.set_head_hash(last_hash_);
  return verdict;
}

}  // namespace audit
