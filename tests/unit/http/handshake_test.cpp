// handshake_test.cpp: the server's opening handshake (RFC 6455 section 4.2)
// on requests parsed by HttpRequestParser: the accept key, the exact 101
// response, every refusal with its status and body, and the Origin policy.
// The plain HTTP responses are tested in http_response_test.cpp.
#include "http/handshake.h"
#include "http/http_responses.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http_test_support.h"

namespace {

const std::vector<std::string> kValidHeaders = {
    "Host: localhost:8080",
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    "Origin: http://localhost:8080",
};

const char kExpectedSwitchingProtocols[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "\r\n";

// The valid header lines with the one named `name` replaced by `line`, or
// dropped when line is empty.
std::vector<std::string> headers_with(std::string_view name, const std::string& line) {
  std::vector<std::string> lines;
  for (const std::string& header : kValidHeaders) {
    if (header.compare(0, name.size(), name) != 0 || header[name.size()] != ':') {
      lines.push_back(header);
    } else if (!line.empty()) {
      lines.push_back(line);
    }
  }
  return lines;
}

std::string head(std::string_view request_line, const std::vector<std::string>& lines) {
  std::string text = std::string(request_line) + "\r\n";
  for (const std::string& line : lines) text += line + "\r\n";
  return text + "\r\n";
}

std::string valid_head() { return head("GET /chat HTTP/1.1", kValidHeaders); }

HandshakeResult handshake(std::string_view text, const OriginPolicy& origins = OriginPolicy()) {
  HttpRequestParser parser;
  parser.feed(text.data(), text.size());
  if (parser.status() != HttpParseStatus::Complete) {
    ADD_FAILURE() << "request did not parse: " << parser.error_reason();
    return {};
  }
  return validate_websocket_upgrade(parser.request(), origins);
}

void expect_refusal(const HandshakeResult& result, int status, std::string_view body,
                    std::string_view extra_headers = {}) {
  EXPECT_EQ(result.status, status);
  EXPECT_EQ(result.response, http_error_response(status, body, extra_headers));
}

}  // namespace

/* ===== Accept key (RFC 6455 sections 1.3 and 4.2.2) ===== */

TEST(Handshake, AcceptKeyMatchesRfcExample) {
  EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Handshake, AcceptKeyForAnotherKey) {
  EXPECT_EQ(websocket_accept_key("x3JJHMbDL1EzLkh9GBhXDw=="), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}

/* ===== Success ===== */

TEST(Handshake, ChromeRequestGetsExact101Response) {
  HandshakeResult result = handshake(http_test_support::kChromeUpgradeRequest);
  EXPECT_EQ(result.status, 101);
  EXPECT_EQ(result.response, kExpectedSwitchingProtocols);
}

// The 101 never names an extension or subprotocol, even when offered.
TEST(Handshake, OfferedExtensionsAndProtocolsAreNotNegotiated) {
  std::vector<std::string> lines = kValidHeaders;
  lines.push_back("Sec-WebSocket-Protocol: chat, superchat");
  lines.push_back("Sec-WebSocket-Extensions: permessage-deflate");
  EXPECT_EQ(handshake(head("GET / HTTP/1.1", lines)).response, kExpectedSwitchingProtocols);
}

TEST(Handshake, HeaderValuesAreMatchedWithoutRegardToCase) {
  std::vector<std::string> lines = {"host: h", "UPGRADE: WebSocket", "connection: UPGRADE",
                                    "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==",
                                    "SEC-WEBSOCKET-VERSION: 13"};
  EXPECT_EQ(handshake(head("GET / HTTP/1.1", lines)).status, 101);
}

// Firefox sends "Connection: keep-alive, Upgrade".
TEST(Handshake, ConnectionTokenListIsAccepted) {
  EXPECT_EQ(handshake(head("GET / HTTP/1.1", headers_with("Connection", "Connection: keep-alive, Upgrade"))).status, 101);
}

TEST(Handshake, UpgradeTokenListIsAccepted) {
  EXPECT_EQ(handshake(head("GET / HTTP/1.1", headers_with("Upgrade", "Upgrade: h2c, websocket"))).status, 101);
}

TEST(Handshake, HigherHttpMinorVersionIsAccepted) {
  EXPECT_EQ(handshake(head("GET / HTTP/1.2", kValidHeaders)).status, 101);
}

/* ===== Refusals, in the order they are checked ===== */

TEST(Handshake, NonGetMethodIs405WithAllowHeader) {
  HandshakeResult result = handshake(head("POST /chat HTTP/1.1", kValidHeaders));
  EXPECT_EQ(result.status, 405);
  EXPECT_EQ(result.response,
            "HTTP/1.1 405 Method Not Allowed\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 35\r\n"
            "Connection: close\r\n"
            "Allow: GET\r\n"
            "\r\n"
            "a WebSocket handshake must use GET\n");
}

// RFC 9110 section 9.1: method names are case-sensitive.
TEST(Handshake, LowercaseGetIs405) {
  EXPECT_EQ(handshake(head("get /chat HTTP/1.1", kValidHeaders)).status, 405);
}

// RFC 9110 9.3.2: HEAD asks for the head of a GET response, not for an
// upgrade; the Allow header names the one method that upgrades.
TEST(Handshake, HeadIs405AllowingGet) {
  expect_refusal(handshake(head("HEAD / HTTP/1.1", kValidHeaders)), 405, "a WebSocket handshake must use GET",
                 "Allow: GET\r\n");
}

TEST(Handshake, Http10UpgradeIs400) {
  expect_refusal(handshake(head("GET /chat HTTP/1.0", kValidHeaders)), 400,
                 "a WebSocket handshake needs HTTP/1.1");
}

TEST(Handshake, MissingHostIs400) {
  expect_refusal(handshake(head("GET / HTTP/1.1", headers_with("Host", ""))), 400, "missing Host header");
}

// RFC 9112 section 3.2.
TEST(Handshake, RepeatedHostIs400) {
  std::vector<std::string> lines = kValidHeaders;
  lines.push_back("Host: elsewhere");
  expect_refusal(handshake(head("GET / HTTP/1.1", lines)), 400, "repeated Host header");
}

// RFC 9112 section 3.2: the same Host check as for every other request.
TEST(Handshake, InvalidHostIs400) {
  expect_refusal(handshake(head("GET / HTTP/1.1", headers_with("Host", "Host: a@b"))), 400,
                 "invalid Host header (expected host or host:port)");
}

// A WebSocket handshake has no body (RFC 6455 4.1), and bytes after the head
// are frames. A declared body would be read as frames: refuse it.
TEST(Handshake, ContentLengthOtherThanZeroIs400) {
  std::vector<std::string> lines = kValidHeaders;
  lines.push_back("Content-Length: 20");
  expect_refusal(handshake(head("GET / HTTP/1.1", lines)), 400, "a WebSocket handshake must not have a body");
}

TEST(Handshake, AnyTransferEncodingIs400) {
  for (const char* coding : {"chunked", "gzip, chunked", "identity", ""}) {
    SCOPED_TRACE(coding);
    std::vector<std::string> lines = kValidHeaders;
    lines.push_back(std::string("Transfer-Encoding: ") + coding);
    expect_refusal(handshake(head("GET / HTTP/1.1", lines)), 400, "a WebSocket handshake must not have a body");
  }
}

// Content-Length: 0 declares no body, which is what a handshake has.
TEST(Handshake, ContentLengthZeroIsAccepted) {
  std::vector<std::string> lines = kValidHeaders;
  lines.push_back("Content-Length: 0");
  EXPECT_EQ(handshake(head("GET / HTTP/1.1", lines)).status, 101);
}

TEST(Handshake, ContentLengthThatIsNotANumberIs400) {
  for (const char* value : {"", "x", "-0", "0, 0", "0 0"}) {
    SCOPED_TRACE(value);
    std::vector<std::string> lines = kValidHeaders;
    lines.push_back(std::string("Content-Length: ") + value);
    EXPECT_EQ(handshake(head("GET / HTTP/1.1", lines)).status, 400);
  }
}

TEST(Handshake, MissingUpgradeIs400) {
  expect_refusal(handshake(head("GET / HTTP/1.1", headers_with("Upgrade", ""))), 400, "missing Upgrade header");
}

TEST(Handshake, UpgradeWithoutWebsocketIs400) {
  expect_refusal(handshake(head("GET / HTTP/1.1", headers_with("Upgrade", "Upgrade: h2c"))), 400,
                 "Upgrade header does not name websocket");
}

TEST(Handshake, MissingConnectionIs400) {
  expect_refusal(handshake(head("GET / HTTP/1.1", headers_with("Connection", ""))), 400,
                 "missing Connection header");
}

TEST(Handshake, ConnectionWithoutUpgradeTokenIs400) {
  expect_refusal(handshake(head("GET / HTTP/1.1", headers_with("Connection", "Connection: keep-alive"))), 400,
                 "Connection header does not include Upgrade");
}

// RFC 6455 section 4.2.2: 426 names the version the server speaks.
TEST(Handshake, MissingVersionIs426WithSupportedVersion) {
  HandshakeResult result = handshake(head("GET / HTTP/1.1", headers_with("Sec-WebSocket-Version", "")));
  EXPECT_EQ(result.status, 426);
  EXPECT_EQ(result.response,
            "HTTP/1.1 426 Upgrade Required\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 37\r\n"
            "Connection: Upgrade, close\r\n"
            "Upgrade: websocket\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            "\r\n"
            "missing Sec-WebSocket-Version header\n");
}

// RFC 9110 15.5.22 and 7.8: the 426 names websocket in Upgrade, and so
// carries the "upgrade" connection option.
TEST(Handshake, OtherVersionIs426WithUpgradeAndSupportedVersion) {
  HandshakeResult result =
      handshake(head("GET / HTTP/1.1", headers_with("Sec-WebSocket-Version", "Sec-WebSocket-Version: 8")));
  EXPECT_EQ(result.status, 426);
  EXPECT_EQ(result.response,
            http_upgrade_required_response("unsupported Sec-WebSocket-Version (this server speaks 13)"));
}

TEST(Handshake, RepeatedVersionIs400) {
  std::vector<std::string> lines = kValidHeaders;
  lines.push_back("Sec-WebSocket-Version: 13");
  expect_refusal(handshake(head("GET / HTTP/1.1", lines)), 400, "repeated Sec-WebSocket-Version header");
}

TEST(Handshake, MissingKeyIs400) {
  expect_refusal(handshake(head("GET / HTTP/1.1", headers_with("Sec-WebSocket-Key", ""))), 400,
                 "missing Sec-WebSocket-Key header");
}

// RFC 6455 section 11.3.1: the key appears at most once.
TEST(Handshake, RepeatedKeyIs400) {
  std::vector<std::string> lines = kValidHeaders;
  lines.push_back("Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==");
  expect_refusal(handshake(head("GET / HTTP/1.1", lines)), 400, "repeated Sec-WebSocket-Key header");
}

// RFC 6455 section 4.2.1 item 5: base64 of exactly 16 bytes.
TEST(Handshake, KeyThatIsNotSixteenBytesOfBase64Is400) {
  const char* const keys[] = {
      "not base64 at all!!!!!!!",      // 24 characters, but not base64
      "AAAAAAAAAAAAAAAAAAAA",          // 15 bytes
      "AAAAAAAAAAAAAAAAAAAAAAA=",      // 17 bytes in 24 characters
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAA",  // 21 bytes
      "dGhlIHNhbXBsZSBub25jZR==",      // non-zero pad bits
      "dGhlIHNhbXBsZSBub25jZQ",        // padding left out
      "dGhlIHNhbXBsZSBub25jZQ==\t=",  // junk after the key
  };
  for (std::string key : keys) {
    std::string line = "Sec-WebSocket-Key: " + key;
    expect_refusal(handshake(head("GET / HTTP/1.1", headers_with("Sec-WebSocket-Key", line))), 400,
                   "Sec-WebSocket-Key is not base64 of 16 bytes");
  }
}

// The first failing check decides, so the answer does not depend on header order.
TEST(Handshake, FirstFailingCheckDecides) {
  std::vector<std::string> lines = {"Sec-WebSocket-Version: 7", "Upgrade: h2c"};
  expect_refusal(handshake(head("GET / HTTP/1.1", lines)), 400, "missing Host header");
  EXPECT_EQ(handshake(head("PUT / HTTP/1.0", lines)).status, 405);
}

/* ===== Origin (RFC 6455 sections 4.2.2 and 10.2) ===== */

TEST(Handshake, DisallowedOriginIs403) {
  OriginPolicy policy({"http://chat.example"});
  expect_refusal(handshake(valid_head(), policy), 403, "Origin not allowed");
}

TEST(Handshake, AllowedOriginGets101) {
  OriginPolicy policy({"http://chat.example", "HTTP://LOCALHOST:8080"});
  EXPECT_EQ(handshake(valid_head(), policy).status, 101);
}

TEST(Handshake, MissingOriginPassesRestrictedPolicy) {
  OriginPolicy policy({"http://chat.example"});
  EXPECT_EQ(handshake(head("GET / HTTP/1.1", headers_with("Origin", "")), policy).status, 101);
}

TEST(Handshake, EveryRepeatedOriginMustBeAllowed) {
  std::vector<std::string> lines = kValidHeaders;
  lines.push_back("Origin: http://evil.example");
  OriginPolicy policy({"http://localhost:8080"});
  EXPECT_EQ(handshake(head("GET / HTTP/1.1", lines), policy).status, 403);
}

TEST(OriginPolicy, EmptyListAllowsEveryOrigin) {
  OriginPolicy policy;
  EXPECT_FALSE(policy.restricted());
  EXPECT_TRUE(policy.allows("http://anything.example", true));
  EXPECT_TRUE(policy.allows("null", true));
}

TEST(OriginPolicy, ListAllowsOnlyWholeCaseInsensitiveMatches) {
  OriginPolicy policy({"http://localhost:8080"});
  EXPECT_TRUE(policy.restricted());
  EXPECT_TRUE(policy.allows("http://localhost:8080", true));
  EXPECT_TRUE(policy.allows("HTTP://LocalHost:8080", true));
  EXPECT_FALSE(policy.allows("http://localhost:8081", true));
  EXPECT_FALSE(policy.allows("http://localhost:8080.evil.example", true));
  EXPECT_FALSE(policy.allows("http://localhost", true));
  EXPECT_FALSE(policy.allows("", true));
  EXPECT_TRUE(policy.allows({}, false));
}

/* ===== Telling WebSocket attempts from page requests ===== */

TEST(Handshake, IsUpgradeRequestRecognisesUpgradeAttempts) {
  HttpRequestParser parser;
  std::string text = valid_head();
  parser.feed(text.data(), text.size());
  EXPECT_TRUE(is_upgrade_request(parser.request()));

  HttpRequestParser key_only;
  text = "GET / HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  key_only.feed(text.data(), text.size());
  EXPECT_TRUE(is_upgrade_request(key_only.request()));

  HttpRequestParser page;
  text = "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n";
  page.feed(text.data(), text.size());
  EXPECT_FALSE(is_upgrade_request(page.request()));
}
