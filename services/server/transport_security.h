#pragma once
// How wijkboekd's listeners are secured: TLS (optionally mutual) for gRPC from PEM files, and the
// rule that plaintext listeners stay on loopback unless the operator says otherwise.
//
// Why the rule: every gRPC call carries a bearer token and every dashboard request a token or a
// login cookie. On a plaintext listener reachable from the network anyone on the path could take
// them, so wijkboekd refuses to start that way unless --allow-insecure says a TLS-terminating
// proxy (or a private network) stands in front of it.
//
// Pure functions over the configuration and the files it names; callable from any thread.

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace server {

// The PEM files of --tls-cert, --tls-key and --tls-client-ca (empty: not given).
struct TlsFiles {
  std::string cert;       // the server's certificate chain, leaf first
  std::string key;        // its private key (unencrypted PEM)
  std::string client_ca;  // CA certificate(s) a client certificate must chain to: mutual TLS
};

enum class Transport { kPlaintext, kTls, kMutualTls };

// What the files ask for: plaintext when neither cert nor key is given.
Transport TransportOf(const TlsFiles& files);
// "plaintext", "TLS" or "mutual TLS", for the startup log.
std::string_view TransportName(Transport transport);

// True when `listen` (HOST:PORT, [V6]:PORT or unix:PATH) can only be reached from this machine:
// 127.0.0.0/8, ::1, "localhost" and Unix sockets. 0.0.0.0, [::], other addresses and names are
// not.
bool IsLoopbackListen(std::string_view listen);

// OK when a plaintext listener on `listen` is acceptable: it is on loopback, or allow_insecure.
// Otherwise FAILED_PRECONDITION saying which flag (`flag`, e.g. "--grpc-listen") and why, and what
// to pass instead (`remedy`).
[[nodiscard]] absl::Status CheckPlaintextListen(std::string_view flag, std::string_view listen,
                                                bool allow_insecure, std::string_view remedy);

// The gRPC server credentials for `files`: insecure for plaintext; else reads and checks the PEM
// files (the key must belong to the certificate; the client CA must hold a certificate) and makes
// SSL credentials that, with a client CA, require and verify a client certificate. Errors are
// FAILED_PRECONDITION or INVALID_ARGUMENT naming the flag and the file.
[[nodiscard]] absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files);

}  // namespace server
