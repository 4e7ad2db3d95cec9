#include "services/auth/authenticator.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "services/auth/policy.h"

namespace auth {
namespace {

namespace v1 = ::wijkboek::v1;

class BootstrapTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wijkboek-auth-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string ReadToken() {
    std::ifstream in(dir_ + "/admin.token");
    std::string t;
    std::getline(in, t);
    return t;
  }
  std::string dir_;
};

TEST_F(BootstrapTokenTest, FirstStartWritesAPrivateTokenAndKeepsItsHash) {
  auto first = LoadOrCreateBootstrapToken(dir_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  struct stat st{};
  ASSERT_EQ(stat((dir_ + "/admin.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::string token = ReadToken();
  EXPECT_EQ(token.rfind("wbk_", 0), 0u);
  EXPECT_EQ(token.size(), 4u + 43u);
  EXPECT_EQ(first->hash, TokenHash(token));

  auto again = LoadOrCreateBootstrapToken(dir_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->hash, first->hash);
}

TEST_F(BootstrapTokenTest, AMangledHashFileIsDataLoss) {
  std::ofstream(dir_ + "/admin.token.sha256") << "not hex\n";
  auto t = LoadOrCreateBootstrapToken(dir_);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(t.status().message().find("remove it and admin.token"), std::string_view::npos);
}

TEST(Tokens, AreRandomAndIdsAreSlugs) {
  EXPECT_NE(NewToken(), NewToken());
  std::string id = NewTokenId();
  EXPECT_EQ(id.rfind("tok-", 0), 0u);
  EXPECT_EQ(id.size(), 4u + 16u);
  EXPECT_EQ(BootstrapTokenId(std::string(32, '\x01')), "tok-0101010101010101");
  std::string uuid = NewUuid();
  EXPECT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '4');
}

// ---- The table folded from the log --------------------------------------------------------------

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() : auth_([this] { return now_; }) {}

  void Event(const v1::Payload& payload, const std::string& principal) {
    storage::StoredEvent e;
    e.position = ++position_;
    e.stream = "principal-" + principal;
    e.payload = payload.SerializeAsString();
    e.recorded_at_unix_micros = now_;
    e.recorded_by = "admin";
    auth_.Apply(e);
  }
  void Register(const std::string& id, v1::Role role, const std::string& partner = "") {
    v1::Payload p;
    p.mutable_principal_registered()->set_principal_id(id);
    p.mutable_principal_registered()->set_role(role);
    p.mutable_principal_registered()->set_partner_id(partner);
    Event(p, id);
  }
  // Issues a token and returns the secret.
  std::string Issue(const std::string& principal, const std::string& token_id,
                    std::int64_t expires = 0) {
    std::string token = NewToken();
    v1::Payload p;
    auto* e = p.mutable_token_issued();
    e->set_principal_id(principal);
    e->set_token_id(token_id);
    e->set_token_sha256(TokenHash(token));
    e->set_expires_at_unix_micros(expires);
    Event(p, principal);
    return token;
  }
  void Revoke(const std::string& principal, const std::string& token_id) {
    v1::Payload p;
    p.mutable_token_revoked()->set_principal_id(principal);
    p.mutable_token_revoked()->set_token_id(token_id);
    Event(p, principal);
  }

  std::int64_t now_ = 1'700'000'000'000'000;
  storage::Position position_ = 0;
  Authenticator auth_;
};

TEST_F(AuthenticatorTest, ATokenNamesItsPrincipalRoleAndPartner) {
  Register("vidomes-crm", v1::ROLE_PARTNER, "vidomes");
  std::string token = Issue("vidomes-crm", "tok-1");
  auto p = auth_.Authenticate("Bearer " + token);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->id, "vidomes-crm");
  EXPECT_EQ(p->role, v1::ROLE_PARTNER);
  EXPECT_EQ(p->partner_id, "vidomes");
  EXPECT_EQ(p->token_id, "tok-1");
}

TEST_F(AuthenticatorTest, MissingMalformedAndUnknownCredentialsAreUnauthenticated) {
  Register("obi", v1::ROLE_AUDITOR);
  std::string token = Issue("obi", "tok-1");
  for (const std::string& bad : std::vector<std::string>{"", "Basic abc", token, "Bearer wbk_nope"}) {
    auto p = auth_.Authenticate(bad);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated) << bad;
    EXPECT_EQ(p.status().message().find(token), std::string_view::npos);
  }
  EXPECT_EQ(auth_.Authenticate("Bearer wbk_nope").status().message(), "unknown token");
}

TEST_F(AuthenticatorTest, ARevokedTokenIsRefusedAtOnceAndTheOthersStillWork) {
  Register("scherm", v1::ROLE_DASHBOARD);
  std::string first = Issue("scherm", "tok-1");
  std::string second = Issue("scherm", "tok-2");
  Revoke("scherm", "tok-1");
  auto p = auth_.Authenticate("Bearer " + first);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(p.status().message(), "token tok-1 was revoked at 2023-11-14T22:13:20Z");
  EXPECT_TRUE(auth_.Authenticate("Bearer " + second).ok());
}

TEST_F(AuthenticatorTest, AnExpiredTokenIsRefused) {
  Register("scherm", v1::ROLE_DASHBOARD);
  std::string token = Issue("scherm", "tok-1", now_ + 1'000'000);
  EXPECT_TRUE(auth_.Authenticate("Bearer " + token).ok());
  now_ += 1'000'000;
  auto p = auth_.Authenticate("Bearer " + token);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(p.status().message().find("token tok-1 expired at"), std::string_view::npos);
}

TEST_F(AuthenticatorTest, StillValidSeesRevocationAndExpiryByTokenId) {
  Register("scherm", v1::ROLE_DASHBOARD);
  Issue("scherm", "tok-1");
  Issue("scherm", "tok-2", now_ + 1'000'000);
  EXPECT_TRUE(auth_.StillValid("tok-1").ok());
  EXPECT_TRUE(auth_.StillValid("tok-2").ok());
  Revoke("scherm", "tok-1");
  EXPECT_EQ(auth_.StillValid("tok-1").message(), "token tok-1 was revoked at 2023-11-14T22:13:20Z");
  now_ += 1'000'000;
  EXPECT_NE(auth_.StillValid("tok-2").message().find("token tok-2 expired at"),
            std::string_view::npos);
  EXPECT_EQ(auth_.StillValid("tok-unknown").code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, EventsOfOtherStreamsAreIgnored) {
  v1::Payload p;
  p.mutable_principal_registered()->set_principal_id("sneaky");
  p.mutable_principal_registered()->set_role(v1::ROLE_ADMIN);
  storage::StoredEvent e;
  e.stream = "programme";
  e.payload = p.SerializeAsString();
  auth_.Apply(e);
  EXPECT_FALSE(auth_.HasPrincipal("sneaky"));
}

TEST_F(AuthenticatorTest, PrincipalsListsEveryoneWithTheirTokensOldestFirst) {
  Register("team", v1::ROLE_ADMIN);
  Register("obi", v1::ROLE_AUDITOR);
  Issue("obi", "tok-b");
  now_ += 10;
  Issue("obi", "tok-a");
  Revoke("obi", "tok-b");
  auto all = auth_.Principals();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "obi");
  ASSERT_EQ(all[0].tokens.size(), 2u);
  EXPECT_EQ(all[0].tokens[0].token_id, "tok-b");
  EXPECT_TRUE(all[0].tokens[0].revoked);
  EXPECT_EQ(all[0].tokens[1].token_id, "tok-a");
  EXPECT_EQ(all[1].id, "team");
  EXPECT_TRUE(all[1].tokens.empty());
  EXPECT_EQ(auth_.FindToken("tok-a")->principal_id, "obi");
  EXPECT_FALSE(auth_.FindToken("tok-z").has_value());
}

// ---- What each role may call --------------------------------------------------------------------

TEST(Policy, EveryRoleAgainstEveryOperation) {
  using O = Operation;
  struct Cell {
    v1::Role role;
    O operation;
    bool allowed;
  };
  const Cell cells[] = {
      {v1::ROLE_ADMIN, O::kAppend, true},          {v1::ROLE_ADMIN, O::kReadLog, true},
      {v1::ROLE_ADMIN, O::kVerify, true},          {v1::ROLE_ADMIN, O::kReadViews, true},
      {v1::ROLE_ADMIN, O::kAdminister, true},      {v1::ROLE_PARTNER, O::kAppend, true},
      {v1::ROLE_PARTNER, O::kReadLog, true},       {v1::ROLE_PARTNER, O::kVerify, false},
      {v1::ROLE_PARTNER, O::kReadViews, true},     {v1::ROLE_PARTNER, O::kAdminister, false},
      {v1::ROLE_AUDITOR, O::kAppend, false},       {v1::ROLE_AUDITOR, O::kReadLog, true},
      {v1::ROLE_AUDITOR, O::kVerify, true},        {v1::ROLE_AUDITOR, O::kReadViews, true},
      {v1::ROLE_AUDITOR, O::kAdminister, false},   {v1::ROLE_DASHBOARD, O::kAppend, false},
      {v1::ROLE_DASHBOARD, O::kReadLog, true},     {v1::ROLE_DASHBOARD, O::kVerify, false},
      {v1::ROLE_DASHBOARD, O::kReadViews, true},   {v1::ROLE_DASHBOARD, O::kAdminister, false},
      {v1::ROLE_UNSPECIFIED, O::kReadLog, false},  {v1::ROLE_UNSPECIFIED, O::kReadViews, false},
  };
  for (const Cell& c : cells) {
    absl::Status s = Authorize(Principal{"p", c.role, "", "tok-1"}, c.operation);
    EXPECT_EQ(s.ok(), c.allowed) << c.role << " " << static_cast<int>(c.operation) << ": " << s;
    if (!c.allowed) EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(Authorize(Principal{"obi", v1::ROLE_AUDITOR, "", ""}, O::kAppend).message(),
            "principal obi (role auditor) may not append events: only admin and partner "
            "principals write; auditors and dashboards read");
}

}  // namespace
}  // namespace auth
