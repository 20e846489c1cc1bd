// workers_test.cpp: --workers (src/supervisor.h): worker processes on one
// port through SO_REUSEPORT, one room across them through Redis, a worker
// killed and restarted, and a clean shutdown of the whole family.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bus_support.h"
#include "harness.h"
#include "redis_process.h"

namespace {

// The first port from start (below 32000) such that it and the next are free.
int two_free_ports_in_a_row(int start) {
  for (int port = start; port < 32000; port += 2) {
    if (loopback_port_can_be_bound(port) && loopback_port_can_be_bound(port + 1)) return port;
  }
  return 0;
}

// The processes whose parent is parent (Linux /proc).
std::set<pid_t> children_of(pid_t parent) {
  std::set<pid_t> children;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return children;
  while (dirent* entry = readdir(proc)) {
    pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    size_t close_paren = text.rfind(')');
    if (close_paren == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(text.c_str() + close_paren + 1, " %c %d", &state, &ppid) == 2 && ppid == parent &&
        state != 'Z') {
      children.insert(pid);
    }
  }
  closedir(proc);
  return children;
}

bool process_exists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

// A member, retried: a worker that has not reached Redis yet answers 503.
std::unique_ptr<TestClient> member_when_ready(int port, const std::string& name, const std::string& room,
                                              JsonValue* welcome) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (auto client = member(port, name, room, welcome)) return client;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return nullptr;
}

uint64_t worker_of(const JsonValue& welcome) { return static_cast<uint64_t>(number_field(welcome, "id")) >> 32; }

class Workers : public Bus {
 protected:
  void start_workers(int count) {
    supervisor = std::make_unique<ChatdProcess>(std::vector<std::string>{
        "--workers", std::to_string(count), "--redis", redis->url(), "--rate", "100000", "--burst", "100000"});
    ASSERT_TRUE(supervisor->started());
  }
  std::unique_ptr<ChatdProcess> supervisor;
};

}  // namespace

TEST_F(Workers, FourWorkersShareOnePortAndOneRoomInOneOrder) {
  REQUIRE_REDIS();
  start_workers(4);
  EXPECT_EQ(children_of(supervisor->pid()).size(), 4u);
  std::vector<std::unique_ptr<TestClient>> members;
  std::map<uint64_t, TestClient*> one_per_worker;
  for (int i = 0; i < 400; ++i) {
    JsonValue welcome;
    members.push_back(member_when_ready(supervisor->port(), "m" + std::to_string(i), "spread", &welcome));
    ASSERT_NE(members.back(), nullptr) << "client " << i;
    one_per_worker.emplace(worker_of(welcome), members.back().get());
  }
  ASSERT_EQ(one_per_worker.size(), 4u) << "the kernel spread 400 connections over all 4 workers";
  int sent = 0;
  for (int round = 0; round < 25; ++round) {
    for (auto& [worker, sender] : one_per_worker) {
      ASSERT_TRUE(sender->send_text("r" + std::to_string(round) + "w" + std::to_string(worker)));
      ++sent;
    }
  }
  std::vector<std::string> first = read_messages(*members[0], sent, 20000);
  ASSERT_EQ(first.size(), static_cast<size_t>(sent));
  for (size_t m = 1; m < members.size(); ++m) {
    ASSERT_EQ(read_messages(*members[m], sent, 20000), first) << "member " << m;
  }
}

TEST_F(Workers, AKilledWorkerIsRestartedAndItsClientsCanReconnect) {
  REQUIRE_REDIS();
  start_workers(2);
  std::set<pid_t> before = children_of(supervisor->pid());
  ASSERT_EQ(before.size(), 2u);
  pid_t victim = *before.begin();
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  std::set<pid_t> after;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    after = children_of(supervisor->pid());
    if (after.size() == 2 && after.count(victim) == 0) break;
  }
  ASSERT_EQ(after.size(), 2u) << "the supervisor started a new worker";
  EXPECT_EQ(after.count(victim), 0u);
  // Every one of 20 clients gets in: none is sent to a dead socket.
  for (int i = 0; i < 20; ++i) {
    JsonValue welcome;
    EXPECT_NE(member_when_ready(supervisor->port(), "back" + std::to_string(i), "lobby", &welcome), nullptr);
  }
}

TEST_F(Workers, SigtermClosesEveryClientWith1001AndLeavesNoProcess) {
  REQUIRE_REDIS();
  start_workers(3);
  std::set<pid_t> workers = children_of(supervisor->pid());
  ASSERT_EQ(workers.size(), 3u);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 30; ++i) {
    JsonValue welcome;
    clients.push_back(member_when_ready(supervisor->port(), "c" + std::to_string(i), "closing", &welcome));
    ASSERT_NE(clients.back(), nullptr);
  }
  ASSERT_EQ(kill(supervisor->pid(), SIGTERM), 0);
  for (auto& client : clients) EXPECT_EQ(client->read_close_code(5000), 1001);
  EXPECT_EQ(supervisor->stop(0, 10000), 0) << "the supervisor exits 0 once every worker has";
  for (pid_t pid : workers) EXPECT_FALSE(process_exists(pid)) << "worker " << pid << " is still there";
}

TEST_F(Workers, ASupervisorKilledTakesItsWorkersWithIt) {
  REQUIRE_REDIS();
  start_workers(2);
  std::set<pid_t> workers = children_of(supervisor->pid());
  ASSERT_EQ(workers.size(), 2u);
  ASSERT_EQ(kill(supervisor->pid(), SIGKILL), 0);
  supervisor->stop(0, 3000);
  for (pid_t pid : workers) {
    bool gone = false;
    for (int attempt = 0; attempt < 100 && !gone; ++attempt) {
      gone = !process_exists(pid);
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(gone) << "worker " << pid << " outlived its supervisor";
  }
}

TEST_F(Workers, EachWorkerCanBeScrapedOnAMetricsPortOfItsOwn) {
  REQUIRE_REDIS();
  // Workers 1 and 2 listen on base and base + 1, so the test needs two free
  // ports in a row. Probing with connect() is not enough: a port held by some
  // client socket's local end refuses bind() without anyone listening. So the
  // probe binds, as chatd will, below the kernel's ephemeral range (which
  // starts at 32768 by default) where outgoing connections take their ports;
  // and a start that still loses the race is tried again on other ports.
  bool started = false;
  int base = 0;
  for (int attempt = 0; attempt < 5 && !started; ++attempt) {
    base = two_free_ports_in_a_row(10000 + static_cast<int>((getpid() * 31 + attempt * 977) % 20000));
    ASSERT_NE(base, 0) << "no two free ports in a row below 32000";
    supervisor = std::make_unique<ChatdProcess>(std::vector<std::string>{
        "--workers", "2", "--redis", redis->url(), "--metrics-port", std::to_string(base)});
    started = supervisor->started();
    if (!started) supervisor->stop(SIGTERM, 3000);
  }
  ASSERT_TRUE(started);
  for (int port : {base, base + 1}) {
    bool up = false;
    for (int attempt = 0; attempt < 100 && !up; ++attempt) {
      TestClient scrape;
      std::string response;
      if (scrape.connect_tcp(port) &&
          scrape.send_raw("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
        response = scrape.read_http_response(1000);
      }
      up = TestClient::status_of(response) == 200 && response.find("\nchatd_bus_up 1\n") != std::string::npos;
      if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(up) << "worker on metrics port " << port;
  }
}

TEST(WorkersOptions, MoreThanOneWorkerWithoutRedisIsRefusedWithStatusTwo) {
  std::string output;
  EXPECT_EQ(run_capturing(chatd_binary() + " --workers 2 --port 0 2>&1", &output), 2) << output;
  EXPECT_NE(output.find("needs --redis"), std::string::npos) << output;
}

TEST(WorkersOptions, OneWorkerWithoutRedisServesTheChat) {
  ChatdProcess supervised({"--workers", "1"});
  ASSERT_TRUE(supervised.started());
  JsonValue welcome;
  auto client = member(supervised.port(), "solo", "lobby", &welcome);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(string_field(welcome, "room"), "lobby");
  EXPECT_EQ(supervised.stop(SIGTERM, 5000), 0);
}
