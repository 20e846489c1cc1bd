// token_bucket_test.cpp: the per-client message rate limit of
// src/base/token_bucket.h: a full burst at first, refill by rate, never more
// than the burst, and a gap measured right across the wrap of the 32-bit
// millisecond clock it keeps.
#include "base/token_bucket.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

// Takes tokens at now_ms until the bucket refuses (at most limit), and
// returns how many it gave.
int take_all(TokenBucket* bucket, int64_t now_ms, double rate, double burst, int limit = 1000) {
  int taken = 0;
  while (taken < limit && bucket->take(now_ms, rate, burst)) ++taken;
  return taken;
}

TEST(TokenBucket, TheFirstMessageFindsAFullBurst) {
  TokenBucket bucket;
  EXPECT_EQ(take_all(&bucket, 123456, 1, 5), 5);
}

TEST(TokenBucket, AnEmptyBucketRefusesUntilItRefills) {
  TokenBucket bucket;
  take_all(&bucket, 0, 1, 3);
  EXPECT_FALSE(bucket.take(0, 1, 3));
  EXPECT_FALSE(bucket.take(999, 1, 3));
}

TEST(TokenBucket, TokensRefillAtTheRatePerSecond) {
  TokenBucket bucket;
  take_all(&bucket, 0, 10, 20);
  // 10 per second: 500 ms bring back 5 tokens.
  EXPECT_EQ(take_all(&bucket, 500, 10, 20), 5);
}

TEST(TokenBucket, RefillIsFractionalAndAccumulatesAcrossRefusals) {
  TokenBucket bucket;
  take_all(&bucket, 0, 2, 1);
  EXPECT_FALSE(bucket.take(250, 2, 1));  // half a token
  EXPECT_TRUE(bucket.take(500, 2, 1));   // the other half
}

TEST(TokenBucket, ALongSilenceRefillsNoMoreThanTheBurst) {
  TokenBucket bucket;
  take_all(&bucket, 0, 100, 4);
  EXPECT_EQ(take_all(&bucket, 3'600'000, 100, 4), 4);
}

// The bucket keeps the low 32 bits of the millisecond clock; the gap across
// the wrap (2^32 ms, about 49.7 days) must be the real one, not a huge or
// negative number.
TEST(TokenBucket, TheGapIsMeasuredRightAcrossThe32BitMillisecondWrap) {
  const int64_t just_before_wrap = (int64_t{1} << 32) - 100;
  TokenBucket bucket;
  take_all(&bucket, just_before_wrap, 10, 20);
  // 300 ms later the clock has wrapped in 32 bits: 3 tokens are back.
  EXPECT_EQ(take_all(&bucket, just_before_wrap + 300, 10, 20), 3);
}

}  // namespace
