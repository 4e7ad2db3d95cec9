#include "services/server/transport_security.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <grpcpp/security/server_credentials.h>

#include "absl/strings/str_cat.h"
#include "services/gateway/url.h"

namespace server {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x509) const { X509_free(x509); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

// The whole file, or FAILED_PRECONDITION naming the flag, the file and the reason.
absl::StatusOr<std::string> ReadPem(std::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat(std::string(flag), " ", path, ": cannot read: ", std::strerror(errno)));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// OpenSSL's reason for the last failure (e.g. "no start line"), and clears its error queue so
// that nothing stale reaches gRPC's own use of OpenSSL later.
std::string OpenSslReason() {
  const unsigned long error = ERR_peek_last_error();
  const char* reason = error != 0 ? ERR_reason_error_string(error) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : "not PEM";
}

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate in `pem`, or INVALID_ARGUMENT naming the flag and file.
absl::StatusOr<X509Ptr> FirstCertificate(std::string_view flag, const std::string& path,
                                         const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(flag), " ", path,
                                                   ": no PEM certificate in it (",
                                                   OpenSslReason(), ")"));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        std::string(flag), " ", path, ": the certificate has expired; make a new one"));
  }
  return cert;
}

// Refuses a passphrase prompt: wijkboekd starts unattended, so the key must be unencrypted.
int NoPassphrase(char*, int, int, void*) { return 0; }

absl::Status CheckKeyPair(const TlsFiles& files, const std::string& cert_pem,
                          const std::string& key_pem) {
  absl::StatusOr<X509Ptr> cert = FirstCertificate("--tls-cert", files.cert, cert_pem);
  if (!cert.ok()) return cert.status();
  BioPtr bio = MemoryBio(key_pem);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-key ", files.key, ": no unencrypted PEM private key in it (",
                     OpenSslReason(), ")"));
  }
  if (X509_check_private_key(cert->get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("--tls-key ", files.key,
                                                   " is not the key of the certificate in "
                                                   "--tls-cert ",
                                                   files.cert));
  }
  return absl::OkStatus();
}

}  // namespace

Transport TransportOf(const TlsFiles& files) {
  if (files.cert.empty() && files.key.empty()) return Transport::kPlaintext;
  return files.client_ca.empty() ? Transport::kTls : Transport::kMutualTls;
}

std::string_view TransportName(Transport transport) {
  switch (transport) {
    case Transport::kPlaintext:
      return "plaintext";
    case Transport::kTls:
      return "TLS";
    case Transport::kMutualTls:
      return "mutual TLS";
  }
  return "plaintext";
}

bool IsLoopbackListen(std::string_view listen) {
  if (listen.substr(0, 5) == "unix:") return true;
  auto host_port = gateway::SplitHostPort(listen);
  if (!host_port) return false;
  const std::string& host = host_port->first;
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

absl::Status CheckPlaintextListen(std::string_view flag, std::string_view listen,
                                  bool allow_insecure, std::string_view remedy) {
  if (allow_insecure || IsLoopbackListen(listen)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to serve plaintext on ", std::string(flag), " ", std::string(listen),
      ": it is not a loopback address, so the token or cookie sent with every request would "
      "cross the network unencrypted. ",
      std::string(remedy), ", listen on 127.0.0.1, or pass --allow-insecure if a "
      "TLS-terminating proxy or a private network protects it"));
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files) {
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together: give both (the certificate and its private key) "
        "or neither");
  }
  if (files.cert.empty()) {
    if (!files.client_ca.empty()) {
      return absl::InvalidArgumentError(
          "--tls-client-ca needs --tls-cert and --tls-key: mutual TLS is TLS first");
    }
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<std::string> cert = ReadPem("--tls-cert", files.cert);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem("--tls-key", files.key);
  if (!key.ok()) return key.status();
  if (absl::Status s = CheckKeyPair(files, *cert, *key); !s.ok()) return s;

  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!files.client_ca.empty()) {
    absl::StatusOr<std::string> ca = ReadPem("--tls-client-ca", files.client_ca);
    if (!ca.ok()) return ca.status();
    absl::StatusOr<X509Ptr> first = FirstCertificate("--tls-client-ca", files.client_ca, *ca);
    if (!first.ok()) return first.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

}  // namespace server
