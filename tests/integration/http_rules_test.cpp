// http_rules_test.cpp: the rules of RFC 9112 and RFC 9110 that chatd keeps
// for every request, against a real chatd process over loopback: the Host
// header (RFC 9112 3.2), the request-target forms (3.2.1 to 3.2.4), HEAD
// (RFC 9110 9.3.2), no body on an upgrade, and the Upgrade header of a 426
// (RFC 9110 15.5.22 and 7.8).
#include <gtest/gtest.h>

#include <string>

#include "harness.h"
#include "websocket/frame_writer.h"

namespace {

const std::string kUpgradeHeaders =
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

std::string exchange(int port, const std::string& request) {
  TestClient client;
  if (!client.connect_tcp(port)) return "";
  client.send_raw(request);
  return client.read_http_response();
}

// Everything up to and including the blank line after the headers.
std::string head_of(const std::string& response) {
  size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? response : response.substr(0, end + 4);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class HttpRules : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.started()); }

  std::string get(const std::string& request_line, const std::string& headers = "Host: 127.0.0.1\r\n") {
    return exchange(server_.port(), request_line + "\r\n" + headers + "\r\n");
  }

  // HEAD of target must be the GET response's head, byte for byte.
  void expect_head_matches_get(const std::string& target, int status) {
    std::string get_response = get("GET " + target + " HTTP/1.1");
    std::string head_response = get("HEAD " + target + " HTTP/1.1");
    EXPECT_EQ(TestClient::status_of(get_response), status);
    EXPECT_GT(get_response.size(), head_of(get_response).size()) << "the GET answer has a body";
    EXPECT_EQ(head_response, head_of(get_response));
  }

  ChatdProcess server_;
};

/* ===== Host (RFC 9112 section 3.2) ===== */

TEST_F(HttpRules, PlainGetWithoutHostIs400) {
  std::string response = get("GET /healthz HTTP/1.1", "Accept: */*\r\n");
  EXPECT_EQ(TestClient::status_of(response), 400);
  EXPECT_TRUE(contains(response, "\r\n\r\nmissing Host header\n"));
}

TEST_F(HttpRules, PlainGetWithTwoHostsIs400) {
  std::string response = get("GET /healthz HTTP/1.1", "Host: 127.0.0.1\r\nHost: 127.0.0.1\r\n");
  EXPECT_EQ(TestClient::status_of(response), 400);
  EXPECT_TRUE(contains(response, "\r\n\r\nrepeated Host header\n"));
}

TEST_F(HttpRules, PlainGetWithInvalidHostIs400) {
  for (const char* value : {"a b", "a/b@c", "a@b", "[::1", "host:port"}) {
    SCOPED_TRACE(value);
    std::string response = get("GET /healthz HTTP/1.1", std::string("Host: ") + value + "\r\n");
    EXPECT_EQ(TestClient::status_of(response), 400);
    EXPECT_TRUE(contains(response, "invalid Host header"));
  }
}

TEST_F(HttpRules, UpgradeWithInvalidHostIs400) {
  std::string response = get("GET / HTTP/1.1", "Host: a@b\r\n" + kUpgradeHeaders);
  EXPECT_EQ(TestClient::status_of(response), 400);
  EXPECT_TRUE(contains(response, "invalid Host header"));
}

// The empty value is valid Host syntax (RFC 9112 3.2), and chatd serves one
// site whatever the name, so it does not insist on one.
TEST_F(HttpRules, EmptyHostIsAccepted) {
  EXPECT_EQ(TestClient::status_of(get("GET /healthz HTTP/1.1", "Host:\r\n")), 200);
}

// Only HTTP/1.1 made Host mandatory.
TEST_F(HttpRules, Http10WithoutHostIsAccepted) {
  EXPECT_EQ(TestClient::status_of(get("GET /healthz HTTP/1.0", "")), 200);
}

TEST_F(HttpRules, IpLiteralHostIsAccepted) {
  EXPECT_EQ(TestClient::status_of(get("GET /healthz HTTP/1.1", "Host: [::1]:8080\r\n")), 200);
}

/* ===== Request-target forms (RFC 9112 sections 3.2.1 to 3.2.4) ===== */

TEST_F(HttpRules, AbsoluteFormIsRoutedByItsPath) {
  std::string response = get("GET http://127.0.0.1:" + std::to_string(server_.port()) + "/healthz HTTP/1.1");
  EXPECT_EQ(TestClient::status_of(response), 200);
  EXPECT_TRUE(contains(response, "\r\n\r\nok\n"));
}

// RFC 9112 3.2.2: the authority of the target counts, not the Host header.
TEST_F(HttpRules, AbsoluteFormIgnoresTheHostHeader) {
  EXPECT_EQ(TestClient::status_of(get("GET http://a.example/healthz HTTP/1.1", "Host: b.example\r\n")), 200);
}

TEST_F(HttpRules, AbsoluteFormWithEmptyPathServesThePage) {
  std::string response = get("GET HTTP://127.0.0.1 HTTP/1.1");
  EXPECT_EQ(TestClient::status_of(response), 200);
  EXPECT_TRUE(contains(response, "Content-Type: text/html"));
}

TEST_F(HttpRules, AbsoluteFormUpgradesOnEcho) {
  TestClient client;
  ASSERT_TRUE(client.open(server_.port(), "http://127.0.0.1/echo"));
  ASSERT_TRUE(client.send_text("through the absolute form"));
  ReceivedFrame frame;
  ASSERT_TRUE(client.read_frame(&frame));
  EXPECT_EQ(frame.payload, "through the absolute form");
}

TEST_F(HttpRules, AbsoluteFormUpgradesOnChat) {
  TestClient client;
  ASSERT_TRUE(client.open(server_.port(), "https://localhost"));
  JsonValue welcome;
  EXPECT_TRUE(client.read_until_type("welcome", &welcome));
}

TEST_F(HttpRules, AbsoluteFormWithWsSchemeIs400) {
  std::string response = get("GET ws://127.0.0.1/echo HTTP/1.1", "Host: 127.0.0.1\r\n" + kUpgradeHeaders);
  EXPECT_EQ(TestClient::status_of(response), 400);
}

TEST_F(HttpRules, AbsoluteFormWithUserinfoIs400) {
  EXPECT_EQ(TestClient::status_of(get("GET http://user@127.0.0.1/healthz HTTP/1.1")), 400);
}

// RFC 9112 3.2.4: "*" is only for a server-wide OPTIONS.
TEST_F(HttpRules, AsteriskFormGetIs400) {
  EXPECT_EQ(TestClient::status_of(get("GET * HTTP/1.1")), 400);
}

// RFC 9112 3.2.3: host:port is only for CONNECT.
TEST_F(HttpRules, AuthorityFormGetIs400) {
  EXPECT_EQ(TestClient::status_of(get("GET 127.0.0.1:" + std::to_string(server_.port()) + " HTTP/1.1")), 400);
}

// The forms are right for their methods; the methods are what chatd lacks.
TEST_F(HttpRules, OptionsAsteriskAndConnectAre405) {
  std::string options = get("OPTIONS * HTTP/1.1");
  EXPECT_EQ(TestClient::status_of(options), 405);
  EXPECT_TRUE(contains(options, "Allow: GET, HEAD\r\n"));
  EXPECT_EQ(TestClient::status_of(get("CONNECT 127.0.0.1:443 HTTP/1.1")), 405);
}

/* ===== HEAD (RFC 9110 section 9.3.2) ===== */

TEST_F(HttpRules, HeadOfRootIsThePageHeadWithoutItsBody) { expect_head_matches_get("/", 200); }

TEST_F(HttpRules, HeadOfHealthzIsItsHeadWithoutBody) { expect_head_matches_get("/healthz", 200); }

TEST_F(HttpRules, HeadOfEchoIsThe426HeadWithoutBody) { expect_head_matches_get("/echo", 426); }

TEST_F(HttpRules, HeadOfUnknownPathIsThe404HeadWithoutBody) { expect_head_matches_get("/nope", 404); }

TEST_F(HttpRules, HeadOfAbsoluteFormIsRoutedToo) {
  std::string response = get("HEAD http://127.0.0.1/healthz HTTP/1.1");
  EXPECT_EQ(TestClient::status_of(response), 200);
  EXPECT_EQ(response, head_of(response));
}

// HEAD asks for a GET response's head, so it cannot upgrade: 405, allowing
// GET, the one method that does. No body, as in every answer to HEAD.
TEST_F(HttpRules, HeadWithUpgradeHeadersIs405AllowingGet) {
  std::string response = get("HEAD / HTTP/1.1", "Host: 127.0.0.1\r\n" + kUpgradeHeaders);
  EXPECT_EQ(TestClient::status_of(response), 405);
  EXPECT_TRUE(contains(response, "Allow: GET\r\n"));
  EXPECT_EQ(response, head_of(response));
}

TEST_F(HttpRules, HeadWithBadHostIs400WithoutBody) {
  std::string response = get("HEAD /healthz HTTP/1.1", "Host: a b\r\n");
  EXPECT_EQ(TestClient::status_of(response), 400);
  EXPECT_EQ(response, head_of(response));
}

TEST_F(HttpRules, OtherMethodsAre405AllowingGetAndHead) {
  std::string response = get("DELETE /healthz HTTP/1.1");
  EXPECT_EQ(TestClient::status_of(response), 405);
  EXPECT_TRUE(contains(response, "Allow: GET, HEAD\r\n"));
}

/* ===== No body on an upgrade ===== */

// A body declared on an upgrade would be read as WebSocket frames: here the
// 20 "body" bytes are a masked chat frame, which must never reach the room.
TEST_F(HttpRules, UpgradeDeclaringContentLengthIs400AndItsBodyNeverRuns) {
  TestClient watcher;
  ASSERT_TRUE(watcher.open(server_.port()));
  JsonValue message;
  ASSERT_TRUE(watcher.read_until_type("welcome", &message));

  const uint8_t mask[4] = {0x37, 0xFA, 0x21, 0x3D};
  std::string frame = encode_masked_frame(Opcode::Text, R"({"type":"say","text":"smuggled"})", mask);
  TestClient smuggler;
  ASSERT_TRUE(smuggler.connect_tcp(server_.port()));
  smuggler.send_raw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kUpgradeHeaders + "Content-Length: 20\r\n\r\n" + frame);
  std::string response = smuggler.read_http_response(1000);
  EXPECT_EQ(TestClient::status_of(response), 400);
  EXPECT_TRUE(contains(response, "must not have a body"));
  EXPECT_FALSE(watcher.read_until_type("message", &message, 500)) << "the body ran as a chat command";
}

TEST_F(HttpRules, UpgradeDeclaringTransferEncodingIs400) {
  std::string response =
      get("GET /echo HTTP/1.1", "Host: 127.0.0.1\r\n" + kUpgradeHeaders + "Transfer-Encoding: chunked\r\n");
  EXPECT_EQ(TestClient::status_of(response), 400);
}

TEST_F(HttpRules, UpgradeWithContentLengthZeroIsAccepted) {
  TestClient client;
  EXPECT_TRUE(client.open(server_.port(), "/echo", "Content-Length: 0\r\n"));
}

/* ===== 426 names websocket (RFC 9110 sections 15.5.22 and 7.8) ===== */

TEST_F(HttpRules, EchoWithoutUpgradeIs426WithUpgradeHeader) {
  std::string response = get("GET /echo HTTP/1.1");
  EXPECT_EQ(TestClient::status_of(response), 426);
  EXPECT_TRUE(contains(response, "\r\nUpgrade: websocket\r\n"));
  EXPECT_TRUE(contains(response, "\r\nConnection: Upgrade, close\r\n"));
}

TEST_F(HttpRules, WrongVersionIs426WithUpgradeHeader) {
  std::string headers = "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  std::string response = get("GET / HTTP/1.1", headers);
  EXPECT_EQ(TestClient::status_of(response), 426);
  EXPECT_TRUE(contains(response, "\r\nUpgrade: websocket\r\n"));
  EXPECT_TRUE(contains(response, "\r\nConnection: Upgrade, close\r\n"));
  EXPECT_TRUE(contains(response, "\r\nSec-WebSocket-Version: 13\r\n"));
}

}  // namespace
