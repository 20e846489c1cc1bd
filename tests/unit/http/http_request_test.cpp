// http_request_test.cpp: the request-head parser on valid input (RFC 9112
// sections 2-5): a real browser upgrade request in every kind of split,
// truncation at every length, the head/stream boundary, header lookups and
// the line-ending choices. Errors and limits are in
// http_request_errors_test.cpp.
#include "http/http_request.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "http_test_support.h"

using http_test_support::kChromeUpgradeRequest;
using http_test_support::ParseOutcome;
using http_test_support::parse_byte_by_byte;
using http_test_support::parse_split_at;
using http_test_support::parse_whole;

namespace {

const std::string_view kMinimalRequest = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
const std::string_view kBareLfRequest = "GET / HTTP/1.1\nHost: a\nUpgrade: websocket\n\n";
const std::string_view kLeadingEmptyLinesRequest = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";

// Parses text that is known to be a complete, valid head.
const HttpRequest& parse_complete(HttpRequestParser& parser, std::string_view text) {
  http_test_support::GuardedCopy copy(text);
  EXPECT_EQ(parser.feed(copy.data(), text.size()), text.size());
  EXPECT_EQ(parser.status(), HttpParseStatus::Complete) << parser.error_reason();
  return parser.request();
}

}  // namespace

TEST(HttpRequestParser, ParsesChromeUpgradeRequest) {
  ParseOutcome outcome = parse_whole(kChromeUpgradeRequest);
  ASSERT_EQ(outcome.status, HttpParseStatus::Complete);
  EXPECT_EQ(outcome.consumed, kChromeUpgradeRequest.size());
  EXPECT_EQ(outcome.method, "GET");
  EXPECT_EQ(outcome.target, "/chat");
  EXPECT_EQ(outcome.version_minor, 1);
  ASSERT_EQ(outcome.headers.size(), 12u);
  EXPECT_EQ(outcome.headers[0], std::make_pair(std::string("Host"), std::string("localhost:8080")));
  EXPECT_EQ(outcome.headers[4].second,
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36");
  EXPECT_EQ(outcome.headers[10],
            std::make_pair(std::string("Sec-WebSocket-Key"), std::string("dGhlIHNhbXBsZSBub25jZQ==")));
  EXPECT_EQ(outcome.headers[11].second, "permessage-deflate; client_max_window_bits");
}

TEST(HttpRequestParser, ByteByByteGivesSameResultAsWhole) {
  for (std::string_view input :
       {kChromeUpgradeRequest, kMinimalRequest, kBareLfRequest, kLeadingEmptyLinesRequest}) {
    EXPECT_EQ(parse_byte_by_byte(input), parse_whole(input)) << input;
  }
}

TEST(HttpRequestParser, EveryTwoPieceSplitGivesSameResult) {
  const ParseOutcome expected = parse_whole(kChromeUpgradeRequest);
  for (size_t cut = 1; cut < kChromeUpgradeRequest.size(); ++cut) {
    EXPECT_EQ(parse_split_at(kChromeUpgradeRequest, {cut}), expected) << "cut at " << cut;
  }
}

TEST(HttpRequestParser, RandomSplitsGiveSameResult) {
  const ParseOutcome expected = parse_whole(kChromeUpgradeRequest);
  std::mt19937 random(20240601);
  for (int iteration = 0; iteration < 2000; ++iteration) {
    std::uniform_int_distribution<size_t> cut_count(1, 40);
    std::uniform_int_distribution<size_t> position(1, kChromeUpgradeRequest.size() - 1);
    std::vector<size_t> cuts(cut_count(random));
    for (size_t& cut : cuts) cut = position(random);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    ASSERT_EQ(parse_split_at(kChromeUpgradeRequest, cuts), expected) << "iteration " << iteration;
  }
}

// picohttpparser's test: a valid head cut short anywhere is simply
// incomplete, never an error, and every byte offered so far is taken.
TEST(HttpRequestParser, EveryTruncationNeedsMore) {
  for (std::string_view input :
       {kChromeUpgradeRequest, kMinimalRequest, kBareLfRequest, kLeadingEmptyLinesRequest}) {
    for (size_t length = 0; length < input.size(); ++length) {
      ParseOutcome outcome = parse_whole(input.substr(0, length));
      ASSERT_EQ(outcome.status, HttpParseStatus::NeedMore) << "length " << length << ": "
                                                           << outcome.error_reason;
      ASSERT_EQ(outcome.consumed, length);
    }
  }
}

// RFC 6455 section 4.1: the client may send frames right after the head, so
// they can arrive in the same read and must be left for the frame parser.
TEST(HttpRequestParser, BytesAfterHeadAreNotConsumed) {
  std::string input(kChromeUpgradeRequest);
  input += "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";  // RFC 6455 5.7 masked "Hello"
  ParseOutcome outcome = parse_whole(input);
  EXPECT_EQ(outcome.status, HttpParseStatus::Complete);
  EXPECT_EQ(outcome.consumed, kChromeUpgradeRequest.size());
}

TEST(HttpRequestParser, BytesAfterHeadAreNotConsumedWhenHeadEndsMidChunk) {
  std::string input = std::string(kMinimalRequest) + "next request";
  // The last chunk holds "\r\n" of the blank line plus the extra bytes.
  ParseOutcome outcome = parse_split_at(input, {kMinimalRequest.size() - 2});
  EXPECT_EQ(outcome.status, HttpParseStatus::Complete);
  EXPECT_EQ(outcome.consumed, kMinimalRequest.size());
}

TEST(HttpRequestParser, FeedAfterCompleteConsumesNothing) {
  HttpRequestParser parser;
  parse_complete(parser, kMinimalRequest);
  EXPECT_EQ(parser.feed("GET / HTTP/1.1\r\n", 16), 0u);
  EXPECT_EQ(parser.status(), HttpParseStatus::Complete);
  EXPECT_EQ(parser.request().header("Host"), "a");
}

TEST(HttpRequestParser, EmptyFeedConsumesNothingAndStillNeedsMore) {
  HttpRequestParser parser;
  EXPECT_EQ(parser.feed(nullptr, 0), 0u);
  EXPECT_EQ(parser.status(), HttpParseStatus::NeedMore);
}

TEST(HttpRequestParser, ResetAllowsParsingAnotherRequest) {
  HttpRequestParser parser;
  parse_complete(parser, kChromeUpgradeRequest);
  parser.reset();
  EXPECT_EQ(parser.status(), HttpParseStatus::NeedMore);
  const HttpRequest& request = parse_complete(parser, "HEAD /x HTTP/1.0\r\nA: b\r\n\r\n");
  EXPECT_EQ(request.method, "HEAD");
  EXPECT_EQ(request.target, "/x");
  EXPECT_EQ(request.version_minor, 0);
  ASSERT_EQ(request.header_count, 1u);
  EXPECT_EQ(request.headers[0].name, "A");
}

TEST(HttpRequestParser, ResetClearsAnError) {
  HttpRequestParser parser;
  parser.feed("BAD\r\n", 5);
  ASSERT_EQ(parser.status(), HttpParseStatus::Error);
  parser.reset();
  EXPECT_EQ(parser.error_status(), 0);
  parse_complete(parser, kMinimalRequest);
}

// RFC 9112 section 2.2: a recipient MAY accept a bare LF; chatd does.
TEST(HttpRequestParser, BareLfLineEndingsAreAccepted) {
  HttpRequestParser parser;
  const HttpRequest& request = parse_complete(parser, kBareLfRequest);
  EXPECT_EQ(request.target, "/");
  EXPECT_EQ(request.header("Upgrade"), "websocket");
  EXPECT_EQ(request.header_count, 2u);
}

TEST(HttpRequestParser, MixedLineEndingsAreAccepted) {
  HttpRequestParser parser;
  const HttpRequest& request = parse_complete(parser, "GET / HTTP/1.1\nHost: a\r\nB: c\n\r\n");
  EXPECT_EQ(request.header("Host"), "a");
  EXPECT_EQ(request.header("B"), "c");
}

// RFC 9112 section 2.2: empty lines before the request line are ignored.
TEST(HttpRequestParser, LeadingEmptyLinesAreSkipped) {
  HttpRequestParser parser;
  const HttpRequest& request = parse_complete(parser, kLeadingEmptyLinesRequest);
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.header("Host"), "a");
}

TEST(HttpRequestParser, Http10IsParsedWithMinorVersionZero) {
  HttpRequestParser parser;
  EXPECT_EQ(parse_complete(parser, "GET / HTTP/1.0\r\n\r\n").version_minor, 0);
}

// RFC 9110 section 2.5: a higher minor version is 1.1-compatible.
TEST(HttpRequestParser, HigherMinorVersionIsAcceptedAsSent) {
  HttpRequestParser parser;
  EXPECT_EQ(parse_complete(parser, "GET / HTTP/1.9\r\n\r\n").version_minor, 9);
}

TEST(HttpRequestParser, RequestWithoutHeadersIsComplete) {
  HttpRequestParser parser;
  EXPECT_EQ(parse_complete(parser, "GET / HTTP/1.1\r\n\r\n").header_count, 0u);
}

TEST(HttpRequestParser, AbsoluteAndAsteriskTargetsAreKeptVerbatim) {
  HttpRequestParser parser;
  EXPECT_EQ(parse_complete(parser, "GET http://h/p?q=1#x HTTP/1.1\r\n\r\n").target, "http://h/p?q=1#x");
  parser.reset();
  EXPECT_EQ(parse_complete(parser, "OPTIONS * HTTP/1.1\r\n\r\n").target, "*");
}

// RFC 9112 section 5.1: optional whitespace around the value is not part of it.
TEST(HttpRequestParser, WhitespaceAroundValueIsTrimmedButInnerWhitespaceKept) {
  HttpRequestParser parser;
  const HttpRequest& request = parse_complete(parser, "GET / HTTP/1.1\r\nX: \t a \t b \t \r\n\r\n");
  EXPECT_EQ(request.header("X"), "a \t b");
}

TEST(HttpRequestParser, EmptyValueIsPresentButEmpty) {
  HttpRequestParser parser;
  const HttpRequest& request = parse_complete(parser, "GET / HTTP/1.1\r\nX:\r\nY:   \r\n\r\n");
  EXPECT_TRUE(request.has_header("X"));
  EXPECT_TRUE(request.has_header("Y"));
  EXPECT_EQ(request.header("X"), "");
  EXPECT_NE(request.header("X").data(), nullptr);
  EXPECT_NE(request.header("Y").data(), nullptr);
}

TEST(HttpRequestParser, AbsentHeaderIsEmptyViewWithNullData) {
  HttpRequestParser parser;
  const HttpRequest& request = parse_complete(parser, kMinimalRequest);
  EXPECT_FALSE(request.has_header("Upgrade"));
  EXPECT_EQ(request.header("Upgrade").data(), nullptr);
  EXPECT_TRUE(request.header("Upgrade").empty());
}

// RFC 9110 section 5.5: obs-text bytes are allowed in values.
TEST(HttpRequestParser, ObsTextBytesInValueAreAccepted) {
  HttpRequestParser parser;
  EXPECT_EQ(parse_complete(parser, "GET / HTTP/1.1\r\nX: caf\xC3\xA9\r\n\r\n").header("X"), "caf\xC3\xA9");
}

// RFC 9110 section 5.1: field names are case-insensitive.
TEST(HttpRequestParser, HeaderLookupIgnoresCase) {
  HttpRequestParser parser;
  const HttpRequest& request = parse_complete(parser, kChromeUpgradeRequest);
  EXPECT_EQ(request.header("sec-websocket-key"), "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(request.header("SEC-WEBSOCKET-VERSION"), "13");
  EXPECT_TRUE(request.has_header("uPgRaDe"));
  EXPECT_FALSE(request.has_header("Upgrad"));
  EXPECT_EQ(request.headers[0].name, "Host");  // the name is kept as sent
}

TEST(HttpRequestParser, RepeatedHeadersAreAllKeptInOrder) {
  HttpRequestParser parser;
  const HttpRequest& request =
      parse_complete(parser, "GET / HTTP/1.1\r\nX-A: 1\r\nOther: o\r\nx-a: 2\r\nX-A: 3\r\n\r\n");
  ASSERT_EQ(request.header_count, 4u);
  EXPECT_EQ(request.header("X-A"), "1");  // the first one wins
  EXPECT_EQ(request.headers[2].value, "2");
  EXPECT_EQ(request.headers[3].value, "3");
}

TEST(HttpRequestParser, HeaderHasTokenFindsTokenInList) {
  HttpRequestParser parser;
  const HttpRequest& request = parse_complete(parser, kChromeUpgradeRequest);
  EXPECT_TRUE(request.header_has_token("Connection", "upgrade"));
  EXPECT_TRUE(request.header_has_token("accept-encoding", "DEFLATE"));
  EXPECT_FALSE(request.header_has_token("Accept-Encoding", "gzip, deflate"));
  EXPECT_FALSE(request.header_has_token("Missing", "upgrade"));
}

TEST(HttpRequestParser, HeaderHasTokenTrimsWhitespaceAndIgnoresCase) {
  HttpRequestParser parser;
  const HttpRequest& request = parse_complete(parser, "GET / HTTP/1.1\r\nConnection: keep-alive,\t UpGrade \r\n\r\n");
  EXPECT_TRUE(request.header_has_token("Connection", "upgrade"));
  EXPECT_TRUE(request.header_has_token("Connection", "KEEP-ALIVE"));
}

TEST(HttpRequestParser, HeaderHasTokenMatchesWholeTokensOnly) {
  HttpRequestParser parser;
  const HttpRequest& request = parse_complete(parser, "GET / HTTP/1.1\r\nConnection: upgrades, xupgrade\r\n\r\n");
  EXPECT_FALSE(request.header_has_token("Connection", "upgrade"));
  EXPECT_FALSE(request.header_has_token("Connection", "upgrades, xupgrade"));
}

// RFC 9110 section 5.3: repeated fields form one list.
TEST(HttpRequestParser, HeaderHasTokenSearchesRepeatedHeaders) {
  HttpRequestParser parser;
  const HttpRequest& request =
      parse_complete(parser, "GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: , ,Upgrade\r\n\r\n");
  EXPECT_TRUE(request.header_has_token("Connection", "upgrade"));
  EXPECT_FALSE(request.header_has_token("Connection", ""));  // empty list elements never match
}
