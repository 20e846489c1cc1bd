// resp_reader_test.cpp: RespReader as a specification of the RESP2 replies
// it accepts (redis.io, "Redis serialization protocol specification"): the
// exact tree each reply type gives, the same trees in every split of the
// bytes, replies back to back, pub/sub arrays, and truncation, which is
// always "need more" and never an error or a reply.
//
// Rejections, limits, the sticky error and reset() are in
// resp_reader_errors_test.cpp.
#include "redis/resp_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "resp_test_support.h"

using namespace resp_test;

namespace {

struct Sample {
  const char* name;
  std::string wire;
  RespValue expected;
};

std::string nested_arrays(size_t depth) {
  std::string wire;
  for (size_t i = 1; i < depth; ++i) wire += "*1\r\n";
  return wire + "*0\r\n";
}

RespValue nested_value(size_t depth) {
  RespValue value = array({});
  for (size_t i = 1; i < depth; ++i) value = array({value});
  return value;
}

const std::string kChatJson = R"({"type":"message","room":"lobby","seq":7,"text":"hi\r\nthere"})";

// One of every reply type, and the replies chatd's bus will meet.
std::vector<Sample> samples() {
  return {
      {"ok", "+OK\r\n", simple("OK")},
      {"empty simple string", "+\r\n", simple("")},
      {"pong", "+PONG\r\n", simple("PONG")},
      {"error", "-ERR unknown command 'FOO'\r\n", error("ERR unknown command 'FOO'")},
      {"noscript", "-NOSCRIPT No matching script. Please use EVAL.\r\n",
       error("NOSCRIPT No matching script. Please use EVAL.")},
      {"zero", ":0\r\n", integer(0)},
      {"one", ":1\r\n", integer(1)},
      {"negative", ":-42\r\n", integer(-42)},
      {"int64 max", ":9223372036854775807\r\n", integer(INT64_MAX)},
      {"int64 min", ":-9223372036854775808\r\n", integer(INT64_MIN)},
      {"bulk", "$5\r\nhello\r\n", bulk("hello")},
      {"empty bulk", "$0\r\n\r\n", bulk("")},
      {"binary bulk", std::string("$8\r\na\r\nb\0c\n\r\r\n", 14), bulk(std::string("a\r\nb\0c\n\r", 8))},
      {"null bulk", "$-1\r\n", null()},
      {"empty array", "*0\r\n", array({})},
      {"null array", "*-1\r\n", null()},
      {"array of bulks", "*2\r\n$3\r\nfoo\r\n$3\r\nbar\r\n", array({bulk("foo"), bulk("bar")})},
      {"mixed array", "*6\r\n:1\r\n+two\r\n$5\r\nthree\r\n-four\r\n$-1\r\n*-1\r\n",
       array({integer(1), simple("two"), bulk("three"), error("four"), null(), null()})},
      {"nested arrays", "*3\r\n*2\r\n:1\r\n:2\r\n*1\r\n*0\r\n$1\r\nx\r\n",
       array({array({integer(1), integer(2)}), array({array({})}), bulk("x")})},
      {"depth 8", nested_arrays(8), nested_value(8)},
      {"subscribe confirmation", "*3\r\n$9\r\nsubscribe\r\n$10\r\nroom:lobby\r\n:1\r\n",
       array({bulk("subscribe"), bulk("room:lobby"), integer(1)})},
      {"pub/sub message",
       "*3\r\n$7\r\nmessage\r\n$10\r\nroom:lobby\r\n$" + std::to_string(kChatJson.size()) + "\r\n" + kChatJson + "\r\n",
       array({bulk("message"), bulk("room:lobby"), bulk(kChatJson)})},
      {"pattern message", "*4\r\n$8\r\npmessage\r\n$6\r\nroom:*\r\n$10\r\nroom:lobby\r\n$2\r\nhi\r\n",
       array({bulk("pmessage"), bulk("room:*"), bulk("room:lobby"), bulk("hi")})},
      {"evalsha reply", "*3\r\n:41\r\n$13\r\n1763700000000\r\n*2\r\n$2\r\nm1\r\n$2\r\nm2\r\n",
       array({integer(41), bulk("1763700000000"), array({bulk("m1"), bulk("m2")})})},
  };
}

Outcome expected_outcome(const Sample& sample) {
  Outcome outcome;
  outcome.replies = {sample.expected};
  outcome.consumed = sample.wire.size();
  return outcome;
}

}  // namespace

/* ===== Every reply type ===== */

TEST(RespReader, ReadsEveryReplyTypeInOnePiece) {
  for (const Sample& sample : samples()) {
    EXPECT_EQ(read_whole(sample.wire), expected_outcome(sample)) << sample.name;
  }
}

TEST(RespReader, TypeHelpersNameTheType) {
  EXPECT_TRUE(simple("OK").is_simple_string());
  EXPECT_TRUE(simple("OK").is_string("OK"));
  EXPECT_TRUE(bulk("message").is_string("message"));
  EXPECT_FALSE(error("OK").is_string("OK"));
  EXPECT_TRUE(error("ERR").is_error());
  EXPECT_TRUE(integer(3).is_integer());
  EXPECT_TRUE(bulk("").is_bulk());
  EXPECT_TRUE(null().is_null());
  EXPECT_TRUE(array({}).is_array());
  EXPECT_NE(bulk("1"), integer(1));
  EXPECT_NE(array({}), null());  // "*0" is an empty list, "*-1" is no list
}

/* ===== Any split gives the same replies ===== */

TEST(RespReader, ReadsEverySampleOneByteAtATime) {
  for (const Sample& sample : samples()) {
    EXPECT_EQ(read_in_chunks(sample.wire, {1}), expected_outcome(sample)) << sample.name;
  }
}

TEST(RespReader, ReadsEverySampleInEveryTwoWaySplit) {
  for (const Sample& sample : samples()) {
    for (size_t cut = 1; cut < sample.wire.size(); ++cut) {
      EXPECT_EQ(read_in_chunks(sample.wire, {cut, sample.wire.size()}), expected_outcome(sample))
          << sample.name << " cut at " << cut;
    }
  }
}

TEST(RespReader, ReadsEverySampleInSeededRandomSplits) {
  std::mt19937 random(20240611);
  for (const Sample& sample : samples()) {
    for (int round = 0; round < 40; ++round) {
      std::vector<size_t> sizes;
      for (size_t total = 0; total < sample.wire.size();) {
        sizes.push_back(1 + random() % 9);
        total += sizes.back();
      }
      EXPECT_EQ(read_in_chunks(sample.wire, sizes), expected_outcome(sample)) << sample.name;
    }
  }
}

/* ===== Replies back to back ===== */

// A pipelined client gets its replies in one read; parse() must stop right
// after each one so that the caller can match it to its command.
TEST(RespReader, StopsRightAfterEachReplyInOneBuffer) {
  std::string stream;
  for (const Sample& sample : samples()) stream += sample.wire;
  RespReader reader;
  size_t offset = 0;
  for (const Sample& sample : samples()) {
    RespReader::Status status;
    const size_t used = reader.parse(stream.data() + offset, stream.size() - offset, &status);
    ASSERT_EQ(status, RespReader::Status::Reply) << sample.name;
    EXPECT_EQ(used, sample.wire.size()) << sample.name;
    EXPECT_EQ(reader.take_reply(), sample.expected) << sample.name;
    offset += used;
  }
  EXPECT_EQ(offset, stream.size());
}

TEST(RespReader, ReadsTheSameRepliesBackToBackInAnySplit) {
  std::string stream;
  Outcome expected;
  for (const Sample& sample : samples()) {
    stream += sample.wire;
    expected.replies.push_back(sample.expected);
  }
  expected.consumed = stream.size();
  EXPECT_EQ(read_in_chunks(stream, {1}), expected);
  EXPECT_EQ(read_in_chunks(stream, {7}), expected);
  EXPECT_EQ(read_in_chunks(stream, {3, 50, 1, 2}), expected);
}

TEST(RespReader, HoldsAnUntakenReplyAndConsumesNothingMore) {
  RespReader reader;
  RespReader::Status status;
  const std::string stream = ":1\r\n:2\r\n";
  EXPECT_EQ(reader.parse(stream.data(), stream.size(), &status), 4u);
  EXPECT_EQ(status, RespReader::Status::Reply);
  EXPECT_EQ(reader.parse(stream.data() + 4, 4, &status), 0u);
  EXPECT_EQ(status, RespReader::Status::Reply);
  EXPECT_EQ(reader.take_reply(), integer(1));
  EXPECT_EQ(reader.parse(stream.data() + 4, 4, &status), 4u);
  EXPECT_EQ(reader.take_reply(), integer(2));
}

TEST(RespReader, TakeReplyWithoutAReplyGivesNull) {
  RespReader reader;
  RespReader::Status status;
  reader.parse("$5\r\nhel", 7, &status);
  EXPECT_EQ(status, RespReader::Status::NeedMore);
  EXPECT_TRUE(reader.take_reply().is_null());
  reader.parse("lo\r\n", 4, &status);
  EXPECT_EQ(status, RespReader::Status::Reply);
  EXPECT_EQ(reader.take_reply(), bulk("hello"));
}

/* ===== Pub/sub ===== */

// In RESP2 a subscribed connection receives arrays: the confirmations of
// SUBSCRIBE, then one "message" array per PUBLISH, in any read split.
TEST(RespReader, ReadsASubscriptionSessionAsArrays) {
  const std::string stream =
      "*3\r\n$9\r\nsubscribe\r\n$7\r\nroom:aa\r\n:1\r\n"
      "*3\r\n$9\r\nsubscribe\r\n$7\r\nroom:bb\r\n:2\r\n"
      "*3\r\n$7\r\nmessage\r\n$7\r\nroom:aa\r\n$5\r\nfirst\r\n"
      "*3\r\n$7\r\nmessage\r\n$7\r\nroom:bb\r\n$0\r\n\r\n"
      "*3\r\n$11\r\nunsubscribe\r\n$7\r\nroom:aa\r\n:1\r\n";
  for (size_t chunk : {size_t(1), size_t(5), stream.size()}) {
    const Outcome outcome = read_in_chunks(stream, {chunk});
    ASSERT_EQ(outcome.replies.size(), 5u);
    EXPECT_TRUE(outcome.error.empty());
    EXPECT_TRUE(outcome.replies[1].elements[0].is_string("subscribe"));
    EXPECT_EQ(outcome.replies[1].elements[2], integer(2));
    const RespValue& message = outcome.replies[2];
    ASSERT_EQ(message.elements.size(), 3u);
    EXPECT_TRUE(message.elements[0].is_string("message"));
    EXPECT_EQ(message.elements[1].text, "room:aa");
    EXPECT_EQ(message.elements[2].text, "first");
    EXPECT_EQ(outcome.replies[3].elements[2], bulk(""));
    EXPECT_TRUE(outcome.replies[4].elements[0].is_string("unsubscribe"));
  }
}

/* ===== Truncation ===== */

TEST(RespReader, EveryTruncationOfAReplyNeedsMore) {
  for (const Sample& sample : samples()) {
    for (size_t length = 0; length < sample.wire.size(); ++length) {
      const Outcome outcome = read_whole(sample.wire.substr(0, length));
      EXPECT_TRUE(outcome.replies.empty()) << sample.name << " cut to " << length;
      EXPECT_EQ(outcome.error, "") << sample.name << " cut to " << length;
      EXPECT_EQ(outcome.consumed, length) << sample.name << " cut to " << length;
      EXPECT_EQ(outcome.need_more, length > 0) << sample.name << " cut to " << length;
    }
  }
}

TEST(RespReader, EmptyInputNeedsMoreAndConsumesNothing) {
  RespReader reader;
  RespReader::Status status = RespReader::Status::Error;
  EXPECT_EQ(reader.parse("", 0, &status), 0u);
  EXPECT_EQ(status, RespReader::Status::NeedMore);
}

/* ===== Limits reached exactly are still accepted ===== */

TEST(RespReader, AcceptsEachLimitReachedExactly) {
  RespLimits limits;
  limits.max_bulk_bytes = 10;
  limits.max_array_elements = 3;
  limits.max_depth = 2;
  limits.max_line_bytes = 6;
  EXPECT_EQ(read_whole("$10\r\n0123456789\r\n", limits).replies.at(0), bulk("0123456789"));
  EXPECT_EQ(read_whole("*3\r\n:1\r\n:2\r\n:3\r\n", limits).replies.at(0).elements.size(), 3u);
  EXPECT_EQ(read_whole("*2\r\n*0\r\n*1\r\n:1\r\n", limits).replies.at(0).elements.size(), 2u);
  EXPECT_EQ(read_whole("*1\r\n*1\r\n:1\r\n", limits).replies.size(), 1u);
  EXPECT_EQ(read_whole("+abcdef\r\n", limits).replies.at(0), simple("abcdef"));
  EXPECT_EQ(read_whole(":-12345\r\n", limits).replies.at(0), integer(-12345));

  RespLimits reply_limit;
  reply_limit.max_reply_bytes = 16;  // "*2\r\n$1\r\na\r\n:17\r\n" is exactly 16
  EXPECT_EQ(read_whole("*2\r\n$1\r\na\r\n:17\r\n", reply_limit).replies.at(0), array({bulk("a"), integer(17)}));
}

// The element limit and the reply limit count one reply: the next reply
// starts from zero.
TEST(RespReader, CountsLimitsPerReply) {
  RespLimits limits;
  limits.max_array_elements = 2;
  limits.max_reply_bytes = 12;
  const Outcome outcome = read_whole("*2\r\n:1\r\n:2\r\n*2\r\n:3\r\n:4\r\n+123456789\r\n", limits);
  EXPECT_EQ(outcome.error, "");
  EXPECT_EQ(outcome.replies.size(), 3u);
}
