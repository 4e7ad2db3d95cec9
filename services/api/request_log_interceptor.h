#pragma once
// One log line (spdlog, level warn) per gRPC call that ends with a status other than OK (or
// CANCELLED, which is the client's doing), naming
// the method, the code and message, the peer and a request id; and the request id, echoed to the
// client as `x-request-id` initial metadata, so a user's report can be matched to the line. The
// id is the client's own `x-request-id` metadata when it sent one (up to 64 printable
// characters), else 16 random hex digits. Tokens are never logged.
//
// Install with grpc::ServerBuilder::experimental().SetInterceptorCreators, after the
// ParseErrorInterceptorFactory (so the status it rewrites is the one logged). gRPC creates one
// interceptor per call; the factory is stateless.
#include <grpcpp/support/server_interceptor.h>

#include <string>
#include <string_view>

namespace api {

// The request id for a call or HTTP request: `client_id` (the client's x-request-id) when it is
// 1 to 64 printable ASCII characters without spaces, so it can go into a log line as it is; else
// 16 new random hex digits. Thread-safe.
std::string RequestIdOr(std::string_view client_id);

class RequestLogInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace api
