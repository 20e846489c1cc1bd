// resp_writer_test.cpp: commands as RESP2 arrays of bulk strings (redis.io,
// "Sending commands to a Redis server"): the exact bytes of known commands,
// binary-safe arguments, the overloads agreeing, and the round trip: what
// the writer writes, the reader reads back as an array of the same bulks.
#include "redis/resp_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "redis/resp_reader.h"
#include "resp_test_support.h"

using namespace resp_test;

namespace {

RespValue bulks(const std::vector<std::string>& arguments) {
  std::vector<RespValue> elements;
  for (const std::string& argument : arguments) elements.push_back(bulk(argument));
  return array(elements);
}

std::string command(std::initializer_list<std::string_view> arguments) {
  std::string out;
  append_command(out, arguments);
  return out;
}

}  // namespace

/* ===== Exact bytes ===== */

TEST(RespWriter, WritesPingAsAnArrayOfOneBulk) {
  EXPECT_EQ(command({"PING"}), "*1\r\n$4\r\nPING\r\n");
}

TEST(RespWriter, WritesSetWithEachArgumentAsABulk) {
  EXPECT_EQ(command({"SET", "mykey", "myvalue"}), "*3\r\n$3\r\nSET\r\n$5\r\nmykey\r\n$7\r\nmyvalue\r\n");
}

TEST(RespWriter, WritesSubscribeWithSeveralChannels) {
  EXPECT_EQ(command({"SUBSCRIBE", "room:lobby", "room:rust"}),
            "*3\r\n$9\r\nSUBSCRIBE\r\n$10\r\nroom:lobby\r\n$9\r\nroom:rust\r\n");
}

TEST(RespWriter, WritesAnEmptyArgumentAsAnEmptyBulk) {
  EXPECT_EQ(command({"AUTH", ""}), "*2\r\n$4\r\nAUTH\r\n$0\r\n\r\n");
}

TEST(RespWriter, WritesACommandOfNoArgumentsAsAnEmptyArray) {
  EXPECT_EQ(command({}), "*0\r\n");
}

// Bulk strings carry their length, so CR, LF and NUL need no escaping.
TEST(RespWriter, WritesBinaryArgumentsAsTheyAre) {
  const std::string payload("a\r\nb\0\xff", 6);
  EXPECT_EQ(command({"PUBLISH", "room:x", payload}),
            std::string("*3\r\n$7\r\nPUBLISH\r\n$6\r\nroom:x\r\n$6\r\na\r\nb\0\xff\r\n", 41));
}

TEST(RespWriter, WritesMultiDigitLengths) {
  const std::string long_argument(1234, 'v');
  EXPECT_EQ(command({long_argument}), "*1\r\n$1234\r\n" + long_argument + "\r\n");
}

// The caller's buffer may already hold commands: pipelining is appending.
TEST(RespWriter, AppendsAfterWhatTheBufferHolds) {
  std::string out = "*1\r\n$4\r\nPING\r\n";
  append_command(out, {"GET", "k"});
  EXPECT_EQ(out, "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
}

TEST(RespWriter, WritesIntegerArgumentsInDecimal) {
  std::string out;
  append_array_header(out, 4);
  append_bulk(out, "EXPIRE");
  append_bulk(out, "history:lobby");
  append_bulk(out, int64_t{60});
  append_bulk(out, INT64_MIN);
  EXPECT_EQ(out, "*4\r\n$6\r\nEXPIRE\r\n$13\r\nhistory:lobby\r\n$2\r\n60\r\n$20\r\n-9223372036854775808\r\n");
}

TEST(RespWriter, EveryOverloadWritesTheSameBytes) {
  const std::vector<std::string> owned = {"EVALSHA", "0123abcd", "1", "room:lobby", std::string("x\0y", 3)};
  const std::vector<std::string_view> views(owned.begin(), owned.end());
  std::string from_list;
  append_command(from_list, {views[0], views[1], views[2], views[3], views[4]});
  std::string from_owned;
  append_command(from_owned, owned);
  std::string from_views;
  append_command(from_views, views);
  std::string from_pointer;
  append_command(from_pointer, views.data(), views.size());
  std::string piece_by_piece;
  append_array_header(piece_by_piece, 5);
  for (std::string_view argument : views) append_bulk(piece_by_piece, argument);
  EXPECT_EQ(from_owned, from_list);
  EXPECT_EQ(from_views, from_list);
  EXPECT_EQ(from_pointer, from_list);
  EXPECT_EQ(piece_by_piece, from_list);
}

/* ===== Round trip through the reader ===== */

TEST(RespWriter, ReaderReadsBackTheArgumentsAsAnArrayOfBulks) {
  std::string every_byte;
  for (int byte = 0; byte < 256; ++byte) every_byte.push_back(static_cast<char>(byte));
  const std::vector<std::vector<std::string>> commands = {
      {"PING"},
      {},
      {"SET", "k", ""},
      {"PUBLISH", "room:lobby", R"({"type":"message","text":"hi"})"},
      {"PUBLISH", "bytes", every_byte},
      {"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff831", "1", "room:x", "\r\n", "$-1\r\n"},
  };
  for (const std::vector<std::string>& arguments : commands) {
    std::string out;
    append_command(out, arguments);
    Outcome expected;
    expected.replies = {bulks(arguments)};
    expected.consumed = out.size();
    EXPECT_EQ(read_whole(out), expected);
    EXPECT_EQ(read_in_chunks(out, {1}), expected);
  }
}

TEST(RespWriter, ReaderReadsPipelinedCommandsOneByOne) {
  std::string out;
  append_command(out, {"SUBSCRIBE", "a"});
  append_command(out, {"PUBLISH", "a", "1"});
  append_command(out, {"QUIT"});
  const Outcome outcome = read_in_chunks(out, {3});
  ASSERT_EQ(outcome.replies.size(), 3u);
  EXPECT_EQ(outcome.replies[0], bulks({"SUBSCRIBE", "a"}));
  EXPECT_EQ(outcome.replies[1], bulks({"PUBLISH", "a", "1"}));
  EXPECT_EQ(outcome.replies[2], bulks({"QUIT"}));
}
