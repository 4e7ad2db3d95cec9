#pragma once
// A fresh wijkboekd with its HTTP gateway on port 0 and a small seeded programme, for the gateway
// tests. Subclasses add flags (ExtraArgs) or fill the web root (WriteWebApp) before the start.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "eventlog_helpers.h"
#include "http_client.h"

namespace itest {

// Pillar jeugd-en-onderwijs with goal goal-taal, partners bibliotheek and vidomes, action
// taalmaatjes (owner bibliotheek, with vidomes, in progress) with one result. Returns the head.
inline std::uint64_t SeedProgramme(ServerProcess& server) {
  MustAppend(server, MakeRequest("pillar-jeugd-en-onderwijs",
                                 {MakePillarDefined("jeugd-en-onderwijs"),
                                  MakeGoalDefined("jeugd-en-onderwijs", "goal-taal")}));
  MustAppend(server, MakeRequest("partner-bibliotheek", {MakePartnerJoined("bibliotheek")}));
  MustAppend(server, MakeRequest("partner-vidomes", {MakePartnerJoined("vidomes")}));
  MustAppend(server, MakeRequest("action-taalmaatjes", {MakeActionStarted("taalmaatjes")}));
  return MustAppend(server, MakeRequest("action-taalmaatjes",
                                        {MakeResultRecorded("taalmaatjes", "12 taalkoppels")}))
      .last_position();
}

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wijkboek-web-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    web_root_ = tmpl;
    WriteWebApp();
    std::vector<std::string> args = {"--web-root", web_root_.string()};
    for (auto& a : ExtraArgs()) args.push_back(a);
    server_.set_extra_args(args);
    ASSERT_TRUE(server_.Start());
    ASSERT_FALSE(server_.http_address().empty()) << "no http.addr";
    seeded_ = SeedProgramme(server_);
    // Read-your-writes: the views have the seeded programme once this answers.
    HttpResponse r =
        HttpGet(http(), "/api/v1/programme?min_position=" + std::to_string(seeded_), Bearer());
    ASSERT_EQ(r.status, 200) << r.error << r.body;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(web_root_, ec);
  }

  virtual std::vector<std::string> ExtraArgs() { return {}; }
  virtual void WriteWebApp() {}

  const std::string& http() const { return server_.http_address(); }
  Headers Bearer() const { return {{"Authorization", "Bearer " + server_.token()}}; }

  ServerProcess server_;
  std::filesystem::path web_root_;
  std::uint64_t seeded_ = 0;
};

}  // namespace itest
