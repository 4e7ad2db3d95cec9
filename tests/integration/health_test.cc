// grpc.health.v1: load balancers and probes ask without a token.

#include <gtest/gtest.h>

#include "eventlog_helpers.h"

namespace itest {
namespace {

using HealthTest = ServerTest;
using grpc::health::v1::HealthCheckResponse;

TEST_F(HealthTest, CheckAnswersServingWithoutToken) {
  HealthCheckResponse response;
  const grpc::Status status = CheckHealth(server_.Channel(), &response);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace itest
