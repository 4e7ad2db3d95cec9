// The gateway's bounds, over real HTTP against the real wijkboekd with small limits: connections
// (503 past --http-max-connections), the idle and write timeouts (a client that sends nothing or
// reads nothing loses its connection), the login throttle (429 with Retry-After), the Secure
// cookie flag, and tokens of every role.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

#include "gateway_fixture.h"
#include "wijkboek/v1/admin.grpc.pb.h"

namespace itest {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

namespace net = boost::asio;

// Polls until a plain GET of /healthz is answered with `status`, or the deadline passes.
bool HealthBecomes(const std::string& http, int status, milliseconds deadline) {
  const auto until = steady_clock::now() + deadline;
  while (steady_clock::now() < until) {
    if (HttpGet(http, "/healthz").status == status) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

int StatusOf(const HttpResponse& response) { return response.status; }
int StatusOf(const std::unique_ptr<SseClient>& client) { return client->head().status; }

// Calls `open` until the server does not answer 503 (busy), for at most 10 s. The fixture's own
// request (SetUp) holds a connection slot until the server notices that it closed, which a slow
// server (a sanitizer build) may not have done yet when the test starts.
template <typename Open>
auto UntilNotBusy(const Open& open) {
  const auto until = steady_clock::now() + seconds(10);
  auto result = open();
  while (StatusOf(result) == 503 && steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(100));
    result = open();
  }
  return result;
}

class GatewayConnectionLimitTest : public GatewayTest {
 protected:
  std::vector<std::string> ExtraArgs() override { return {"--http-max-connections", "2"}; }
};

TEST_F(GatewayConnectionLimitTest, PastTheBoundNewConnectionsGet503UntilOneCloses) {
  auto first = std::make_unique<SseClient>(http(), "/api/v1/events/live?from=0", Bearer());
  ASSERT_EQ(first->head().status, 200);
  auto second = UntilNotBusy([&] {
    return std::make_unique<SseClient>(http(), "/api/v1/events/live?from=0", Bearer());
  });
  ASSERT_EQ(second->head().status, 200);
  HttpResponse busy = HttpGet(http(), "/healthz");
  EXPECT_EQ(busy.status, 503) << busy.error;
  EXPECT_NE(busy.Header("retry-after"), "");
  first.reset();  // its connection closes; the server frees the slot when it notices
  EXPECT_TRUE(HealthBecomes(http(), 200, milliseconds(10000)));
}

class GatewayTimeoutTest : public GatewayTest {
 protected:
  std::vector<std::string> ExtraArgs() override {
    return {"--http-idle-timeout", "1", "--http-write-timeout", "1", "--http-max-connections",
            "1"};
  }
};

TEST_F(GatewayTimeoutTest, AClientThatSendsNothingIsClosedAfterTheIdleTimeout) {
  steady_clock::time_point start;
  // Half a request line, never finished.
  HttpResponse r = UntilNotBusy([&] {
    start = steady_clock::now();
    return RawHttp(http(), "GET /healthz HT", milliseconds(10000));
  });
  const auto took = steady_clock::now() - start;
  EXPECT_EQ(r.status, 0);
  EXPECT_LT(took, seconds(5)) << "the server kept a silent connection: " << r.error;
  EXPECT_TRUE(HealthBecomes(http(), 200, milliseconds(5000)));
}

TEST_F(GatewayTimeoutTest, ALiveFeedClientThatReadsNothingIsClosedAfterTheWriteTimeout) {
  // A raw connection with a tiny receive buffer that asks for the live feed and never reads.
  net::io_context io;
  net::ip::tcp::socket socket(io);
  socket.open(net::ip::tcp::v4());
  socket.set_option(net::socket_base::receive_buffer_size(2048));
  const auto colon = http().rfind(':');
  socket.connect({net::ip::make_address(http().substr(0, colon)),
                  static_cast<unsigned short>(std::stoi(http().substr(colon + 1)))});
  const std::string request = "GET /api/v1/events/live?from=0 HTTP/1.1\r\nHost: x\r\n"
                              "Authorization: Bearer " + server_.token() + "\r\n\r\n";
  net::write(socket, net::buffer(request));
  // The feed holds the only connection slot.
  ASSERT_TRUE(HealthBecomes(http(), 503, milliseconds(5000)));
  // More than the socket buffers hold: ~8 MB of frames.
  for (int batch = 0; batch < 12; ++batch) {
    std::vector<v1::ProposedEvent> events;
    for (int i = 0; i < 1000; ++i) {
      events.push_back(MakeResultRecorded("taalmaatjes", std::string(500, 'x')));
    }
    MustAppend(server_, MakeRequest("action-taalmaatjes", std::move(events)));
  }
  // The stuck write times out, the feed closes and its slot comes free.
  EXPECT_TRUE(HealthBecomes(http(), 200, milliseconds(20000)));
}

class GatewayLoginThrottleTest : public GatewayTest {
 protected:
  std::vector<std::string> ExtraArgs() override {
    return {"--http-login-attempts", "2", "--http-secure-cookie"};
  }
};

TEST_F(GatewayLoginThrottleTest, TooManyFailedLoginsAre429WithRetryAfter) {
  Headers form = {{"Content-Type", "application/x-www-form-urlencoded"}};
  EXPECT_EQ(HttpRequest(http(), "POST", "/login", form, "token=wbk_fout1").status, 401);
  EXPECT_EQ(HttpRequest(http(), "POST", "/login", form, "token=wbk_fout2").status, 401);
  HttpResponse held = HttpRequest(http(), "POST", "/login", form, "token=" + server_.token());
  EXPECT_EQ(held.status, 429) << "even the right token waits";
  EXPECT_NE(held.body.find("Te veel mislukte pogingen"), std::string::npos) << held.body;
  const int retry_after = std::stoi(held.Header("retry-after"));
  EXPECT_GT(retry_after, 0);
  EXPECT_LE(retry_after, 60);
  EXPECT_EQ(held.Header("set-cookie"), "");
  // The API with a bearer token is not a login: unaffected.
  EXPECT_EQ(HttpGet(http(), "/api/v1/programme", Bearer()).status, 200);
}

TEST_F(GatewayLoginThrottleTest, TheSessionCookieIsSecureWhenAsked) {
  HttpResponse ok = HttpRequest(http(), "POST", "/login",
                                {{"Content-Type", "application/x-www-form-urlencoded"}},
                                "token=" + server_.token());
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_NE(ok.Header("set-cookie").find("; Secure"), std::string::npos)
      << ok.Header("set-cookie");
}

// ---- Tokens of every role --------------------------------------------------------------------------

TEST_F(GatewayTest, EveryRoleReadsTheDashboardAndARevokedTokenStops) {
  auto admin = v1::Admin::NewStub(server_.Channel());
  for (const v1::Role role : {v1::ROLE_PARTNER, v1::ROLE_AUDITOR, v1::ROLE_DASHBOARD}) {
    const std::string id = NewId("p");
    grpc::ClientContext register_context;
    server_.Authorize(&register_context);
    v1::RegisterPrincipalRequest reg;
    reg.set_principal_id(id);
    reg.set_role(role);
    if (role == v1::ROLE_PARTNER) reg.set_partner_id("vidomes");
    v1::RegisterPrincipalResponse registered;
    ASSERT_TRUE(admin->RegisterPrincipal(&register_context, reg, &registered).ok());
    grpc::ClientContext issue_context;
    server_.Authorize(&issue_context);
    v1::IssueTokenRequest issue;
    issue.set_principal_id(id);
    v1::IssueTokenResponse token;
    ASSERT_TRUE(admin->IssueToken(&issue_context, issue, &token).ok());

    Headers bearer = {{"Authorization", "Bearer " + token.token()}};
    EXPECT_EQ(HttpGet(http(), "/api/v1/programme", bearer).status, 200) << role;
    HttpResponse login = HttpRequest(http(), "POST", "/login",
                                     {{"Content-Type", "application/x-www-form-urlencoded"}},
                                     "token=" + token.token());
    EXPECT_EQ(login.status, 303) << role;

    grpc::ClientContext revoke_context;
    server_.Authorize(&revoke_context);
    v1::RevokeTokenRequest revoke;
    revoke.set_token_id(token.token_id());
    v1::RevokeTokenResponse revoked;
    ASSERT_TRUE(admin->RevokeToken(&revoke_context, revoke, &revoked).ok());
    EXPECT_EQ(HttpGet(http(), "/api/v1/programme", bearer).status, 401) << role;
    EXPECT_EQ(HttpGet(http(), "/api/v1/programme",
                      {{"Cookie", "wijkboek_session=" + token.token()}})
                  .status,
              401)
        << role;
  }
}

}  // namespace
}  // namespace itest
