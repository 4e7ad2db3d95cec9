#pragma once
// Test helpers for the audit library: a hash chain of events as the server stores them, and a
// fresh temp dir.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/audit/export_format.h"
#include "wijkboek/v1/envelope.pb.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace audit::test {

// Events 1..count, each a ResultRecorded on action taalmaatjes with summary "<summary> <i>",
// chained from a zero hash, as Read(include_envelope) returns them.
inline std::vector<wijkboek::v1::Event> MakeChain(int count,
                                                  const std::string& summary = "resultaat") {
  std::vector<wijkboek::v1::Event> events;
  std::string prev(32, '\0');
  for (int i = 1; i <= count; ++i) {
    wijkboek::v1::Payload payload;
    wijkboek::v1::ResultRecorded* result = payload.mutable_result_recorded();
    result->set_action_id("taalmaatjes");
    result->set_summary(absl::StrCat(summary, " ", i, ": 14 koppels, één nieuw"));
    result->set_value(i + 0.5);
    result->set_unit("koppels");
    wijkboek::v1::RecordedEnvelope envelope;
    envelope.set_position(i);
    envelope.set_stream("action-taalmaatjes");
    envelope.set_stream_revision(i - 1);
    envelope.set_event_id(absl::StrCat("6f1c0a52-3f7e-4c59-9d1a-2b8e5f4c7a", 10 + i));
    envelope.set_type("ResultRecorded");
    envelope.set_recorded_at_unix_micros(1795000000123456 + i * 1000000);
    envelope.set_recorded_by("admin");
    wijkboek::v1::MetadataEntry* source = envelope.add_metadata();
    source->set_key("source");
    source->set_value("test");
    envelope.set_payload(payload.SerializeAsString());
    envelope.set_prev_hash(prev);
    absl::StatusOr<wijkboek::v1::Event> event = EventFromEnvelope(envelope.SerializeAsString());
    EXPECT_TRUE(event.ok()) << event.status();
    prev = event->hash();
    events.push_back(*std::move(event));
  }
  return events;
}

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "audit_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

}  // namespace audit::test
