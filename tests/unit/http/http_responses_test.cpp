// http_responses_test.cpp: chatd's plain HTTP responses (http_responses.h), byte
// for byte: the error response used for every refusal, the 200 response for
// pages, the 426 that names websocket, the head of a response (what HEAD
// gets), and the reason phrases (RFC 9110 section 15, RFC 9112 section 4).
#include <gtest/gtest.h>

#include <string>

#include "http/http_request.h"
#include "http/http_responses.h"

TEST(HttpResponses, ErrorResponseIsExact) {
  EXPECT_EQ(http_error_response(404, "no such page"),
            "HTTP/1.1 404 Not Found\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 13\r\n"
            "Connection: close\r\n"
            "\r\n"
            "no such page\n");
}

TEST(HttpResponses, ErrorResponseForParserError) {
  HttpRequestParser parser;
  parser.feed("GET / HTTP/2.0\r\n", 16);
  EXPECT_EQ(http_error_response(parser.error_status(), parser.error_reason()),
            "HTTP/1.1 505 HTTP Version Not Supported\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 27\r\n"
            "Connection: close\r\n"
            "\r\n"
            "HTTP version not supported\n");
}

TEST(HttpResponses, OkResponseIsExact) {
  EXPECT_EQ(http_ok_response("text/html; charset=utf-8", "<p>h\xC3\xA9</p>"),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/html; charset=utf-8\r\n"
            "Content-Length: 10\r\n"  // é is two bytes
            "Cache-Control: no-cache\r\n"
            "Connection: close\r\n"
            "\r\n"
            "<p>h\xC3\xA9</p>");
}

// RFC 9110 15.5.22: a 426 names the protocol to upgrade to in Upgrade, and
// RFC 9110 7.8: whoever sends Upgrade also sends the "upgrade" connection
// option. RFC 6455 4.2.2: Sec-WebSocket-Version names the version chatd speaks.
TEST(HttpResponses, UpgradeRequiredResponseNamesWebsocket) {
  EXPECT_EQ(http_upgrade_required_response("use a WebSocket client"),
            "HTTP/1.1 426 Upgrade Required\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 23\r\n"
            "Connection: Upgrade, close\r\n"
            "Upgrade: websocket\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            "\r\n"
            "use a WebSocket client\n");
}

// RFC 9110 9.3.2: the answer to HEAD is the GET answer's head, whose
// Content-Length still gives the size of the body that is not sent.
TEST(HttpResponses, ResponseHeadEndsAtTheBlankLine) {
  std::string response = http_ok_response("text/plain; charset=utf-8", "ok\n");
  EXPECT_EQ(http_response_head(response),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 3\r\n"
            "Cache-Control: no-cache\r\n"
            "Connection: close\r\n"
            "\r\n");
  EXPECT_EQ(http_response_head(http_error_response(404, "not\r\n\r\nfound")),
            "HTTP/1.1 404 Not Found\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 13\r\n"
            "Connection: close\r\n"
            "\r\n");
}

TEST(HttpResponses, ResponseHeadOfABodilessResponseIsAllOfIt) {
  const std::string switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  EXPECT_EQ(http_response_head(switching), switching);
}

TEST(HttpResponses, ReasonPhrases) {
  EXPECT_STREQ(http_reason_phrase(101), "Switching Protocols");
  EXPECT_STREQ(http_reason_phrase(200), "OK");
  EXPECT_STREQ(http_reason_phrase(400), "Bad Request");
  EXPECT_STREQ(http_reason_phrase(403), "Forbidden");
  EXPECT_STREQ(http_reason_phrase(404), "Not Found");
  EXPECT_STREQ(http_reason_phrase(405), "Method Not Allowed");
  EXPECT_STREQ(http_reason_phrase(408), "Request Timeout");
  EXPECT_STREQ(http_reason_phrase(414), "URI Too Long");
  EXPECT_STREQ(http_reason_phrase(426), "Upgrade Required");
  EXPECT_STREQ(http_reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_STREQ(http_reason_phrase(500), "Internal Server Error");
  EXPECT_STREQ(http_reason_phrase(503), "Service Unavailable");
  EXPECT_STREQ(http_reason_phrase(505), "HTTP Version Not Supported");
}

// RFC 9112 section 4: the reason phrase may be empty; the SP before it stays.
TEST(HttpResponses, UnknownStatusHasEmptyReasonPhrase) {
  EXPECT_STREQ(http_reason_phrase(599), "");
  EXPECT_EQ(http_error_response(599, "x").substr(0, 15), "HTTP/1.1 599 \r\n");
}
