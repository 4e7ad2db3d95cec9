#include "services/api/event_bytes.h"

#include <cstdint>

namespace api {
namespace {

// Wire tags (field number << 3 | wire type) of the Event fields written here.
constexpr char kRecordedAtTag = (6 << 3) | 2;
constexpr char kEmptyPayload[] = {(9 << 3) | 2, 0};
constexpr char kHashTag = (11 << 3) | 2;
constexpr char kEnvelopeTag = (12 << 3) | 2;
constexpr char kBatchEventTag = (1 << 3) | 2;
constexpr char kSecondsTag = (1 << 3) | 0;
constexpr char kNanosTag = (2 << 3) | 0;

std::size_t VarintSize(std::uint64_t value) {
  std::size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

void AppendVarint(std::uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// google.protobuf.Timestamp as ToProto fills it: seconds and nanos by C++ division, so a time
// before 1970 has negative nanos there too. Negative values are 10-byte varints (int64/int32).
struct Timestamp {
  std::int64_t seconds;
  std::int32_t nanos;
  explicit Timestamp(std::int64_t micros)
      : seconds(micros / 1000000), nanos(static_cast<std::int32_t>(micros % 1000000) * 1000) {}
  std::size_t BodySize() const {
    std::size_t size = 0;
    if (seconds != 0) size += 1 + VarintSize(static_cast<std::uint64_t>(seconds));
    if (nanos != 0) size += 1 + VarintSize(static_cast<std::uint64_t>(std::int64_t{nanos}));
    return size;
  }
};

std::size_t LengthDelimitedSize(std::size_t body) { return 1 + VarintSize(body) + body; }

}  // namespace

std::size_t EventBytesSize(const storage::RawEvent& event, bool include_envelope) {
  const storage::EnvelopeWire& f = event.fields;
  std::size_t size = event.envelope.size() - (f.recorded_at_end - f.recorded_at_begin);
  size += LengthDelimitedSize(Timestamp(f.recorded_at_unix_micros).BodySize());
  if (!f.has_payload) size += sizeof kEmptyPayload;
  size += LengthDelimitedSize(event.hash.size());
  if (include_envelope) size += LengthDelimitedSize(event.envelope.size());
  return size;
}

void AppendEventBytes(const storage::RawEvent& event, bool include_envelope, std::string* out) {
  const storage::EnvelopeWire& f = event.fields;
  out->append(event.envelope.data(), f.recorded_at_begin);
  const Timestamp ts(f.recorded_at_unix_micros);
  out->push_back(kRecordedAtTag);
  AppendVarint(ts.BodySize(), out);
  if (ts.seconds != 0) {
    out->push_back(kSecondsTag);
    AppendVarint(static_cast<std::uint64_t>(ts.seconds), out);
  }
  if (ts.nanos != 0) {
    out->push_back(kNanosTag);
    AppendVarint(static_cast<std::uint64_t>(std::int64_t{ts.nanos}), out);
  }
  out->append(event.envelope.data() + f.recorded_at_end,
              event.envelope.size() - f.recorded_at_end);
  // ToProto always sets the payload, so an empty one is present (and empty) in its Event too.
  if (!f.has_payload) out->append(kEmptyPayload, sizeof kEmptyPayload);
  out->push_back(kHashTag);
  AppendVarint(event.hash.size(), out);
  out->append(event.hash.data(), event.hash.size());
  if (include_envelope) {
    out->push_back(kEnvelopeTag);
    AppendVarint(event.envelope.size(), out);
    out->append(event.envelope.data(), event.envelope.size());
  }
}

void AppendBatchedEvent(const storage::RawEvent& event, bool include_envelope, std::string* out) {
  out->push_back(kBatchEventTag);
  AppendVarint(EventBytesSize(event, include_envelope), out);
  AppendEventBytes(event, include_envelope, out);
}

}  // namespace api
