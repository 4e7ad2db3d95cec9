#pragma once
// Test certificates for the TLS tests, made at test time by deploy/make-test-certs (the script the
// README's TLS section describes) with the `openssl` command.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

namespace itest {

// One test CA with a server certificate (localhost, 127.0.0.1, ::1) and a client certificate.
struct TestPki {
  std::filesystem::path dir;
  std::filesystem::path ca() const { return dir / "ca.pem"; }
  std::filesystem::path server_cert() const { return dir / "server.pem"; }
  std::filesystem::path server_key() const { return dir / "server.key"; }
  std::filesystem::path client_cert() const { return dir / "client.pem"; }
  std::filesystem::path client_key() const { return dir / "client.key"; }
};

// Runs deploy/make-test-certs into `dir`; fails with the script's output.
[[nodiscard]] ::testing::AssertionResult MakeTestPki(const std::filesystem::path& dir,
                                                    TestPki* pki);

// The whole file; empty when it cannot be read.
std::string ReadText(const std::filesystem::path& path);

// Channel credentials trusting `trusted.ca()`, presenting `client`'s certificate when given.
std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(const TestPki& trusted,
                                                         const TestPki* client = nullptr);

// A channel to `address` with `credentials` (no proxy), not yet connected.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           std::shared_ptr<grpc::ChannelCredentials> credentials);

}  // namespace itest
