#pragma once

// Builders for proposed events and small synchronous wrappers over the EventLog stub, shared by
// the integration tests. Every wrapper attaches the admin token and a deadline.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "server_process.h"
#include "wijkboek/v1/eventlog.grpc.pb.h"
#include "wijkboek/v1/events.pb.h"

namespace itest {

namespace v1 = ::wijkboek::v1;

// A random version-4 UUID, lowercase 8-4-4-4-12.
std::string NewUuid();
// A short unique slug for aggregate ids, e.g. NewId("act") -> "act-3f9c0a1b2d4e".
std::string NewId(std::string_view prefix);

// ---- Proposed events (each with a fresh event_id and a little metadata) ----------------------
// MakeKpiDefined and MakeActionStarted name the seed's pillar, goal and partners (SeedRequests
// below): on a log without the seed the rules on write refuse them with FAILED_PRECONDITION.

v1::ProposedEvent MakeEvent(v1::Payload payload);
v1::ProposedEvent MakePartnerJoined(const std::string& partner_id);
v1::ProposedEvent MakePillarDefined(const std::string& pillar_id);
v1::ProposedEvent MakeGoalDefined(const std::string& pillar_id, const std::string& goal_id);
v1::ProposedEvent MakeKpiDefined(const std::string& kpi_id);
v1::ProposedEvent MakeActionStarted(const std::string& action_id);
v1::ProposedEvent MakeResultRecorded(const std::string& action_id, const std::string& summary);
v1::ProposedEvent MakeActionStatusChanged(const std::string& action_id, v1::ActionStatus status);
v1::ProposedEvent MakeDecisionRecorded(const std::string& decision_id);

// ---- Requests --------------------------------------------------------------------------------

v1::ExpectedRevision Any();
v1::ExpectedRevision NoStream();
v1::ExpectedRevision StreamExists();
v1::ExpectedRevision Exact(uint64_t revision);

// A request without expected_revision (i.e. `any`).
v1::AppendRequest MakeRequest(const std::string& stream, std::vector<v1::ProposedEvent> events);
v1::AppendRequest MakeRequest(const std::string& stream, v1::ExpectedRevision expected,
                              std::vector<v1::ProposedEvent> events);

// ---- Calls -----------------------------------------------------------------------------------

struct AppendResult {
  grpc::Status status;
  v1::AppendResponse response;
};
AppendResult Append(ServerProcess& server, const v1::AppendRequest& request);
// Append that must succeed; a failure is recorded (ADD_FAILURE) and an empty response returned.
v1::AppendResponse MustAppend(ServerProcess& server, const v1::AppendRequest& request);

struct ReadResult {
  grpc::Status status;
  std::vector<v1::Event> events;
};
ReadResult Read(ServerProcess& server, const v1::ReadRequest& request);
ReadResult ReadStream(ServerProcess& server, const std::string& stream, uint64_t from = 0,
                      uint32_t limit = 0, bool backwards = false);
ReadResult ReadLog(ServerProcess& server, uint64_t from = 0, uint32_t limit = 0,
                   bool backwards = false);
// The whole log, forwards; a failure is recorded and an empty vector returned.
std::vector<v1::Event> MustReadLog(ServerProcess& server);
// The head; a failure is recorded and position 0 returned.
v1::GetHeadResponse MustGetHead(ServerProcess& server);

// grpc.health.v1 Check of the whole server over `channel`, without a token, with a deadline.
grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                         grpc::health::v1::HealthCheckResponse* response);

// ---- Checks ----------------------------------------------------------------------------------

// `status` has `code` and, when given, its message contains `message_part`.
::testing::AssertionResult StatusIs(const grpc::Status& status, grpc::StatusCode code,
                                    std::string_view message_part = {});
std::string Describe(const grpc::Status& status);
// Positions 1..n without gaps, first prev_hash 32 zero bytes, prev_hash[i] == hash[i-1],
// hashes 32 bytes and distinct.
::testing::AssertionResult ChainIsIntact(const std::vector<v1::Event>& whole_log);
bool SameMessage(const google::protobuf::Message& a, const google::protobuf::Message& b);

// ---- The programme the builders refer to -----------------------------------------------------

// The server checks the rules on write (services/domain/README.md): an ActionStarted needs its
// goal (which needs its pillar) and its owner and coalition partners must be current partners.
// The seed is the smallest programme in which the builders above satisfy them: pillar
// jeugd-en-onderwijs (MakeKpiDefined's pillar) with goal goal-taal (MakeActionStarted's goal), then
// partners bibliotheek and vidomes (MakeActionStarted's owner and coalition partner), in three
// requests: kSeedEvents events in the streams pillar-jeugd-en-onderwijs, partner-bibliotheek and
// partner-vidomes. Nothing in an action-* or the programme stream.
inline constexpr uint64_t kSeedEvents = 4;
// A fresh server's log is not empty: on first start wijkboekd registers principal `admin` with
// the bootstrap token (PrincipalRegistered, TokenIssued in principal-admin), positions 1 and 2.
inline constexpr uint64_t kBootstrapEvents = 2;
inline constexpr const char* kSeedPillar = "jeugd-en-onderwijs";
inline constexpr const char* kSeedGoal = "goal-taal";
std::vector<v1::AppendRequest> SeedRequests();

struct Seed {
  std::vector<v1::AppendRequest> requests;    // as sent
  std::vector<v1::AppendResponse> responses;  // one per request
  uint64_t head = 0;                          // the head after the seed
};
// Appends SeedRequests(); a failure is recorded (ADD_FAILURE). On a fresh log the seed takes
// the positions after the bootstrap events, so a test's own events start at head + 1.
Seed SeedPrerequisites(ServerProcess& server);

// ---- Fixture ---------------------------------------------------------------------------------

// A fresh server on a fresh data dir for every test.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()); }
  ServerProcess server_;
};

// A fresh server whose log starts with the seed (SeedPrerequisites): the test's own events start
// at position base_ + 1; its stream revisions are unaffected (the seed has streams of its own).
class SeededServerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    seed_ = SeedPrerequisites(server_);
    ASSERT_FALSE(HasFailure()) << "seeding the programme failed";
    base_ = seed_.head;
    ASSERT_EQ(base_, kBootstrapEvents + kSeedEvents);
  }
  Seed seed_;
  uint64_t base_ = 0;  // the head after the seed
};

// ---- Subscriptions ---------------------------------------------------------------------------

// A Subscribe call read on its own thread; everything it receives is kept in order. It holds its
// own stub on the server's channel of the moment, so it may outlive a Stop() but not a Restart()
// that it should follow. Destruction cancels the call and joins the thread.
class Subscription {
 public:
  static constexpr std::chrono::seconds kWait{30};

  Subscription(ServerProcess& server, v1::SubscribeRequest request);
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Waits until `done(responses so far)` holds, the stream ends, or the deadline passes.
  bool WaitFor(const std::function<bool(const std::vector<v1::SubscribeResponse>&)>& done,
               std::chrono::milliseconds deadline = kWait);
  bool WaitForCaughtUp(std::chrono::milliseconds deadline = kWait);
  // Waits for an event at `position` or later.
  bool WaitForPosition(uint64_t position, std::chrono::milliseconds deadline = kWait);
  // Waits until `count` events arrived.
  bool WaitForEvents(size_t count, std::chrono::milliseconds deadline = kWait);

  std::vector<v1::SubscribeResponse> Responses() const;
  // The events received, one by one or in batches (SubscribeRequest.batch_events), in order.
  std::vector<v1::Event> Events() const;
  // Cancels the call, joins the reader; returns how the call ended.
  grpc::Status Cancel();
  // True once the call has ended (by the server, an error, or Cancel()).
  bool Ended() const;

 private:
  void ReadLoop(v1::SubscribeRequest request);

  std::unique_ptr<v1::EventLog::Stub> stub_;
  grpc::ClientContext context_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<v1::SubscribeResponse> responses_;  // guarded by mu_
  bool ended_ = false;                            // guarded by mu_
  grpc::Status status_;                           // guarded by mu_, set when ended_
  std::thread reader_;
};

}  // namespace itest
