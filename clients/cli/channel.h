#pragma once
// The one place clients open a gRPC channel to wijkboekd: plaintext, TLS, or mutual TLS, from the
// options of the `wijkboek` CLI (--server, --tls-ca, --tls-cert, --tls-key, --tls-server-name).
//
// Pure apart from reading the PEM files it is given; callable from any thread.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace wijkboek::client {

struct ChannelOptions {
  std::string server;  // HOST:PORT
  // TLS is used when any of the fields below is set (or `tls` is true).
  bool tls = false;
  std::string tls_ca;  // PEM file of the CA(s) to trust; empty: the system's trusted CAs
  // A client certificate and its key (PEM files), for a server that requires mutual TLS. Both or
  // neither.
  std::string tls_cert;
  std::string tls_key;
  // Check the server's certificate against this name instead of the host in `server` (e.g. when
  // connecting by an IP address the certificate does not name).
  std::string tls_server_name;

  bool UsesTls() const {
    return tls || !tls_ca.empty() || !tls_cert.empty() || !tls_key.empty() ||
           !tls_server_name.empty();
  }
};

// A channel to options.server. Nothing is sent yet: connection and handshake problems surface as
// UNAVAILABLE on the first call. Errors (INVALID_ARGUMENT, naming the option and the file): a file
// that cannot be read or holds no PEM block, a certificate without its key or the reverse.
[[nodiscard]] absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const ChannelOptions& options);

}  // namespace wijkboek::client
