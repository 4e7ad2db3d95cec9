#include "services/gateway/pages.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

TEST(LoginPage, DutchFormWithTokenField) {
  std::string page = LoginPage("");
  EXPECT_NE(page.find("lang=\"nl\""), std::string::npos);
  EXPECT_NE(page.find("name=\"token\""), std::string::npos);
  EXPECT_NE(page.find(">Toegangscode</label>"), std::string::npos);
  EXPECT_NE(page.find(">Inloggen</button>"), std::string::npos);
  EXPECT_NE(page.find("method=\"post\" action=\"/login\""), std::string::npos);
  EXPECT_EQ(page.find("role=\"alert\""), std::string::npos);
}

TEST(LoginPage, ShowsTheErrorEscaped) {
  std::string page = LoginPage("Fout <script>");
  EXPECT_NE(page.find("role=\"alert\""), std::string::npos);
  EXPECT_NE(page.find("Fout &lt;script&gt;"), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
}

TEST(SessionCookie, HttpOnlyStrictRootPath) {
  EXPECT_EQ(SessionCookie("wbk_abc-_1", false),
            "wijkboek_session=wbk_abc-_1; HttpOnly; SameSite=Strict; Path=/");
  EXPECT_EQ(SessionCookie("a;b", true),
            "wijkboek_session=a%3Bb; HttpOnly; SameSite=Strict; Path=/; Secure");
  std::string cleared = ClearedSessionCookie(false);
  EXPECT_EQ(cleared.rfind("wijkboek_session=;", 0), 0u);
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos);
}

TEST(CredentialOf, HeaderWinsOverCookie) {
  auto c = CredentialOf("Bearer h", "wijkboek_session=c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->authorization, "Bearer h");
  EXPECT_FALSE(c->from_cookie);
}

TEST(CredentialOf, CookieBecomesBearer) {
  auto c = CredentialOf("", "theme=dark; wijkboek_session=wbk_x%3B");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->authorization, "Bearer wbk_x;");
  EXPECT_TRUE(c->from_cookie);
}

TEST(CredentialOf, NothingOrEmptyCookie) {
  EXPECT_FALSE(CredentialOf("", ""));
  EXPECT_FALSE(CredentialOf("", "wijkboek_session="));
  EXPECT_FALSE(CredentialOf("", "other=1"));
}

}  // namespace
}  // namespace gateway
