#include "storage/envelope_wire.h"

namespace storage {

bool ReadVarint(std::string_view bytes, std::size_t* at, std::uint64_t* value) {
  std::uint64_t result = 0;
  for (int shift = 0; shift < 70 && *at < bytes.size(); shift += 7) {
    const auto byte = static_cast<std::uint8_t>(bytes[(*at)++]);
    result |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

namespace {

enum WireType : std::uint64_t { kVarint = 0, kFixed64 = 1, kLength = 2, kFixed32 = 5 };

// The wire type each RecordedEnvelope field must have (fields 1..10); other numbers are unknown.
constexpr WireType kExpected[] = {kVarint, kVarint, kLength, kVarint, kLength, kLength,
                                  kVarint, kLength, kLength, kLength, kLength};

}  // namespace

std::optional<EnvelopeWire> ReadEnvelopeWire(std::string_view bytes) {
  EnvelopeWire out;
  bool seen_recorded_at = false;
  bool placed_recorded_at = false;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t field_begin = at;
    std::uint64_t tag = 0;
    if (!ReadVarint(bytes, &at, &tag)) return std::nullopt;
    const std::uint64_t number = tag >> 3;
    const std::uint64_t type = tag & 7;
    if (number == 0) return std::nullopt;
    if (number >= 1 && number <= 10 && type != kExpected[number]) return std::nullopt;
    if (number > 6 && !placed_recorded_at) {
      out.recorded_at_begin = out.recorded_at_end = field_begin;
      placed_recorded_at = true;
    }
    std::uint64_t varint = 0;
    std::string_view value;
    switch (type) {
      case kVarint:
        if (!ReadVarint(bytes, &at, &varint)) return std::nullopt;
        break;
      case kFixed64:
      case kFixed32: {
        const std::size_t size = type == kFixed64 ? 8 : 4;
        if (bytes.size() - at < size) return std::nullopt;
        at += size;
        break;
      }
      case kLength: {
        std::uint64_t size = 0;
        if (!ReadVarint(bytes, &at, &size) || size > bytes.size() - at) return std::nullopt;
        value = bytes.substr(at, size);
        at += size;
        break;
      }
      default:
        return std::nullopt;  // groups (3, 4) and reserved types never occur in an envelope
    }
    switch (number) {
      case 1: out.position = varint; break;
      case 2: out.stream = value; break;
      case 3: out.stream_revision = varint; break;
      case 6:
        if (seen_recorded_at) return std::nullopt;
        seen_recorded_at = placed_recorded_at = true;
        out.recorded_at_unix_micros = static_cast<std::int64_t>(varint);
        out.recorded_at_begin = field_begin;
        out.recorded_at_end = at;
        break;
      case 9: out.has_payload = true; break;
      case 10: out.prev_hash = value; break;
      default: break;
    }
  }
  if (!placed_recorded_at) out.recorded_at_begin = out.recorded_at_end = bytes.size();
  return out;
}

}  // namespace storage
