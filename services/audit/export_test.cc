// The export format and its offline verifier: an export verifies from the file alone, and every
// change to it (one character, a swapped or missing line, a rewritten chain against a signed
// head) is found at its position.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/audit/audit_test_util.h"
#include "services/audit/digest.h"
#include "services/audit/export_format.h"
#include "services/audit/export_verifier.h"
#include "services/audit/head_signer.h"
#include "services/audit/signed_head.h"

namespace audit::test {
namespace {

using wijkboek::v1::Event;
using wijkboek::v1::VerifyResponse;

constexpr char kSource[] = "wijkboek://127.0.0.1:50051";

std::vector<std::string> Export(const std::vector<Event>& events,
                                ExportFormat format = ExportFormat::kCloudEvents) {
  std::vector<std::string> lines;
  for (const Event& event : events) {
    absl::StatusOr<std::string> line = EncodeExportLine(event, format, kSource);
    EXPECT_TRUE(line.ok()) << line.status();
    lines.push_back(line.value_or(""));
  }
  return lines;
}

VerifyResponse VerifyLines(const std::vector<std::string>& lines,
                           std::optional<wijkboek::v1::SignedHead> since = std::nullopt) {
  ExportVerifier verifier(std::move(since));
  for (const std::string& line : lines) {
    if (!verifier.AddLine(line)) break;
  }
  return verifier.Finish();
}

TEST(ExportFormatTest, CloudEventHasTheDocumentedAttributes) {
  const std::vector<Event> events = MakeChain(2);
  const nlohmann::json line = nlohmann::json::parse(Export(events)[1]);
  EXPECT_EQ(line["specversion"], "1.0");
  EXPECT_EQ(line["id"], events[1].event_id());
  EXPECT_EQ(line["source"], kSource);
  EXPECT_EQ(line["type"], "wijkboek.v1.ResultRecorded");
  EXPECT_EQ(line["subject"], "action-taalmaatjes");
  EXPECT_EQ(line["time"], "2026-11-18T11:06:42.123456Z");
  EXPECT_EQ(line["datacontenttype"], "application/json");
  EXPECT_EQ(line["position"], "2");
  EXPECT_EQ(line["revision"], "1");
  EXPECT_EQ(line["recordedby"], "admin");
  EXPECT_EQ(line["hash"], Hex(events[1].hash()));
  EXPECT_EQ(line["prevhash"], Hex(events[0].hash()));
  EXPECT_EQ(line["data"]["summary"], "resultaat 2: 14 koppels, één nieuw");
  EXPECT_EQ(line["data"]["value"], 2.5);
  EXPECT_EQ(line["envelope"], absl::Base64Escape(events[1].envelope()));
  EXPECT_EQ(line.size(), 14u);
  for (const auto& [name, value] : line.items()) {
    for (char c : name) EXPECT_TRUE(std::islower(c) || std::isdigit(c)) << name;
  }
}

TEST(ExportFormatTest, EventWithoutEnvelopeIsRefused) {
  Event event = MakeChain(1)[0];
  event.clear_envelope();
  absl::Status s = EncodeExportLine(event, ExportFormat::kCloudEvents, kSource).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("include_envelope"), absl::string_view::npos) << s;
}

TEST(ExportFormatTest, FormatNamesParse) {
  EXPECT_EQ(*ParseExportFormat("cloudevents"), ExportFormat::kCloudEvents);
  EXPECT_EQ(*ParseExportFormat("json"), ExportFormat::kJson);
  EXPECT_EQ(ParseExportFormat("xml").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ExportVerifierTest, ExportVerifiesInBothFormats) {
  const std::vector<Event> events = MakeChain(5);
  for (ExportFormat format : {ExportFormat::kCloudEvents, ExportFormat::kJson}) {
    const VerifyResponse verdict = VerifyLines(Export(events, format));
    EXPECT_TRUE(verdict.ok()) << verdict.reason();
    EXPECT_EQ(verdict.checked(), 5u);
    EXPECT_EQ(verdict.to_position(), 5u);
    EXPECT_EQ(verdict.head_hash(), events.back().hash());
  }
}

TEST(ExportVerifierTest, RangeFromTheMiddleVerifiesAndBlankLinesAreSkipped) {
  const std::vector<Event> events = MakeChain(6);
  std::vector<std::string> lines = Export({events.begin() + 2, events.end()});
  lines.insert(lines.begin() + 1, "");
  ExportVerifier verifier;
  for (const std::string& line : lines) ASSERT_TRUE(verifier.AddLine(line));
  EXPECT_TRUE(verifier.Finish().ok()) << verifier.Finish().reason();
  EXPECT_EQ(verifier.first_position(), 3u);
  EXPECT_EQ(verifier.last_position(), 6u);
  EXPECT_EQ(verifier.Finish().checked(), 4u);
}

// Any one character of a line changed into another breaks that line, in either format.
TEST(ExportVerifierTest, EveryOneCharacterChangeIsFoundAtItsPosition) {
  const std::vector<Event> events = MakeChain(3);
  for (ExportFormat format : {ExportFormat::kCloudEvents, ExportFormat::kJson}) {
    const std::vector<std::string> lines = Export(events, format);
    for (std::size_t i = 0; i < lines[1].size(); ++i) {
      for (char replacement : {'a', '0', ' '}) {
        if (lines[1][i] == replacement) continue;
        std::vector<std::string> changed = lines;
        changed[1][i] = replacement;
        const VerifyResponse verdict = VerifyLines(changed);
        ASSERT_FALSE(verdict.ok()) << "character " << i << " of " << lines[1] << " became '"
                                   << replacement << "' unnoticed";
        ASSERT_EQ(verdict.first_bad_position(), 2u) << i << ": " << verdict.reason();
      }
    }
  }
}

TEST(ExportVerifierTest, ChangedSummaryIsNamedInTheReason) {
  std::vector<std::string> lines = Export(MakeChain(3));
  const std::size_t at = lines[2].find("14 koppels");
  ASSERT_NE(at, std::string::npos);
  lines[2][at + 1] = '5';
  const VerifyResponse verdict = VerifyLines(lines);
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.first_bad_position(), 3u);
  EXPECT_EQ(verdict.checked(), 2u);
  EXPECT_EQ(verdict.reason(),
            "line 3: the readable form differs from the envelope: /data/summary says "
            "\"resultaat 3: 15 koppels, één nieuw\" but the envelope says \"resultaat 3: 14 "
            "koppels, één nieuw\"");
}

TEST(ExportVerifierTest, SwappedOrMissingLinesAreFoundWhereTheOrderBreaks) {
  const std::vector<std::string> lines = Export(MakeChain(4));
  std::vector<std::string> swapped = lines;
  std::swap(swapped[1], swapped[2]);
  VerifyResponse verdict = VerifyLines(swapped);
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.first_bad_position(), 2u);
  EXPECT_NE(verdict.reason().find("reordered"), std::string::npos) << verdict.reason();

  std::vector<std::string> missing = lines;
  missing.erase(missing.begin() + 2);
  verdict = VerifyLines(missing);
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.first_bad_position(), 3u);
}

TEST(ExportVerifierTest, FirstEventMustLinkToZero) {
  std::vector<Event> events = MakeChain(2);
  std::vector<std::string> lines = Export({events[1]});
  // Alone, position 2 may start an export; position 1 with a non-zero prev_hash may not.
  EXPECT_TRUE(VerifyLines(lines).ok());
  wijkboek::v1::RecordedEnvelope envelope;
  ASSERT_TRUE(envelope.ParseFromString(events[0].envelope()));
  envelope.set_prev_hash(std::string(32, '\x01'));
  Event forged = *EventFromEnvelope(envelope.SerializeAsString());
  const VerifyResponse verdict = VerifyLines(Export({forged}));
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.first_bad_position(), 1u);
}

TEST(ExportVerifierTest, LineThatIsNoJsonIsFoundAtTheNextPosition) {
  std::vector<std::string> lines = Export(MakeChain(2));
  lines[1] = "not json";
  const VerifyResponse verdict = VerifyLines(lines);
  EXPECT_EQ(verdict.first_bad_position(), 2u);
  EXPECT_EQ(verdict.reason(), "line 2: not a JSON object");
}

class SinceHeadTest : public TempDirTest {
 protected:
  wijkboek::v1::SignedHead SignAt(const std::vector<Event>& events, std::size_t position) {
    bool created = false;
    std::unique_ptr<HeadSigner> signer = *HeadSigner::Open(dir_, &created);
    return *signer->Sign(position, events[position - 1].hash(), 1795000000000000);
  }
};

TEST_F(SinceHeadTest, ExportThatExtendsTheSignedHeadVerifies) {
  const std::vector<Event> events = MakeChain(5);
  ExportVerifier verifier(SignAt(events, 3));
  for (const std::string& line : Export(events)) ASSERT_TRUE(verifier.AddLine(line));
  EXPECT_TRUE(verifier.since_head_matched());
  EXPECT_TRUE(verifier.Finish().ok()) << verifier.Finish().reason();
}

TEST_F(SinceHeadTest, RewrittenAndRehashedChainFailsAtTheSignedPosition) {
  const std::vector<Event> original = MakeChain(5);
  const wijkboek::v1::SignedHead head = SignAt(original, 3);
  const std::vector<Event> rewritten = MakeChain(5, "herschreven");
  const std::vector<std::string> lines = Export(rewritten);
  EXPECT_TRUE(VerifyLines(lines).ok()) << "the rewritten chain is consistent in itself";
  const VerifyResponse verdict = VerifyLines(lines, head);
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.first_bad_position(), 3u);
  EXPECT_NE(verdict.reason().find("rewritten at or before this position"), std::string::npos)
      << verdict.reason();
}

TEST_F(SinceHeadTest, ExportThatDoesNotReachTheSignedHeadIsNotOk) {
  const std::vector<Event> events = MakeChain(5);
  const VerifyResponse verdict = VerifyLines(Export({events.begin(), events.begin() + 2}),
                                             SignAt(events, 4));
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.first_bad_position(), 0u);
  EXPECT_EQ(verdict.reason(),
            "the export holds positions 1 to 2, not the signed head's position 4: export a range "
            "that includes it");
}

}  // namespace
}  // namespace audit::test
