#include "clients/cli/cli_support.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <random>
#include <utility>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/domain/state.h"

namespace wijkboek::cli {

absl::StatusOr<v1::ExpectedRevision> ParseExpectedRevision(absl::string_view text) {
  v1::ExpectedRevision expected;
  uint64_t revision = 0;
  if (text == "any") {
    expected.set_any(true);
  } else if (text == "no-stream") {
    expected.set_no_stream(true);
  } else if (text == "exists") {
    expected.set_stream_exists(true);
  } else if (!text.empty() && absl::ascii_isdigit(static_cast<unsigned char>(text[0])) &&
             absl::SimpleAtoi(text, &revision)) {
    expected.set_exact(revision);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--expected ", text, ": want any, no-stream, exists or a revision number"));
  }
  return expected;
}

absl::StatusOr<v1::ActionStatus> ParseActionStatus(absl::string_view text) {
  std::optional<v1::ActionStatus> status = domain::ParseStatusName(std::string(text));
  if (status) return *status;
  return absl::InvalidArgumentError(absl::StrCat("unknown status \"", text, "\"; expected one of ",
                                                 domain::StatusNamesForPeople()));
}

absl::StatusOr<std::vector<v1::ProposedEvent>> ReadProposedEvents(std::istream& in) {
  std::vector<v1::ProposedEvent> events;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a typo in a field name must not lose data silently
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty()) continue;
    v1::ProposedEvent event;
    auto parsed = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(trimmed.data(), trimmed.size()), &event, options);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line_number, ": not a ProposedEvent: ", parsed.message().ToString()));
    }
    if (event.payload().event_case() == v1::Payload::EVENT_NOT_SET) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number,
                       ": no payload (want e.g. {\"payload\":{\"action_started\":{...}}})"));
    }
    if (event.event_id().empty()) event.set_event_id(NewUuidV4());
    events.push_back(std::move(event));
  }
  if (in.bad()) return absl::DataLossError("reading the input failed");
  if (events.empty()) return absl::InvalidArgumentError("no events in the input (want JSON lines)");
  return events;
}

std::string NewUuidV4() {
  // random_device reads the kernel's CSPRNG on Linux: ids from concurrent clients must not clash.
  std::random_device random;
  std::array<uint8_t, 16> bytes;
  for (size_t i = 0; i < bytes.size(); i += 4) {
    uint32_t word = random();
    for (size_t j = 0; j < 4; ++j) bytes[i + j] = static_cast<uint8_t>(word >> (8 * j));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0f]);
  }
  return out;
}

absl::StatusOr<std::string> ToJsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = false;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(message.GetTypeName(),
                                                   " has no JSON form: ", status.message().ToString()));
  }
  return out;
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read token file ", path));
  std::string line;
  std::getline(file, line);
  std::string token(absl::StripAsciiWhitespace(line));
  if (token.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("token file ", path, ": first line is empty"));
  }
  return token;
}

}  // namespace wijkboek::cli
