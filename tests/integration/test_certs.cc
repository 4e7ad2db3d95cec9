#include "test_certs.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#ifndef WIJKBOEK_MAKE_TEST_CERTS
#error "WIJKBOEK_MAKE_TEST_CERTS must name deploy/make-test-certs (set by CMakeLists.txt)"
#endif

namespace itest {

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

::testing::AssertionResult MakeTestPki(const std::filesystem::path& dir, TestPki* pki) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path log = dir / "make-test-certs.log";
  const std::string command = std::string("'") + WIJKBOEK_MAKE_TEST_CERTS + "' '" + dir.string() +
                              "' >'" + log.string() + "' 2>&1";
  const int rc = std::system(command.c_str());
  if (rc != 0) {
    return ::testing::AssertionFailure()
           << command << " failed (" << rc << "); is `openssl` installed? Output:\n"
           << ReadText(log);
  }
  pki->dir = dir;
  return ::testing::AssertionSuccess();
}

std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(const TestPki& trusted,
                                                         const TestPki* client) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadText(trusted.ca());
  if (client != nullptr) {
    options.pem_cert_chain = ReadText(client->client_cert());
    options.pem_private_key = ReadText(client->client_key());
  }
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  return grpc::CreateCustomChannel(address, std::move(credentials), args);
}

}  // namespace itest
