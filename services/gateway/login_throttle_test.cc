#include "services/gateway/login_throttle.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

using std::chrono::seconds;

class LoginThrottleTest : public ::testing::Test {
 protected:
  std::chrono::steady_clock::time_point now_{};
  LoginThrottle throttle_{3, seconds(60), [this] { return now_; }};
};

TEST_F(LoginThrottleTest, AnAddressWaitsAfterTooManyFailuresUntilTheOldestLeavesTheWindow) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle_.WaitFor("10.0.0.1"), seconds(0));
    throttle_.Failed("10.0.0.1");
    now_ += seconds(10);
  }
  // Failures at 0, 10 and 20 s; now 30 s: the first leaves the window at 60 s.
  EXPECT_EQ(throttle_.WaitFor("10.0.0.1"), seconds(30));
  EXPECT_EQ(throttle_.WaitFor("10.0.0.2"), seconds(0)) << "other addresses are not affected";
  now_ += seconds(30);
  EXPECT_EQ(throttle_.WaitFor("10.0.0.1"), seconds(0));
}

TEST_F(LoginThrottleTest, ASuccessForgetsTheFailures) {
  throttle_.Failed("a");
  throttle_.Failed("a");
  throttle_.Succeeded("a");
  throttle_.Failed("a");
  throttle_.Failed("a");
  EXPECT_EQ(throttle_.WaitFor("a"), seconds(0));
}

TEST(LoginThrottle, ZeroMeansNoLimit) {
  LoginThrottle off(0, seconds(60));
  for (int i = 0; i < 100; ++i) off.Failed("a");
  EXPECT_EQ(off.WaitFor("a"), seconds(0));
}

TEST(LoginThrottle, MemoryStaysBounded) {
  std::chrono::steady_clock::time_point now{};
  LoginThrottle t(1, seconds(60), [&now] { return now; });
  for (std::size_t i = 0; i < LoginThrottle::kMaxAddresses + 5; ++i) {
    t.Failed("addr-" + std::to_string(i));
  }
  // The table was cleared when it filled, so the first addresses are no longer held back, and
  // the newest still are.
  EXPECT_EQ(t.WaitFor("addr-0"), seconds(0));
  EXPECT_GT(t.WaitFor("addr-" + std::to_string(LoginThrottle::kMaxAddresses + 4)), seconds(0));
}

}  // namespace
}  // namespace gateway
