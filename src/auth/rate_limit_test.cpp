#include "auth/rate_limit.h"

#include <gtest/gtest.h>

namespace gh::auth {
namespace {

TEST(RateLimiter, AllowsABurstThenRefillsOverTime) {
  RateLimiter limiter(60, 3);  // one per second, bursts of 3
  EXPECT_TRUE(limiter.allow("a", 0));
  EXPECT_TRUE(limiter.allow("a", 0));
  EXPECT_TRUE(limiter.allow("a", 0));
  EXPECT_FALSE(limiter.allow("a", 0));
  EXPECT_FALSE(limiter.allow("a", 500));
  EXPECT_TRUE(limiter.allow("a", 1000));
  EXPECT_FALSE(limiter.allow("a", 1000));
  EXPECT_TRUE(limiter.allow("b", 1000));  // keys are independent
}

}  // namespace
}  // namespace gh::auth
