// Operations: /metrics counts what the writer did and needs no token; grpc.health.v1 and
// /healthz say SERVING/ok on a ready server; a --config file's values take effect and lose to
// the command line; the example deploy/wijkboekd.toml parses.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "eventlog_helpers.h"
#include "http_client.h"
#include "server_process.h"

namespace itest {
namespace {

namespace fs = std::filesystem;

// The value of the unlabelled sample `name` in a Prometheus text body; -1 when absent.
double Sample(const std::string& body, const std::string& name) {
  const std::string prefix = "\n" + name + " ";
  const size_t at = body.find(prefix);
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + prefix.size()));
}

TEST(OperationsTest, MetricsCountAppendsWithoutAToken) {
  ServerProcess server;
  ASSERT_TRUE(server.Start());
  const HttpResponse before = HttpGet(server.http_address(), "/metrics");
  ASSERT_EQ(before.status, 200) << before.error << before.body;
  EXPECT_EQ(before.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const double events = Sample(before.body, "wijkboek_appended_events_total");
  const double groups = Sample(before.body, "wijkboek_append_groups_total");
  ASSERT_GE(events, 0) << before.body;

  // One request after the other: each is its own group.
  const Seed seed = SeedPrerequisites(server);
  const double requests = static_cast<double>(seed.requests.size());
  const HttpResponse after = HttpGet(server.http_address(), "/metrics");
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(Sample(after.body, "wijkboek_appended_events_total"), events + kSeedEvents)
      << after.body;
  EXPECT_EQ(Sample(after.body, "wijkboek_append_groups_total"), groups + requests);
  EXPECT_EQ(Sample(after.body, "wijkboek_log_head_position"), MustGetHead(server).position());
  EXPECT_EQ(Sample(after.body, "wijkboek_append_write_seconds_count"), groups + requests);
  EXPECT_EQ(Sample(after.body, "wijkboek_writer_failed"), 0);
  EXPECT_GT(Sample(after.body, "wijkboek_rocksdb_estimate_num_keys"), 0);
  EXPECT_GE(Sample(after.body, "wijkboek_projection_lag_events"), 0);
  EXPECT_NE(after.body.find("wijkboek_append_group_events_bucket{le=\"4\"}"), std::string::npos);
}

TEST(OperationsTest, AReadyServerIsServingAndOk) {
  ServerProcess server;
  ASSERT_TRUE(server.Start());
  grpc::health::v1::HealthCheckResponse health;
  ASSERT_TRUE(CheckHealth(server.Channel(), &health).ok());
  EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  const HttpResponse healthz = HttpGet(server.http_address(), "/healthz");
  EXPECT_EQ(healthz.status, 200) << healthz.body;
  EXPECT_EQ(Sample(HttpGet(server.http_address(), "/metrics").body, "wijkboek_ready"), 1);
}

TEST(OperationsTest, ARefusedCallIsLoggedWithItsRequestId) {
  ServerProcess server;
  ASSERT_TRUE(server.Start());
  grpc::ClientContext context;
  ServerProcess::SetDeadline(&context);
  context.AddMetadata("authorization", "Bearer wbk_not-a-token");
  context.AddMetadata("x-request-id", "req-ops-test-42");
  v1::GetHeadResponse head;
  const grpc::Status s = server.Stub().GetHead(&context, v1::GetHeadRequest(), &head);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << Describe(s);
  const auto& sent = context.GetServerInitialMetadata();
  const auto echoed = sent.find("x-request-id");
  ASSERT_NE(echoed, sent.end());
  EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "req-ops-test-42");
  EXPECT_TRUE(WaitUntil(
      [&] {
        return server.LogTail().find("grpc /wijkboek.v1.EventLog/GetHead UNAUTHENTICATED") !=
                   std::string::npos &&
               server.LogTail().find("(request req-ops-test-42, peer ") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << server.LogTail();
  EXPECT_EQ(server.LogTail().find("wbk_not-a-token"), std::string::npos) << "no token is logged";
}

TEST(OperationsTest, ARefusedHttpRequestIsLoggedWithItsRequestId) {
  ServerProcess server;
  ASSERT_TRUE(server.Start());
  const HttpResponse r = HttpGet(server.http_address(), "/api/v1/programme?q=x",
                                 {{"Authorization", "Bearer wbk_not-a-token"},
                                  {"X-Request-Id", "req-http-test-7"}});
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.Header("x-request-id"), "req-http-test-7");
  EXPECT_TRUE(WaitUntil(
      [&] {
        return server.LogTail().find("http GET /api/v1/programme 401 (request req-http-test-7, "
                                     "peer ") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << server.LogTail();
  EXPECT_EQ(server.LogTail().find("wbk_not-a-token"), std::string::npos) << "no token is logged";
  // Without one the server makes one up.
  EXPECT_EQ(HttpGet(server.http_address(), "/healthz").Header("x-request-id").size(), 16u);
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// `wijkboekd <args> > out 2>&1`: the exit status, the output in *out.
int RunWijkboekd(const std::string& args, const fs::path& dir, std::string* out) {
  const fs::path log = dir / "run.log";
  const std::string command =
      std::string("'") + WIJKBOEKD_PATH + "' " + args + " > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  *out = ReadAll(log);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(OperationsTest, TheExampleConfigParses) {
  ServerProcess scratch;  // only its temp dir
  const fs::path dir = scratch.data_dir().parent_path();
  std::string out;
  ASSERT_EQ(RunWijkboekd(std::string("--config '") + WIJKBOEK_EXAMPLE_CONFIG + "' --check-config",
                         dir, &out),
            0)
      << out;
  EXPECT_NE(out.find("data-dir=\"/var/lib/wijkboek\""), std::string::npos) << out;
  EXPECT_NE(out.find("http-secure-cookie=true"), std::string::npos) << out;
}

TEST(OperationsTest, AConfigFileTakesEffectAndTheCommandLineWins) {
  ServerProcess server;
  const fs::path config = server.data_dir().parent_path() / "wijkboekd.toml";
  std::ofstream(config) << "http-anonymous-read = true\nmax-subscriptions = 7\n"
                        << "data-dir = \"/nonexistent/overridden-by-the-harness\"\n";
  std::string out;
  ASSERT_EQ(RunWijkboekd("--config '" + config.string() + "' --max-subscriptions 9 --check-config",
                         config.parent_path(), &out),
            0)
      << out;
  EXPECT_NE(out.find("max-subscriptions=9"), std::string::npos) << out;
  EXPECT_NE(out.find("http-anonymous-read=true"), std::string::npos) << out;

  // The harness's --data-dir wins over the file's; the file's anonymous read takes effect.
  server.set_extra_args({"--config", config.string()});
  ASSERT_TRUE(server.Start());
  const HttpResponse anonymous = HttpGet(server.http_address(), "/api/v1/programme");
  EXPECT_EQ(anonymous.status, 200) << anonymous.body;

  std::ofstream(config) << "no-such-flag = 1\n";
  EXPECT_NE(RunWijkboekd("--config '" + config.string() + "' --check-config",
                         config.parent_path(), &out),
            0)
      << out;
  EXPECT_NE(out.find("no-such-flag"), std::string::npos) << out;
}

}  // namespace
}  // namespace itest
