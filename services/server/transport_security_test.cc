#include "services/server/transport_security.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace server {
namespace {

TEST(IsLoopbackListenTest, LoopbackAddressesAndLocalhost) {
  EXPECT_TRUE(IsLoopbackListen("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackListen("127.1.2.3:0"));
  EXPECT_TRUE(IsLoopbackListen("localhost:8080"));
  EXPECT_TRUE(IsLoopbackListen("[::1]:50051"));
  EXPECT_TRUE(IsLoopbackListen("unix:/run/wijkboek.sock"));
}

TEST(IsLoopbackListenTest, WildcardsAndOtherAddressesAreNot) {
  EXPECT_FALSE(IsLoopbackListen("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackListen("[::]:50051"));
  EXPECT_FALSE(IsLoopbackListen("192.168.1.10:50051"));
  EXPECT_FALSE(IsLoopbackListen("128.0.0.1:50051"));
  EXPECT_FALSE(IsLoopbackListen("[::ffff:127.0.0.1]:50051"));  // not the v6 loopback
  EXPECT_FALSE(IsLoopbackListen("wijkboek.example.org:50051"));
  EXPECT_FALSE(IsLoopbackListen("127.0.0.1"));  // no port: not something we can judge
}

TEST(CheckPlaintextListenTest, NonLoopbackNeedsAllowInsecureAndSaysWhatToPass) {
  EXPECT_TRUE(CheckPlaintextListen("--grpc-listen", "127.0.0.1:1", false, "Use TLS").ok());
  EXPECT_TRUE(CheckPlaintextListen("--grpc-listen", "0.0.0.0:1", true, "Use TLS").ok());
  const absl::Status refused = CheckPlaintextListen("--grpc-listen", "0.0.0.0:1", false, "Use TLS");
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  for (const char* part : {"--grpc-listen 0.0.0.0:1", "not a loopback address", "Use TLS",
                           "--allow-insecure", "127.0.0.1"}) {
    EXPECT_NE(refused.message().find(part), std::string::npos) << part << " in "
                                                               << refused.message();
  }
}

TEST(TransportTest, NamesFollowTheFiles) {
  EXPECT_EQ(TransportName(TransportOf({})), "plaintext");
  EXPECT_EQ(TransportName(TransportOf({"c.pem", "c.key", ""})), "TLS");
  EXPECT_EQ(TransportName(TransportOf({"c.pem", "c.key", "ca.pem"})), "mutual TLS");
}

TEST(MakeServerCredentialsTest, PlaintextWithoutFiles) {
  EXPECT_TRUE(MakeServerCredentials({}).ok());
}

TEST(MakeServerCredentialsTest, CertificateAndKeyGoTogether) {
  const auto only_cert = MakeServerCredentials({"server.pem", "", ""});
  EXPECT_EQ(only_cert.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(only_cert.status().message().find("--tls-key"), std::string::npos);
  const auto only_ca = MakeServerCredentials({"", "", "ca.pem"});
  EXPECT_EQ(only_ca.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(only_ca.status().message().find("--tls-client-ca needs"), std::string::npos);
}

TEST(MakeServerCredentialsTest, UnreadableFileIsNamed) {
  const auto missing = MakeServerCredentials({"/nonexistent/server.pem", "/nonexistent/k", ""});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("--tls-cert /nonexistent/server.pem: cannot read"),
            std::string::npos)
      << missing.status().message();
}

TEST(MakeServerCredentialsTest, FileWithoutCertificateIsNamed) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("transport-security-test-" + std::to_string(::getpid()) + ".pem");
  std::ofstream(path) << "not a certificate\n";
  const auto refused = MakeServerCredentials({path.string(), path.string(), ""});
  std::filesystem::remove(path);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("--tls-cert " + path.string() +
                                            ": no PEM certificate in it"),
            std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace server
