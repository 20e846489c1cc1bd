// resp_reader_errors_test.cpp: every stream RespReader must refuse, each with
// its reason and at the byte that makes it invalid; the limits of
// RespLimits, checked when a header declares a size and before anything is
// allocated for it; the sticky error; and reset().
//
// The reader is strict on purpose (resp_reader.h): the peer is a Redis
// server, so anything it would never send means the stream is not Redis or
// the reader has lost its place, and guessing on would mismatch replies.
#include "redis/resp_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "resp_test_support.h"

using namespace resp_test;

namespace {

struct Refusal {
  std::string wire;
  std::string reason;
  size_t bad_byte;  // 0-based offset of the byte the reader must stop at
};

// The refusal, in one piece, one byte at a time and in a two-way split at
// every point: the reason and the position must not depend on the split
// (for long streams, every split near the bad byte).
void expect_refused(const Refusal& refusal, const RespLimits& limits = RespLimits()) {
  Outcome expected;
  expected.error = refusal.reason;
  expected.consumed = refusal.bad_byte + 1;
  EXPECT_EQ(read_whole(refusal.wire, limits), expected) << refusal.wire;
  EXPECT_EQ(read_in_chunks(refusal.wire, {1}, limits), expected) << refusal.wire << " byte by byte";
  const size_t first_cut = refusal.bad_byte > 64 ? refusal.bad_byte - 64 : 1;
  for (size_t cut = first_cut; cut < refusal.wire.size(); ++cut) {
    EXPECT_EQ(read_in_chunks(refusal.wire, {cut, refusal.wire.size()}, limits), expected)
        << refusal.wire << " cut at " << cut;
  }
}

void expect_all_refused(const std::vector<Refusal>& refusals, const RespLimits& limits = RespLimits()) {
  for (const Refusal& refusal : refusals) expect_refused(refusal, limits);
}

}  // namespace

/* ===== Grammar ===== */

// RESP3 types, inline replies and stray bytes all start with a byte that
// is none of + - : $ *.
TEST(RespReaderError, RefusesABadTypeByte) {
  expect_all_refused({
      {"PONG\r\n", "bad type byte", 0},
      {"%1\r\n+a\r\n+b\r\n", "bad type byte", 0},  // RESP3 map
      {"_\r\n", "bad type byte", 0},               // RESP3 null
      {">3\r\n", "bad type byte", 0},              // RESP3 push
      {"#t\r\n", "bad type byte", 0},              // RESP3 boolean
      {"\r\n", "bad type byte", 0},
      {"*2\r\n:1\r\n!x\r\n", "bad type byte", 8},
  });
}

TEST(RespReaderError, RefusesABareLf) {
  expect_all_refused({
      {"+OK\n", "bare LF (lines end with CRLF)", 3},
      {"-ERR\n", "bare LF (lines end with CRLF)", 4},
      {":12\n", "bare LF (lines end with CRLF)", 3},
      {"$3\n", "bare LF (lines end with CRLF)", 2},
      {"*1\n", "bare LF (lines end with CRLF)", 2},
  });
}

TEST(RespReaderError, RefusesACrWithoutLf) {
  expect_all_refused({
      {"+OK\rX\n", "CR not followed by LF", 4},
      {":1\r\r\n", "CR not followed by LF", 3},
      {"$1\r$", "CR not followed by LF", 3},
  });
}

TEST(RespReaderError, RefusesAnEmptyNumber) {
  expect_all_refused({
      {":\r\n", "empty number", 1},
      {"$\r\n", "empty number", 1},
      {"*\r\n", "empty number", 1},
      {"$-\r\n", "empty number", 2},
      {":-\r\n", "empty number", 2},
  });
}

// Lengths are decimal without sign except -1; integers have no '+' either.
TEST(RespReaderError, RefusesSignsAndDigitsRedisNeverSends) {
  expect_all_refused({
      {"$+5\r\n", "bad digit in number", 1},
      {":+1\r\n", "bad digit in number", 1},
      {": 1\r\n", "bad digit in number", 1},
      {"$5 \r\n", "bad digit in number", 2},
      {"*1x\r\n", "bad digit in number", 2},
      {":1.5\r\n", "bad digit in number", 2},
      {":--1\r\n", "bad digit in number", 2},
      {"$05\r\n", "number with a leading zero", 2},
      {":007\r\n", "number with a leading zero", 2},
      {"*00\r\n", "number with a leading zero", 2},
      {":-0\r\n", "negative zero", 2},
  });
}

TEST(RespReaderError, RefusesANegativeLengthOtherThanMinusOne) {
  expect_all_refused({
      {"$-2\r\n", "negative length other than -1", 2},
      {"*-5\r\n", "negative length other than -1", 2},
      {"$-10\r\n", "negative length other than -1", 3},
      {"*-0\r\n", "negative length other than -1", 2},
      {"$-01\r\n", "negative length other than -1", 2},
  });
}

// Refused at the digit that overflows, not at the end of the line.
TEST(RespReaderError, RefusesALengthOrIntegerOverflow) {
  expect_all_refused({
      {"$9223372036854775808\r\n", "length overflow", 19},
      {"*99999999999999999999\r\n", "length overflow", 19},
      {":9223372036854775808\r\n", "integer overflow", 19},
      {":-9223372036854775809\r\n", "integer overflow", 20},
      {":18446744073709551616\r\n", "integer overflow", 20},
  });
}

TEST(RespReaderError, RefusesABulkNotFollowedByCrlf) {
  expect_all_refused({
      {"$3\r\nfooX\r\n", "bulk string not followed by CRLF", 7},
      {"$3\r\nfoo\rX", "bulk string not followed by CRLF", 8},
      {"$3\r\nfoo\n", "bulk string not followed by CRLF", 7},
      {"$0\r\n+OK\r\n", "bulk string not followed by CRLF", 4},
      {"$2\r\nfoo\r\n", "bulk string not followed by CRLF", 6},
  });
}

/* ===== Limits ===== */

// "$2000000000" is refused at its LF: nothing is reserved and nothing more
// is read.
TEST(RespReaderError, RefusesABulkOverTheLimitAtItsHeader) {
  expect_all_refused({
      {"$1048577\r\n", "bulk length over limit", 9},
      {"$2000000000\r\nxx", "bulk length over limit", 12},
      {"*2\r\n$1\r\na\r\n$9999999\r\n", "bulk length over limit", 20},
  });
  RespLimits limits;
  limits.max_bulk_bytes = 4;
  expect_refused({"$5\r\nhello\r\n", "bulk length over limit", 3}, limits);
}

TEST(RespReaderError, RefusesAnArrayOverTheLimitAtItsHeader) {
  expect_all_refused({
      {"*65537\r\n", "array length over limit", 7},
      {"*1\r\n*4000000000\r\n", "array length over limit", 16},
  });
}

// The element limit counts every array of one reply, so nesting cannot
// multiply it: 2 arrays of 3 here declare 2 + 3 + 3 elements.
TEST(RespReaderError, RefusesTooManyElementsInOneReply) {
  RespLimits limits;
  limits.max_array_elements = 7;
  expect_refused({"*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*3\r\n", "array elements in reply over limit", 23}, limits);
}

TEST(RespReaderError, RefusesNestingOverTheDepthLimit) {
  std::string nine_deep;
  for (int i = 0; i < 8; ++i) nine_deep += "*1\r\n";
  nine_deep += "*0\r\n";
  expect_refused({nine_deep, "array nesting over depth limit", 35});
  RespLimits flat;
  flat.max_depth = 0;
  expect_refused({"*0\r\n", "array nesting over depth limit", 3}, flat);
  EXPECT_EQ(read_whole("*-1\r\n", flat).replies.at(0), null());  // a null array is not an array
}

TEST(RespReaderError, RefusesALineOverTheLimit) {
  RespLimits limits;
  limits.max_line_bytes = 8;
  expect_all_refused({
      {"+123456789\r\n", "line over limit", 9},
      {"-ERR 56789\r\n", "line over limit", 9},
      {":-12345678\r\n", "line over limit", 9},
  }, limits);
  expect_refused({std::string("+") + std::string(64 * 1024 + 1, 'a') + "\r\n", "line over limit", 64 * 1024 + 1});
}

// The reply limit covers every part: headers, CRLFs, bulk data and text.
// A header that declares more than is left is refused at once.
TEST(RespReaderError, RefusesAReplyOverTheTotalLimit) {
  RespLimits limits;
  limits.max_reply_bytes = 16;
  expect_all_refused({
      {"+0123456789abcdef\r\n", "reply over size limit", 16},
      {"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "reply over size limit", 14},
      {"*1\r\n$9\r\n", "reply over size limit", 7},        // 4 + 4 + 9 + 2 > 16
      {"*5\r\n", "reply over size limit", 3},              // 5 elements need 15 more bytes
      {"*2\r\n*2\r\n:1\r\n:2\r\n:3\r\n", "reply over size limit", 16},
  }, limits);
}

/* ===== The error is sticky; reset() recovers ===== */

TEST(RespReaderError, StaysInErrorAndConsumesNothingMore) {
  RespReader reader;
  RespReader::Status status;
  EXPECT_EQ(reader.parse("?\r\n", 3, &status), 1u);
  EXPECT_EQ(status, RespReader::Status::Error);
  EXPECT_TRUE(reader.failed());
  EXPECT_EQ(reader.parse("+OK\r\n", 5, &status), 0u);
  EXPECT_EQ(status, RespReader::Status::Error);
  EXPECT_STREQ(reader.error_reason(), "bad type byte");
  EXPECT_TRUE(reader.take_reply().is_null());
}

TEST(RespReaderError, ResetRecoversFromAnError) {
  RespReader reader;
  RespReader::Status status;
  reader.parse("$-7\r\n", 5, &status);
  ASSERT_EQ(status, RespReader::Status::Error);
  reader.reset();
  EXPECT_FALSE(reader.failed());
  EXPECT_EQ(reader.parse("+OK\r\n", 5, &status), 5u);
  EXPECT_EQ(status, RespReader::Status::Reply);
  EXPECT_EQ(reader.take_reply(), simple("OK"));
}

// After a reconnect the half-read reply of the old connection must not
// swallow the new connection's first bytes.
TEST(RespReaderError, ResetDropsAHalfReadReplyAndKeepsTheLimits) {
  RespLimits limits;
  limits.max_bulk_bytes = 3;
  RespReader reader(limits);
  RespReader::Status status;
  reader.parse("*2\r\n$3\r\nab", 10, &status);
  ASSERT_EQ(status, RespReader::Status::NeedMore);
  reader.reset();
  EXPECT_EQ(reader.parse(":5\r\n", 4, &status), 4u);
  EXPECT_EQ(reader.take_reply(), integer(5));
  reader.parse("$4\r\n", 4, &status);
  EXPECT_EQ(status, RespReader::Status::Error);
  EXPECT_STREQ(reader.error_reason(), "bulk length over limit");
}
