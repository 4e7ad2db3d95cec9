#include "eventlog_helpers.h"

#include <google/protobuf/util/message_differencer.h>

#include <cstdio>
#include <random>
#include <set>

namespace itest {
namespace {

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  return rng;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

}  // namespace

std::string NewUuid() {
  uint64_t hi = Rng()(), lo = Rng()();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

std::string NewId(std::string_view prefix) {
  char buf[13];
  std::snprintf(buf, sizeof buf, "%012llx",
                static_cast<unsigned long long>(Rng()() & 0xffffffffffffULL));
  return std::string(prefix) + "-" + buf;
}

// ---- Proposed events ---------------------------------------------------------------------------

v1::ProposedEvent MakeEvent(v1::Payload payload) {
  v1::ProposedEvent event;
  event.set_event_id(NewUuid());
  *event.mutable_payload() = std::move(payload);
  (*event.mutable_metadata())["source"] = "integration-test";
  (*event.mutable_metadata())["correlation_id"] = NewUuid();
  return event;
}

v1::ProposedEvent MakePartnerJoined(const std::string& partner_id) {
  v1::Payload p;
  auto* e = p.mutable_partner_joined();
  e->set_partner_id(partner_id);
  e->set_name("Partner " + partner_id);
  e->set_sector("onderwijs");
  e->add_roles("bestuur");
  e->set_occurred_on("2024-03-01");
  return MakeEvent(std::move(p));
}

v1::ProposedEvent MakePillarDefined(const std::string& pillar_id) {
  v1::Payload p;
  auto* e = p.mutable_pillar_defined();
  e->set_pillar_id(pillar_id);
  e->set_name("Jeugd en onderwijs");
  e->set_ambition("Elk kind krijgt kansen");
  return MakeEvent(std::move(p));
}

v1::ProposedEvent MakeGoalDefined(const std::string& pillar_id, const std::string& goal_id) {
  v1::Payload p;
  auto* e = p.mutable_goal_defined();
  e->set_goal_id(goal_id);
  e->set_pillar_id(pillar_id);
  e->set_title("Taalachterstand verkleinen");
  e->set_number(3);
  return MakeEvent(std::move(p));
}

v1::ProposedEvent MakeKpiDefined(const std::string& kpi_id) {
  v1::Payload p;
  auto* e = p.mutable_kpi_defined();
  e->set_kpi_id(kpi_id);
  e->set_pillar_id(kSeedPillar);
  e->set_name("Leerlingen met voldoende taalniveau");
  e->set_unit("%");
  e->set_baseline(61.5);
  e->set_target_10y(75);
  e->set_target_20y(85);
  e->set_higher_is_better(true);
  return MakeEvent(std::move(p));
}

v1::ProposedEvent MakeActionStarted(const std::string& action_id) {
  v1::Payload p;
  auto* e = p.mutable_action_started();
  e->set_action_id(action_id);
  e->set_goal_id(kSeedGoal);
  e->set_title("Taalmaatjes");
  e->set_description("Vrijwilligers oefenen wekelijks met ouders");
  e->set_owner_partner_id("bibliotheek");
  e->add_partner_ids("vidomes");
  e->set_occurred_on("2024-01-15");
  e->set_planned_start("2024-02-01");
  e->set_planned_end("2025-01-31");
  e->set_status(v1::ACTION_STATUS_IN_PROGRESS);
  return MakeEvent(std::move(p));
}

v1::ProposedEvent MakeResultRecorded(const std::string& action_id, const std::string& summary) {
  v1::Payload p;
  auto* e = p.mutable_result_recorded();
  e->set_action_id(action_id);
  e->set_summary(summary);
  e->set_value(12);
  e->set_unit("koppels");
  e->set_occurred_on("2024-06-30");
  return MakeEvent(std::move(p));
}

v1::ProposedEvent MakeActionStatusChanged(const std::string& action_id, v1::ActionStatus status) {
  v1::Payload p;
  auto* e = p.mutable_action_status_changed();
  e->set_action_id(action_id);
  e->set_status(status);
  e->set_note("besloten in stuurgroep");
  return MakeEvent(std::move(p));
}

v1::ProposedEvent MakeDecisionRecorded(const std::string& decision_id) {
  v1::Payload p;
  auto* e = p.mutable_decision_recorded();
  e->set_decision_id(decision_id);
  e->set_body("Stuurgroep");
  e->set_title("Doe mee! Weken in mei");
  e->set_text("De stuurgroep besluit ...");
  return MakeEvent(std::move(p));
}

// ---- The programme the builders refer to -------------------------------------------------------

std::vector<v1::AppendRequest> SeedRequests() {
  return {MakeRequest(std::string("pillar-") + kSeedPillar,
                      {MakePillarDefined(kSeedPillar), MakeGoalDefined(kSeedPillar, kSeedGoal)}),
          MakeRequest("partner-bibliotheek", {MakePartnerJoined("bibliotheek")}),
          MakeRequest("partner-vidomes", {MakePartnerJoined("vidomes")})};
}

Seed SeedPrerequisites(ServerProcess& server) {
  Seed seed;
  seed.requests = SeedRequests();
  for (const v1::AppendRequest& request : seed.requests) {
    seed.responses.push_back(MustAppend(server, request));
  }
  seed.head = seed.responses.back().last_position();
  return seed;
}

// ---- Requests ----------------------------------------------------------------------------------

v1::ExpectedRevision Any() {
  v1::ExpectedRevision r;
  r.set_any(true);
  return r;
}
v1::ExpectedRevision NoStream() {
  v1::ExpectedRevision r;
  r.set_no_stream(true);
  return r;
}
v1::ExpectedRevision StreamExists() {
  v1::ExpectedRevision r;
  r.set_stream_exists(true);
  return r;
}
v1::ExpectedRevision Exact(uint64_t revision) {
  v1::ExpectedRevision r;
  r.set_exact(revision);
  return r;
}

v1::AppendRequest MakeRequest(const std::string& stream, std::vector<v1::ProposedEvent> events) {
  v1::AppendRequest request;
  request.set_stream(stream);
  for (auto& e : events) *request.add_events() = std::move(e);
  return request;
}

v1::AppendRequest MakeRequest(const std::string& stream, v1::ExpectedRevision expected,
                              std::vector<v1::ProposedEvent> events) {
  v1::AppendRequest request = MakeRequest(stream, std::move(events));
  *request.mutable_expected_revision() = std::move(expected);
  return request;
}

// ---- Calls -------------------------------------------------------------------------------------

AppendResult Append(ServerProcess& server, const v1::AppendRequest& request) {
  grpc::ClientContext context;
  server.Authorize(&context);
  AppendResult result;
  result.status = server.Stub().Append(&context, request, &result.response);
  return result;
}

v1::AppendResponse MustAppend(ServerProcess& server, const v1::AppendRequest& request) {
  AppendResult result = Append(server, request);
  if (!result.status.ok()) {
    ADD_FAILURE() << "Append to " << request.stream() << " failed: " << Describe(result.status);
    return {};
  }
  return result.response;
}

ReadResult Read(ServerProcess& server, const v1::ReadRequest& request) {
  grpc::ClientContext context;
  server.Authorize(&context);
  ReadResult result;
  auto reader = server.Stub().Read(&context, request);
  v1::Event event;
  while (reader->Read(&event)) result.events.push_back(event);
  result.status = reader->Finish();
  return result;
}

ReadResult ReadStream(ServerProcess& server, const std::string& stream, uint64_t from,
                      uint32_t limit, bool backwards) {
  v1::ReadRequest request;
  request.set_stream(stream);
  request.set_from(from);
  request.set_limit(limit);
  request.set_backwards(backwards);
  return Read(server, request);
}

ReadResult ReadLog(ServerProcess& server, uint64_t from, uint32_t limit, bool backwards) {
  return ReadStream(server, "", from, limit, backwards);
}

std::vector<v1::Event> MustReadLog(ServerProcess& server) {
  ReadResult result = ReadLog(server);
  if (!result.status.ok()) {
    ADD_FAILURE() << "Read of the whole log failed: " << Describe(result.status);
    return {};
  }
  return std::move(result.events);
}

v1::GetHeadResponse MustGetHead(ServerProcess& server) {
  grpc::ClientContext context;
  server.Authorize(&context);
  v1::GetHeadResponse head;
  grpc::Status status = server.Stub().GetHead(&context, v1::GetHeadRequest(), &head);
  if (!status.ok()) {
    ADD_FAILURE() << "GetHead failed: " << Describe(status);
    return {};
  }
  return head;
}

grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                         grpc::health::v1::HealthCheckResponse* response) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  ServerProcess::SetDeadline(&context);
  return stub->Check(&context, grpc::health::v1::HealthCheckRequest(), response);
}

// ---- Checks ------------------------------------------------------------------------------------

std::string Describe(const grpc::Status& status) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  const int code = status.error_code();
  std::string name = (code >= 0 && code <= 16) ? kNames[code] : std::to_string(code);
  return name + ": \"" + status.error_message() + "\"";
}

::testing::AssertionResult StatusIs(const grpc::Status& status, grpc::StatusCode code,
                                    std::string_view message_part) {
  if (status.error_code() != code) {
    return ::testing::AssertionFailure()
           << "expected " << Describe(grpc::Status(code, "")) << " got " << Describe(status);
  }
  if (status.error_message().find(message_part) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "message of " << Describe(status) << " does not contain \"" << message_part << "\"";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult ChainIsIntact(const std::vector<v1::Event>& whole_log) {
  const std::string zeros(32, '\0');
  std::set<std::string> hashes;
  for (size_t i = 0; i < whole_log.size(); ++i) {
    const v1::Event& e = whole_log[i];
    if (e.position() != i + 1) {
      return ::testing::AssertionFailure()
             << "event #" << i << " has position " << e.position() << ", expected " << i + 1;
    }
    if (e.hash().size() != 32) {
      return ::testing::AssertionFailure()
             << "position " << e.position() << ": hash has " << e.hash().size() << " bytes";
    }
    const std::string& expected_prev = i == 0 ? zeros : whole_log[i - 1].hash();
    if (e.prev_hash() != expected_prev) {
      return ::testing::AssertionFailure()
             << "position " << e.position() << ": prev_hash " << Hex(e.prev_hash())
             << " != " << (i == 0 ? "32 zero bytes " : "hash of previous ") << Hex(expected_prev);
    }
    if (!hashes.insert(e.hash()).second) {
      return ::testing::AssertionFailure()
             << "position " << e.position() << ": hash " << Hex(e.hash()) << " seen before";
    }
  }
  return ::testing::AssertionSuccess();
}

bool SameMessage(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// ---- Subscription ------------------------------------------------------------------------------

Subscription::Subscription(ServerProcess& server, v1::SubscribeRequest request)
    : stub_(v1::EventLog::NewStub(server.Channel())) {
  server.Authorize(&context_, std::chrono::minutes(5));
  reader_ = std::thread(&Subscription::ReadLoop, this, std::move(request));
}

Subscription::~Subscription() { Cancel(); }

void Subscription::ReadLoop(v1::SubscribeRequest request) {
  auto reader = stub_->Subscribe(&context_, request);
  v1::SubscribeResponse response;
  while (reader->Read(&response)) {
    std::lock_guard lock(mu_);
    responses_.push_back(response);
    cv_.notify_all();
  }
  grpc::Status status = reader->Finish();
  std::lock_guard lock(mu_);
  status_ = std::move(status);
  ended_ = true;
  cv_.notify_all();
}

bool Subscription::WaitFor(
    const std::function<bool(const std::vector<v1::SubscribeResponse>&)>& done,
    std::chrono::milliseconds deadline) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, deadline, [&] { return ended_ || done(responses_); });
  return done(responses_);
}

bool Subscription::WaitForCaughtUp(std::chrono::milliseconds deadline) {
  return WaitFor(
      [](const auto& rs) {
        for (const auto& r : rs) {
          if (r.message_case() == v1::SubscribeResponse::kCaughtUp) return true;
        }
        return false;
      },
      deadline);
}

bool Subscription::WaitForPosition(uint64_t position, std::chrono::milliseconds deadline) {
  return WaitFor(
      [position](const auto& rs) {
        for (auto it = rs.rbegin(); it != rs.rend(); ++it) {
          if (it->has_event()) return it->event().position() >= position;
          if (it->events().events_size() > 0) {
            return it->events().events().rbegin()->position() >= position;
          }
        }
        return false;
      },
      deadline);
}

bool Subscription::WaitForEvents(size_t count, std::chrono::milliseconds deadline) {
  return WaitFor(
      [count](const auto& rs) {
        size_t n = 0;
        for (const auto& r : rs) n += r.has_event() ? 1 : r.events().events_size();
        return n >= count;
      },
      deadline);
}

std::vector<v1::SubscribeResponse> Subscription::Responses() const {
  std::lock_guard lock(mu_);
  return responses_;
}

std::vector<v1::Event> Subscription::Events() const {
  std::lock_guard lock(mu_);
  std::vector<v1::Event> events;
  for (const auto& r : responses_) {
    if (r.has_event()) events.push_back(r.event());
    events.insert(events.end(), r.events().events().begin(), r.events().events().end());
  }
  return events;
}

bool Subscription::Ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

grpc::Status Subscription::Cancel() {
  if (reader_.joinable()) {
    context_.TryCancel();
    reader_.join();
  }
  std::lock_guard lock(mu_);
  return status_;
}

}  // namespace itest
