#include "storage/checks.h"

#include <algorithm>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace storage::checks {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

std::string EventField(std::size_t index, absl::string_view field) {
  return absl::StrCat("events[", index, "].", field);
}

std::size_t EventBytes(const NewEvent& event) {
  std::size_t bytes = event.event_id.size() + event.type.size() + event.payload.size();
  for (const auto& [key, value] : event.metadata) bytes += key.size() + value.size();
  return bytes;
}

absl::Status NormalizeMetadata(std::size_t index, Metadata& metadata) {
  std::sort(metadata.begin(), metadata.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < metadata.size(); ++i) {
    if (i > 0 && metadata[i].first == metadata[i - 1].first) {
      return Invalid(EventField(index, "metadata"),
                     absl::StrCat("key \"", metadata[i].first, "\" appears twice"));
    }
    if (!IsValidUtf8(metadata[i].first) || !IsValidUtf8(metadata[i].second)) {
      return Invalid(EventField(index, "metadata"), "keys and values must be valid UTF-8");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateEvent(std::size_t index, NewEvent& event) {
  if (event.event_id.empty()) return Invalid(EventField(index, "event_id"), "must not be empty");
  if (!IsValidUtf8(event.event_id)) {
    return Invalid(EventField(index, "event_id"), "must be valid UTF-8");
  }
  if (event.type.empty()) return Invalid(EventField(index, "type"), "must not be empty");
  if (!IsValidUtf8(event.type)) return Invalid(EventField(index, "type"), "must be valid UTF-8");
  if (EventBytes(event) > kMaxEventBytes) {
    return Invalid(EventField(index, "payload"),
                   absl::StrCat("event has ", EventBytes(event), " bytes, more than the limit of ",
                                kMaxEventBytes));
  }
  return NormalizeMetadata(index, event.metadata);
}

// Length of the UTF-8 sequence starting with `lead` and the allowed range of its second byte
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF); 0 when `lead` is invalid.
int SequenceLength(std::uint8_t lead, std::uint8_t* low, std::uint8_t* high) {
  *low = 0x80;
  *high = 0xbf;
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) {
    if (lead == 0xe0) *low = 0xa0;
    if (lead == 0xed) *high = 0x9f;
    return 3;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    if (lead == 0xf0) *low = 0x90;
    if (lead == 0xf4) *high = 0x8f;
    return 4;
  }
  return 0;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<std::uint8_t>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::uint8_t low = 0;
    std::uint8_t high = 0;
    const int length = SequenceLength(lead, &low, &high);
    if (length == 0 || text.size() - i < static_cast<std::size_t>(length)) return false;
    for (int k = 1; k < length; ++k) {
      const auto c = static_cast<std::uint8_t>(text[i + k]);
      const std::uint8_t min = k == 1 ? low : 0x80;
      const std::uint8_t max = k == 1 ? high : 0xbf;
      if (c < min || c > max) return false;
    }
    i += length;
  }
  return true;
}

absl::Status ValidateAndNormalize(AppendRequest& request) {
  if (request.stream.empty()) return Invalid("stream", "must not be empty");
  if (request.stream.find('\0') != std::string::npos) {
    return Invalid("stream", "must not contain NUL bytes");
  }
  if (!IsValidUtf8(request.stream)) return Invalid("stream", "must be valid UTF-8");
  if (!IsValidUtf8(request.recorded_by)) return Invalid("recorded_by", "must be valid UTF-8");
  if (request.events.empty()) return Invalid("events", "must not be empty");
  absl::flat_hash_map<absl::string_view, std::size_t> seen;
  seen.reserve(request.events.size());
  for (std::size_t i = 0; i < request.events.size(); ++i) {
    if (absl::Status s = ValidateEvent(i, request.events[i]); !s.ok()) return s;
    auto [it, inserted] = seen.emplace(request.events[i].event_id, i);
    if (!inserted) {
      return Invalid(EventField(i, "event_id"),
                     absl::StrCat("\"", request.events[i].event_id, "\" is also events[",
                                  it->second, "].event_id; ids must be unique"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckExpectedRevision(const std::string& stream, const ExpectedRevision& expected,
                                   std::optional<Revision> current) {
  using Kind = ExpectedRevision::Kind;
  bool ok = true;
  std::string wanted;
  switch (expected.kind) {
    case Kind::kAny:
      return absl::OkStatus();
    case Kind::kNoStream:
      ok = !current.has_value();
      wanted = "no stream";
      break;
    case Kind::kStreamExists:
      ok = current.has_value();
      wanted = "an existing stream";
      break;
    case Kind::kExact:
      ok = current == expected.revision;
      wanted = absl::StrCat("revision ", expected.revision);
      break;
  }
  if (ok) return absl::OkStatus();
  const std::string actual =
      current ? absl::StrCat("actual revision ", *current) : "actual: stream does not exist";
  return absl::AbortedError(absl::StrCat("stream ", stream, ": expected ", wanted, ", ", actual));
}

bool SameContent(const std::string& stream, const NewEvent& proposed, const StoredEvent& stored) {
  return stored.stream == stream && stored.event_id == proposed.event_id &&
         stored.type == proposed.type && stored.payload == proposed.payload &&
         stored.metadata == proposed.metadata;
}

std::size_t ApproximateBytes(const AppendRequest& request) {
  std::size_t bytes = request.stream.size() + request.recorded_by.size();
  for (const NewEvent& event : request.events) bytes += EventBytes(event) + request.stream.size();
  return bytes;
}

}  // namespace storage::checks
