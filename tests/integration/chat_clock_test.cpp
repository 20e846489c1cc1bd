// chat_clock_test.cpp: the chat layer's timer runs on the monotonic clock
// (src/base/clock.h), the wall clock serves only the timestamps users see.
// chatd runs with wall_clock_step.so preloaded, which turns its wall clock
// back an hour while a file exists: an operator or NTP stepping the system
// clock. Presence counts must go on regardless (docs/protocol.md, presence).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "harness.h"

namespace {

// Sets name to value for the chatd processes started while it lives (the
// child inherits the environment at fork), and puts the old value back.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    had_old_ = old != nullptr;
    if (had_old_) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (had_old_) {
      setenv(name_, old_.c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  bool had_old_ = false;
  std::string old_;
};

std::string shim_path() {
  std::string binary = chatd_binary();
  size_t slash = binary.rfind('/');
  return (slash == std::string::npos ? std::string(".") : binary.substr(0, slash)) + "/wall_clock_step.so";
}

double member_count(const JsonValue& message) {
  const JsonValue* count = message.find("member_count");
  return count && count->is_number() ? count->as_number() : -1;
}

}  // namespace

TEST(ChatClock, PresenceCountsGoOnWhenTheWallClockStepsBackAnHour) {
#ifndef __linux__
  GTEST_SKIP() << "the wall-clock shim is an LD_PRELOAD library (Linux)";
#endif
  const std::string shim = shim_path();
  ASSERT_EQ(access(shim.c_str(), R_OK), 0) << shim << " is built by make integration";
  const std::string step_file = "/tmp/" + unique_name("chatd-wall-step");
  std::remove(step_file.c_str());

  std::unique_ptr<ChatdProcess> server;
  {
    ScopedEnvironment preload("LD_PRELOAD", shim);
    ScopedEnvironment step("CHATD_TEST_WALL_STEP_FILE", step_file);
    // Under make asan the sanitizer would refuse a library loaded before it.
    const char* asan = std::getenv("ASAN_OPTIONS");
    ScopedEnvironment asan_order("ASAN_OPTIONS", std::string(asan ? asan : "") + ":verify_asan_link_order=0");
    server = std::make_unique<ChatdProcess>(std::vector<std::string>{"--presence-threshold", "1",
                                                                     "--presence-interval", "0.5"});
  }
  ASSERT_TRUE(server->started());

  // Two members in a room above the threshold: the count comes by timer.
  TestClient watcher, second, third;
  JsonValue message;
  ASSERT_TRUE(watcher.open(server->port()));
  ASSERT_TRUE(watcher.read_until_type("welcome", &message));
  ASSERT_TRUE(second.open(server->port()));
  ASSERT_TRUE(watcher.read_until_type("presence", &message, 3000));
  EXPECT_EQ(member_count(message), 2);

  // The wall clock goes back an hour; a third member arrives.
  FILE* step = std::fopen(step_file.c_str(), "w");
  ASSERT_NE(step, nullptr);
  std::fclose(step);
  ASSERT_TRUE(third.open(server->port()));
  bool counted = watcher.read_until_type("presence", &message, 3000);
  std::remove(step_file.c_str());
  ASSERT_TRUE(counted) << "no presence within 3 s of a wall-clock step back (interval 0.5 s)";
  EXPECT_EQ(member_count(message), 3);
}
