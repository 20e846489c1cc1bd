// http_request_errors_test.cpp: every way the request-head parser refuses
// input, with the exact status and reason (RFC 9112 sections 2-5, RFC 9110
// section 15 for the status codes), and the limits: 414 for a long target,
// 431 for a large head or too many fields. Each error must be the same
// whether the bytes arrive whole, byte by byte, or in random pieces.
#include "http/http_request.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "http_test_support.h"

using http_test_support::ParseOutcome;
using http_test_support::parse_byte_by_byte;
using http_test_support::parse_split_at;
using http_test_support::parse_whole;

namespace {

// Checks the verdict for input fed whole, byte by byte and in random pieces.
void expect_error(std::string_view input, int status, const char* reason) {
  ParseOutcome whole = parse_whole(input);
  EXPECT_EQ(whole.status, HttpParseStatus::Error) << input;
  EXPECT_EQ(whole.error_status, status) << input;
  EXPECT_EQ(whole.error_reason, reason) << input;
  // How many bytes an erroring feed() took depends on the split; the verdict
  // does not.
  ParseOutcome byte_by_byte = parse_byte_by_byte(input);
  EXPECT_EQ(byte_by_byte.error_status, whole.error_status) << input;
  EXPECT_EQ(byte_by_byte.error_reason, whole.error_reason) << input;
  std::mt19937 random(7);
  for (int iteration = 0; iteration < 20; ++iteration) {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < input.size(); ++i) {
      if (random() % 8 == 0) cuts.push_back(i);
    }
    ParseOutcome split = parse_split_at(input, cuts);
    EXPECT_EQ(split.error_status, whole.error_status) << input;
    EXPECT_EQ(split.error_reason, whole.error_reason) << input;
  }
}

std::string request_with_target_of_length(size_t length) {
  return "GET /" + std::string(length - 1, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
}

std::string request_with_headers(size_t count) {
  std::string text = "GET / HTTP/1.1\r\n";
  for (size_t i = 0; i < count; ++i) text += "X-" + std::to_string(i) + ": v\r\n";
  return text + "\r\n";
}

// A head of exactly `size` bytes, padded with one long header value.
std::string request_of_size(size_t size) {
  std::string start = "GET / HTTP/1.1\r\nX: ";
  return start + std::string(size - start.size() - 4, 'v') + "\r\n\r\n";
}

}  // namespace

/* ===== Request line (RFC 9112 section 3): 400 ===== */

TEST(HttpRequestParserErrors, InvalidCharacterInMethodIs400) {
  expect_error("GE(T / HTTP/1.1\r\n\r\n", 400, "invalid character in method");
  expect_error("GET\t/ HTTP/1.1\r\n\r\n", 400, "invalid character in method");
}

TEST(HttpRequestParserErrors, CarriageReturnInMethodIs400) {
  expect_error("G\rET / HTTP/1.1\r\n\r\n", 400, "invalid character in method");
}

// Binary noise such as a TLS ClientHello is refused on its first byte.
TEST(HttpRequestParserErrors, InvalidMethodByteIsReportedImmediately) {
  HttpRequestParser parser;
  EXPECT_EQ(parser.feed("\x16\x03\x01", 3), 3u);
  EXPECT_EQ(parser.status(), HttpParseStatus::Error);
  EXPECT_EQ(parser.error_status(), 400);
  EXPECT_STREQ(parser.error_reason(), "invalid character in method");
}

TEST(HttpRequestParserErrors, EmptyMethodIs400) {
  expect_error(" / HTTP/1.1\r\n\r\n", 400, "empty method");
}

TEST(HttpRequestParserErrors, RequestLineWithoutSpacesIs400) {
  expect_error("GET\r\n\r\n", 400, "malformed request line");
}

TEST(HttpRequestParserErrors, MissingVersionIs400) {
  expect_error("GET /\r\n\r\n", 400, "request line has no HTTP version");
}

// RFC 9112 section 3: exactly one SP between the parts.
TEST(HttpRequestParserErrors, DoubleSpaceBeforeTargetIs400) {
  expect_error("GET  / HTTP/1.1\r\n\r\n", 400, "empty request target");
}

TEST(HttpRequestParserErrors, DoubleSpaceBeforeVersionIs400) {
  expect_error("GET /  HTTP/1.1\r\n\r\n", 400, "malformed HTTP version");
}

TEST(HttpRequestParserErrors, TrailingSpaceAfterVersionIs400) {
  expect_error("GET / HTTP/1.1 \r\n\r\n", 400, "malformed HTTP version");
}

TEST(HttpRequestParserErrors, ControlCharacterInTargetIs400) {
  expect_error("GET /a\x01z HTTP/1.1\r\n\r\n", 400, "invalid character in request target");
  expect_error("GET /a\x7Fz HTTP/1.1\r\n\r\n", 400, "invalid character in request target");
  expect_error("GET /\xC3\xA9 HTTP/1.1\r\n\r\n", 400, "invalid character in request target");
}

// RFC 9112 section 2.3: HTTP-version is case-sensitive, one digit each side.
TEST(HttpRequestParserErrors, MalformedVersionIs400) {
  expect_error("GET / http/1.1\r\n\r\n", 400, "malformed HTTP version");
  expect_error("GET / HTTP/1\r\n\r\n", 400, "malformed HTTP version");
  expect_error("GET / HTTP/1.10\r\n\r\n", 400, "malformed HTTP version");
  expect_error("GET / HTTP/11.1\r\n\r\n", 400, "malformed HTTP version");
  expect_error("GET / HTTP/1,1\r\n\r\n", 400, "malformed HTTP version");
  expect_error("GET / HTTP/a.b\r\n\r\n", 400, "malformed HTTP version");
}

// RFC 9112 section 2.2: a bare CR is invalid.
TEST(HttpRequestParserErrors, BareCarriageReturnInRequestLineIs400) {
  expect_error("GET / HTTP/1.1\rHost: a\r\n\r\n", 400, "malformed HTTP version");
}

/* ===== Version (RFC 9110 section 15.6.6): 505 ===== */

TEST(HttpRequestParserErrors, OtherMajorVersionsAre505) {
  expect_error("GET / HTTP/2.0\r\n\r\n", 505, "HTTP version not supported");
  expect_error("GET / HTTP/3.0\r\n\r\n", 505, "HTTP version not supported");
  expect_error("GET / HTTP/0.9\r\n\r\n", 505, "HTTP version not supported");
}

/* ===== Header fields (RFC 9112 section 5): 400 ===== */

// RFC 9112 section 5.1: no whitespace between field name and colon.
TEST(HttpRequestParserErrors, WhitespaceBeforeColonIs400) {
  expect_error("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "header name contains whitespace");
  expect_error("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400, "header name contains whitespace");
}

TEST(HttpRequestParserErrors, WhitespaceInsideNameIs400) {
  expect_error("GET / HTTP/1.1\r\nX Y: a\r\n\r\n", 400, "header name contains whitespace");
}

// RFC 9112 section 5.2: obs-fold is rejected, with SP or HTAB.
TEST(HttpRequestParserErrors, ObsoleteLineFoldingIs400) {
  expect_error("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400, "obsolete line folding in header");
  expect_error("GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", 400, "obsolete line folding in header");
}

// RFC 9112 section 2.2: whitespace before the first field line.
TEST(HttpRequestParserErrors, WhitespaceBeforeFirstHeaderIs400) {
  expect_error("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, "obsolete line folding in header");
}

TEST(HttpRequestParserErrors, HeaderWithoutColonIs400) {
  expect_error("GET / HTTP/1.1\r\nHost\r\n\r\n", 400, "header line has no colon");
}

TEST(HttpRequestParserErrors, EmptyHeaderNameIs400) {
  expect_error("GET / HTTP/1.1\r\n: a\r\n\r\n", 400, "empty header name");
}

TEST(HttpRequestParserErrors, InvalidCharacterInHeaderNameIs400) {
  expect_error("GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", 400, "invalid character in header name");
  expect_error("GET / HTTP/1.1\r\nH\xC3\xA9: a\r\n\r\n", 400, "invalid character in header name");
}

// RFC 9110 section 5.5: field values hold no control characters but HTAB.
TEST(HttpRequestParserErrors, ControlCharacterInValueIs400) {
  expect_error("GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n", 400, "control character in header value");
  expect_error("GET / HTTP/1.1\r\nX: a\x7Fz\r\n\r\n", 400, "control character in header value");
  expect_error(std::string_view("GET / HTTP/1.1\r\nX: a\0z\r\n\r\n", 26), 400,
               "control character in header value");
  expect_error("GET / HTTP/1.1\r\nX: a\rz\r\n\r\n", 400, "control character in header value");
}

// Detected when the bad line's end arrives, not when the head completes.
TEST(HttpRequestParserErrors, BadHeaderIsReportedBeforeHeadEnds) {
  HttpRequestParser parser;
  std::string_view partial = "GET / HTTP/1.1\r\nHost : a\r\nMore: ";
  parser.feed(partial.data(), partial.size());
  EXPECT_EQ(parser.status(), HttpParseStatus::Error);
  EXPECT_EQ(parser.error_status(), 400);
}

TEST(HttpRequestParserErrors, FeedAfterErrorConsumesNothing) {
  HttpRequestParser parser;
  parser.feed("GET / HTTP/2.0\r\n", 16);
  ASSERT_EQ(parser.status(), HttpParseStatus::Error);
  EXPECT_EQ(parser.feed("\r\n", 2), 0u);
  EXPECT_EQ(parser.error_status(), 505);
}

/* ===== Limits: 414 and 431 ===== */

TEST(HttpRequestParserErrors, TargetOfMaximumLengthIsAccepted) {
  std::string input = request_with_target_of_length(HttpRequestParser::kMaxTargetBytes);
  ParseOutcome outcome = parse_whole(input);
  ASSERT_EQ(outcome.status, HttpParseStatus::Complete) << outcome.error_reason;
  EXPECT_EQ(outcome.target.size(), HttpRequestParser::kMaxTargetBytes);
}

// RFC 9110 section 15.5.15.
TEST(HttpRequestParserErrors, TargetOneByteTooLongIs414) {
  expect_error(request_with_target_of_length(HttpRequestParser::kMaxTargetBytes + 1), 414,
               "request target too long");
}

TEST(HttpRequestParserErrors, LongTargetIs414BeforeRequestLineEnds) {
  HttpRequestParser parser;
  std::string partial = "GET /" + std::string(HttpRequestParser::kMaxTargetBytes - 1, 'a');
  EXPECT_EQ(parser.feed(partial.data(), partial.size()), partial.size());
  EXPECT_EQ(parser.status(), HttpParseStatus::NeedMore);
  parser.feed("b", 1);
  EXPECT_EQ(parser.status(), HttpParseStatus::Error);
  EXPECT_EQ(parser.error_status(), 414);
}

TEST(HttpRequestParserErrors, HeadOfMaximumSizeIsAccepted) {
  std::string input = request_of_size(HttpRequestParser::kMaxHeadBytes);
  ParseOutcome outcome = parse_whole(input);
  EXPECT_EQ(outcome.status, HttpParseStatus::Complete) << outcome.error_reason;
  EXPECT_EQ(outcome.consumed, HttpRequestParser::kMaxHeadBytes);
}

// RFC 6585 section 5.
TEST(HttpRequestParserErrors, HeadOneByteTooLargeIs431) {
  expect_error(request_of_size(HttpRequestParser::kMaxHeadBytes + 1), 431, "request head too large");
}

TEST(HttpRequestParserErrors, EndlessHeadIs431AndIsNotBufferedBeyondLimit) {
  HttpRequestParser parser;
  std::string flood = "GET / HTTP/1.1\r\nX: " + std::string(20000, 'v');
  EXPECT_EQ(parser.feed(flood.data(), flood.size()), HttpRequestParser::kMaxHeadBytes + 1);
  EXPECT_EQ(parser.status(), HttpParseStatus::Error);
  EXPECT_EQ(parser.error_status(), 431);
}

TEST(HttpRequestParserErrors, EndlessEmptyLinesAre431) {
  expect_error(std::string(HttpRequestParser::kMaxHeadBytes + 1, '\n'), 431, "request head too large");
}

TEST(HttpRequestParserErrors, MaximumHeaderCountIsAccepted) {
  ParseOutcome outcome = parse_whole(request_with_headers(HttpRequest::kMaxHeaders));
  EXPECT_EQ(outcome.status, HttpParseStatus::Complete);
  EXPECT_EQ(outcome.headers.size(), HttpRequest::kMaxHeaders);
}

TEST(HttpRequestParserErrors, OneHeaderTooManyIs431) {
  expect_error(request_with_headers(HttpRequest::kMaxHeaders + 1), 431, "too many header fields");
}
