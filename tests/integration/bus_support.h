// bus_support.h: what the bus tests share: nodes of a shared chat on one
// test Redis, members that have joined a room, and reading messages as
// "seq:text" so that two members' views compare as two lists.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness.h"
#include "redis_process.h"

using Clock = std::chrono::steady_clock;

std::string join_request(const std::string& name, const std::string& room);
// chatd with --redis on redis, rate limits lifted so the tests' senders
// are not refused; extra_args go after.
std::unique_ptr<ChatdProcess> start_node(const RedisProcess& redis, const std::string& name,
                                         const std::vector<std::string>& extra_args = {});
// A client on port that has joined room as name; *welcome is its welcome.
std::unique_ptr<TestClient> member(int port, const std::string& name, const std::string& room,
                                   JsonValue* welcome = nullptr);
// Polls GET /healthz on port until it answers status (or timeout_ms passes):
// a node accepts connections at once, but chat clients only once Redis has
// given it a node number, which /healthz's 200 says.
bool wait_for_health(int port, int status, int timeout_ms = 5000);
std::string string_field(const JsonValue& value, std::string_view key);
double number_field(const JsonValue& value, std::string_view key);
std::set<std::string> member_names(const JsonValue& welcome);
// Runs command through the shell; returns its exit status (-1 if it did not
// exit normally) and sets *output to what it printed.
int run_capturing(const std::string& command, std::string* output);
// Reads messages (skipping other types) until count have arrived or
// timeout_ms passes; each as "seq:text".
std::vector<std::string> read_messages(TestClient& client, size_t count, int timeout_ms);

class Bus : public ::testing::Test {
 protected:
  void SetUp() override;
  // n nodes on n ports, all on this test's Redis, each ready for chat.
  void start_nodes(int n, const std::vector<std::string>& extra_args = {});
  // A member on nodes[0] and one on nodes[1], both in room; true once the
  // first has heard that the second joined.
  bool members_on_two_nodes(const std::string& first_name, const std::string& second_name, const std::string& room,
                            std::unique_ptr<TestClient>* first, std::unique_ptr<TestClient>* second);

  std::unique_ptr<RedisProcess> redis;
  std::vector<std::unique_ptr<ChatdProcess>> nodes;
};
