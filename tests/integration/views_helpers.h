#pragma once
// Calling the Views service from the integration tests: one call on a fresh stub over the
// server's current channel, with the admin token (or none, or a wrong one) and a deadline.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "eventlog_helpers.h"
#include "server_process.h"
#include "wijkboek/v1/views.grpc.pb.h"

namespace itest {

template <typename Response>
struct Answer {
  grpc::Status status;
  Response response;
};

template <typename Request, typename Response>
using Rpc = grpc::Status (v1::Views::Stub::*)(grpc::ClientContext*, const Request&, Response*);

enum class Auth { kAdmin, kNone, kWrongToken };

// One Views call on a fresh stub over the server's current channel (a restart makes a new one).
template <typename Request, typename Response>
Answer<Response> Call(ServerProcess& server, Rpc<Request, Response> rpc, const Request& request,
                      std::chrono::milliseconds deadline = ServerProcess::kRpcDeadline,
                      Auth auth = Auth::kAdmin) {
  auto stub = v1::Views::NewStub(server.Channel());
  grpc::ClientContext context;
  if (auth == Auth::kAdmin) {
    server.Authorize(&context, deadline);
  } else {
    ServerProcess::SetDeadline(&context, deadline);
    if (auth == Auth::kWrongToken) context.AddMetadata("authorization", "Bearer not-the-token");
  }
  Answer<Response> out;
  out.status = ((*stub).*rpc)(&context, request, &out.response);
  return out;
}

// The same call, which must succeed; a failure is recorded and an empty response returned.
template <typename Request, typename Response>
Response MustCall(ServerProcess& server, Rpc<Request, Response> rpc, const Request& request) {
  Answer<Response> a = Call(server, rpc, request);
  EXPECT_TRUE(a.status.ok()) << Request::descriptor()->name() << ": " << Describe(a.status);
  return a.response;
}

template <typename Request>
Request AtLeast(uint64_t position, Request request = {}) {
  request.set_min_position(position);
  return request;
}

}  // namespace itest
