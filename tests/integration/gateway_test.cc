// The HTTP gateway over real HTTP against the real wijkboekd: every endpoint's status and content
// type, credentials (bearer, login cookie, anonymous-read mode), errors (400/401/404/405/413/504),
// path traversal, gzip, caching headers of the web app, and JSON that is exactly what the gRPC
// Views service answers. The live feed has its own file (gateway_sse_test.cc).

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "eventlog_helpers.h"
#include "gateway_fixture.h"
#include "http_client.h"
#include "wijkboek/v1/views.grpc.pb.h"

namespace itest {
namespace {

// Every read endpoint, with the parameters that make it answer 200 on the seeded programme.
const std::vector<std::pair<std::string, std::string>> kEndpoints = {
    {"/api/v1/programme", "application/json"},
    {"/api/v1/partners", "application/json"},
    {"/api/v1/partners?sector=onderwijs&include_left=true", "application/json"},
    {"/api/v1/partners/bibliotheek", "application/json"},
    {"/api/v1/actions", "application/json"},
    {"/api/v1/actions?pillar=jeugd-en-onderwijs&status=in-progress&partner=vidomes&q=taal&"
     "page_size=10",
     "application/json"},
    {"/api/v1/actions/taalmaatjes", "application/json"},
    {"/api/v1/collaboration", "application/json"},
    {"/api/v1/collaboration?pillar=jeugd-en-onderwijs", "application/json"},
    {"/api/v1/kpis", "application/json"},
    {"/api/v1/agenda?from=2000-01-01", "application/json"},
    {"/api/v1/funds", "application/json"},
    {"/api/v1/ownership-gaps?stale_days=30", "application/json"},
    {"/api/v1/project-book", "text/html"},
    {"/api/v1/project-book?format=markdown", "text/markdown"},
    {"/api/v1/project-book?format=json", "application/json"},
};

TEST_F(GatewayTest, EveryEndpointAnswersWithItsContentType) {
  for (const auto& [target, type] : kEndpoints) {
    HttpResponse r = HttpGet(http(), target, Bearer());
    EXPECT_EQ(r.status, 200) << target << ": " << r.error << r.body;
    EXPECT_EQ(r.Header("content-type").rfind(type, 0), 0u)
        << target << ": " << r.Header("content-type");
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff") << target;
    EXPECT_NE(r.Header("content-security-policy").find("default-src 'self'"), std::string::npos);
    EXPECT_FALSE(r.Header("referrer-policy").empty());
  }
}

TEST_F(GatewayTest, ApiWithoutCredentialsIs401Json) {
  for (const auto& [target, type] : kEndpoints) {
    HttpResponse r = HttpGet(http(), target);
    EXPECT_EQ(r.status, 401) << target;
    EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8") << target;
    EXPECT_EQ(r.Header("www-authenticate"), "Bearer realm=\"wijkboek\"") << target;
    EXPECT_NE(r.body.find("\"code\":\"UNAUTHENTICATED\""), std::string::npos) << r.body;
  }
  HttpResponse wrong = HttpGet(http(), "/api/v1/programme", {{"Authorization", "Bearer wbk_nope"}});
  EXPECT_EQ(wrong.status, 401);
  HttpResponse live = HttpGet(http(), "/api/v1/events/live");
  EXPECT_EQ(live.status, 401);
}

TEST_F(GatewayTest, PagesWithoutCredentialsRedirectToLogin) {
  for (std::string target : {"/", "/partners/bibliotheek", "/index.html"}) {
    HttpResponse r = HttpGet(http(), target);
    EXPECT_EQ(r.status, 303) << target;
    EXPECT_EQ(r.Header("location"), "/login") << target;
  }
}

TEST_F(GatewayTest, HealthzNeedsNoCredentials) {
  HttpResponse r = HttpGet(http(), "/healthz");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8");
  EXPECT_NE(r.body.find("\"status\":\"ok\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"log_head\":" + std::to_string(seeded_)), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"views_position\":"), std::string::npos) << r.body;
}

TEST_F(GatewayTest, JsonIsWhatTheGrpcViewsServiceSays) {
  auto views = v1::Views::NewStub(server_.Channel());
  auto same = [&](const std::string& target, auto call, const auto& request, auto response) {
    grpc::ClientContext context;
    server_.Authorize(&context);
    grpc::Status status = call(views.get(), &context, request, &response);
    ASSERT_TRUE(status.ok()) << target << ": " << status.error_message();
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    std::string expected;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(response, &expected, options).ok());
    HttpResponse r = HttpGet(http(), target, Bearer());
    ASSERT_EQ(r.status, 200) << target << ": " << r.body;
    EXPECT_EQ(r.Text(), expected) << target;
  };
  using V = v1::Views::Stub;
  same("/api/v1/programme", std::mem_fn(&V::GetProgramme), v1::GetProgrammeRequest(),
       v1::GetProgrammeResponse());
  same("/api/v1/partners", std::mem_fn(&V::ListPartners), v1::ListPartnersRequest(),
       v1::ListPartnersResponse());
  v1::GetPartnerRequest partner;
  partner.set_partner_id("vidomes");
  same("/api/v1/partners/vidomes", std::mem_fn(&V::GetPartner), partner, v1::GetPartnerResponse());
  v1::ListActionsRequest actions;
  actions.set_status(v1::ACTION_STATUS_IN_PROGRESS);
  actions.set_query("taal");
  same("/api/v1/actions?status=in-progress&q=taal", std::mem_fn(&V::ListActions), actions,
       v1::ListActionsResponse());
  v1::GetActionRequest action;
  action.set_action_id("taalmaatjes");
  same("/api/v1/actions/taalmaatjes", std::mem_fn(&V::GetAction), action, v1::GetActionResponse());
  same("/api/v1/collaboration", std::mem_fn(&V::GetCollaboration), v1::GetCollaborationRequest(),
       v1::GetCollaborationResponse());
  same("/api/v1/kpis", std::mem_fn(&V::ListKpis), v1::ListKpisRequest(), v1::ListKpisResponse());
  v1::GetAgendaRequest agenda;
  agenda.set_from_date("2000-01-01");
  same("/api/v1/agenda?from=2000-01-01", std::mem_fn(&V::GetAgenda), agenda,
       v1::GetAgendaResponse());
  same("/api/v1/funds", std::mem_fn(&V::GetFunds), v1::GetFundsRequest(), v1::GetFundsResponse());
  same("/api/v1/ownership-gaps", std::mem_fn(&V::ListOwnershipGaps), v1::ListOwnershipGapsRequest(),
       v1::ListOwnershipGapsResponse());
  same("/api/v1/project-book?format=json", std::mem_fn(&V::GetProjectBook),
       v1::GetProjectBookRequest(), v1::GetProjectBookResponse());
}

TEST_F(GatewayTest, ErrorsAreJsonWithTheRightStatus) {
  struct Case {
    std::string target;
    int status;
    std::string code;
  };
  for (const Case& c : std::vector<Case>{
           {"/api/v1/partners/onbekend", 404, "NOT_FOUND"},
           {"/api/v1/actions/onbekend", 404, "NOT_FOUND"},
           {"/api/v1/nope", 404, "NOT_FOUND"},
           {"/api/v1/actions?status=busy", 400, "INVALID_ARGUMENT"},
           {"/api/v1/actions?page_size=many", 400, "INVALID_ARGUMENT"},
           {"/api/v1/agenda?from=gisteren", 400, "INVALID_ARGUMENT"},
           {"/api/v1/programme?min_position=x", 400, "INVALID_ARGUMENT"},
           {"/api/v1/project-book?format=pdf", 400, "INVALID_ARGUMENT"},
           {"/api/v1/events/live?from=x", 400, "INVALID_ARGUMENT"},
       }) {
    HttpResponse r = HttpGet(http(), c.target, Bearer());
    EXPECT_EQ(r.status, c.status) << c.target << ": " << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8") << c.target;
    EXPECT_NE(r.body.find("{\"error\":{\"code\":\"" + c.code + "\",\"message\":\""),
              std::string::npos)
        << c.target << ": " << r.body;
  }
}

TEST_F(GatewayTest, MinPositionReadsYourWritesAndTimesOutWith504) {
  v1::AppendResponse appended = MustAppend(
      server_, MakeRequest("action-taalmaatjes", {MakeResultRecorded("taalmaatjes", "nog een")}));
  HttpResponse r = HttpGet(
      http(),
      "/api/v1/actions/taalmaatjes?min_position=" + std::to_string(appended.last_position()),
      Bearer());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("nog een"), std::string::npos);

  const auto start = std::chrono::steady_clock::now();
  HttpResponse late = HttpGet(http(), "/api/v1/programme?min_position=999999", Bearer());
  EXPECT_EQ(late.status, 504) << late.body;
  EXPECT_NE(late.body.find("DEADLINE_EXCEEDED"), std::string::npos) << late.body;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(14));
}

TEST_F(GatewayTest, OtherMethodsAre405WithAllow) {
  HttpResponse post = HttpRequest(http(), "POST", "/api/v1/programme", Bearer(), "x");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.Header("allow"), "GET, HEAD");
  EXPECT_NE(post.body.find("\"error\""), std::string::npos);
  HttpResponse del = HttpRequest(http(), "DELETE", "/", Bearer());
  EXPECT_EQ(del.status, 405);
  EXPECT_EQ(del.Header("allow"), "GET, HEAD");
  HttpResponse put = HttpRequest(http(), "PUT", "/login", {}, "token=x");
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.Header("allow"), "GET, HEAD, POST");
  HttpResponse head = HttpRequest(http(), "HEAD", "/api/v1/programme", Bearer());
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(GatewayTest, OversizedBodyIs413AndHugeHeaderIs431) {
  HttpResponse big =
      HttpRequest(http(), "POST", "/login", {{"Content-Type", "application/x-www-form-urlencoded"}},
                  "token=" + std::string(200 * 1024, 'a'));
  EXPECT_EQ(big.status, 413) << big.error;
  HttpResponse header = HttpGet(http(), "/api/v1/programme", {{"X-Big", std::string(40000, 'b')}});
  EXPECT_EQ(header.status, 431) << header.error;
}

TEST_F(GatewayTest, PathTraversalIsRefused) {
  for (std::string target : {"/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/../../x.js",
                             "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/.hidden", "/a//b"}) {
    std::string raw = "GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                      server_.token() + "\r\nConnection: close\r\n\r\n";
    HttpResponse r = RawHttp(http(), raw);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << target << ": " << r.status;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << target;
  }
}

TEST_F(GatewayTest, GzipWhenAcceptedAndWorthIt) {
  HttpResponse plain = HttpGet(http(), "/api/v1/project-book", Bearer());
  ASSERT_EQ(plain.status, 200);
  ASSERT_GT(plain.body.size(), 1024u);
  EXPECT_EQ(plain.Header("content-encoding"), "");
  EXPECT_EQ(plain.Header("vary"), "Accept-Encoding");

  Headers gzip = Bearer();
  gzip.emplace_back("Accept-Encoding", "gzip, deflate");
  HttpResponse packed = HttpGet(http(), "/api/v1/project-book", gzip);
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.Header("content-encoding"), "gzip");
  EXPECT_LT(packed.body.size(), plain.body.size());
  EXPECT_EQ(packed.Text(), plain.body);

  // Small answers stay plain.
  HttpResponse small = HttpGet(http(), "/api/v1/kpis", gzip);
  EXPECT_EQ(small.Header("content-encoding"), "");
}

TEST_F(GatewayTest, LoginSetsAnHttpOnlyCookieThatReads) {
  HttpResponse form = HttpGet(http(), "/login");
  ASSERT_EQ(form.status, 200);
  EXPECT_EQ(form.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(form.body.find("name=\"token\""), std::string::npos);
  EXPECT_NE(form.body.find("Toegangscode"), std::string::npos);
  EXPECT_NE(form.body.find("Inloggen"), std::string::npos);

  Headers form_type = {{"Content-Type", "application/x-www-form-urlencoded"}};
  HttpResponse bad = HttpRequest(http(), "POST", "/login", form_type, "token=wbk_fout");
  EXPECT_EQ(bad.status, 401);
  EXPECT_NE(bad.body.find("niet bekend"), std::string::npos) << bad.body;
  EXPECT_EQ(bad.Header("set-cookie"), "");

  HttpResponse ok = HttpRequest(http(), "POST", "/login", form_type, "token=" + server_.token());
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(ok.Header("location"), "/");
  const std::string cookie = ok.Header("set-cookie");
  EXPECT_EQ(cookie, "wijkboek_session=" + server_.token() + "; HttpOnly; SameSite=Strict; Path=/");

  Headers with_cookie = {{"Cookie", "wijkboek_session=" + server_.token()}};
  EXPECT_EQ(HttpGet(http(), "/api/v1/programme", with_cookie).status, 200);
  EXPECT_EQ(HttpGet(http(), "/partners/bibliotheek", with_cookie).status, 200);

  HttpResponse out = HttpGet(http(), "/logout", with_cookie);
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(out.Header("location"), "/login");
  EXPECT_NE(out.Header("set-cookie").find("wijkboek_session=;"), std::string::npos);
  EXPECT_NE(out.Header("set-cookie").find("Max-Age=0"), std::string::npos);

  // A stale cookie is cleared on the way to the login page.
  HttpResponse stale = HttpGet(http(), "/", {{"Cookie", "wijkboek_session=wbk_oud"}});
  EXPECT_EQ(stale.status, 303);
  EXPECT_NE(stale.Header("set-cookie").find("Max-Age=0"), std::string::npos);
}

// Behind a TLS-terminating proxy the browser must send the cookie over HTTPS only.
class SecureCookieGatewayTest : public GatewayTest {
 protected:
  std::vector<std::string> ExtraArgs() override { return {"--http-secure-cookie"}; }
};

TEST_F(SecureCookieGatewayTest, LoginCookieIsSecure) {
  HttpResponse ok = HttpRequest(http(), "POST", "/login",
                                {{"Content-Type", "application/x-www-form-urlencoded"}},
                                "token=" + server_.token());
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(ok.Header("set-cookie"),
            "wijkboek_session=" + server_.token() + "; HttpOnly; SameSite=Strict; Path=/; Secure");
}

TEST_F(GatewayTest, LoginFromAnotherSiteIsRefused) {
  HttpResponse r = HttpRequest(
      http(), "POST", "/login",
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"Origin", "https://evil.example"}},
      "token=" + server_.token());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Header("set-cookie"), "");
}

TEST_F(GatewayTest, MissingWebAppServesTheDutchPlaceholder) {
  // The fixture points --web-root at an empty directory.
  HttpResponse r = HttpGet(http(), "/", Bearer());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("niet gebouwd"), std::string::npos);
  EXPECT_EQ(HttpGet(http(), "/assets/app.js", Bearer()).status, 404);
}

class AnonymousGatewayTest : public GatewayTest {
 protected:
  std::vector<std::string> ExtraArgs() override { return {"--http-anonymous-read"}; }
};

TEST_F(AnonymousGatewayTest, ReadsWithoutCredentials) {
  EXPECT_EQ(HttpGet(http(), "/api/v1/programme").status, 200);
  EXPECT_EQ(HttpGet(http(), "/").status, 200);
  // A stale cookie does not lock a public screen out; a wrong bearer token is still an error.
  EXPECT_EQ(HttpGet(http(), "/api/v1/programme", {{"Cookie", "wijkboek_session=wbk_oud"}}).status,
            200);
  EXPECT_EQ(HttpGet(http(), "/api/v1/programme", {{"Authorization", "Bearer wbk_oud"}}).status,
            401);
  // Still read-only.
  EXPECT_EQ(HttpRequest(http(), "POST", "/api/v1/actions", {}, "{}").status, 405);
  SseClient live(http(), "/api/v1/events/live?from=1");
  EXPECT_EQ(live.head().status, 200);
  EXPECT_TRUE(live.ReadUntil([&](const auto& m) { return Positions(m).size() >= seeded_; }));
}

class WebRootGatewayTest : public GatewayTest {
 protected:
  void WriteWebApp() override {
    std::filesystem::create_directories(web_root_ / "assets");
    std::ofstream(web_root_ / "index.html") << "<!doctype html><title>wijkboek</title>";
    std::ofstream(web_root_ / "assets" / "app-3f9a.js")
        << "console.log('" << std::string(3000, 'x') << "');";
    std::ofstream(web_root_ / "favicon.svg") << "<svg xmlns='http://www.w3.org/2000/svg'/>";
  }
};

TEST_F(WebRootGatewayTest, ServesTheAppWithCachingHeaders) {
  HttpResponse index = HttpGet(http(), "/", Bearer());
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html><title>wijkboek</title>");
  EXPECT_EQ(index.Header("cache-control"), "no-cache");
  EXPECT_FALSE(index.Header("etag").empty());
  EXPECT_FALSE(index.Header("last-modified").empty());

  // Client-side routes get index.html too; missing files with an extension do not.
  HttpResponse route = HttpGet(http(), "/partners/bibliotheek", Bearer());
  EXPECT_EQ(route.status, 200);
  EXPECT_EQ(route.body, index.body);
  EXPECT_EQ(HttpGet(http(), "/missing.png", Bearer()).status, 404);

  // Hashed assets: immutable, no credentials needed, gzip when accepted, 304 on revalidation.
  HttpResponse js = HttpGet(http(), "/assets/app-3f9a.js", {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.Header("content-type"), "application/javascript; charset=utf-8");
  EXPECT_EQ(js.Header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(js.Header("content-encoding"), "gzip");
  EXPECT_NE(js.Text().find("console.log"), std::string::npos);
  HttpResponse again =
      HttpGet(http(), "/assets/app-3f9a.js", {{"If-None-Match", js.Header("etag")}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(HttpGet(http(), "/assets/missing-1.js").status, 404);

  HttpResponse svg = HttpGet(http(), "/favicon.svg", Bearer());
  EXPECT_EQ(svg.Header("content-type"), "image/svg+xml");
}

}  // namespace
}  // namespace itest
