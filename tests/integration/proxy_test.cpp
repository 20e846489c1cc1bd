// proxy_test.cpp: wss:// through the reverse proxies chatd ships files for,
// deploy/nginx/chatd.conf and deploy/caddy/Caddyfile (docs/08-running.md,
// "Behind nginx or Caddy").
//
// Each test runs the real proxy (Debian's nginx, Caddy) on the shipped file.
// The test's copy differs from it only at the file's placeholders: the
// public port becomes a free loopback port, the certificate paths name a
// self-signed certificate that openssl makes for the test, and chatd's port
// is the test's chatd. Everything else (the headers, the timeouts, the
// refused /metrics) is the file as shipped, so a test that passes says the
// file works. What the proxy needs around the file is the test's own: for
// nginx a main configuration (the http {} block with the map the file's
// header describes, pid, logs and temporary paths in the test's directory),
// for Caddy a global options block (no admin endpoint, no port 80, loopback
// only). Nothing outside the temporary directory is read or written, and
// only the processes the test started are stopped, by their PIDs.
//
// Then three clients nobody on this project wrote, Python's websockets,
// node's ws and Chromium on the demo page, share one room over wss:// and
// must each see all three messages in one order. chatd trusts 127.0.0.1 as
// its proxy; the Python client connects to the proxy from 127.0.0.2 and the
// node client from 127.0.0.3 (both loopback, and not the proxy's address),
// so chatd's log must name those as the clients the proxy forwarded. chatd
// pings after 1 s of silence and waits 1 s for the pong, and two clients
// stay silent for 3 s: their connections stay open only if the pings and
// pongs pass the proxy.
//
// A missing proxy, openssl or client skips the test with the reason, and is
// a failure when the CI environment variable is set.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "child_process.h"
#include "harness.h"
#include "script_support.h"

namespace {

/* ===== Files ===== */

// Replaces the one occurrence of placeholder in text. A placeholder that is
// missing, or there twice, fails the test: the test would otherwise run a
// file that differs from the shipped one somewhere it did not mean to.
void substitute(std::string* text, const std::string& placeholder, const std::string& value) {
  const size_t at = text->find(placeholder);
  ASSERT_NE(at, std::string::npos) << "the shipped file no longer has the placeholder \"" << placeholder << "\"";
  ASSERT_EQ(text->find(placeholder, at + 1), std::string::npos)
      << "the placeholder \"" << placeholder << "\" is in the shipped file more than once";
  text->replace(at, placeholder.size(), value);
}

/* ===== The two proxies, each on its shipped file ===== */

// name on PATH, else Debian's place for it (/usr/sbin is not on every PATH).
std::string find_binary(const std::string& name, const std::string& debian_path) {
  const CommandResult found = run_capturing("command -v " + name);
  if (found.exit_code == 0 && found.output.find('/') == 0) return found.output.substr(0, found.output.find('\n'));
  return debian_path;
}

std::string nginx_binary() { return find_binary("nginx", "/usr/sbin/nginx"); }
std::string caddy_binary() { return find_binary("caddy", "/usr/bin/caddy"); }

struct ProxySetup {
  std::string directory;  // the test's temporary directory
  int public_port = 0;    // where the proxy answers https:// and wss://
  int chatd_port = 0;
  std::string certificate, key;
};

// The map the shipped nginx file's header says to put in http {}, taken
// from that comment, so that the documented map is the one tested.
std::string nginx_map_from_comment(const std::string& shipped) {
  std::istringstream lines(shipped);
  std::string line, map;
  while (std::getline(lines, line)) {
    const size_t text = line.find_first_not_of("# ");
    if (line.empty() || line[0] != '#' || text == std::string::npos) {
      if (!map.empty()) break;
      continue;
    }
    const std::string content = line.substr(text);
    if (map.empty() && content.rfind("map $http_upgrade $connection_upgrade {", 0) != 0) continue;
    map += content + "\n";
    if (content == "}") break;
  }
  return map;
}

std::unique_ptr<ChildProcess> start_nginx(const ProxySetup& setup) {
  std::string site = read_text("deploy/nginx/chatd.conf");
  EXPECT_FALSE(site.empty()) << "deploy/nginx/chatd.conf is missing";
  const std::string map = nginx_map_from_comment(site);
  EXPECT_NE(map.find("default upgrade;"), std::string::npos) << "no map in the header comment:\n" << map;
  substitute(&site, "listen 443 ssl;", "listen 127.0.0.1:" + std::to_string(setup.public_port) + " ssl;");
  substitute(&site, "/etc/ssl/chatd/fullchain.pem", setup.certificate);
  substitute(&site, "/etc/ssl/chatd/privkey.pem", setup.key);
  substitute(&site, "proxy_pass http://127.0.0.1:8080;",
             "proxy_pass http://127.0.0.1:" + std::to_string(setup.chatd_port) + ";");
  const std::string& d = setup.directory;
  const std::string main_conf =
      "daemon off;\nmaster_process on;\nworker_processes 1;\npid " + d + "/nginx.pid;\n"
      "error_log " + d + "/nginx-error.log info;\n"
      "events { worker_connections 64; }\n"
      "http {\n"
      "  access_log " + d + "/nginx-access.log;\n"
      "  client_body_temp_path " + d + "/client_body;\n  proxy_temp_path " + d + "/proxy;\n"
      "  fastcgi_temp_path " + d + "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n"
      "  scgi_temp_path " + d + "/scgi;\n" +
      map + "  include " + d + "/chatd.conf;\n}\n";
  EXPECT_TRUE(write_text(d + "/chatd.conf", site) && write_text(d + "/nginx.conf", main_conf));
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{nginx_binary(), "-p", d + "/", "-c", d + "/nginx.conf", "-e", "stderr"},
      std::vector<std::string>{}, d + "/proxy.log");
}

std::unique_ptr<ChildProcess> start_caddy(const ProxySetup& setup) {
  std::string site = read_text("deploy/caddy/Caddyfile");
  EXPECT_FALSE(site.empty()) << "deploy/caddy/Caddyfile is missing";
  substitute(&site, "\nchat.example.com {", "\nhttps://127.0.0.1:" + std::to_string(setup.public_port) + " {");
  substitute(&site, "# tls /etc/ssl/chatd/fullchain.pem /etc/ssl/chatd/privkey.pem",
             "tls " + setup.certificate + " " + setup.key);
  substitute(&site, "reverse_proxy 127.0.0.1:8080 {",
             "reverse_proxy 127.0.0.1:" + std::to_string(setup.chatd_port) + " {");
  const std::string global =
      "{\n\tadmin off\n\tauto_https disable_redirects\n\tdefault_bind 127.0.0.1\n\tgrace_period 1s\n}\n\n";
  const std::string& d = setup.directory;
  EXPECT_TRUE(write_text(d + "/Caddyfile", global + site));
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{caddy_binary(), "run", "--config", d + "/Caddyfile", "--adapter", "caddyfile"},
      std::vector<std::string>{"HOME=" + d, "XDG_DATA_HOME=" + d + "/data", "XDG_CONFIG_HOME=" + d + "/config"},
      d + "/proxy.log");
}

/* ===== Clients ===== */

// Runs the commands at once (each through the shell, with its own time
// limit) and waits for all of them; their outputs and exit codes in order.
std::vector<CommandResult> run_together(const std::vector<std::string>& commands) {
  std::vector<FILE*> pipes;
  for (const std::string& command : commands) pipes.push_back(popen((command + " 2>&1").c_str(), "r"));
  std::vector<CommandResult> results(commands.size());
  for (size_t i = 0; i < pipes.size(); ++i) {
    if (!pipes[i]) continue;
    char chunk[4096];
    size_t got;
    while ((got = std::fread(chunk, 1, sizeof chunk, pipes[i])) > 0) results[i].output.append(chunk, got);
    const int status = pclose(pipes[i]);
    results[i].exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return results;
}

std::string order_line(const std::string& output) {
  const size_t at = output.find("order: ");
  return at == std::string::npos ? "" : output.substr(at, output.find('\n', at) - at);
}

// The status line's code of an https GET through openssl's own client,
// which checks the certificate against certificate; 0 when none came.
int https_status(int port, const std::string& target, const std::string& certificate) {
  const CommandResult result = run_capturing(
      "printf 'GET " + target + " HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n' | "
      "timeout 10 openssl s_client -quiet -verify_return_error -connect 127.0.0.1:" + std::to_string(port) +
      " -CAfile " + certificate + " 2>/dev/null");
  const size_t at = result.output.find("HTTP/1.1 ");
  return at == std::string::npos ? 0 : std::atoi(result.output.c_str() + at + 9);
}

#define REQUIRE_CLIENTS_AND_OPENSSL()                                                                      \
  do {                                                                                                     \
    REQUIRE_TOOL("command -v openssl", "openssl");                                                         \
    REQUIRE_TOOL("/usr/bin/python3 -c 'import websockets'", "python3-websockets (/usr/bin/python3)");      \
    REQUIRE_TOOL("node -e \"require('./tests/clients/node_modules/ws')\"", "node with ws (npm ci in tests/clients)"); \
    REQUIRE_TOOL("test -x /usr/bin/chromium", "chromium (/usr/bin/chromium)");                             \
    REQUIRE_TOOL("node -e \"require('./tests/clients/node_modules/playwright-core')\"",                   \
                 "node with playwright-core (npm ci in tests/clients)");                                   \
  } while (0)

enum class Proxy { Nginx, Caddy };

// The whole check for one proxy: see the file's header.
void chat_through(Proxy proxy) {
  TemporaryDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  ProxySetup setup;
  setup.directory = directory.path();
  setup.certificate = setup.directory + "/cert.pem";
  setup.key = setup.directory + "/key.pem";
  const CommandResult made = run_capturing(
      "timeout 30 openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost "
      "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 1 -keyout " + setup.key + " -out " + setup.certificate);
  ASSERT_EQ(made.exit_code, 0) << made.output;

  // The origin chatd accepts is the public site's, as in production.
  setup.public_port = free_loopback_port();
  ASSERT_GT(setup.public_port, 0);
  const std::string https = "https://127.0.0.1:" + std::to_string(setup.public_port);
  const std::string wss = "wss://127.0.0.1:" + std::to_string(setup.public_port);
  const std::string chatd_log = setup.directory + "/chatd.log";
  ChatdProcess chatd({"--trusted-proxy", "127.0.0.1/32", "--log-level", "debug", "--idle-timeout", "1",
                      "--pong-timeout", "1", "--origin", https},
                     LoopbackLimits::Enforced, chatd_log);
  ASSERT_TRUE(chatd.started());
  setup.chatd_port = chatd.port();
  std::unique_ptr<ChildProcess> running = proxy == Proxy::Nginx ? start_nginx(setup) : start_caddy(setup);
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_TRUE(running->wait_until_listening(setup.public_port, 10000))
      << "the proxy did not listen on " << setup.public_port << ":\n" << running->log();

  // Each client: peer URL ROOM NAME MEMBERS (tests/clients/*).
  const std::string room_and_members = " " + unique_name("proxied-") + " %s py,node,web";
  auto peer = [&](const std::string& url, const char* name) {
    std::string arguments = room_and_members;
    arguments.replace(arguments.find("%s"), 2, name);
    return url + "/" + arguments;
  };
  const std::vector<CommandResult> clients = run_together({
      "timeout 60 /usr/bin/python3 tests/clients/python_chat.py peer " + peer(wss, "py") + " --cafile " +
          setup.certificate + " --local-address 127.0.0.2 --forwarded-for 203.0.113.9 --idle 3",
      "timeout 60 node tests/clients/node_chat.js peer " + peer(wss, "node") + " --cafile " + setup.certificate +
          " --local-address 127.0.0.3 --idle 3",
      "timeout 60 node tests/clients/browser_chat.js peer " + peer(https, "web"),
  });
  const char* names[] = {"python websockets", "node ws", "chromium"};
  for (size_t i = 0; i < clients.size(); ++i) {
    EXPECT_EQ(clients[i].exit_code, 0) << names[i] << ":\n" << clients[i].output;
  }
  // One room, one order: every client saw the three messages alike.
  const std::string order = order_line(clients[0].output);
  EXPECT_NE(order.find(":py:hello from py"), std::string::npos) << order;
  EXPECT_NE(order.find(":node:hello from node"), std::string::npos) << order;
  EXPECT_NE(order.find(":web:hello from web"), std::string::npos) << order;
  for (size_t i = 1; i < clients.size(); ++i) EXPECT_EQ(order_line(clients[i].output), order) << names[i];

  // The public site refuses /metrics (which chatd itself would answer here:
  // the forwarded client is a loopback address); chatd still answers it
  // directly. GET / shows the refusal is the proxy's rule, not a dead site.
  EXPECT_EQ(https_status(setup.public_port, "/metrics", setup.certificate), 404);
  EXPECT_EQ(https_status(setup.public_port, "/metrics?format=text", setup.certificate), 404);
  EXPECT_EQ(https_status(setup.public_port, "/", setup.certificate), 200);
  TestClient direct;
  ASSERT_TRUE(direct.connect_tcp(setup.chatd_port));
  ASSERT_TRUE(direct.send_raw("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(TestClient::status_of(direct.read_http_response()), 200);

  running->stop();
  chatd.stop(SIGTERM, 3000);
  // chatd named the clients the proxy forwarded, not the proxy, and never
  // the address the Python client made up.
  const std::string log = read_text(chatd_log);
  EXPECT_NE(log.find("client 127.0.0.2 via proxy 127.0.0.1"), std::string::npos) << tail_of(log);
  EXPECT_NE(log.find("client 127.0.0.3 via proxy 127.0.0.1"), std::string::npos) << tail_of(log);
  EXPECT_EQ(log.find("203.0.113.9"), std::string::npos) << tail_of(log);
  EXPECT_EQ(log.find("pong_timeout"), std::string::npos) << tail_of(log);
  if (::testing::Test::HasFailure()) ADD_FAILURE() << "the proxy's log:\n" << running->log();
}

// The first "(default N)" after flag in chatd --help, in seconds; -1 if none.
int help_default_seconds(const std::string& help, const std::string& flag) {
  std::smatch found;
  const std::string from_flag = help.substr(std::min(help.size(), help.find(flag)));
  return std::regex_search(from_flag, found, std::regex("\\(default ([0-9]+)\\)")) ? std::stoi(found[1]) : -1;
}

TEST(ShippedProxyConfigs, NginxTimeoutsOutlastChatdsPingAndPong) {
  // nginx closes a proxied connection that is silent for proxy_read_timeout
  // (or proxy_send_timeout); a quiet room is silent until chatd pings after
  // --idle-timeout, and the pong may take --pong-timeout more.
  const CommandResult help = run_capturing(chatd_binary() + " --help");
  const int idle = help_default_seconds(help.output, "--idle-timeout");
  const int pong = help_default_seconds(help.output, "--pong-timeout");
  ASSERT_GT(idle, 0) << help.output;
  ASSERT_GT(pong, 0) << help.output;
  const std::string site = read_text("deploy/nginx/chatd.conf");
  for (const char* directive : {"proxy_read_timeout", "proxy_send_timeout"}) {
    std::smatch found;
    ASSERT_TRUE(std::regex_search(site, found, std::regex(std::string("\n\\s*") + directive + " ([0-9]+)s;")))
        << directive << " is not set in seconds in deploy/nginx/chatd.conf";
    EXPECT_GE(std::stoi(found[1]), 2 * (idle + pong)) << directive << " is not well above chatd's ping and pong";
  }
}

TEST(ShippedProxyConfigs, NginxCarriesWssChatFromThreeClientKinds) {
  REQUIRE_TOOL("test -x '" + nginx_binary() + "'", "nginx (Debian: apt-get install nginx)");
  REQUIRE_CLIENTS_AND_OPENSSL();
  chat_through(Proxy::Nginx);
}

TEST(ShippedProxyConfigs, CaddyCarriesWssChatFromThreeClientKinds) {
  REQUIRE_TOOL("test -x '" + caddy_binary() + "'", "caddy (Debian: apt-get install caddy)");
  REQUIRE_CLIENTS_AND_OPENSSL();
  chat_through(Proxy::Caddy);
}

}  // namespace
