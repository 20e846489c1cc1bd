// redis_process_test.cpp: the tests' own Redis (redis_process.h) behaves as
// the bus tests rely on: each is a private server on its own port, stopped
// by its PID, and a frozen one keeps its port but answers nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "redis_process.h"

TEST(RedisProcess, EachTestRedisIsAPrivateServerOnItsOwnPort) {
  REQUIRE_REDIS();
  RedisProcess first;
  RedisProcess second;
  ASSERT_TRUE(first.started()) << first.log_tail();
  ASSERT_TRUE(second.started()) << second.log_tail();
  EXPECT_NE(first.port(), second.port());
  EXPECT_NE(first.directory(), second.directory());
  EXPECT_TRUE(first.answers_ping());
  EXPECT_TRUE(second.answers_ping());
}

TEST(RedisProcess, StoppingOneByItsPidLeavesTheOtherRunning) {
  REQUIRE_REDIS();
  RedisProcess victim;
  RedisProcess bystander;
  ASSERT_TRUE(victim.started() && bystander.started());
  EXPECT_TRUE(victim.stop(SIGKILL, 2000));
  EXPECT_FALSE(victim.started());
  EXPECT_FALSE(victim.answers_ping());
  EXPECT_TRUE(bystander.answers_ping());
}

TEST(RedisProcess, AFrozenRedisAnswersNothingUntilThawed) {
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started());
  redis.freeze();
  EXPECT_FALSE(redis.answers_ping());  // the kernel still accepts; Redis does not answer
  redis.thaw();
  EXPECT_TRUE(redis.answers_ping());
}

TEST(RedisProcess, StartsAgainOnTheSamePortAfterAKill) {
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started());
  const int port = redis.port();
  ASSERT_TRUE(redis.stop(SIGKILL, 2000));
  ASSERT_TRUE(redis.start_again()) << redis.log_tail();
  EXPECT_EQ(redis.port(), port);
  EXPECT_TRUE(redis.answers_ping());
}

TEST(RedisProcess, RunsWithoutPersistenceInItsOwnDirectory) {
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started());
  std::ifstream log(redis.directory() + "/redis.log");
  EXPECT_TRUE(log.good()) << "the log is written in the test's own directory";
  ASSERT_TRUE(redis.stop(SIGTERM, 5000));
  // SIGTERM makes a Redis with a save point write dump.rdb on the way out;
  // --save '' means there is none, so nothing survives the test.
  std::ifstream dump(redis.directory() + "/dump.rdb");
  EXPECT_FALSE(dump.good());
}
