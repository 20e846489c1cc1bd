// http_endpoints_test.cpp: chatd's answers before the WebSocket upgrade
// (RFC 9110 status codes, RFC 6455 section 4.2.1 checks), against a real
// chatd process over loopback.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "harness.h"

namespace {

const char kValidKey[] = "dGhlIHNhbXBsZSBub25jZQ==";

std::string upgrade_request(const std::string& path, const std::string& headers) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
}

const std::string kGoodUpgradeHeaders = std::string("Upgrade: websocket\r\nConnection: Upgrade\r\n") +
                                        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + kValidKey + "\r\n";

std::string exchange(int port, const std::string& request) {
  TestClient client;
  if (!client.connect_tcp(port)) return "";
  client.send_raw(request);
  return client.read_http_response();
}

class HttpEndpoints : public ::testing::Test {
 protected:
  ChatdProcess server_{{"--origin", "http://allowed.example"}};
};

TEST_F(HttpEndpoints, RootWithoutUpgradeServesTheDemoPage) {
  ASSERT_TRUE(server_.started());
  std::string response = exchange(server_.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(TestClient::status_of(response), 200);
  EXPECT_NE(response.find("Content-Type: text/html"), std::string::npos);
  EXPECT_NE(response.find("<html"), std::string::npos);
}

TEST_F(HttpEndpoints, HealthzAnswers200) {
  std::string response = exchange(server_.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(TestClient::status_of(response), 200);
  EXPECT_NE(response.find("\r\n\r\nok\n"), std::string::npos);
}

TEST_F(HttpEndpoints, UnknownPathIs404) {
  EXPECT_EQ(TestClient::status_of(exchange(server_.port(), "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")), 404);
}

TEST_F(HttpEndpoints, UpgradeOnUnknownPathIs404) {
  EXPECT_EQ(TestClient::status_of(exchange(server_.port(), upgrade_request("/nope", kGoodUpgradeHeaders))), 404);
}

// RFC 9110 15.5.6: a 405 lists the methods the resource supports.
TEST_F(HttpEndpoints, PostIs405AllowingGetAndHead) {
  std::string response = exchange(server_.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(TestClient::status_of(response), 405);
  EXPECT_NE(response.find("Allow: GET, HEAD\r\n"), std::string::npos);
}

TEST_F(HttpEndpoints, MissingKeyIs400WithReason) {
  std::string response = exchange(server_.port(), upgrade_request("/", "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                                                       "Sec-WebSocket-Version: 13\r\n"));
  EXPECT_EQ(TestClient::status_of(response), 400);
  EXPECT_NE(response.find("Sec-WebSocket-Key"), std::string::npos);  // the body says what was wrong
}

TEST_F(HttpEndpoints, KeyThatIsNotSixteenBytesIs400) {
  std::string headers = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                        "Sec-WebSocket-Key: c2hvcnQ=\r\n";
  EXPECT_EQ(TestClient::status_of(exchange(server_.port(), upgrade_request("/", headers))), 400);
}

TEST_F(HttpEndpoints, WrongVersionIs426NamingVersion13) {
  std::string headers = std::string("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n") +
                        "Sec-WebSocket-Key: " + kValidKey + "\r\n";
  std::string response = exchange(server_.port(), upgrade_request("/", headers));
  EXPECT_EQ(TestClient::status_of(response), 426);
  EXPECT_NE(response.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
}

TEST_F(HttpEndpoints, OriginNotOnTheAllowListIs403) {
  std::string response =
      exchange(server_.port(), upgrade_request("/", kGoodUpgradeHeaders + "Origin: http://evil.example\r\n"));
  EXPECT_EQ(TestClient::status_of(response), 403);
}

TEST_F(HttpEndpoints, OriginOnTheAllowListUpgrades) {
  TestClient client;
  EXPECT_TRUE(client.open(server_.port(), "/", "Origin: http://allowed.example\r\n"));
}

TEST_F(HttpEndpoints, OversizeHeadIs431) {
  std::string big = "X-Filler: " + std::string(9000, 'a') + "\r\n";
  EXPECT_EQ(TestClient::status_of(exchange(server_.port(), upgrade_request("/", big))), 431);
}

TEST_F(HttpEndpoints, OverlongTargetIs414) {
  EXPECT_EQ(TestClient::status_of(exchange(server_.port(), "GET /" + std::string(3000, 'a') + " HTTP/1.1\r\n\r\n")),
            414);
}

TEST_F(HttpEndpoints, GarbageIs400) {
  EXPECT_EQ(TestClient::status_of(exchange(server_.port(), "\x01\x02garbage\r\n\r\n")), 400);
}

TEST_F(HttpEndpoints, Http2VersionIs505) {
  EXPECT_EQ(TestClient::status_of(exchange(server_.port(), "GET / HTTP/2.0\r\nHost: x\r\n\r\n")), 505);
}

TEST_F(HttpEndpoints, EchoWithoutUpgradeIs426) {
  EXPECT_EQ(TestClient::status_of(exchange(server_.port(), "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")), 426);
}

TEST(HttpLimits, ConnectionsBeyondTheLimitGet503) {
  ChatdProcess server({"--max-connections", "2"});
  ASSERT_TRUE(server.started());
  TestClient first, second, third;
  ASSERT_TRUE(first.open(server.port()));
  ASSERT_TRUE(second.open(server.port()));
  ASSERT_TRUE(third.connect_tcp(server.port()));
  EXPECT_EQ(TestClient::status_of(third.read_http_response()), 503);
}

TEST(HttpLimits, SlowlorisIsAnswered408AndDropped) {
  ChatdProcess server({"--handshake-timeout", "0.3"});
  ASSERT_TRUE(server.started());
  TestClient client;
  ASSERT_TRUE(client.connect_tcp(server.port()));
  client.send_raw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");  // and never finish the head
  std::string response = client.read_http_response(3000);
  EXPECT_EQ(TestClient::status_of(response), 408);
}

}  // namespace

namespace {

// A head that arrives in pieces gets a parser of its own until it is
// complete (server_http.cpp); the answer is the same as for one piece.
TEST(HttpSplitHeads, UpgradeWhoseHeadArrivesInPiecesSucceeds) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  TestClient client;
  ASSERT_TRUE(client.connect_tcp(server.port()));
  const std::string head = upgrade_request("/echo", kGoodUpgradeHeaders);
  for (size_t i = 0; i < head.size(); i += 7) {
    ASSERT_TRUE(client.send_raw(head.substr(i, 7)));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::string response = client.read_http_response(300);  // the 101 head; the connection stays open
  EXPECT_EQ(TestClient::status_of(response), 101);
  EXPECT_NE(response.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);  // RFC 6455 1.3's answer
}

TEST(HttpSplitHeads, ManyPlainRequestsInPiecesAreEachAnswered) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  for (int i = 0; i < 20; ++i) {
    TestClient client;
    ASSERT_TRUE(client.connect_tcp(server.port()));
    ASSERT_TRUE(client.send_raw("GET /heal"));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(client.send_raw("thz HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string response = client.read_http_response();
    EXPECT_EQ(TestClient::status_of(response), 200) << "request " << i;
    EXPECT_NE(response.find("\r\n\r\nok\n"), std::string::npos);
  }
}

}  // namespace
