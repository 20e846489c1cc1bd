// metrics_test.cpp: GET /metrics on a real chatd (src/server/server_metrics.h,
// docs/08-running.md): the whole output parses with Prometheus's own Python
// parser, the counters move as a scripted session makes them (upgrades, a
// 403, messages, a slow consumer, a client's close), and the page is not
// for the public: a client behind a trusted proxy is judged by the address
// the proxy forwards, and --metrics-allow lets a network in.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <string>

#include "bus_support.h"
#include "harness.h"
#include "hostile_support.h"

namespace {

// One GET /metrics: the status, and the body in *body.
int get_metrics(int port, std::string* body, const std::string& extra_headers = "") {
  TestClient client;
  if (!client.connect_tcp(port)) return 0;
  client.send_raw("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n");
  std::string response = client.read_http_response(3000);
  size_t end = response.find("\r\n\r\n");
  if (body != nullptr) *body = end == std::string::npos ? "" : response.substr(end + 4);
  return TestClient::status_of(response);
}

// The exposition parsed by prometheus_client: sample -> value, keyed as
// NAME{LABELS} with the labels sorted. Sets *status to the parser's exit
// status (2: the library is missing).
std::map<std::string, double> parse_with_prometheus_client(const std::string& text, int* status) {
  char path[] = "/tmp/chatd-metrics-XXXXXX";
  int fd = mkstemp(path);
  std::map<std::string, double> samples;
  if (fd < 0) return samples;
  ssize_t written = write(fd, text.data(), text.size());
  close(fd);
  std::string output;
  *status = written == static_cast<ssize_t>(text.size())
                ? run_capturing("/usr/bin/python3 tests/integration/parse_metrics.py " + std::string(path), &output)
                : -1;
  unlink(path);
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    size_t space = line.rfind(' ');
    if (space != std::string::npos) samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

#define REQUIRE_PROMETHEUS_PARSER(status)                                                              \
  do {                                                                                                 \
    if ((status) == 2) {                                                                               \
      if (in_ci()) FAIL() << "python3-prometheus-client is missing, and CI is set: install it (.ci/run)"; \
      GTEST_SKIP() << "python3-prometheus-client is not installed (Debian: apt-get install "           \
                      "python3-prometheus-client)";                                                    \
    }                                                                                                  \
  } while (0)

}  // namespace

// A port the kernel just gave out, with the next one free as well.
int two_free_ports() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int first = socket(AF_INET, SOCK_STREAM, 0), second = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback_address(0);
    socklen_t length = sizeof address;
    int port = 0;
    if (bind(first, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        getsockname(first, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port = ntohs(address.sin_port);
      address.sin_port = htons(static_cast<uint16_t>(port + 1));
      if (port >= 65535 || bind(second, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) port = 0;
    }
    close(first);
    close(second);
    if (port != 0) return port;
  }
  return 0;
}

TEST(Metrics, TheOutputParsesWithPrometheusClientAndCountsWhatHappened) {
  ChatdProcess server({"--origin", "https://chat.example", "--max-output", "65536", "--close-timeout", "30"});
  ASSERT_TRUE(server.started());
  const int port = server.port();

  // Two members chat: three messages to a room of two.
  TestClient alice, bob;
  JsonValue message;
  ASSERT_TRUE(alice.open(port) && alice.read_until_type("welcome", &message));
  ASSERT_TRUE(bob.open(port) && bob.read_until_type("welcome", &message));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(alice.send_json(R"({"type":"say","text":"hello"})"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(bob.read_until_type("message", &message));
  // A browser page from another site is refused.
  TestClient stranger_site;
  ASSERT_FALSE(stranger_site.open(port, "/", "Origin: https://evil.example\r\n"));
  // A client that never reads its echoes is a slow consumer.
  {
    TestClient silent;
    ASSERT_TRUE(silent.open(port, "/echo"));
    const std::string text(4000, 'e');
    const size_t messages = (bytes_a_silent_reader_absorbs() + 2 * 65536) / text.size();
    for (size_t m = 0; m < messages && silent.send_text(text); ++m) {
    }
    EXPECT_EQ(silent.read_close_code(5000), close_code::kPolicyViolation);
  }
  // And one leaves politely.
  {
    TestClient leaver;
    ASSERT_TRUE(leaver.open(port) && leaver.read_until_type("welcome", &message));
    leaver.send_frame(Opcode::Close, std::string("\x03\xe8", 2));
    EXPECT_EQ(leaver.read_close_code(3000), close_code::kNormal);
  }

  std::string text;
  // The closes are counted when the sockets are gone: poll until they are.
  std::map<std::string, double> samples;
  int status = -1;
  for (int attempt = 0; attempt < 50; ++attempt) {
    ASSERT_EQ(get_metrics(port, &text), 200);
    samples = parse_with_prometheus_client(text, &status);
    REQUIRE_PROMETHEUS_PARSER(status);
    ASSERT_EQ(status, 0) << "prometheus_client could not parse:\n" << text;
    if (samples["chatd_connections_closed_total{reason=\"slow_consumer\"}"] >= 1 &&
        samples["chatd_connections_closed_total{reason=\"client\"}"] >= 1) {
      break;
    }
    usleep(100 * 1000);
  }
  EXPECT_EQ(samples["chatd_http_responses_total{code=\"403\"}"], 1);
  EXPECT_EQ(samples["chatd_http_responses_total{code=\"101\"}"], 4) << "alice, bob, the silent one, the leaver";
  EXPECT_EQ(samples["chatd_connections_closed_total{reason=\"slow_consumer\"}"], 1);
  EXPECT_GE(samples["chatd_connections_closed_total{reason=\"client\"}"], 1);
  EXPECT_EQ(samples["chatd_connections{state=\"open\"}"], 2) << "alice and bob";
  EXPECT_EQ(samples["chatd_connections{state=\"handshake\"}"], 1) << "this scrape";
  EXPECT_EQ(samples["chatd_rooms{}"], 1);
  EXPECT_EQ(samples["chatd_room_members{}"], 2);
  EXPECT_GE(samples["chatd_messages_received_total{}"], 3);
  EXPECT_GE(samples["chatd_broadcasts_total{}"], 3) << "each message is one broadcast";
  EXPECT_GE(samples["chatd_messages_delivered_total{}"], 6) << "each message reaches both members";
  EXPECT_GE(samples["chatd_broadcast_recipients_bucket{le=\"2\"}"], 3);
  EXPECT_GT(samples["chatd_sent_bytes_total{}"], 1e6) << "the echoes the silent client was sent";
  EXPECT_GT(samples["chatd_received_bytes_total{}"], 6e6);
  EXPECT_GE(samples["chatd_connections_accepted_total{}"], 6);
  EXPECT_GT(samples["chatd_loop_turn_seconds_count{}"], 0);
  EXPECT_EQ(samples["chatd_build_info{version=\"0.1.0\"}"], 1);
  EXPECT_GT(samples["process_resident_memory_bytes{}"], 1e6);
  EXPECT_GE(samples["process_open_fds{}"], 4);
  EXPECT_GT(samples["process_max_fds{}"], samples["process_open_fds{}"]);
  EXPECT_GT(samples["process_start_time_seconds{}"], 1.7e9);
  EXPECT_EQ(samples.count("chatd_bus_up{}"), 0u) << "no bus, no bus metrics";
}

TEST(Metrics, AClientBehindATrustedProxyIsJudgedByItsForwardedAddress) {
  ChatdProcess server({"--trusted-proxy", "127.0.0.1"});
  ASSERT_TRUE(server.started());
  EXPECT_EQ(get_metrics(server.port(), nullptr), 200) << "the proxy itself, on loopback, asking for itself";
  EXPECT_EQ(get_metrics(server.port(), nullptr, "X-Forwarded-For: 203.0.113.9\r\n"), 404)
      << "a public client through the proxy sees no metrics, not even that they exist";
  EXPECT_EQ(get_metrics(server.port(), nullptr, "X-Forwarded-For: 127.0.0.1\r\n"), 200);
}

TEST(Metrics, MetricsAllowLetsANetworkIn) {
  ChatdProcess server({"--trusted-proxy", "127.0.0.1", "--metrics-allow", "203.0.113.0/24"});
  ASSERT_TRUE(server.started());
  std::string body;
  EXPECT_EQ(get_metrics(server.port(), &body, "X-Forwarded-For: 203.0.113.9\r\n"), 200);
  EXPECT_NE(body.find("chatd_connections_accepted_total"), std::string::npos);
  EXPECT_EQ(get_metrics(server.port(), nullptr, "X-Forwarded-For: 198.51.100.1\r\n"), 404);
}

TEST(Metrics, ANodeOfTheBusSaysWhetherItIsUp) {
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started());
  auto node = start_node(redis, "m1");
  ASSERT_TRUE(node->started());
  ASSERT_TRUE(wait_for_health(node->port(), 200));
  auto alice = member(node->port(), "alice", "metrics");
  ASSERT_NE(alice, nullptr);
  ASSERT_TRUE(alice->send_text("through Redis"));
  ASSERT_EQ(read_messages(*alice, 1, 5000).size(), 1u);
  std::string body;
  ASSERT_EQ(get_metrics(node->port(), &body), 200);
  int status = -1;
  std::map<std::string, double> samples = parse_with_prometheus_client(body, &status);
  REQUIRE_PROMETHEUS_PARSER(status);
  ASSERT_EQ(status, 0) << body;
  EXPECT_EQ(samples["chatd_bus_up{}"], 1);
  EXPECT_GE(samples["chatd_bus_published_total{}"], 2) << "the join's notice and the message";
  EXPECT_GE(samples["chatd_bus_received_total{}"], 1);
  EXPECT_EQ(samples["chatd_bus_lag_seconds_count{}"], 1) << "the one message, measured from say to delivery";
  EXPECT_GT(samples["chatd_bus_lag_seconds_sum{}"], 0);
  EXPECT_EQ(samples["chatd_bus_errors_total{}"], 0);
  ASSERT_TRUE(redis.stop(SIGKILL, 5000));
  ASSERT_TRUE(wait_for_health(node->port(), 503));
  ASSERT_EQ(get_metrics(node->port(), &body), 200);
  samples = parse_with_prometheus_client(body, &status);
  EXPECT_EQ(samples["chatd_bus_up{}"], 0);
  EXPECT_GE(samples["chatd_bus_errors_total{}"], 1) << "the lost connections";
}

TEST(Metrics, TheMetricsPortServesMetricsAndHealthOnly) {
  const int metrics_port = two_free_ports();
  ASSERT_NE(metrics_port, 0);
  ChatdProcess server({"--metrics-port", std::to_string(metrics_port)});
  ASSERT_TRUE(server.started());
  std::string body;
  EXPECT_EQ(get_metrics(metrics_port, &body), 200);
  EXPECT_NE(body.find("chatd_connections_accepted_total"), std::string::npos);
  TestClient health;
  ASSERT_TRUE(health.connect_tcp(metrics_port));
  health.send_raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(TestClient::status_of(health.read_http_response()), 200);
  TestClient page;
  ASSERT_TRUE(page.connect_tcp(metrics_port));
  page.send_raw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(TestClient::status_of(page.read_http_response()), 404) << "no demo page on the metrics port";
  TestClient chat;
  EXPECT_FALSE(chat.open(metrics_port)) << "no chat on the metrics port";
  EXPECT_EQ(get_metrics(server.port(), nullptr), 200) << "the main port still answers loopback scrapes";
}
