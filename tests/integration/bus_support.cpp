// bus_support.cpp: see bus_support.h.
#include "bus_support.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <thread>

std::string join_request(const std::string& name, const std::string& room) {
  std::string out;
  JsonWriter(&out).begin_object().key("type").string("join").key("name").string(name).key("room").string(room)
      .end_object();
  return out;
}

std::unique_ptr<ChatdProcess> start_node(const RedisProcess& redis, const std::string& name,
                                         const std::vector<std::string>& extra_args) {
  std::vector<std::string> args{"--redis", redis.url(), "--node-name", name, "--rate", "100000",
                                "--burst", "100000", "--log-level", "warn"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return std::make_unique<ChatdProcess>(args);
}

std::unique_ptr<TestClient> member(int port, const std::string& name, const std::string& room,
                                   JsonValue* welcome) {
  auto client = std::make_unique<TestClient>();
  JsonValue first;
  if (!client->open(port) || !client->read_until_type("welcome", &first, 5000)) return nullptr;
  client->send_json(join_request(name, room));
  JsonValue joined;
  if (!client->read_until_type("welcome", &joined, 5000)) return nullptr;
  if (welcome != nullptr) *welcome = joined;
  return client;
}

std::string string_field(const JsonValue& value, std::string_view key) {
  const std::string* text = value.find_string(key);
  return text ? *text : "";
}

double number_field(const JsonValue& value, std::string_view key) {
  const JsonValue* field = value.find(key);
  return field && field->is_number() ? field->as_number() : -1;
}

std::set<std::string> member_names(const JsonValue& welcome) {
  std::set<std::string> names;
  const JsonValue* members = welcome.find("members");
  if (members == nullptr || !members->is_array()) return names;
  for (const JsonValue& entry : members->items()) names.insert(string_field(entry, "name"));
  return names;
}

std::vector<std::string> read_messages(TestClient& client, size_t count, int timeout_ms) {
  std::vector<std::string> messages;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (messages.size() < count && Clock::now() < deadline) {
    JsonValue message;
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (!client.read_until_type("message", &message, std::max(left, 1))) break;
    messages.push_back(std::to_string(static_cast<long long>(number_field(message, "seq"))) + ":" +
                       string_field(message, "text"));
  }
  return messages;
}

bool wait_for_health(int port, int status, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    TestClient probe;
    if (probe.connect_tcp(port) && probe.send_raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") &&
        TestClient::status_of(probe.read_http_response(1000)) == status) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void Bus::SetUp() {
  if (redis_server_binary().empty()) return;
  redis = std::make_unique<RedisProcess>();
  ASSERT_TRUE(redis->started()) << redis->log_tail();
}

void Bus::start_nodes(int n, const std::vector<std::string>& extra_args) {
  for (int i = 0; i < n; ++i) {
    nodes.push_back(start_node(*redis, "n" + std::to_string(i + 1), extra_args));
    ASSERT_TRUE(nodes.back()->started());
    ASSERT_TRUE(wait_for_health(nodes.back()->port(), 200)) << "node " << i + 1 << " never reached Redis";
  }
}

bool Bus::members_on_two_nodes(const std::string& first_name, const std::string& second_name,
                               const std::string& room, std::unique_ptr<TestClient>* first,
                               std::unique_ptr<TestClient>* second) {
  *first = member(nodes[0]->port(), first_name, room);
  *second = member(nodes[1]->port(), second_name, room);
  JsonValue joined;
  return *first && *second && (*first)->read_until_type("joined", &joined, 5000);
}

int run_capturing(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) *output += buffer;
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
