// systemd_test.cpp: the shipped systemd units and `make install`, as
// shipped. systemd-analyze (Debian's systemd package) verifies the units and
// scores the service's sandbox; chatd started by systemd-socket-activate,
// which speaks systemd's socket-passing protocol (sd_listen_fds(3)) without
// a running systemd, takes the socket it is given and chats through it, one
// process or two workers sharing it. Nothing here touches the machine's own
// systemd or files: units and installs go to a temporary directory.
//
// What a container cannot show: the sandbox itself (DynamicUser=, the
// system call filter, ...) is applied only by a real systemd as PID 1.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "child_process.h"
#include "harness.h"
#include "json/json.h"
#include "redis_process.h"
#include "script_support.h"

namespace {

#define REQUIRE_SYSTEMD_ANALYZE() REQUIRE_TOOL("command -v systemd-analyze", "systemd-analyze (Debian systemd)")
#define REQUIRE_SOCKET_ACTIVATE() \
  REQUIRE_TOOL("command -v systemd-socket-activate", "systemd-socket-activate (Debian systemd)")

// make install into directory with the given variables; the repository's
// Makefile, from the directory the tests run in (the top of the tree).
CommandResult make_install(const std::string& variables) {
  return run_capturing("make -s install " + variables + " 2>&1");
}

std::string which(const std::string& name) {
  CommandResult found = run_capturing("command -v " + name);
  return found.exit_code == 0 ? found.output.substr(0, found.output.find('\n')) : name;
}

// Reads until the welcome to room (a client is first welcomed to the lobby).
bool read_welcome_to(TestClient& client, const std::string& room) {
  JsonValue message;
  while (client.read_until_type("welcome", &message, 5000)) {
    const std::string* name = message.find_string("room");
    if (name != nullptr && *name == room) return true;
  }
  return false;
}

// Two clients in one room on port: what one says, the other hears.
void expect_chat_works(int port) {
  TestClient alice, bob;
  ASSERT_TRUE(alice.open(port)) << "no WebSocket through the passed socket";
  ASSERT_TRUE(bob.open(port));
  JsonValue message;
  const std::string room = unique_name("activated");
  ASSERT_TRUE(alice.send_json("{\"type\":\"join\",\"name\":\"alice\",\"room\":\"" + room + "\"}"));
  ASSERT_TRUE(read_welcome_to(alice, room));
  ASSERT_TRUE(bob.send_json("{\"type\":\"join\",\"name\":\"bob\",\"room\":\"" + room + "\"}"));
  ASSERT_TRUE(read_welcome_to(bob, room));
  ASSERT_TRUE(alice.send_json("{\"type\":\"say\",\"text\":\"through systemd's socket\"}"));
  ASSERT_TRUE(bob.read_until_type("message", &message, 5000));
  EXPECT_EQ(*message.find_string("text"), "through systemd's socket");
}

TEST(Systemd, TheInstalledUnitsPassSystemdAnalyzeVerify) {
  REQUIRE_SYSTEMD_ANALYZE();
  TemporaryDirectory directory;
  // PREFIX alone (no DESTDIR): ExecStart= names a chatd that exists, which
  // verify checks.
  CommandResult installed = make_install("PREFIX=" + directory.path());
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  const std::string units = directory.path() + "/lib/systemd/system/";
  CommandResult verified = run_capturing("systemd-analyze verify --man=no " + units + "chatd.socket " + units +
                                         "chatd.service 2>&1");
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_EQ(verified.output, "") << "verify warns: " << verified.output;
}

TEST(Systemd, TheServicesExposureScoreIsAtMostTwo) {
  REQUIRE_SYSTEMD_ANALYZE();
  TemporaryDirectory directory;
  ASSERT_EQ(make_install("PREFIX=" + directory.path()).exit_code, 0);
  CommandResult scored = run_capturing("systemd-analyze security --offline=yes " + directory.path() +
                                       "/lib/systemd/system/chatd.service 2>&1");
  std::smatch found;
  ASSERT_TRUE(std::regex_search(scored.output, found, std::regex("Overall exposure level for chatd.service: ([0-9.]+)")))
      << scored.output;
  const double score = std::stod(found[1]);
  std::printf("    systemd-analyze security: exposure %.1f\n", score);
  EXPECT_LE(score, 2.0) << scored.output;
}

TEST(Systemd, MakeInstallPutsEachFileWhereAPackageWould) {
  TemporaryDirectory directory;
  const std::string root = directory.path();
  CommandResult installed = make_install("DESTDIR=" + root + " PREFIX=/usr");
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  CommandResult version = run_capturing(root + "/usr/bin/chatd --version");
  EXPECT_EQ(version.output.rfind("chatd ", 0), 0u) << version.output;
  const std::string service = read_text(root + "/usr/lib/systemd/system/chatd.service");
  EXPECT_NE(service.find("\nExecStart=/usr/bin/chatd "), std::string::npos) << service;
  EXPECT_NE(service.find("file:///usr/share/doc/chatd/08-running.md"), std::string::npos);
  EXPECT_NE(read_text(root + "/usr/lib/systemd/system/chatd.socket").find("ListenStream=127.0.0.1:8080"),
            std::string::npos);
  EXPECT_NE(read_text(root + "/usr/share/doc/chatd/nginx/chatd.conf").find("proxy_pass"), std::string::npos);
  EXPECT_NE(read_text(root + "/usr/share/doc/chatd/caddy/Caddyfile").find("reverse_proxy"), std::string::npos);
  EXPECT_NE(read_text(root + "/usr/share/doc/chatd/08-running.md").find("# 8. Running it for real"), std::string::npos);

  CommandResult removed = run_capturing("make -s uninstall DESTDIR=" + root + " PREFIX=/usr 2>&1");
  EXPECT_EQ(removed.exit_code, 0) << removed.output;
  EXPECT_EQ(run_capturing("find " + root + " -type f").output, "") << "uninstall leaves nothing behind";
}

// The flags of the shipped service's ExecStart= line, after the binary.
std::vector<std::string> shipped_service_flags() {
  const std::string service = read_text("deploy/systemd/chatd.service");
  const std::string start = "\nExecStart=/usr/local/bin/chatd ";
  const size_t at = service.find(start);
  EXPECT_NE(at, std::string::npos) << "the shipped service no longer starts /usr/local/bin/chatd";
  std::vector<std::string> flags;
  if (at == std::string::npos) return flags;
  const size_t from = at + start.size();
  std::istringstream line(service.substr(from, service.find('\n', from) - from));
  for (std::string word; line >> word;) flags.push_back(word);
  return flags;
}

// chatd with the shipped service's own command line, given the socket as
// systemd would give it (--port would be ignored: the passed socket is the
// listener).
TEST(Systemd, ChatdTakesTheSocketItIsPassedAndChatsThroughIt) {
  REQUIRE_SOCKET_ACTIVATE();
  TemporaryDirectory directory;
  const int port = free_loopback_port();
  ASSERT_GT(port, 0);
  std::vector<std::string> command = {which("systemd-socket-activate"), "-l", "127.0.0.1:" + std::to_string(port),
                                      chatd_binary(), "--port", "1"};
  const std::vector<std::string> flags = shipped_service_flags();
  ASSERT_FALSE(flags.empty());
  command.insert(command.end(), flags.begin(), flags.end());
  ChildProcess activated(command, {}, directory.path() + "/chatd.log");
  ASSERT_TRUE(activated.wait_until_listening(port, 5000)) << activated.log();
  expect_chat_works(port);
  const std::string log = activated.log();
  EXPECT_NE(log.find("listening socket from systemd (LISTEN_FDS, descriptor 3): http://127.0.0.1:" +
                     std::to_string(port)),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("chatd listening on http://127.0.0.1:" + std::to_string(port)), std::string::npos) << log;
  EXPECT_EQ(activated.stop(), 0) << "SIGTERM ends it cleanly: " << activated.log();
}

TEST(Systemd, WorkersShareThePassedSocket) {
  REQUIRE_SOCKET_ACTIVATE();
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started());
  TemporaryDirectory directory;
  const int port = free_loopback_port();
  ASSERT_GT(port, 0);
  ChildProcess activated({which("systemd-socket-activate"), "-l", "127.0.0.1:" + std::to_string(port),
                          chatd_binary(), "--workers", "2", "--redis", redis.url(), "--exempt-loopback"},
                         {}, directory.path() + "/chatd.log");
  ASSERT_TRUE(activated.wait_until_listening(port, 5000)) << activated.log();
  // The supervisor starts when the first connection arrives; give the
  // workers time to reach Redis before chatting.
  const int64_t give_up = monotonic_ms() + 10000;
  while (activated.log().find("2 workers") == std::string::npos && monotonic_ms() < give_up) usleep(50 * 1000);
  ASSERT_NE(activated.log().find("chatd listening on http://127.0.0.1:" + std::to_string(port) +
                                 " (open it in a browser; 2 workers)"),
            std::string::npos)
      << activated.log();
  // Each worker answers 503 until it has its node number from Redis.
  auto count_of = [](const std::string& text, const std::string& part) {
    size_t count = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
    return count;
  };
  while (count_of(activated.log(), "bus: node number ") < 2 && monotonic_ms() < give_up) usleep(50 * 1000);
  ASSERT_EQ(count_of(activated.log(), "bus: node number "), 2u) << activated.log();
  for (int i = 0; i < 3; ++i) expect_chat_works(port);
  EXPECT_EQ(activated.stop(), 0) << activated.log();
}

TEST(Systemd, TwoPassedSocketsAreRefusedWithAReason) {
  REQUIRE_SOCKET_ACTIVATE();
  TemporaryDirectory directory;
  const int first = free_loopback_port(), second = free_loopback_port();
  ASSERT_GT(first, 0);
  ChildProcess activated({which("systemd-socket-activate"), "-l", "127.0.0.1:" + std::to_string(first), "-l",
                          "127.0.0.1:" + std::to_string(second), chatd_binary()},
                         {}, directory.path() + "/chatd.log");
  ASSERT_TRUE(activated.wait_until_listening(first, 5000)) << activated.log();
  const int64_t give_up = monotonic_ms() + 5000;
  while (activated.log().find("supports one listening socket") == std::string::npos && monotonic_ms() < give_up) {
    usleep(50 * 1000);
  }
  EXPECT_NE(activated.log().find("systemd passed 2 sockets (LISTEN_FDS); chatd supports one listening socket"),
            std::string::npos)
      << activated.log();
}

}  // namespace
