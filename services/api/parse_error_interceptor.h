#pragma once
// Answers a request whose bytes do not parse as the method's request message with
// INVALID_ARGUMENT naming the message type, instead of what gRPC says by itself: UNIMPLEMENTED
// with an empty message on the callback API (and INTERNAL on the sync API), which sends a client
// looking for a missing method or a server bug rather than at its own bytes. Truncated or
// non-protobuf bytes, a string field that is not UTF-8 and nesting past protobuf's depth limit
// all end up here; the method's handler never runs for them.
//
// Install with grpc::ServerBuilder::experimental().SetInterceptorCreators. gRPC creates one
// interceptor per call and calls it on that call's threads; the factory is stateless.
#include <grpcpp/support/server_interceptor.h>

namespace api {

class ParseErrorInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace api
