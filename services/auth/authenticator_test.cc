#include "services/auth/authenticator.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace auth {
namespace {

class AuthenticatorTest : public ::testing::Test {
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

TEST_F(AuthenticatorTest, FirstOpenWritesAPrivateAdminToken) {
  bool created = false;
  auto a = Authenticator::Open(dir_, &created);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(created);
  struct stat st{};
  ASSERT_EQ(stat((dir_ + "/admin.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::string token = ReadToken();
  EXPECT_EQ(token.rfind("wbk_", 0), 0u);
  EXPECT_GE(token.size(), 40u);
  auto p = (*a)->Authenticate("Bearer " + token);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->id, "admin");
}

TEST_F(AuthenticatorTest, KeepsOnlyTheHashAndSurvivesReopen) {
  bool created = false;
  ASSERT_TRUE(Authenticator::Open(dir_, &created).ok());
  std::string token = ReadToken();
  std::ifstream in(dir_ + "/admin.token.sha256");
  std::string stored((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(stored.find(token), std::string::npos);
  std::filesystem::remove(dir_ + "/admin.token");
  auto again = Authenticator::Open(dir_, &created);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(created);
  EXPECT_TRUE((*again)->Authenticate("Bearer " + token).ok());
}

TEST_F(AuthenticatorTest, RefusesMissingMalformedAndUnknownTokens) {
  bool created = false;
  auto a = Authenticator::Open(dir_, &created);
  ASSERT_TRUE(a.ok());
  std::string token = ReadToken();
  for (const std::string& bad : std::vector<std::string>{"", token, "Basic " + token, "Bearer wbk_nope", "Bearer "}) {
    auto p = (*a)->Authenticate(bad);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated) << bad;
    EXPECT_EQ(p.status().message().find(token), std::string::npos);
  }
}

TEST(Tokens, AreDistinctAndLong) {
  EXPECT_NE(NewToken(), NewToken());
  EXPECT_EQ(NewToken().size(), 4u + 43u);
}

}  // namespace
}  // namespace auth
