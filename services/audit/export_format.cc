#include "services/audit/export_format.h"

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/audit/digest.h"
#include "wijkboek/v1/envelope.pb.h"

namespace audit {
namespace {

using wijkboek::v1::Event;

absl::StatusOr<std::string> ProtoJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  auto printed = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!printed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(message.GetTypeName(), " has no JSON form: ",
                                                   std::string(printed.message())));
  }
  return out;
}

// The event inside the payload's oneof, e.g. the ResultRecorded message.
absl::StatusOr<const google::protobuf::Message*> PayloadEvent(const wijkboek::v1::Payload& payload) {
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  payload.GetReflection()->ListFields(payload, &fields);
  if (fields.size() != 1 ||
      fields[0]->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
    return absl::InvalidArgumentError("the event has no payload");
  }
  return &payload.GetReflection()->GetMessage(payload, fields[0]);
}

absl::StatusOr<std::string> CloudEvent(const Event& event, std::string_view source) {
  absl::StatusOr<const google::protobuf::Message*> data = PayloadEvent(event.payload());
  if (!data.ok()) return data.status();
  absl::StatusOr<std::string> data_json = ProtoJson(**data);
  if (!data_json.ok()) return data_json.status();
  using google::protobuf::util::TimeUtil;
  const std::int64_t seconds = event.recorded_at().seconds();
  if (seconds < TimeUtil::kTimestampMinSeconds || seconds > TimeUtil::kTimestampMaxSeconds) {
    return absl::InvalidArgumentError("recorded_at lies outside the years 1 to 9999");
  }
  nlohmann::ordered_json line;
  line["specversion"] = kCloudEventsSpecVersion;
  line["id"] = event.event_id();
  line["source"] = std::string(source);
  line["type"] = absl::StrCat(kEventTypePrefix, event.type());
  line["subject"] = event.stream();
  line["time"] = google::protobuf::util::TimeUtil::ToString(event.recorded_at());
  line["datacontenttype"] = "application/json";
  line["position"] = absl::StrCat(event.position());
  line["revision"] = absl::StrCat(event.stream_revision());
  line["recordedby"] = event.recorded_by();
  line["hash"] = Hex(event.hash());
  line["prevhash"] = Hex(event.prev_hash());
  nlohmann::ordered_json parsed_data =
      nlohmann::ordered_json::parse(*data_json, nullptr, /*allow_exceptions=*/false);
  if (parsed_data.is_discarded()) return absl::InternalError("the payload's JSON did not parse");
  line["data"] = std::move(parsed_data);
  line["envelope"] = absl::Base64Escape(event.envelope());
  try {
    return line.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::ordered_json::error_handler_t::strict);
  } catch (const nlohmann::ordered_json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("event at position ", event.position(),
                                                   " has a string that is not UTF-8: ", e.what()));
  }
}

}  // namespace

absl::StatusOr<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "cloudevents") return ExportFormat::kCloudEvents;
  if (name == "json") return ExportFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown export format \"", std::string(name), "\": want cloudevents or json"));
}

absl::StatusOr<std::string> EncodeExportLine(const Event& event, ExportFormat format,
                                             std::string_view source) {
  if (event.envelope().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event at position ", event.position(), " came without its envelope (read it with "
        "include_envelope)"));
  }
  if (format == ExportFormat::kJson) return ProtoJson(event);
  return CloudEvent(event, source);
}

absl::StatusOr<Event> EventFromEnvelope(std::string_view bytes) {
  // Damaged bytes are an expected input here, and the reason is returned: keep protobuf from also
  // logging each string that is not UTF-8.
  google::protobuf::LogSilencer quiet;
  wijkboek::v1::RecordedEnvelope envelope;
  if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("the envelope bytes are not a RecordedEnvelope");
  }
  Event event;
  if (!event.mutable_payload()->ParseFromString(envelope.payload())) {
    return absl::InvalidArgumentError("the envelope's payload is not a wijkboek.v1.Payload");
  }
  event.set_position(envelope.position());
  event.set_stream(envelope.stream());
  event.set_stream_revision(envelope.stream_revision());
  event.set_event_id(envelope.event_id());
  event.set_type(envelope.type());
  *event.mutable_recorded_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(envelope.recorded_at_unix_micros());
  event.set_recorded_by(envelope.recorded_by());
  for (const wijkboek::v1::MetadataEntry& entry : envelope.metadata()) {
    (*event.mutable_metadata())[entry.key()] = entry.value();
  }
  event.set_prev_hash(envelope.prev_hash());
  event.set_hash(Sha256(envelope.prev_hash(), bytes));
  event.set_envelope(bytes.data(), bytes.size());
  return event;
}

}  // namespace audit
