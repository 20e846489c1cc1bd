// redis_process.h: a real redis-server for the tests that need one (the
// Redis client, the bus). Each RedisProcess is its own server: a free
// loopback port, its own temporary directory, no persistence (--save ''
// --appendonly no) unless the test asks for it, and it is stopped by the
// PID this test started, never by name. A system Redis is never used.
//
// On a learner's machine without redis-server the tests that need it skip
// with the reason; under CI (the CI variable set) a missing redis-server is
// a failure, since .ci/run installs it (REQUIRE_REDIS below).
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "redis/resp_reader.h"

// The redis-server binary: $REDIS_SERVER, or the first on PATH; empty if none.
std::string redis_server_binary();

class RedisProcess {
 public:
  // Starts redis-server on 127.0.0.1 and a free port, and waits (up to 5 s)
  // until it answers PING. extra_args go at the end of its command line.
  explicit RedisProcess(const std::vector<std::string>& extra_args = {});
  ~RedisProcess();
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  bool started() const { return pid_ > 0; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  // Its working directory, and its log file (for a failing test's message).
  const std::string& directory() const { return directory_; }
  std::string log_tail() const;
  // True when it answers PING within 200 ms (PONG, or NOAUTH when it wants a password).
  bool answers_ping() const;
  // Sends one command on a fresh connection and reads its reply (our own
  // RESP reader); false on a timeout or a broken reply.
  bool query(const std::vector<std::string>& arguments, RespValue* reply, int timeout_ms = 1000) const;

  // Sends signal_number (SIGKILL, SIGTERM) and waits up to timeout_ms; true
  // if it exited. The port stays this object's, so start_again() can use it.
  bool stop(int signal_number, int timeout_ms);
  // SIGSTOP and SIGCONT: a Redis that keeps its connections but answers nothing.
  void freeze();
  void thaw();
  // After stop(): a new server on the same port and directory (its data is
  // gone, as after a restart without persistence).
  bool start_again();

 private:
  bool launch();

  std::vector<std::string> extra_args_;
  std::string directory_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Skips the test, printing why, when redis-server is not installed; under
// CI a missing redis-server fails it instead.
#define REQUIRE_REDIS()                                                                      \
  do {                                                                                       \
    if (redis_server_binary().empty()) {                                                     \
      if (in_ci()) FAIL() << "redis-server is missing, and CI is set: install it (.ci/run)"; \
      GTEST_SKIP() << "redis-server is not installed (Debian: apt-get install redis-server)"; \
    }                                                                                        \
  } while (0)

bool in_ci();  // script_support.cpp
