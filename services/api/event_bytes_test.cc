// The batched read path's Event bytes (and ToProtoForwarding's) against the slow path: for stored events and for envelopes
// built by hand (times around and before 1970, empty fields), AppendEventBytes must produce bytes
// that parse to exactly the Event that ToProto fills (plus the envelope when asked for), and
// EventBytesSize must be their length.
#include "services/api/event_bytes.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "services/api/convert.h"
#include "storage/envelope_wire.h"
#include "storage/event_store.h"
#include "wijkboek/v1/envelope.pb.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace api {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::util::MessageDifferencer;
using wijkboek::v1::Event;
using wijkboek::v1::EventBatch;
using wijkboek::v1::Payload;

// Every member of Payload's oneof, each with its scalar and repeated-string fields set (strings
// with non-ASCII text), so that each payload type's bytes pass through.
std::vector<Payload> EveryPayloadType() {
  std::vector<Payload> out;
  const auto* oneof = Payload::descriptor()->FindOneofByName("event");
  for (int i = 0; i < oneof->field_count(); ++i) {
    Payload payload;
    auto* message = payload.GetReflection()->MutableMessage(&payload, oneof->field(i));
    const auto* reflection = message->GetReflection();
    const auto* descriptor = message->GetDescriptor();
    for (int f = 0; f < descriptor->field_count(); ++f) {
      const FieldDescriptor* field = descriptor->field(f);
      if (field->is_repeated()) {
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          reflection->AddString(message, field, "één");
          reflection->AddString(message, field, "");
        }
        continue;
      }
      switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING: reflection->SetString(message, field, "wijk ✓"); break;
        case FieldDescriptor::CPPTYPE_INT64: reflection->SetInt64(message, field, -42); break;
        case FieldDescriptor::CPPTYPE_UINT64: reflection->SetUInt64(message, field, 1ull << 40); break;
        case FieldDescriptor::CPPTYPE_INT32: reflection->SetInt32(message, field, -7); break;
        case FieldDescriptor::CPPTYPE_UINT32: reflection->SetUInt32(message, field, 7); break;
        case FieldDescriptor::CPPTYPE_DOUBLE: reflection->SetDouble(message, field, 2.5); break;
        case FieldDescriptor::CPPTYPE_BOOL: reflection->SetBool(message, field, true); break;
        case FieldDescriptor::CPPTYPE_ENUM:
          if (field->enum_type()->value_count() > 1) {
            reflection->SetEnum(message, field, field->enum_type()->value(1));
          }
          break;
        case FieldDescriptor::CPPTYPE_MESSAGE: reflection->MutableMessage(message, field); break;
        default: break;
      }
    }
    out.push_back(payload);
  }
  return out;
}

// What the slow path sends for a stored event.
Event SlowEvent(const storage::StoredEvent& stored, bool include_envelope) {
  Event event;
  absl::Status s = ToProto(stored, &event);
  EXPECT_TRUE(s.ok()) << s;
  if (include_envelope) event.set_envelope(stored.envelope_bytes);
  return event;
}

// Checks the fast bytes for `raw` against `slow`; `exact_bytes` also compares the serialised
// forms. Only meaningful with at most one metadata entry whose value is not empty: maps
// serialise in no fixed order, and a map entry writes an empty value where MetadataEntry leaves
// it out (both parse the same).
void ExpectSame(const storage::RawEvent& raw, const Event& slow, bool include_envelope,
                bool exact_bytes) {
  std::string bytes;
  AppendEventBytes(raw, include_envelope, &bytes);
  EXPECT_EQ(bytes.size(), EventBytesSize(raw, include_envelope));
  Event fast;
  ASSERT_TRUE(fast.ParseFromString(bytes));
  std::string diff;
  MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(slow, fast)) << "position " << slow.position() << ": " << diff;
  if (exact_bytes) EXPECT_EQ(bytes, slow.SerializeAsString()) << "position " << slow.position();
}

class EventBytesStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/event_bytes_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    storage::Options options;
    options.path = dir_ + "/log";
    options.sync = false;
    auto store = storage::EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<storage::EventStore> store_;
};

TEST_F(EventBytesStoreTest, StoredEventsMatchTheSlowPath) {
  const std::vector<Payload> payloads = EveryPayloadType();
  ASSERT_GE(payloads.size(), 21u);
  int n = 0;
  for (const Payload& payload : payloads) {
    storage::AppendRequest request;
    request.stream = n % 2 == 0 ? "partner-ä" : "action-1";
    request.recorded_by = n % 3 == 0 ? "" : "partner-x";
    storage::NewEvent event;
    event.event_id = "00000000-0000-4000-8000-" + std::string(11 - n / 10, '0') + std::to_string(n);
    event.type = payload.GetDescriptor()->oneof_decl(0)->field(n)->message_type()->name();
    payload.SerializeToString(&event.payload);
    if (n % 3 == 1) event.metadata = {{"correlation", "c-1"}};
    if (n % 3 == 2) event.metadata = {{"a", ""}, {"source", "ä"}, {"z", "last"}};
    request.events.push_back(std::move(event));
    auto appended = store_->Append(std::move(request));
    ASSERT_TRUE(appended.ok()) << appended.status();
    ++n;
  }
  std::vector<storage::StoredEvent> stored;
  ASSERT_TRUE(store_->ScanAll(0, false, [&](const storage::StoredEvent& e) {
    stored.push_back(e);
    return true;
  }).ok());
  ASSERT_EQ(stored.size(), payloads.size());
  for (const storage::StoredEvent& e : stored) {
    // The batched Subscribe's history: the payload forwarded as bytes must parse the same.
    Event forwarded;
    ToProtoForwarding(e, &forwarded);
    Event parsed;
    ASSERT_TRUE(parsed.ParseFromString(forwarded.SerializeAsString()));
    EXPECT_TRUE(MessageDifferencer::Equals(parsed, SlowEvent(e, false))) << e.position;
  }
  std::size_t i = 0;
  ASSERT_TRUE(store_->ScanAllRaw(0, false, [&](const storage::RawEvent& raw) {
    const storage::StoredEvent& e = stored[i++];
    for (bool include_envelope : {false, true}) {
      ExpectSame(raw, SlowEvent(e, include_envelope), include_envelope, e.metadata.size() <= 1);
    }
    return true;
  }).ok());
  EXPECT_EQ(i, stored.size());
}

TEST_F(EventBytesStoreTest, BatchOfEventsParsesAsEventBatch) {
  for (int n = 0; n < 3; ++n) {
    storage::AppendRequest request;
    request.stream = "s";
    request.recorded_by = "p";
    request.events.push_back(storage::NewEvent{"id-" + std::to_string(n), "T",
                                               EveryPayloadType()[n].SerializeAsString(), {}});
    ASSERT_TRUE(store_->Append(std::move(request)).ok());
  }
  std::string batch;
  EventBatch slow;
  ASSERT_TRUE(store_->ScanAll(0, true, [&](const storage::StoredEvent& e) {
    *slow.add_events() = SlowEvent(e, false);
    return true;
  }).ok());
  ASSERT_TRUE(store_->ScanAllRaw(0, true, [&](const storage::RawEvent& raw) {
    AppendBatchedEvent(raw, false, &batch);
    return true;
  }).ok());
  EventBatch fast;
  ASSERT_TRUE(fast.ParseFromString(batch));
  EXPECT_TRUE(MessageDifferencer::Equals(slow, fast));
  EXPECT_EQ(batch, slow.SerializeAsString());
}

// Envelopes the store would not write today (its clock is past 1970), built directly.
TEST(EventBytesTest, HandBuiltEnvelopesMatchTheSlowPath) {
  const std::int64_t times[] = {0,
                                1,
                                999999,
                                1000000,
                                1700000000123456,
                                -1,
                                -1500000,
                                -1000000,
                                std::numeric_limits<std::int64_t>::max(),
                                std::numeric_limits<std::int64_t>::min()};
  for (std::int64_t micros : times) {
    for (bool empty : {false, true}) {
      wijkboek::v1::RecordedEnvelope envelope;
      envelope.set_position(empty ? 1 : 77);
      if (!empty) {
        envelope.set_stream("s");
        envelope.set_stream_revision(3);
        envelope.set_event_id("e");
        envelope.set_type("PartnerLeft");
        envelope.set_recorded_by("admin");
        auto* entry = envelope.add_metadata();
        entry->set_key("k");
        entry->set_value("v");
        envelope.set_payload(EveryPayloadType()[2].SerializeAsString());
      }
      envelope.set_recorded_at_unix_micros(micros);
      envelope.set_prev_hash(std::string(32, empty ? '\0' : '\x7f'));
      const std::string bytes = envelope.SerializeAsString();
      const std::string hash(32, '\x01');

      storage::StoredEvent stored;
      stored.position = envelope.position();
      stored.stream = envelope.stream();
      stored.stream_revision = envelope.stream_revision();
      stored.event_id = envelope.event_id();
      stored.type = envelope.type();
      stored.recorded_at_unix_micros = micros;
      stored.recorded_by = envelope.recorded_by();
      for (const auto& m : envelope.metadata()) stored.metadata.emplace_back(m.key(), m.value());
      stored.payload = envelope.payload();
      std::copy(envelope.prev_hash().begin(), envelope.prev_hash().end(), stored.prev_hash.begin());
      std::copy(hash.begin(), hash.end(), stored.hash.begin());
      stored.envelope_bytes = bytes;

      std::optional<storage::EnvelopeWire> fields = storage::ReadEnvelopeWire(bytes);
      ASSERT_TRUE(fields.has_value());
      EXPECT_EQ(fields->position, envelope.position());
      EXPECT_EQ(fields->stream, envelope.stream());
      EXPECT_EQ(fields->stream_revision, envelope.stream_revision());
      EXPECT_EQ(fields->recorded_at_unix_micros, micros);
      EXPECT_EQ(fields->prev_hash, envelope.prev_hash());
      EXPECT_EQ(fields->has_payload, !empty);
      const storage::RawEvent raw{hash, bytes, *fields};
      SCOPED_TRACE(testing::Message() << "micros " << micros << (empty ? " empty" : ""));
      for (bool include_envelope : {false, true}) {
        // An empty payload is left out of the envelope but present (empty) in ToProto's Event,
        // so the bytes differ in order there; the parsed messages must still be equal.
        ExpectSame(raw, SlowEvent(stored, include_envelope), include_envelope, !empty);
      }
    }
  }
}

TEST(EventBytesTest, MalformedEnvelopesAreRefused) {
  wijkboek::v1::RecordedEnvelope envelope;
  envelope.set_position(5);
  envelope.set_stream("stream");
  envelope.set_recorded_at_unix_micros(123);
  envelope.set_prev_hash(std::string(32, 'h'));
  const std::string bytes = envelope.SerializeAsString();
  ASSERT_TRUE(storage::ReadEnvelopeWire(bytes).has_value());
  // Fields: position (2 bytes), stream (8), recorded_at (2), prev_hash (34). A prefix that ends
  // between two fields is a well-formed (shorter) envelope; every other one must be refused.
  ASSERT_EQ(bytes.size(), 46u);
  for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
    if (cut == 2 || cut == 10 || cut == 12) continue;
    EXPECT_FALSE(storage::ReadEnvelopeWire(bytes.substr(0, cut)).has_value()) << "cut " << cut;
  }
  EXPECT_FALSE(storage::ReadEnvelopeWire(std::string("\x12\x05" "ab", 4)).has_value());
  EXPECT_FALSE(storage::ReadEnvelopeWire(std::string("\x0a\x01x", 3)).has_value())
      << "field 1 must be a varint";
  EXPECT_FALSE(storage::ReadEnvelopeWire(bytes + bytes).has_value()) << "field 6 twice";
  EXPECT_FALSE(storage::ReadEnvelopeWire(std::string("\x00\x01", 2)).has_value()) << "field 0";
}

}  // namespace
}  // namespace api
