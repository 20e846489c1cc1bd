// address_limits_test.cpp: limits per client address through a real chatd
// (address_limits.h, client_address.h): --max-connections-per-ip answered
// with HTTP 429 (RFC 6585 section 4), the client address behind a trusted
// proxy taken from X-Forwarded-For (and only then), and a message budget
// per address that reconnecting does not refill.
//
// Every test client connects from 127.0.0.1. Tests of the direct limit run
// chatd with LoopbackLimits::Enforced; tests of the proxy rules make
// 127.0.0.1 the trusted proxy and name clients from the documentation ranges
// (RFC 5737) in X-Forwarded-For. Nothing is sent to those addresses: they
// are only words in a header.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "harness.h"

namespace {

const std::string kUpgradeHeaders =
    "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

std::string forwarded_for(const std::string& list) { return "X-Forwarded-For: " + list + "\r\n"; }

// An upgrade on / with extra headers; returns the response's status.
int upgrade_status(int port, const std::string& extra_headers = "") {
  TestClient client;
  if (!client.connect_tcp(port)) return 0;
  client.send_raw("GET / HTTP/1.1\r\n" + kUpgradeHeaders + extra_headers + "\r\n");
  std::string response = client.read_http_response(1000);
  return TestClient::status_of(response);
}

// A chat client, open once its welcome arrived; nullptr otherwise.
std::unique_ptr<TestClient> chat_client(int port, const std::string& extra_headers = "") {
  auto client = std::make_unique<TestClient>();
  JsonValue welcome;
  if (!client->open(port, "/", extra_headers) || !client->read_until_type("welcome", &welcome)) return nullptr;
  return client;
}

TEST(AddressLimits, ConnectionsFromOneAddressBeyondTheLimitGet429WithAReason) {
  ChatdProcess server({"--max-connections-per-ip", "3"}, LoopbackLimits::Enforced);
  ASSERT_TRUE(server.started());
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(chat_client(server.port()));
    ASSERT_NE(clients.back(), nullptr) << "client " << i;
  }
  TestClient refused;
  ASSERT_TRUE(refused.connect_tcp(server.port()));
  refused.send_raw("GET / HTTP/1.1\r\n" + kUpgradeHeaders + "\r\n");
  std::string response = refused.read_http_response(2000);
  EXPECT_EQ(TestClient::status_of(response), 429);
  EXPECT_NE(response.find("Retry-After:"), std::string::npos);
  EXPECT_NE(response.find("too many connections from your address"), std::string::npos) << response;

  // A connection that ends makes room for a new one.
  clients.pop_back();
  std::unique_ptr<TestClient> again;
  for (int64_t deadline = monotonic_ms() + 3000; !again && monotonic_ms() < deadline;) {
    again = chat_client(server.port());
    if (!again) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(again, nullptr);
}

TEST(AddressLimits, PlainRequestsCountToo) {
  ChatdProcess server({"--max-connections-per-ip", "1"}, LoopbackLimits::Enforced);
  ASSERT_TRUE(server.started());
  auto holder = chat_client(server.port());
  ASSERT_NE(holder, nullptr);
  TestClient page;
  ASSERT_TRUE(page.connect_tcp(server.port()));
  page.send_raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(TestClient::status_of(page.read_http_response(2000)), 429);
}

TEST(AddressLimits, ExemptLoopbackIsNotLimited) {
  ChatdProcess server({"--max-connections-per-ip", "1"});  // the harness adds --exempt-loopback
  ASSERT_TRUE(server.started());
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(chat_client(server.port()));
    EXPECT_NE(clients.back(), nullptr) << "client " << i;
  }
}

TEST(AddressLimits, BehindATrustedProxyEachForwardedClientHasItsOwnLimit) {
  ChatdProcess server({"--trusted-proxy", "127.0.0.1/32", "--max-connections-per-ip", "2"});
  ASSERT_TRUE(server.started());
  auto first = chat_client(server.port(), forwarded_for("203.0.113.7"));
  auto second = chat_client(server.port(), forwarded_for("203.0.113.7"));
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(upgrade_status(server.port(), forwarded_for("203.0.113.7")), 429);
  EXPECT_EQ(upgrade_status(server.port(), forwarded_for("203.0.113.8")), 101);
}

TEST(AddressLimits, ForwardedForFromAnUntrustedPeerIsIgnored) {
  ChatdProcess server({"--max-connections-per-ip", "2"}, LoopbackLimits::Enforced);
  ASSERT_TRUE(server.started());
  auto first = chat_client(server.port(), forwarded_for("203.0.113.1"));
  auto second = chat_client(server.port(), forwarded_for("203.0.113.2"));
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  // Claiming to be someone else does not help: all three are 127.0.0.1.
  EXPECT_EQ(upgrade_status(server.port(), forwarded_for("203.0.113.3")), 429);
}

TEST(AddressLimits, ClientIsTheRightMostEntryNotWhatItWroteItself) {
  ChatdProcess server({"--trusted-proxy", "127.0.0.1", "--max-connections-per-ip", "1"});
  ASSERT_TRUE(server.started());
  auto first = chat_client(server.port(), forwarded_for("192.0.2.1, 203.0.113.7"));
  ASSERT_NE(first, nullptr);
  // A made-up left part does not make it a new client.
  EXPECT_EQ(upgrade_status(server.port(), forwarded_for("192.0.2.2, 203.0.113.7")), 429);
}

TEST(AddressLimits, ReconnectingFloodersShareOneMessageBudget) {
  // Per connection, plenty (1000/s); per address, 10/s with a burst of 20.
  ChatdProcess server({"--trusted-proxy", "127.0.0.1", "--rate", "1000", "--burst", "1000", "--ip-rate", "10",
                       "--ip-burst", "20"});
  ASSERT_TRUE(server.started());
  auto listener = chat_client(server.port());  // direct, from exempt loopback
  ASSERT_NE(listener, nullptr);

  const int kFlooders = 10, kMessagesEach = 50;
  const int64_t start_ms = monotonic_ms();
  for (int i = 0; i < kFlooders; ++i) {
    auto flooder = chat_client(server.port(), forwarded_for("203.0.113.66"));
    ASSERT_NE(flooder, nullptr) << "flooder " << i;
    for (int m = 0; m < kMessagesEach; ++m) flooder->send_text("flood " + std::to_string(i) + "." + std::to_string(m));
    JsonValue reply;
    flooder->read_until_type("error", &reply, 300);  // rate_limited, once the budget is spent
  }
  const double elapsed_s = static_cast<double>(monotonic_ms() - start_ms) / 1000.0;

  int delivered = 0;
  JsonValue value;
  while (listener->read_json(&value, 500)) {
    const std::string* type = value.find_string("type");
    if (type && *type == "message") ++delivered;
  }
  const int allowed = 20 + static_cast<int>(10 * elapsed_s) + 1;
  std::printf("    %d flooders reconnecting from one address: %d of %d messages delivered in %.2f s (allowed %d)\n",
              kFlooders, delivered, kFlooders * kMessagesEach, elapsed_s, allowed);
  EXPECT_GE(delivered, 20);
  EXPECT_LE(delivered, allowed);
}

}  // namespace
