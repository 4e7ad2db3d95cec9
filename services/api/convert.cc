#include "services/api/convert.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "services/domain/schema.h"

namespace api {

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

namespace {

// Every field of `out` but the payload.
void FillAllButPayload(const storage::StoredEvent& in, wijkboek::v1::Event* out) {
  out->set_position(in.position);
  out->set_stream(in.stream);
  out->set_stream_revision(in.stream_revision);
  out->set_event_id(in.event_id);
  out->set_type(in.type);
  auto* ts = out->mutable_recorded_at();
  ts->set_seconds(in.recorded_at_unix_micros / 1000000);
  ts->set_nanos(static_cast<int>(in.recorded_at_unix_micros % 1000000) * 1000);
  out->set_recorded_by(in.recorded_by);
  auto* md = out->mutable_metadata();
  for (const auto& [k, v] : in.metadata) (*md)[k] = v;
  out->set_prev_hash(in.prev_hash.data(), in.prev_hash.size());
  out->set_hash(in.hash.data(), in.hash.size());
}

}  // namespace

absl::Status ToProto(const storage::StoredEvent& in, wijkboek::v1::Event* out) {
  FillAllButPayload(in, out);
  if (!out->mutable_payload()->ParseFromString(in.payload)) {
    return absl::DataLossError(absl::StrCat("event at position ", in.position,
                                            ": stored payload does not parse"));
  }
  return absl::OkStatus();
}

void ToProtoForwarding(const storage::StoredEvent& in, wijkboek::v1::Event* out) {
  FillAllButPayload(in, out);
  constexpr int kPayloadField = wijkboek::v1::Event::kPayloadFieldNumber;
  out->GetReflection()->MutableUnknownFields(out)->AddLengthDelimited(kPayloadField, in.payload);
}

storage::ExpectedRevision ToStore(const wijkboek::v1::ExpectedRevision& e) {
  using K = wijkboek::v1::ExpectedRevision;
  switch (e.kind_case()) {
    case K::kNoStream: return storage::ExpectedRevision::NoStream();
    case K::kStreamExists: return storage::ExpectedRevision::StreamExists();
    case K::kExact: return storage::ExpectedRevision::Exact(e.exact());
    default: return storage::ExpectedRevision::Any();
  }
}

absl::StatusOr<storage::AppendRequest> ToStore(const wijkboek::v1::AppendRequest& in,
                                               const std::string& recorded_by,
                                               const RequestLimits& limits) {
  if (in.stream().empty()) return absl::InvalidArgumentError("stream: must not be empty");
  if (in.events().empty()) {
    return absl::InvalidArgumentError("events: an append needs at least one event");
  }
  if (static_cast<std::size_t>(in.events_size()) > limits.max_events_per_append) {
    return absl::InvalidArgumentError(
        absl::StrCat("events: ", in.events_size(), " events in one append; at most ",
                     limits.max_events_per_append, " are allowed (split it into several)"));
  }
  storage::AppendRequest out;
  out.stream = in.stream();
  out.expected = ToStore(in.expected_revision());
  out.recorded_by = recorded_by;
  out.events.reserve(in.events_size());
  for (int i = 0; i < in.events_size(); ++i) {
    const auto& e = in.events(i);
    std::string field = absl::StrCat("events[", i, "]");
    if (e.event_id().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".event_id: must not be empty (give each event a UUID)"));
    }
    if (!domain::IsUuid(e.event_id())) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".event_id: '", e.event_id(), "' is not a UUID (8-4-4-4-12 hex digits)"));
    }
    if (absl::Status s = domain::ValidateForStream(e.payload(), in.stream(), field + ".payload",
                                                   limits.max_string_bytes);
        !s.ok()) {
      return s;
    }
    if (domain::IsCredentialEvent(e.payload())) {
      return absl::PermissionDeniedError(absl::StrCat(
          field, ".payload: ", domain::EventType(e.payload()),
          " is written only by the Admin service (wijkboek admin principal|token ...), never "
          "appended directly"));
    }
    storage::NewEvent ne;
    ne.event_id = e.event_id();
    std::transform(ne.event_id.begin(), ne.event_id.end(), ne.event_id.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    ne.type = domain::EventType(e.payload());
    e.payload().SerializeToString(&ne.payload);
    if (ne.payload.size() > limits.max_payload_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".payload: ", ne.payload.size(), " bytes; at most ",
                       limits.max_payload_bytes, " bytes are allowed per event"));
    }
    if (static_cast<std::size_t>(e.metadata_size()) > limits.max_metadata_entries) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".metadata: ", e.metadata_size(),
                                                     " entries; at most ",
                                                     limits.max_metadata_entries, " are allowed"));
    }
    for (const auto& [k, v] : e.metadata()) {
      if (k.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ".metadata: keys must not be empty"));
      if (k.size() > limits.max_metadata_bytes || v.size() > limits.max_metadata_bytes) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".metadata['", k.substr(0, 40), "']: keys and values may be at most ",
                         limits.max_metadata_bytes, " bytes"));
      }
      ne.metadata.emplace_back(k, v);
    }
    std::sort(ne.metadata.begin(), ne.metadata.end());
    out.events.push_back(std::move(ne));
  }
  return out;
}

}  // namespace api
