#include "storage/codec.h"

#include <openssl/evp.h>

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "wijkboek/v1/envelope.pb.h"

namespace storage {
namespace {

// OpenSSL 3 looks the algorithm up on every EVP_sha256() init; fetch it once and keep one context
// per thread, since the writer hashes every event and verifiers may hash from many threads.
const EVP_MD* Sha256() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

struct DigestContext {
  DigestContext() : ctx(EVP_MD_CTX_new()) {}
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
  EVP_MD_CTX* ctx;
};

}  // namespace

Hash ChainHash(const Hash& prev_hash, const std::string& envelope_bytes) {
  thread_local DigestContext digest;
  Hash out{};
  unsigned int size = 0;
  // These calls fail only on allocation failure or a broken OpenSSL install; a wrong hash would
  // silently fork the chain, so refuse to continue instead.
  if (digest.ctx == nullptr || EVP_DigestInit_ex(digest.ctx, Sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(digest.ctx, prev_hash.data(), prev_hash.size()) != 1 ||
      EVP_DigestUpdate(digest.ctx, envelope_bytes.data(), envelope_bytes.size()) != 1 ||
      EVP_DigestFinal_ex(digest.ctx, out.data(), &size) != 1 || size != out.size()) {
    std::abort();
  }
  return out;
}

namespace codec {

std::string BigEndian64(std::uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

std::optional<std::uint64_t> ParseBigEndian64(absl::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<std::uint8_t>(c);
  return value;
}

std::string StreamPrefix(absl::string_view stream) {
  std::string prefix;
  prefix.reserve(stream.size() + 9);
  prefix.append(stream.data(), stream.size());
  prefix.push_back('\0');
  return prefix;
}

std::string StreamKey(absl::string_view stream, Revision revision) {
  std::string key = StreamPrefix(stream);
  key.append(BigEndian64(revision));
  return key;
}

std::optional<Revision> RevisionFromStreamKey(absl::string_view key, absl::string_view prefix) {
  if (key.size() != prefix.size() + 8 || key.substr(0, prefix.size()) != prefix) {
    return std::nullopt;
  }
  return ParseBigEndian64(key.substr(prefix.size()));
}

absl::string_view HashView(const Hash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

std::optional<Hash> HashFromBytes(absl::string_view bytes) {
  if (bytes.size() != kHashSize) return std::nullopt;
  Hash hash;
  std::memcpy(hash.data(), bytes.data(), kHashSize);
  return hash;
}

absl::StatusOr<StoredEvent> DecodeEvent(Position position, absl::string_view value) {
  const auto where = [position] { return absl::StrCat("event at position ", position, ": "); };
  if (value.size() < kHashSize) {
    return absl::DataLossError(
        absl::StrCat(where(), "stored value has ", value.size(), " bytes, less than its hash"));
  }
  const absl::string_view bytes = value.substr(kHashSize);
  wijkboek::v1::RecordedEnvelope envelope;
  if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat(where(), "stored envelope does not parse"));
  }
  if (envelope.position() != position) {
    return absl::DataLossError(
        absl::StrCat(where(), "stored envelope says position ", envelope.position()));
  }
  std::optional<Hash> prev_hash = HashFromBytes(envelope.prev_hash());
  if (!prev_hash) {
    return absl::DataLossError(
        absl::StrCat(where(), "prev_hash has ", envelope.prev_hash().size(), " bytes, want 32"));
  }
  StoredEvent event;
  event.position = position;
  event.stream = std::move(*envelope.mutable_stream());
  event.stream_revision = envelope.stream_revision();
  event.event_id = std::move(*envelope.mutable_event_id());
  event.type = std::move(*envelope.mutable_type());
  event.recorded_at_unix_micros = envelope.recorded_at_unix_micros();
  event.recorded_by = std::move(*envelope.mutable_recorded_by());
  event.metadata.reserve(envelope.metadata_size());
  for (auto& entry : *envelope.mutable_metadata()) {
    event.metadata.emplace_back(std::move(*entry.mutable_key()), std::move(*entry.mutable_value()));
  }
  event.payload = std::move(*envelope.mutable_payload());
  event.prev_hash = *prev_hash;
  event.hash = *HashFromBytes(value.substr(0, kHashSize));
  event.envelope_bytes.assign(bytes.data(), bytes.size());
  return event;
}

absl::StatusOr<RawEvent> DecodeRaw(Position position, absl::string_view value) {
  const auto where = [position] { return absl::StrCat("event at position ", position, ": "); };
  if (value.size() < kHashSize) {
    return absl::DataLossError(
        absl::StrCat(where(), "stored value has ", value.size(), " bytes, less than its hash"));
  }
  RawEvent event;
  event.hash = std::string_view(value.data(), kHashSize);
  event.envelope = std::string_view(value.data() + kHashSize, value.size() - kHashSize);
  std::optional<EnvelopeWire> fields = ReadEnvelopeWire(event.envelope);
  if (!fields) return absl::DataLossError(absl::StrCat(where(), "stored envelope does not parse"));
  if (fields->position != position) {
    return absl::DataLossError(
        absl::StrCat(where(), "stored envelope says position ", fields->position));
  }
  if (fields->prev_hash.size() != kHashSize) {
    return absl::DataLossError(absl::StrCat(where(), "prev_hash has ", fields->prev_hash.size(),
                                            " bytes, want 32"));
  }
  event.fields = *fields;
  return event;
}

StoredEvent EncodeEvent(NewEvent&& event, const EventPlacement& placement,
                        wijkboek::v1::RecordedEnvelope* scratch) {
  wijkboek::v1::RecordedEnvelope& envelope = *scratch;
  envelope.Clear();
  envelope.set_position(placement.position);
  envelope.set_stream(placement.stream);
  envelope.set_stream_revision(placement.stream_revision);
  envelope.set_event_id(std::move(event.event_id));
  envelope.set_type(std::move(event.type));
  envelope.set_recorded_at_unix_micros(placement.recorded_at_unix_micros);
  envelope.set_recorded_by(placement.recorded_by);
  for (const auto& [key, value] : event.metadata) {
    wijkboek::v1::MetadataEntry* entry = envelope.add_metadata();
    entry->set_key(key);
    entry->set_value(value);
  }
  envelope.set_payload(std::move(event.payload));
  envelope.set_prev_hash(HashView(placement.prev_hash).data(), kHashSize);

  StoredEvent stored;
  const bool serialised = envelope.SerializeToString(&stored.envelope_bytes);
  assert(serialised);  // fails only past 2 GiB; checks.cc refuses events that large
  (void)serialised;
  stored.position = placement.position;
  stored.stream = placement.stream;
  stored.stream_revision = placement.stream_revision;
  stored.event_id = std::move(*envelope.mutable_event_id());
  stored.type = std::move(*envelope.mutable_type());
  stored.recorded_at_unix_micros = placement.recorded_at_unix_micros;
  stored.recorded_by = placement.recorded_by;
  stored.metadata = std::move(event.metadata);
  stored.payload = std::move(*envelope.mutable_payload());
  stored.prev_hash = placement.prev_hash;
  stored.hash = ChainHash(placement.prev_hash, stored.envelope_bytes);
  return stored;
}

}  // namespace codec
}  // namespace storage
