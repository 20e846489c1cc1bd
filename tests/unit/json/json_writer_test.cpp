// json_writer_test.cpp: the JSON writer (RFC 8259 section 7 escaping,
// automatic commas) and round trips of awkward text through writer and
// reader.

#include "json/json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace {

std::string escaped(std::string_view text) {
  std::string out;
  append_json_string(&out, text);
  return out;
}

}  // namespace

/* ===== Writer ===== */

// RFC 8259 section 7.
TEST(JsonWriter, EscapesQuoteBackslashAndControlCharacters) {
  EXPECT_EQ(escaped("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(escaped("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(escaped(std::string("\x00\x01\x1f\x0b", 4)), R"("\u0000\u0001\u001f\u000b")");
}

TEST(JsonWriter, LeavesSlashDelAndNonAsciiUnescaped) {
  EXPECT_EQ(escaped("a/b\x7F"), "\"a/b\x7F\"");
  EXPECT_EQ(escaped("\xC3\xA9 \xE2\x82\xAC \xE2\x80\xA6 \xF0\x9F\x98\x80"),
            "\"\xC3\xA9 \xE2\x82\xAC \xE2\x80\xA6 \xF0\x9F\x98\x80\"");
}

TEST(JsonWriter, EscapesLineAndParagraphSeparators) {
  EXPECT_EQ(escaped("a\xE2\x80\xA8" "b\xE2\x80\xA9"), R"("a\u2028b\u2029")");
}

TEST(JsonWriter, AppendsWithoutReplacingExistingText) {
  std::string out = "prefix:";
  append_json_string(&out, "x");
  EXPECT_EQ(out, "prefix:\"x\"");
}

TEST(JsonWriter, WritesChatMessageExactly) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object()
      .key("type").string("message")
      .key("room").string("lobby")
      .key("from").string("ana")
      .key("text").string("hi \"bob\"\n\xF0\x9F\x91\x8B")
      .key("seq").number(7)
      .key("ts").number(uint64_t{1700000000123})
      .end_object();
  EXPECT_EQ(out,
            "{\"type\":\"message\",\"room\":\"lobby\",\"from\":\"ana\","
            "\"text\":\"hi \\\"bob\\\"\\n\xF0\x9F\x91\x8B\",\"seq\":7,\"ts\":1700000000123}");
}

TEST(JsonWriter, InsertsCommasAcrossNestedContainers) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object()
      .key("users").begin_array().string("a").string("b").end_array()
      .key("count").number(2)
      .key("meta").begin_object().end_object()
      .key("rows").begin_array().begin_array().end_array().begin_array().null().end_array().end_array()
      .key("ok").boolean(true)
      .end_object();
  EXPECT_EQ(out, R"({"users":["a","b"],"count":2,"meta":{},"rows":[[],[null]],"ok":true})");
}

TEST(JsonWriter, RawValuesGetCommasLikeAnyOther) {
  std::string out;
  JsonWriter w(&out);
  w.begin_array().raw(R"({"a":1})").raw("[2]").boolean(false).end_array();
  EXPECT_EQ(out, R"([{"a":1},[2],false])");
}

TEST(JsonWriter, WritesIntegerExtremes) {
  std::string out;
  JsonWriter w(&out);
  w.begin_array()
      .number(std::numeric_limits<int64_t>::min())
      .number(std::numeric_limits<uint64_t>::max())
      .number(-1)
      .number(0u)
      .end_array();
  EXPECT_EQ(out, "[-9223372036854775808,18446744073709551615,-1,0]");
}

/* ===== Round trips ===== */

TEST(JsonRoundTrip, EveryControlCharacterQuoteAndBackslash) {
  std::string text;
  for (int c = 0; c < 0x20; ++c) text.push_back(static_cast<char>(c));
  text += "\"\\/ plain";
  std::string json = escaped(text);
  for (char c : json) EXPECT_GE(static_cast<unsigned char>(c), 0x20u);
  JsonValue value;
  std::string error;
  ASSERT_TRUE(parse_json(json, &value, &error)) << error;
  EXPECT_EQ(value.as_string(), text);
}

TEST(JsonRoundTrip, NonAsciiEmojiAndSeparators) {
  const std::string text =
      "h\xC3\xA9llo \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD "
      "\xE2\x80\xA8\xE2\x80\xA9 \xEF\xBF\xBF \xF4\x8F\xBF\xBF";
  JsonValue value;
  std::string error;
  ASSERT_TRUE(parse_json(escaped(text), &value, &error)) << error;
  EXPECT_EQ(value.as_string(), text);
}

TEST(JsonRoundTrip, WriterDocumentParsesBackToSameValues) {
  std::string out;
  JsonWriter w(&out);
  std::string awkward = "tab\there \"quoted\" back\\slash \x01 \xF0\x9F\x98\x80";
  w.begin_object().key(awkward).string(awkward).key("n").number(int64_t{-42}).end_object();
  JsonValue value;
  std::string error;
  ASSERT_TRUE(parse_json(out, &value, &error)) << error;
  ASSERT_EQ(value.members().size(), 2u);
  EXPECT_EQ(value.members()[0].first, awkward);
  EXPECT_EQ(*value.find_string(awkward), awkward);
  EXPECT_EQ(value.find("n")->as_number(), -42.0);
}
