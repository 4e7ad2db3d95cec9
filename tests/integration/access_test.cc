// Who may do what, over real gRPC against the real wijkboekd: every role against every RPC (the
// matrix in README.md), partner scoping on the write path, the Admin service and its events,
// revocation and expiry, and the per-principal limits.
//
// One server for the matrix suite (its cells only read, or write what no other cell looks at);
// the limit tests start their own with small limits.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "eventlog_helpers.h"
#include "wijkboek/v1/admin.grpc.pb.h"
#include "wijkboek/v1/views.grpc.pb.h"

namespace itest {
namespace {

using std::chrono::milliseconds;

// ---- Calls with a given token ------------------------------------------------------------------

void WithToken(grpc::ClientContext* context, const std::string& token) {
  ServerProcess::SetDeadline(context);
  context->AddMetadata("authorization", "Bearer " + token);
}

grpc::Status AppendAs(ServerProcess& server, const std::string& token,
                      const v1::AppendRequest& request, v1::AppendResponse* response = nullptr) {
  grpc::ClientContext context;
  WithToken(&context, token);
  v1::AppendResponse ignored;
  return server.Stub().Append(&context, request, response ? response : &ignored);
}

template <typename Request, typename Response>
grpc::Status AdminCall(ServerProcess& server, const std::string& token,
                       grpc::Status (v1::Admin::Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                            Response*),
                       const Request& request, Response* response) {
  auto stub = v1::Admin::NewStub(server.Channel());
  grpc::ClientContext context;
  WithToken(&context, token);
  return ((*stub).*rpc)(&context, request, response);
}

v1::RegisterPrincipalResponse Register(ServerProcess& server, const std::string& id, v1::Role role,
                                       const std::string& partner = "") {
  v1::RegisterPrincipalRequest request;
  request.set_principal_id(id);
  request.set_role(role);
  request.set_partner_id(partner);
  v1::RegisterPrincipalResponse response;
  grpc::Status s =
      AdminCall(server, server.token(), &v1::Admin::Stub::RegisterPrincipal, request, &response);
  EXPECT_TRUE(s.ok()) << "register " << id << ": " << Describe(s);
  return response;
}

v1::IssueTokenResponse Issue(ServerProcess& server, const std::string& principal,
                             int64_t expires_unix_seconds = 0) {
  v1::IssueTokenRequest request;
  request.set_principal_id(principal);
  if (expires_unix_seconds != 0) request.mutable_expires_at()->set_seconds(expires_unix_seconds);
  v1::IssueTokenResponse response;
  grpc::Status s =
      AdminCall(server, server.token(), &v1::Admin::Stub::IssueToken, request, &response);
  EXPECT_TRUE(s.ok()) << "issue for " << principal << ": " << Describe(s);
  return response;
}

grpc::Status Revoke(ServerProcess& server, const std::string& token_id) {
  v1::RevokeTokenRequest request;
  request.set_token_id(token_id);
  v1::RevokeTokenResponse response;
  return AdminCall(server, server.token(), &v1::Admin::Stub::RevokeToken, request, &response);
}

grpc::Status HeadAs(ServerProcess& server, const std::string& token) {
  grpc::ClientContext context;
  WithToken(&context, token);
  v1::GetHeadResponse response;
  return server.Stub().GetHead(&context, v1::GetHeadRequest(), &response);
}

// The action the fixture starts: owner bibliotheek, coalition vidomes (MakeActionStarted).
constexpr char kAction[] = "taal";

v1::AppendRequest ResultOn(const std::string& action) {
  return MakeRequest("action-" + action, {MakeResultRecorded(action, NewId("r"))});
}

// ---- The fixture: a programme with partners bibliotheek, vidomes and politie, and a principal
// of every role. --------------------------------------------------------------------------------

class AccessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    ASSERT_TRUE(server_->Start());
    SeedPrerequisites(*server_);
    MustAppend(*server_, MakeRequest("partner-politie", {MakePartnerJoined("politie")}));
    MustAppend(*server_, MakeRequest(std::string("action-") + kAction, {MakeActionStarted(kAction)}));
    const struct {
      const char* role_name;
      const char* principal;
      v1::Role role;
      const char* partner;
    } principals[] = {
        {"admin", "team", v1::ROLE_ADMIN, ""},
        {"partner", "vidomes-crm", v1::ROLE_PARTNER, "vidomes"},
        {"auditor", "obi", v1::ROLE_AUDITOR, ""},
        {"dashboard", "scherm", v1::ROLE_DASHBOARD, ""},
        {"other-partner", "politie-app", v1::ROLE_PARTNER, "politie"},
        {"owner-partner", "bieb", v1::ROLE_PARTNER, "bibliotheek"},
    };
    tokens_ = new std::map<std::string, std::string>();
    for (const auto& p : principals) {
      Register(*server_, p.principal, p.role, p.partner);
      (*tokens_)[p.role_name] = Issue(*server_, p.principal).token();
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    delete tokens_;
    server_ = nullptr;
    tokens_ = nullptr;
  }

  static const std::string& Token(const std::string& role) { return tokens_->at(role); }

  static ServerProcess* server_;
  static std::map<std::string, std::string>* tokens_;  // role name -> secret
};

ServerProcess* AccessTest::server_ = nullptr;
std::map<std::string, std::string>* AccessTest::tokens_ = nullptr;

// ---- Every role against every RPC --------------------------------------------------------------

struct RpcCase {
  std::string name;
  std::function<grpc::Status(ServerProcess&, const std::string& token)> call;
};

template <typename Request, typename Response>
RpcCase ViewsCase(std::string name,
                  grpc::Status (v1::Views::Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                       Response*),
                  Request request = {}) {
  return {std::move(name), [rpc, request](ServerProcess& server, const std::string& token) {
            auto stub = v1::Views::NewStub(server.Channel());
            grpc::ClientContext context;
            WithToken(&context, token);
            Response response;
            return ((*stub).*rpc)(&context, request, &response);
          }};
}

std::vector<RpcCase> AllRpcs() {
  std::vector<RpcCase> cases;
  cases.push_back({"EventLog.Append", [](ServerProcess& server, const std::string& token) {
                     // A result on the action every writer in the matrix may write on: the
                     // admin anywhere, partner vidomes as its coalition member.
                     return AppendAs(server, token, ResultOn(kAction));
                   }});
  cases.push_back({"EventLog.AppendStream", [](ServerProcess& server, const std::string& token) {
                     // The same append over a stream: refused at the start (the stream's status)
                     // or answered with the request's own error.
                     auto stub = v1::EventLog::NewStub(server.Channel());
                     grpc::ClientContext context;
                     WithToken(&context, token);
                     auto stream = stub->AppendStream(&context);
                     stream->Write(ResultOn(kAction));
                     stream->WritesDone();
                     v1::AppendStreamResponse answer;
                     const bool answered = stream->Read(&answer);
                     while (stream->Read(&answer)) {
                     }
                     const grpc::Status s = stream->Finish();
                     if (!s.ok() || !answered) return s;
                     if (answer.has_error()) {
                       return grpc::Status(static_cast<grpc::StatusCode>(answer.error().code()),
                                           answer.error().message());
                     }
                     return s;
                   }});
  cases.push_back({"EventLog.Read", [](ServerProcess& server, const std::string& token) {
                     grpc::ClientContext context;
                     WithToken(&context, token);
                     v1::ReadRequest request;
                     request.set_limit(3);
                     auto reader = server.Stub().Read(&context, request);
                     v1::Event e;
                     while (reader->Read(&e)) {
                     }
                     return reader->Finish();
                   }});
  cases.push_back({"EventLog.ReadBatches", [](ServerProcess& server, const std::string& token) {
                     grpc::ClientContext context;
                     WithToken(&context, token);
                     v1::ReadRequest request;
                     request.set_limit(3);
                     auto reader = server.Stub().ReadBatches(&context, request);
                     v1::EventBatch batch;
                     while (reader->Read(&batch)) {
                     }
                     return reader->Finish();
                   }});
  cases.push_back({"EventLog.Subscribe", [](ServerProcess& server, const std::string& token) {
                     grpc::ClientContext context;
                     WithToken(&context, token);
                     v1::SubscribeRequest request;
                     request.set_from_position(1);
                     auto reader = server.Stub().Subscribe(&context, request);
                     v1::SubscribeResponse r;
                     while (reader->Read(&r)) {
                       if (r.has_caught_up()) {
                         context.TryCancel();
                         reader->Finish();
                         return grpc::Status::OK;
                       }
                     }
                     return reader->Finish();
                   }});
  cases.push_back({"EventLog.GetHead", [](ServerProcess& server, const std::string& token) {
                     return HeadAs(server, token);
                   }});
  cases.push_back({"EventLog.Verify", [](ServerProcess& server, const std::string& token) {
                     grpc::ClientContext context;
                     WithToken(&context, token);
                     v1::VerifyResponse response;
                     grpc::Status s = server.Stub().Verify(&context, v1::VerifyRequest(), &response);
                     if (s.ok() && !response.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, response.reason());
                     return s;
                   }});
  cases.push_back({"EventLog.GetSignedHead", [](ServerProcess& server, const std::string& token) {
                     grpc::ClientContext context;
                     WithToken(&context, token);
                     v1::SignedHead response;
                     return server.Stub().GetSignedHead(&context, v1::GetSignedHeadRequest(),
                                                        &response);
                   }});
  v1::GetPartnerRequest partner;
  partner.set_partner_id("vidomes");
  v1::GetActionRequest action;
  action.set_action_id(kAction);
  cases.push_back(ViewsCase("Views.GetProgramme", &v1::Views::Stub::GetProgramme));
  cases.push_back(ViewsCase("Views.ListPartners", &v1::Views::Stub::ListPartners));
  cases.push_back(ViewsCase("Views.GetPartner", &v1::Views::Stub::GetPartner, partner));
  cases.push_back(ViewsCase("Views.ListActions", &v1::Views::Stub::ListActions));
  cases.push_back(ViewsCase("Views.GetAction", &v1::Views::Stub::GetAction, action));
  cases.push_back(ViewsCase("Views.GetCollaboration", &v1::Views::Stub::GetCollaboration));
  cases.push_back(ViewsCase("Views.ListOwnershipGaps", &v1::Views::Stub::ListOwnershipGaps));
  cases.push_back(ViewsCase("Views.ListKpis", &v1::Views::Stub::ListKpis));
  cases.push_back(ViewsCase("Views.GetAgenda", &v1::Views::Stub::GetAgenda));
  cases.push_back(ViewsCase("Views.GetFunds", &v1::Views::Stub::GetFunds));
  cases.push_back(ViewsCase("Views.GetProjectBook", &v1::Views::Stub::GetProjectBook));
  cases.push_back({"Admin.RegisterPrincipal", [](ServerProcess& server, const std::string& token) {
                     v1::RegisterPrincipalRequest request;
                     request.set_principal_id(NewId("p"));
                     request.set_role(v1::ROLE_DASHBOARD);
                     v1::RegisterPrincipalResponse response;
                     return AdminCall(server, token, &v1::Admin::Stub::RegisterPrincipal, request,
                                      &response);
                   }});
  cases.push_back({"Admin.IssueToken", [](ServerProcess& server, const std::string& token) {
                     v1::IssueTokenRequest request;
                     request.set_principal_id("scherm");
                     v1::IssueTokenResponse response;
                     return AdminCall(server, token, &v1::Admin::Stub::IssueToken, request,
                                      &response);
                   }});
  cases.push_back({"Admin.RevokeToken", [](ServerProcess& server, const std::string& token) {
                     // A token of its own to revoke, issued by the bootstrap admin.
                     v1::RevokeTokenRequest request;
                     request.set_token_id(Issue(server, "scherm").token_id());
                     v1::RevokeTokenResponse response;
                     return AdminCall(server, token, &v1::Admin::Stub::RevokeToken, request,
                                      &response);
                   }});
  cases.push_back({"Admin.ListPrincipals", [](ServerProcess& server, const std::string& token) {
                     v1::ListPrincipalsResponse response;
                     return AdminCall(server, token, &v1::Admin::Stub::ListPrincipals,
                                      v1::ListPrincipalsRequest(), &response);
                   }});
  cases.push_back({"Admin.Backup", [](ServerProcess& server, const std::string& token) {
                     v1::BackupRequest request;
                     request.set_directory(
                         (server.data_dir().parent_path() / NewId("backup")).string());
                     v1::BackupResponse response;
                     return AdminCall(server, token, &v1::Admin::Stub::Backup, request,
                                      &response);
                   }});
  return cases;
}

// The matrix of README.md, "Who may call what": true = allowed.
const std::map<std::string, std::map<std::string, bool>>& Matrix() {
  static const auto* matrix = [] {
    auto* m = new std::map<std::string, std::map<std::string, bool>>();
    for (const RpcCase& c : AllRpcs()) {
      const bool is_admin = c.name.rfind("Admin.", 0) == 0;
      const bool is_append = c.name == "EventLog.Append" || c.name == "EventLog.AppendStream";
      const bool is_verify = c.name == "EventLog.Verify";
      (*m)["admin"][c.name] = true;
      (*m)["partner"][c.name] = !is_admin && !is_verify;
      (*m)["auditor"][c.name] = !is_admin && !is_append;
      (*m)["dashboard"][c.name] = !is_admin && !is_append && !is_verify;
    }
    return m;
  }();
  return *matrix;
}

TEST_F(AccessTest, EveryRoleAgainstEveryRpc) {
  const std::vector<RpcCase> rpcs = AllRpcs();
  // Every method of the three services is in the table.
  size_t count = 0;
  for (const char* service : {"wijkboek.v1.EventLog", "wijkboek.v1.Views", "wijkboek.v1.Admin"}) {
    count += google::protobuf::DescriptorPool::generated_pool()
                 ->FindServiceByName(service)
                 ->method_count();
  }
  ASSERT_EQ(rpcs.size(), count) << "an RPC was added: add it to AllRpcs and to README.md";
  for (const auto& [role, allowed] : Matrix()) {
    for (const RpcCase& rpc : rpcs) {
      SCOPED_TRACE(role + " × " + rpc.name);
      const grpc::Status s = rpc.call(*server_, Token(role));
      if (allowed.at(rpc.name)) {
        EXPECT_TRUE(s.ok()) << Describe(s);
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
        EXPECT_NE(s.error_message().find(" (role " + role + ") may not "), std::string::npos)
            << s.error_message();
      }
    }
  }
}

TEST_F(AccessTest, EveryRpcRefusesAMissingOrUnknownToken) {
  for (const RpcCase& rpc : AllRpcs()) {
    SCOPED_TRACE(rpc.name);
    for (const std::string token : {"", "wbk_unknown"}) {
      const grpc::Status s = rpc.call(*server_, token);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << Describe(s);
    }
  }
}

// ---- Partner scoping on the write path ---------------------------------------------------------

TEST_F(AccessTest, APartnerCannotTouchAnotherPartnersAction) {
  const uint64_t head = MustGetHead(*server_).position();
  const grpc::Status s = AppendAs(*server_, Token("other-partner"), ResultOn(kAction));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  EXPECT_EQ(s.error_message(),
            "events[0]: principal politie-app (partner politie) may not write ResultRecorded on "
            "action taal: a partner writes only on actions it owns or has joined");
  v1::Payload status;
  status.mutable_action_status_changed()->set_action_id(kAction);
  status.mutable_action_status_changed()->set_status(v1::ACTION_STATUS_STOPPED);
  EXPECT_EQ(AppendAs(*server_, Token("other-partner"),
                     MakeRequest(std::string("action-") + kAction, {MakeEvent(status)}))
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(MustGetHead(*server_).position(), head) << "a refused append stored something";
}

TEST_F(AccessTest, APartnerWritesAsItselfAndTheLogSaysWho) {
  v1::AppendRequest request = ResultOn(kAction);
  (*request.mutable_events(0)->mutable_metadata())["recorded_by"] = "team";
  v1::AppendResponse response;
  const grpc::Status s = AppendAs(*server_, Token("owner-partner"), request, &response);
  ASSERT_TRUE(s.ok()) << Describe(s);
  const ReadResult read = ReadLog(*server_, response.last_position(), 1);
  ASSERT_EQ(read.events.size(), 1u);
  EXPECT_EQ(read.events[0].recorded_by(), "bieb");
}

TEST_F(AccessTest, APartnerStartsOnlyActionsItOwnsAndManagesNoStructure) {
  v1::ProposedEvent own = MakeActionStarted("politie-eigen");
  own.mutable_payload()->mutable_action_started()->set_owner_partner_id("politie");
  own.mutable_payload()->mutable_action_started()->clear_partner_ids();
  EXPECT_TRUE(AppendAs(*server_, Token("other-partner"), MakeRequest("action-politie-eigen", {own}))
                  .ok());
  const grpc::Status foreign = AppendAs(*server_, Token("other-partner"),
                                        MakeRequest("action-namens", {MakeActionStarted("namens")}));
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(foreign);
  const grpc::Status pillar =
      AppendAs(*server_, Token("partner"), MakeRequest("pillar-eigen", {MakePillarDefined("eigen")}));
  EXPECT_EQ(pillar.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(pillar);
  EXPECT_NE(pillar.error_message().find("the programme team's (role admin)"), std::string::npos);
}

TEST_F(AccessTest, AuditorsAndDashboardsCannotAppend) {
  for (const std::string role : {"auditor", "dashboard"}) {
    const grpc::Status s = AppendAs(*server_, Token(role), ResultOn(kAction));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << role;
    EXPECT_NE(s.error_message().find("only admin and partner principals write"), std::string::npos)
        << s.error_message();
  }
}

TEST_F(AccessTest, CredentialEventsAreNeverAppendedDirectly) {
  v1::Payload p;
  p.mutable_principal_registered()->set_principal_id("sluiproute");
  p.mutable_principal_registered()->set_role(v1::ROLE_ADMIN);
  const grpc::Status s =
      AppendAs(*server_, server_->token(), MakeRequest("principal-sluiproute", {MakeEvent(p)}));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  EXPECT_NE(s.error_message().find("written only by the Admin service"), std::string::npos);
}

// ---- Tokens ------------------------------------------------------------------------------------

TEST_F(AccessTest, ARevokedTokenStopsWorkingAtOnce) {
  const v1::IssueTokenResponse issued = Issue(*server_, "obi");
  ASSERT_TRUE(HeadAs(*server_, issued.token()).ok());
  ASSERT_TRUE(Revoke(*server_, issued.token_id()).ok());
  const grpc::Status s = HeadAs(*server_, issued.token());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << Describe(s);
  EXPECT_NE(s.error_message().find("token " + issued.token_id() + " was revoked"),
            std::string::npos);
  EXPECT_TRUE(HeadAs(*server_, Token("auditor")).ok()) << "the principal's other token";
  EXPECT_EQ(Revoke(*server_, issued.token_id()).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(AccessTest, AnExpiredTokenIsRefused) {
  const auto expires = std::chrono::system_clock::now() + std::chrono::seconds(2);
  const int64_t at = std::chrono::duration_cast<std::chrono::seconds>(
                         expires.time_since_epoch()).count() + 1;
  const v1::IssueTokenResponse issued = Issue(*server_, "scherm", at);
  ASSERT_TRUE(HeadAs(*server_, issued.token()).ok());
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(std::chrono::seconds(at)) +
                                milliseconds(100));
  const grpc::Status s = HeadAs(*server_, issued.token());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << Describe(s);
  EXPECT_NE(s.error_message().find("expired at"), std::string::npos) << s.error_message();
}

TEST_F(AccessTest, AdminRefusalsSayWhatIsWrong) {
  auto reg = [](const std::string& id, v1::Role role, const std::string& partner) {
    v1::RegisterPrincipalRequest request;
    request.set_principal_id(id);
    request.set_role(role);
    request.set_partner_id(partner);
    v1::RegisterPrincipalResponse response;
    return AdminCall(*server_, server_->token(), &v1::Admin::Stub::RegisterPrincipal, request,
                     &response);
  };
  EXPECT_EQ(reg("obi", v1::ROLE_AUDITOR, "").error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(reg("Niet Goed", v1::ROLE_AUDITOR, "").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reg("wijkboekd", v1::ROLE_ADMIN, "").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reg("geen-rol", v1::ROLE_UNSPECIFIED, "").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  const grpc::Status no_partner = reg("zonder", v1::ROLE_PARTNER, "");
  EXPECT_EQ(no_partner.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(no_partner.error_message().find("partner_id"), std::string::npos);
  EXPECT_EQ(reg("auditor-met-partner", v1::ROLE_AUDITOR, "vidomes").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  const grpc::Status unknown = reg("onbekend", v1::ROLE_PARTNER, "bestaat-niet");
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << Describe(unknown);

  v1::IssueTokenRequest issue;
  issue.set_principal_id("niemand");
  v1::IssueTokenResponse issued;
  EXPECT_EQ(AdminCall(*server_, server_->token(), &v1::Admin::Stub::IssueToken, issue, &issued)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  issue.set_principal_id("obi");
  issue.mutable_expires_at()->set_seconds(1);
  EXPECT_EQ(AdminCall(*server_, server_->token(), &v1::Admin::Stub::IssueToken, issue, &issued)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Revoke(*server_, "tok-0000000000000000").error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AccessTest, TheLogRecordsWhoWasGivenAccessButNeverASecret) {
  const v1::RegisterPrincipalResponse registered = Register(*server_, "accountant", v1::ROLE_AUDITOR);
  const v1::IssueTokenResponse issued = Issue(*server_, "accountant");
  const ReadResult stream = ReadStream(*server_, "principal-accountant");
  ASSERT_TRUE(stream.status.ok()) << Describe(stream.status);
  ASSERT_EQ(stream.events.size(), 2u);
  EXPECT_EQ(stream.events[0].position(), registered.position());
  EXPECT_EQ(stream.events[0].type(), "PrincipalRegistered");
  EXPECT_EQ(stream.events[0].recorded_by(), "admin");
  EXPECT_EQ(stream.events[1].type(), "TokenIssued");
  EXPECT_EQ(stream.events[1].payload().token_issued().token_id(), issued.token_id());
  EXPECT_EQ(stream.events[1].payload().token_issued().token_sha256().size(), 32u);
  for (const v1::Event& e : MustReadLog(*server_)) {
    EXPECT_EQ(e.SerializeAsString().find(issued.token()), std::string::npos)
        << "the secret is in the log at position " << e.position();
  }
  v1::ListPrincipalsResponse list;
  ASSERT_TRUE(AdminCall(*server_, server_->token(), &v1::Admin::Stub::ListPrincipals,
                        v1::ListPrincipalsRequest(), &list)
                  .ok());
  bool found = false;
  for (const v1::PrincipalInfo& p : list.principals()) {
    if (p.principal_id() != "accountant") continue;
    found = true;
    EXPECT_EQ(p.role(), v1::ROLE_AUDITOR);
    ASSERT_EQ(p.tokens_size(), 1);
    EXPECT_EQ(p.tokens(0).token_id(), issued.token_id());
    EXPECT_EQ(p.tokens(0).issued_by(), "admin");
  }
  EXPECT_TRUE(found);
}

// ---- Across a restart ----------------------------------------------------------------------------

TEST(AccessRestartTest, PrincipalsTokensAndRevocationsSurviveARestart) {
  ServerProcess server;
  ASSERT_TRUE(server.Start());
  SeedPrerequisites(server);
  Register(server, "vidomes-crm", v1::ROLE_PARTNER, "vidomes");
  const std::string kept = Issue(server, "vidomes-crm").token();
  const v1::IssueTokenResponse revoked = Issue(server, "vidomes-crm");
  ASSERT_TRUE(Revoke(server, revoked.token_id()).ok());
  ASSERT_EQ(server.Stop(), 0);
  ASSERT_TRUE(server.Restart());
  EXPECT_TRUE(HeadAs(server, kept).ok());
  EXPECT_EQ(HeadAs(server, revoked.token()).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(HeadAs(server, server.token()).ok()) << "the bootstrap admin";
  // The bootstrap admin was registered once, not again on restart.
  const ReadResult admin = ReadStream(server, "principal-admin");
  EXPECT_EQ(admin.events.size(), 2u);
}

// ---- Limits --------------------------------------------------------------------------------------

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_extra_args({"--max-append-rate", "5", "--append-burst", "5",
                            "--max-subscriptions", "2", "--max-events-per-append", "3",
                            "--max-string-bytes", "100", "--max-payload-bytes", "600",
                            "--max-message-bytes", "65536"});
    ASSERT_TRUE(server_.Start());
    SeedPrerequisites(server_);  // 3 requests, 4 events: within the burst
    MustAppend(server_, MakeRequest(std::string("action-") + kAction, {MakeActionStarted(kAction)}));
  }
  ServerProcess server_;
};

TEST_F(LimitsTest, AppendsFasterThanTheRateAreRefusedWithARetryHint) {
  // The seed took the burst; the bucket refills at 5 events/s.
  grpc::Status refused;
  std::string pushback;
  for (int i = 0; i < 20 && refused.ok(); ++i) {
    grpc::ClientContext context;
    server_.Authorize(&context);
    v1::AppendResponse response;
    refused = server_.Stub().Append(&context, ResultOn(kAction), &response);
    auto it = context.GetServerTrailingMetadata().find("grpc-retry-pushback-ms");
    if (it != context.GetServerTrailingMetadata().end()) {
      pushback = std::string(it->second.data(), it->second.size());
    }
  }
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << Describe(refused);
  EXPECT_NE(refused.error_message().find("appends faster than its limit of 5 events per second"),
            std::string::npos)
      << refused.error_message();
  EXPECT_NE(refused.error_message().find("retry in "), std::string::npos);
  ASSERT_FALSE(pushback.empty());
  EXPECT_GT(std::stoi(pushback), 0);
  // After the wait the principal may append again.
  std::this_thread::sleep_for(milliseconds(std::stoi(pushback) + 50));
  EXPECT_TRUE(Append(server_, ResultOn(kAction)).status.ok());
}

TEST_F(LimitsTest, APrincipalHoldsAtMostItsCapOfSubscriptions) {
  v1::SubscribeRequest from_start;
  from_start.set_from_position(1);
  auto first = std::make_unique<Subscription>(server_, from_start);
  Subscription second(server_, from_start);
  ASSERT_TRUE(first->WaitForCaughtUp());
  ASSERT_TRUE(second.WaitForCaughtUp());
  {
    Subscription third(server_, from_start);
    ASSERT_TRUE(third.WaitFor([](const auto&) { return false; }, milliseconds(2000)) == false);
    EXPECT_TRUE(third.Ended());
    const grpc::Status s = third.Cancel();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << Describe(s);
    EXPECT_NE(s.error_message().find("already has 2 live subscriptions"), std::string::npos);
  }
  first->Cancel();
  first.reset();
  // The slot comes back when a subscription ends (the server notices the cancel).
  bool caught_up = false;
  for (int attempt = 0; attempt < 50 && !caught_up; ++attempt) {
    Subscription again(server_, from_start);
    caught_up = again.WaitForCaughtUp(milliseconds(2000));
    if (!caught_up) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(caught_up);
}

TEST_F(LimitsTest, OversizeRequestsAreRefusedAndStoreNothing) {
  const uint64_t head = MustGetHead(server_).position();
  std::vector<v1::ProposedEvent> four;
  for (int i = 0; i < 4; ++i) four.push_back(MakeResultRecorded(kAction, "r"));
  AppendResult r = Append(server_, MakeRequest(std::string("action-") + kAction, four));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(r.status.error_message().find("at most 3 are allowed"), std::string::npos);

  r = Append(server_, MakeRequest(std::string("action-") + kAction,
                                  {MakeResultRecorded(kAction, std::string(101, 'x'))}));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(r.status.error_message().find("summary: is 101 bytes long; at most 100"),
            std::string::npos)
      << r.status.error_message();

  // Over --max-payload-bytes 600 with every string within its 100 bytes: many coalition partners.
  v1::ProposedEvent big = MakeActionStarted("groot");
  for (int i = 0; i < 8; ++i) {
    big.mutable_payload()->mutable_action_started()->add_partner_ids(
        std::string(88, 'p') + "-" + std::to_string(i));
  }
  r = Append(server_, MakeRequest("action-groot", {big}));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(r.status);
  EXPECT_NE(r.status.error_message().find("bytes are allowed per event"), std::string::npos)
      << r.status.error_message();

  // Over --max-message-bytes: gRPC itself refuses the request before it is parsed.
  v1::AppendRequest huge = MakeRequest(std::string("action-") + kAction, {MakeResultRecorded(kAction, "r")});
  (*huge.mutable_events(0)->mutable_metadata())["pad"] = std::string(100 * 1024, 'p');
  r = Append(server_, huge);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << Describe(r.status);

  EXPECT_EQ(MustGetHead(server_).position(), head);
}

}  // namespace
}  // namespace itest
