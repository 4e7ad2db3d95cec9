// TLS and mutual TLS on the gRPC port, and the rule that plaintext stays on loopback unless
// --allow-insecure: the real wijkboekd with certificates made by deploy/make-test-certs.

#include <gtest/gtest.h>

#include <filesystem>

#include "eventlog_helpers.h"
#include "test_certs.h"

namespace itest {
namespace {

using grpc::health::v1::HealthCheckResponse;

// Two unrelated test CAs, each with a server and a client certificate, made once for the suite.
class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/wijkboek-tls-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = new std::filesystem::path(tmpl);
    ASSERT_TRUE(MakeTestPki(*root_ / "ours", &ours_));
    ASSERT_TRUE(MakeTestPki(*root_ / "other", &other_));
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(*root_, ec);
    delete root_;
  }

  void SetUp() override { ASSERT_FALSE(ours_.dir.empty()) << "no test certificates"; }

  // Server flags for TLS with our server certificate; with our CA as client CA for mutual TLS.
  static std::vector<std::string> TlsArgs(bool mutual = false) {
    std::vector<std::string> args = {"--tls-cert", ours_.server_cert().string(), "--tls-key",
                                     ours_.server_key().string()};
    if (mutual) args.insert(args.end(), {"--tls-client-ca", ours_.ca().string()});
    return args;
  }

  // GetHead with the admin token over `channel`.
  grpc::Status GetHead(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::EventLog::NewStub(channel);
    grpc::ClientContext context;
    server_.Authorize(&context);
    v1::GetHeadResponse head;
    return stub->GetHead(&context, v1::GetHeadRequest(), &head);
  }

  // An append and the head it leads to, over the harness's channel.
  void ExpectAppendWorks() {
    const std::string partner = NewId("p");
    const v1::AppendResponse appended =
        MustAppend(server_, MakeRequest("partner-" + partner, {MakePartnerJoined(partner)}));
    EXPECT_GT(appended.last_position(), 0u);
    EXPECT_EQ(MustGetHead(server_).position(), appended.last_position());
  }

  static inline std::filesystem::path* root_ = nullptr;
  static inline TestPki ours_;
  static inline TestPki other_;
  ServerProcess server_;
};

TEST_F(TlsTest, ClientTrustingTheCaAppendsOverTls) {
  server_.set_extra_args(TlsArgs());
  server_.set_channel_credentials(TlsCredentials(ours_));
  ASSERT_TRUE(server_.Start());
  ExpectAppendWorks();
  EXPECT_NE(server_.LogTail().find("over TLS"), std::string::npos) << server_.LogTail();
  // The name in the certificate works as well as the address.
  const std::string port = server_.address().substr(server_.address().rfind(':') + 1);
  EXPECT_TRUE(GetHead(MakeChannel("localhost:" + port, TlsCredentials(ours_))).ok());
}

TEST_F(TlsTest, ClientNotTrustingTheCaAndPlaintextClientAreRefused) {
  server_.set_extra_args(TlsArgs());
  server_.set_channel_credentials(TlsCredentials(ours_));
  ASSERT_TRUE(server_.Start());
  EXPECT_TRUE(StatusIs(GetHead(MakeChannel(server_.address(), TlsCredentials(other_))),
                       grpc::StatusCode::UNAVAILABLE, "handshake"));
  EXPECT_TRUE(StatusIs(
      GetHead(MakeChannel(server_.address(), grpc::InsecureChannelCredentials())),
      grpc::StatusCode::UNAVAILABLE));
  ExpectAppendWorks();  // and the server serves the right client on
}

TEST_F(TlsTest, MutualTlsRejectsClientWithoutCertificate) {
  server_.set_extra_args(TlsArgs(/*mutual=*/true));
  server_.set_channel_credentials(TlsCredentials(ours_, &ours_));
  ASSERT_TRUE(server_.Start());
  const auto without_cert = MakeChannel(server_.address(), TlsCredentials(ours_));
  EXPECT_TRUE(StatusIs(GetHead(without_cert), grpc::StatusCode::UNAVAILABLE));
  // The health service, which needs no token, is behind the same handshake.
  HealthCheckResponse response;
  EXPECT_TRUE(StatusIs(CheckHealth(without_cert, &response), grpc::StatusCode::UNAVAILABLE));
}

TEST_F(TlsTest, MutualTlsRejectsClientCertificateFromAnotherCa) {
  server_.set_extra_args(TlsArgs(/*mutual=*/true));
  server_.set_channel_credentials(TlsCredentials(ours_, &ours_));
  ASSERT_TRUE(server_.Start());
  EXPECT_TRUE(StatusIs(GetHead(MakeChannel(server_.address(), TlsCredentials(ours_, &other_))),
                       grpc::StatusCode::UNAVAILABLE));
}

TEST_F(TlsTest, MutualTlsAcceptsClientCertificateFromItsCa) {
  server_.set_extra_args(TlsArgs(/*mutual=*/true));
  server_.set_channel_credentials(TlsCredentials(ours_, &ours_));
  ASSERT_TRUE(server_.Start());
  ExpectAppendWorks();
  EXPECT_NE(server_.LogTail().find("over mutual TLS"), std::string::npos) << server_.LogTail();
}

TEST_F(TlsTest, PlaintextGrpcOnAllInterfacesNeedsAllowInsecure) {
  server_.set_grpc_listen("0.0.0.0:0");
  ASSERT_TRUE(server_.StartRefused(
      "refusing to serve plaintext on --grpc-listen 0.0.0.0:0: it is not a loopback address"));
  EXPECT_NE(server_.LogTail().find("--allow-insecure"), std::string::npos);
  EXPECT_NE(server_.LogTail().find("--tls-cert and --tls-key"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(server_.data_dir())) << "refused, yet created the data dir";

  server_.set_extra_args({"--allow-insecure"});
  ASSERT_TRUE(server_.Start());
  ExpectAppendWorks();
  EXPECT_NE(server_.LogTail().find("over plaintext"), std::string::npos) << server_.LogTail();
}

TEST_F(TlsTest, PlaintextHttpOnAllInterfacesNeedsAllowInsecure) {
  // gRPC over TLS does not make the dashboard's plain HTTP safe.
  server_.set_extra_args(TlsArgs());
  server_.set_http_listen("0.0.0.0:0");
  ASSERT_TRUE(server_.StartRefused("refusing to serve plaintext on --http-listen 0.0.0.0:0"));
  EXPECT_NE(server_.LogTail().find("TLS-terminating reverse proxy"), std::string::npos);
}

TEST_F(TlsTest, TlsOnAllInterfacesStartsWithoutAllowInsecure) {
  server_.set_extra_args(TlsArgs());
  server_.set_grpc_listen("0.0.0.0:0");
  server_.set_channel_credentials(TlsCredentials(ours_));
  ASSERT_TRUE(server_.Start());
  ExpectAppendWorks();
}

TEST_F(TlsTest, KeyOfAnotherCertificateIsRefusedNamingBothFiles) {
  server_.set_extra_args({"--tls-cert", ours_.server_cert().string(), "--tls-key",
                          other_.server_key().string()});
  ASSERT_TRUE(server_.StartRefused("--tls-key " + other_.server_key().string() +
                                   " is not the key of the certificate in --tls-cert " +
                                   ours_.server_cert().string()));
}

TEST_F(TlsTest, UnreadableCertificateIsRefusedNamingTheFile) {
  const std::string missing = (ours_.dir / "missing.pem").string();
  server_.set_extra_args({"--tls-cert", missing, "--tls-key", ours_.server_key().string()});
  ASSERT_TRUE(server_.StartRefused("--tls-cert " + missing + ": cannot read"));
}

TEST_F(TlsTest, ClientCaWithoutCertificateIsRefused) {
  server_.set_extra_args({"--tls-client-ca", ours_.ca().string()});
  ASSERT_TRUE(server_.StartRefused("--tls-client-ca needs --tls-cert and --tls-key"));
}

}  // namespace
}  // namespace itest
