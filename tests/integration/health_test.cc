// grpc.health.v1: load balancers and probes ask without a token.

#include <gtest/gtest.h>

#include "eventlog_helpers.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace itest {
namespace {

using HealthTest = ServerTest;
using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

TEST_F(HealthTest, CheckAnswersServingWithoutToken) {
  auto stub = Health::NewStub(server_.Channel());
  grpc::ClientContext context;
  ServerProcess::SetDeadline(&context);
  HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, HealthCheckRequest(), &response);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace itest
