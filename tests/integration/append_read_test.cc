// Append and Read over real gRPC: what is stored, where, in which order, and how it is read back.

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "eventlog_helpers.h"

namespace itest {
namespace {

using google::protobuf::util::TimeUtil;
// Starts on an empty log. A test that appends action events first seeds the programme they refer
// to (SeedPrerequisites: kSeedEvents events in streams of their own), so its own events start at
// position base + 1; positions are still checked gapless from 1 across the whole log.
using AppendReadTest = ServerTest;

std::map<std::string, std::string> AsMap(const google::protobuf::Map<std::string, std::string>& m) {
  return {m.begin(), m.end()};
}

// Appends `count` events to action-<action_id> (ActionStarted, then results) in one request.
// Needs the seed.
v1::AppendResponse AppendActionEvents(ServerProcess& server, const std::string& action_id,
                                      int count) {
  std::vector<v1::ProposedEvent> events = {MakeActionStarted(action_id)};
  for (int i = 1; i < count; ++i) {
    events.push_back(MakeResultRecorded(action_id, "resultaat " + std::to_string(i)));
  }
  return MustAppend(server, MakeRequest("action-" + action_id, std::move(events)));
}

std::vector<uint64_t> Revisions(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.stream_revision());
  return out;
}

std::vector<uint64_t> Positions(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.position());
  return out;
}

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {  // inclusive, either direction
  std::vector<uint64_t> out;
  if (first <= last) {
    for (uint64_t i = first; i <= last; ++i) out.push_back(i);
  } else {
    for (uint64_t i = first; i + 1 > last; --i) out.push_back(i);
  }
  return out;
}

TEST_F(AppendReadTest, AppendThenReadReturnsEveryField) {
  const uint64_t base = SeedPrerequisites(server_).head;
  const std::string action = NewId("act");
  const std::string stream = "action-" + action;
  const v1::AppendRequest request = MakeRequest(
      stream, NoStream(), {MakeActionStarted(action), MakeResultRecorded(action, "12 koppels")});

  const auto before = std::chrono::system_clock::now();
  const v1::AppendResponse response = MustAppend(server_, request);
  const auto after = std::chrono::system_clock::now();
  EXPECT_EQ(response.first_position(), base + 1);
  EXPECT_EQ(response.last_position(), base + 2);
  EXPECT_EQ(response.stream_revision(), 1u);
  EXPECT_FALSE(response.deduplicated());

  const ReadResult read = ReadStream(server_, stream);
  ASSERT_TRUE(read.status.ok()) << Describe(read.status);
  ASSERT_EQ(read.events.size(), 2u);
  const char* types[] = {"ActionStarted", "ResultRecorded"};
  const auto micros = [](auto tp) {
    return std::chrono::duration_cast<std::chrono::microseconds>(tp.time_since_epoch()).count();
  };
  const int64_t slack = 5'000'000;  // 5 s either side: server and test share a clock
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    const v1::Event& e = read.events[i];
    const v1::ProposedEvent& sent = request.events(i);
    EXPECT_EQ(e.position(), base + i + 1);
    EXPECT_EQ(e.stream(), stream);
    EXPECT_EQ(e.stream_revision(), static_cast<uint64_t>(i));
    EXPECT_EQ(e.event_id(), sent.event_id());
    EXPECT_EQ(e.type(), types[i]);
    EXPECT_TRUE(SameMessage(e.payload(), sent.payload()))
        << "stored " << e.payload().ShortDebugString() << "\nsent "
        << sent.payload().ShortDebugString();
    EXPECT_EQ(AsMap(e.metadata()), AsMap(sent.metadata()));
    EXPECT_EQ(e.recorded_by(), "admin");
    const int64_t at = TimeUtil::TimestampToMicroseconds(e.recorded_at());
    EXPECT_GE(at, micros(before) - slack);
    EXPECT_LE(at, micros(after) + slack);
    EXPECT_EQ(e.prev_hash().size(), 32u);
    EXPECT_EQ(e.hash().size(), 32u);
  }
  EXPECT_LE(TimeUtil::TimestampToMicroseconds(read.events[0].recorded_at()),
            TimeUtil::TimestampToMicroseconds(read.events[1].recorded_at()));
}

TEST_F(AppendReadTest, EveryPayloadKindIsStoredInItsStreamWithItsTypeName) {
  struct Case {
    std::string stream;
    std::string type;
    v1::Payload payload;
  };
  std::vector<Case> cases;
  auto add = [&](std::string stream, std::string type, auto fill) {
    Case c{std::move(stream), std::move(type), {}};
    fill(c.payload);
    cases.push_back(std::move(c));
  };
  // On an empty log, in an order the rules on write accept: every id is defined before an event
  // refers to it, and the partner leaves only after its last part in the action.
  add("pillar-jeugd", "PillarDefined", [](v1::Payload& p) {
    p.mutable_pillar_defined()->set_pillar_id("jeugd");
    p.mutable_pillar_defined()->set_name("Jeugd en onderwijs");
  });
  add("pillar-jeugd", "GoalDefined", [](v1::Payload& p) {
    p.mutable_goal_defined()->set_pillar_id("jeugd");
    p.mutable_goal_defined()->set_goal_id("taal");
    p.mutable_goal_defined()->set_title("Taal");
  });
  add("kpi-taalniveau", "KpiDefined", [](v1::Payload& p) {
    p.mutable_kpi_defined()->set_kpi_id("taalniveau");
    p.mutable_kpi_defined()->set_pillar_id("jeugd");
    p.mutable_kpi_defined()->set_name("Taalniveau");
    p.mutable_kpi_defined()->set_unit("%");
  });
  add("kpi-taalniveau", "MeasurementRecorded", [](v1::Payload& p) {
    p.mutable_measurement_recorded()->set_kpi_id("taalniveau");
    p.mutable_measurement_recorded()->set_measurement_id("m-2024");
    p.mutable_measurement_recorded()->set_value(64.2);
    p.mutable_measurement_recorded()->set_period("2023-2024");
  });
  add("partner-vidomes", "PartnerJoined", [](v1::Payload& p) {
    p.mutable_partner_joined()->set_partner_id("vidomes");
    p.mutable_partner_joined()->set_name("Vidomes");
  });
  add("partner-vidomes", "PartnerProfileUpdated", [](v1::Payload& p) {
    p.mutable_partner_profile_updated()->set_partner_id("vidomes");
    p.mutable_partner_profile_updated()->set_name("Vidomes woningcorporatie");
    p.mutable_partner_profile_updated()->set_website("https://vidomes.nl");
  });
  add("action-maatjes", "ActionStarted", [](v1::Payload& p) {
    // Under goal taal, without an owner (an ownership gap) or coalition: vidomes joins below.
    *p.mutable_action_started() = MakeActionStarted("maatjes").payload().action_started();
    p.mutable_action_started()->set_goal_id("taal");
    p.mutable_action_started()->clear_owner_partner_id();
    p.mutable_action_started()->clear_partner_ids();
  });
  add("action-maatjes", "PartnerJoinedAction", [](v1::Payload& p) {
    p.mutable_partner_joined_action()->set_action_id("maatjes");
    p.mutable_partner_joined_action()->set_partner_id("vidomes");
    p.mutable_partner_joined_action()->set_role("financier");
  });
  add("action-maatjes", "OwnershipTransferred", [](v1::Payload& p) {
    p.mutable_ownership_transferred()->set_action_id("maatjes");
    p.mutable_ownership_transferred()->set_to_partner_id("vidomes");
  });
  add("action-maatjes", "ResultRecorded", [](v1::Payload& p) {
    *p.mutable_result_recorded() = MakeResultRecorded("maatjes", "r").payload().result_recorded();
  });
  add("action-maatjes", "ActionStatusChanged", [](v1::Payload& p) {
    p.mutable_action_status_changed()->set_action_id("maatjes");
    p.mutable_action_status_changed()->set_status(v1::ACTION_STATUS_ONGOING);
  });
  add("action-maatjes", "CapacityCommitted", [](v1::Payload& p) {
    p.mutable_capacity_committed()->set_action_id("maatjes");
    p.mutable_capacity_committed()->set_partner_id("vidomes");
    p.mutable_capacity_committed()->set_hours_per_week(4);
  });
  add("action-maatjes", "FundsAllocated", [](v1::Payload& p) {
    p.mutable_funds_allocated()->set_action_id("maatjes");
    p.mutable_funds_allocated()->set_amount_cents(250000);
    p.mutable_funds_allocated()->set_source("Deal voor Noord");
  });
  add("partner-vidomes", "PartnerLeft", [](v1::Payload& p) {
    p.mutable_partner_left()->set_partner_id("vidomes");
    p.mutable_partner_left()->set_reason("fusie");
  });
  add("programme", "DecisionRecorded", [](v1::Payload& p) {
    *p.mutable_decision_recorded() = MakeDecisionRecorded("d1").payload().decision_recorded();
  });
  add("programme", "ActivityScheduled", [](v1::Payload& p) {
    p.mutable_activity_scheduled()->set_activity_id("doe-mee-2025");
    p.mutable_activity_scheduled()->set_title("Doe mee! Weken");
    p.mutable_activity_scheduled()->set_starts_on("2025-05-05");
    p.mutable_activity_scheduled()->set_ends_on("2025-05-16");
  });
  add("programme", "SignalRaised", [](v1::Payload& p) {
    p.mutable_signal_raised()->set_signal_id("s1");
    p.mutable_signal_raised()->set_pillar_id("jeugd");
    p.mutable_signal_raised()->set_summary("Overlast bij het winkelcentrum");
  });
  add("programme", "ProgrammeDescribed", [](v1::Payload& p) {
    p.mutable_programme_described()->set_name("Sterk voor Noord");
    p.mutable_programme_described()->set_municipality("Leidschendam-Voorburg");
    p.mutable_programme_described()->set_horizon_year(2043);
  });
  // PrincipalRegistered, TokenIssued and TokenRevoked are written only by the Admin service
  // (admin_test.cc); Append refuses them.
  constexpr size_t kCredentialKinds = 3;
  ASSERT_EQ(cases.size() + kCredentialKinds,
            static_cast<size_t>(v1::Payload::GetDescriptor()->field_count()))
      << "a payload kind was added to events.proto: add it here";
  std::set<std::string> kinds;
  for (const Case& c : cases) kinds.insert(c.type);
  ASSERT_EQ(kinds.size(), cases.size()) << "a payload kind is listed twice";

  for (const Case& c : cases) {
    const AppendResult r = Append(server_, MakeRequest(c.stream, {MakeEvent(c.payload)}));
    EXPECT_TRUE(r.status.ok()) << c.type << " to " << c.stream << ": " << Describe(r.status);
  }
  std::vector<v1::Event> log = MustReadLog(server_);
  ASSERT_EQ(log.size(), kBootstrapEvents + cases.size());
  log.erase(log.begin(), log.begin() + kBootstrapEvents);
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(log[i].stream(), cases[i].stream);
    EXPECT_EQ(log[i].type(), cases[i].type);
    EXPECT_TRUE(SameMessage(log[i].payload(), cases[i].payload)) << cases[i].type;
  }
}

TEST_F(AppendReadTest, PositionsAreGaplessFromOneAcrossStreams) {
  const uint64_t base = SeedPrerequisites(server_).head;
  const std::vector<std::string> actions = {NewId("a"), NewId("b"), NewId("c")};
  uint64_t next = base + 1;
  for (int round = 0; round < 4; ++round) {
    for (size_t s = 0; s < actions.size(); ++s) {
      const int count = 1 + static_cast<int>((round + s) % 3);
      std::vector<v1::ProposedEvent> events;
      for (int i = 0; i < count; ++i) {
        events.push_back(round == 0 && i == 0 ? MakeActionStarted(actions[s])
                                              : MakeResultRecorded(actions[s], "r"));
      }
      const v1::AppendResponse r =
          MustAppend(server_, MakeRequest("action-" + actions[s], std::move(events)));
      EXPECT_EQ(r.first_position(), next);
      EXPECT_EQ(r.last_position(), next + count - 1);
      next += count;
    }
    MustAppend(server_, MakeRequest("programme", {MakeDecisionRecorded(NewId("d"))}));
    ++next;
  }
  const std::vector<v1::Event> log = MustReadLog(server_);
  EXPECT_EQ(Positions(log), Range(1, next - 1));
}

TEST_F(AppendReadTest, StreamRevisionsStartAtZeroPerStream) {
  const uint64_t base = SeedPrerequisites(server_).head;
  const std::string a = NewId("a"), b = NewId("b");
  EXPECT_EQ(
      MustAppend(server_, MakeRequest("action-" + a, {MakeActionStarted(a)})).stream_revision(),
      0u);
  EXPECT_EQ(
      MustAppend(server_, MakeRequest("action-" + b, {MakeActionStarted(b)})).stream_revision(),
      0u);
  EXPECT_EQ(MustAppend(server_, MakeRequest("action-" + a, {MakeResultRecorded(a, "1"),
                                                            MakeResultRecorded(a, "2")}))
                .stream_revision(),
            2u);
  EXPECT_EQ(MustAppend(server_, MakeRequest("action-" + b, {MakeResultRecorded(b, "1")}))
                .stream_revision(),
            1u);
  EXPECT_EQ(
      MustAppend(server_, MakeRequest("programme", {MakeDecisionRecorded("d")})).stream_revision(),
      0u);

  const ReadResult ra = ReadStream(server_, "action-" + a);
  const ReadResult rb = ReadStream(server_, "action-" + b);
  ASSERT_TRUE(ra.status.ok() && rb.status.ok()) << Describe(ra.status) << Describe(rb.status);
  EXPECT_EQ(Revisions(ra.events), Range(0, 2));
  EXPECT_EQ(Revisions(rb.events), Range(0, 1));
  EXPECT_EQ(Positions(ra.events), (std::vector<uint64_t>{base + 1, base + 3, base + 4}));
  EXPECT_EQ(Positions(rb.events), (std::vector<uint64_t>{base + 2, base + 5}));
}

TEST_F(AppendReadTest, HashChainLinksEveryEventToItsPredecessor) {
  const uint64_t base = SeedPrerequisites(server_).head;
  for (int i = 0; i < 10; ++i) {
    const std::string a = NewId("a");
    MustAppend(server_,
               MakeRequest("action-" + a, {MakeActionStarted(a), MakeResultRecorded(a, "r")}));
    MustAppend(server_, MakeRequest("partner-p" + std::to_string(i),
                                    {MakePartnerJoined("p" + std::to_string(i))}));
  }
  const std::vector<v1::Event> log = MustReadLog(server_);
  ASSERT_EQ(log.size(), base + 30);
  EXPECT_TRUE(ChainIsIntact(log));
  // A stream read shows the same hashes as the log.
  const ReadResult partner = ReadStream(server_, "partner-p3");
  ASSERT_TRUE(partner.status.ok()) << Describe(partner.status);
  ASSERT_EQ(partner.events.size(), 1u);
  const v1::Event& from_log = log[partner.events[0].position() - 1];
  EXPECT_EQ(partner.events[0].hash(), from_log.hash());
  EXPECT_EQ(partner.events[0].prev_hash(), from_log.prev_hash());
}

TEST_F(AppendReadTest, AFreshLogHoldsOnlyTheBootstrapAdmin) {
  const v1::GetHeadResponse head = MustGetHead(server_);
  EXPECT_EQ(head.position(), kBootstrapEvents);
  const ReadResult log = ReadLog(server_);
  ASSERT_TRUE(log.status.ok()) << Describe(log.status);
  ASSERT_EQ(log.events.size(), kBootstrapEvents);
  EXPECT_EQ(log.events[0].type(), "PrincipalRegistered");
  EXPECT_EQ(log.events[0].stream(), "principal-admin");
  EXPECT_EQ(log.events[0].recorded_by(), "wijkboekd");
  EXPECT_EQ(log.events[0].prev_hash(), std::string(32, '\0'));
  EXPECT_EQ(log.events[1].type(), "TokenIssued");
  EXPECT_EQ(head.hash(), log.events[1].hash());
}

TEST_F(AppendReadTest, HeadIsPositionAndHashOfLastEvent) {
  const uint64_t base = SeedPrerequisites(server_).head;
  AppendActionEvents(server_, NewId("a"), 3);
  AppendActionEvents(server_, NewId("b"), 2);
  const v1::GetHeadResponse head = MustGetHead(server_);
  const std::vector<v1::Event> log = MustReadLog(server_);
  ASSERT_EQ(log.size(), base + 5);
  EXPECT_EQ(head.position(), base + 5);
  EXPECT_EQ(head.hash(), log.back().hash());
}

TEST_F(AppendReadTest, ReadStreamBackwardsFromTheEnd) {
  const uint64_t base = SeedPrerequisites(server_).head;
  const std::string a = NewId("a");
  AppendActionEvents(server_, NewId("other"), 2);
  AppendActionEvents(server_, a, 10);
  const ReadResult r = ReadStream(server_, "action-" + a, 0, 0, /*backwards=*/true);
  ASSERT_TRUE(r.status.ok()) << Describe(r.status);
  EXPECT_EQ(Revisions(r.events), Range(9, 0));
  EXPECT_EQ(Positions(r.events), Range(base + 12, base + 3));
}

TEST_F(AppendReadTest, ReadStreamBackwardsFromARevisionWithLimit) {
  SeedPrerequisites(server_);
  const std::string a = NewId("a");
  AppendActionEvents(server_, a, 10);
  const ReadResult r = ReadStream(server_, "action-" + a, 6, 3, /*backwards=*/true);
  ASSERT_TRUE(r.status.ok()) << Describe(r.status);
  EXPECT_EQ(Revisions(r.events), Range(6, 4));
}

TEST_F(AppendReadTest, ReadStreamFromTheMiddle) {
  SeedPrerequisites(server_);
  const std::string a = NewId("a");
  AppendActionEvents(server_, a, 10);
  const ReadResult r = ReadStream(server_, "action-" + a, 4);
  ASSERT_TRUE(r.status.ok()) << Describe(r.status);
  EXPECT_EQ(Revisions(r.events), Range(4, 9));
}

TEST_F(AppendReadTest, ReadStreamWithLimit) {
  SeedPrerequisites(server_);
  const std::string a = NewId("a");
  AppendActionEvents(server_, a, 10);
  const ReadResult first = ReadStream(server_, "action-" + a, 0, 3);
  ASSERT_TRUE(first.status.ok()) << Describe(first.status);
  EXPECT_EQ(Revisions(first.events), Range(0, 2));
  const ReadResult tail = ReadStream(server_, "action-" + a, 8, 5);
  ASSERT_TRUE(tail.status.ok()) << Describe(tail.status);
  EXPECT_EQ(Revisions(tail.events), Range(8, 9));
}

TEST_F(AppendReadTest, ReadLogForwardsFromTheMiddleWithLimit) {
  const uint64_t base = SeedPrerequisites(server_).head;
  AppendActionEvents(server_, NewId("a"), 6);
  AppendActionEvents(server_, NewId("b"), 6);
  const ReadResult from_middle = ReadLog(server_, base + 5);
  ASSERT_TRUE(from_middle.status.ok()) << Describe(from_middle.status);
  EXPECT_EQ(Positions(from_middle.events), Range(base + 5, base + 12));
  const ReadResult limited = ReadLog(server_, base + 5, 4);
  ASSERT_TRUE(limited.status.ok()) << Describe(limited.status);
  EXPECT_EQ(Positions(limited.events), Range(base + 5, base + 8));
  const ReadResult from_start = ReadLog(server_, 0, 2);
  ASSERT_TRUE(from_start.status.ok()) << Describe(from_start.status);
  EXPECT_EQ(Positions(from_start.events), Range(1, 2));
}

TEST_F(AppendReadTest, ReadLogBackwards) {
  const uint64_t base = SeedPrerequisites(server_).head;
  AppendActionEvents(server_, NewId("a"), 6);
  AppendActionEvents(server_, NewId("b"), 6);
  const ReadResult all = ReadLog(server_, 0, 0, /*backwards=*/true);
  ASSERT_TRUE(all.status.ok()) << Describe(all.status);
  EXPECT_EQ(Positions(all.events), Range(base + 12, 1));
  const ReadResult last_three = ReadLog(server_, 0, 3, /*backwards=*/true);
  ASSERT_TRUE(last_three.status.ok()) << Describe(last_three.status);
  EXPECT_EQ(Positions(last_three.events), Range(base + 12, base + 10));
  const ReadResult from_seven = ReadLog(server_, base + 7, 0, /*backwards=*/true);
  ASSERT_TRUE(from_seven.status.ok()) << Describe(from_seven.status);
  EXPECT_EQ(Positions(from_seven.events), Range(base + 7, 1));
}

TEST_F(AppendReadTest, ReadUnknownStreamIsNotFound) {
  SeedPrerequisites(server_);
  AppendActionEvents(server_, NewId("a"), 2);
  const ReadResult r = ReadStream(server_, "action-" + NewId("nope"));
  EXPECT_TRUE(StatusIs(r.status, grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(r.events.empty());
}

TEST_F(AppendReadTest, ExpectedRevisionsThatMatchAppend) {
  const uint64_t base = SeedPrerequisites(server_).head;
  const std::string a = NewId("a");
  const std::string stream = "action-" + a;
  EXPECT_EQ(MustAppend(server_, MakeRequest(stream, NoStream(), {MakeActionStarted(a)}))
                .stream_revision(),
            0u);
  EXPECT_EQ(MustAppend(server_, MakeRequest(stream, Exact(0), {MakeResultRecorded(a, "1")}))
                .stream_revision(),
            1u);
  EXPECT_EQ(MustAppend(server_, MakeRequest(stream, StreamExists(), {MakeResultRecorded(a, "2")}))
                .stream_revision(),
            2u);
  EXPECT_EQ(MustAppend(server_, MakeRequest(stream, Any(), {MakeResultRecorded(a, "3")}))
                .stream_revision(),
            3u);
  EXPECT_EQ(MustAppend(server_, MakeRequest(stream, Exact(3), {MakeResultRecorded(a, "4")}))
                .stream_revision(),
            4u);
  EXPECT_EQ(MustGetHead(server_).position(), base + 5);
}

}  // namespace
}  // namespace itest
