// json_test.cpp: the JSON reader (RFC 8259) as a specification: documents
// it accepts, the exact values it produces, and its three limits.
//
// Rejections are in json_rejection_test.cpp, the writer and round trips in
// json_writer_test.cpp.

#include "json/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace {

// The error message parse_json gives for text, or "accepted".
std::string json_error(std::string_view text, const JsonLimits& limits = JsonLimits()) {
  JsonValue value;
  std::string error;
  if (parse_json(text, &value, &error, limits)) return "accepted";
  return error;
}

JsonValue parse_or_fail(std::string_view text) {
  JsonValue value;
  std::string error;
  EXPECT_TRUE(parse_json(text, &value, &error)) << error << " in: " << text;
  return value;
}

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

/* ===== Accepted documents ===== */

TEST(JsonReader, ParsesObjectWithEveryValueType) {
  JsonValue doc = parse_or_fail(
      R"({"s":"text","n":-12.5,"t":true,"f":false,"z":null,"a":[1,"two"],"o":{}})");
  ASSERT_TRUE(doc.is_object());
  ASSERT_EQ(doc.members().size(), 7u);
  EXPECT_EQ(doc.members()[0].first, "s");
  EXPECT_EQ(*doc.find_string("s"), "text");
  EXPECT_EQ(doc.find("n")->as_number(), -12.5);
  EXPECT_TRUE(doc.find("t")->is_bool());
  EXPECT_TRUE(doc.find("t")->as_bool());
  EXPECT_FALSE(doc.find("f")->as_bool());
  EXPECT_TRUE(doc.find("z")->is_null());
  ASSERT_TRUE(doc.find("a")->is_array());
  ASSERT_EQ(doc.find("a")->items().size(), 2u);
  EXPECT_EQ(doc.find("a")->items()[0].as_number(), 1.0);
  EXPECT_EQ(doc.find("a")->items()[1].as_string(), "two");
  EXPECT_TRUE(doc.find("o")->is_object());
  EXPECT_TRUE(doc.find("o")->members().empty());
}

TEST(JsonReader, KeepsMembersInDocumentOrder) {
  JsonValue doc = parse_or_fail(R"({"b":1,"a":2,"c":3})");
  ASSERT_EQ(doc.members().size(), 3u);
  EXPECT_EQ(doc.members()[0].first, "b");
  EXPECT_EQ(doc.members()[1].first, "a");
  EXPECT_EQ(doc.members()[2].first, "c");
}

// RFC 8259 section 2: any value may be the whole text, not only objects.
TEST(JsonReader, AcceptsScalarAsWholeDocument) {
  EXPECT_EQ(parse_or_fail("42").as_number(), 42.0);
  EXPECT_EQ(parse_or_fail(R"("hi")").as_string(), "hi");
  EXPECT_TRUE(parse_or_fail("true").as_bool());
  EXPECT_TRUE(parse_or_fail("null").is_null());
}

// RFC 8259 section 2: insignificant whitespace is space, tab, LF and CR.
TEST(JsonReader, AcceptsWhitespaceAroundEveryToken) {
  JsonValue doc = parse_or_fail(" \t\r\n{ \"a\" :\t[ 1 ,\r\n2 ] } \n");
  ASSERT_EQ(doc.find("a")->items().size(), 2u);
  EXPECT_EQ(doc.find("a")->items()[1].as_number(), 2.0);
}

// RFC 8259 section 6.
TEST(JsonReader, ParsesNumbersToExactDoubles) {
  EXPECT_EQ(parse_or_fail("0").as_number(), 0.0);
  EXPECT_TRUE(std::signbit(parse_or_fail("-0").as_number()));
  EXPECT_EQ(parse_or_fail("1.5").as_number(), 1.5);
  EXPECT_EQ(parse_or_fail("1e3").as_number(), 1000.0);
  EXPECT_EQ(parse_or_fail("1E-2").as_number(), 0.01);
  EXPECT_EQ(parse_or_fail("-123.456e+2").as_number(), -12345.6);
  EXPECT_EQ(parse_or_fail("0.1").as_number(), 0.1);
  EXPECT_EQ(parse_or_fail("9007199254740992").as_number(), 9007199254740992.0);
  EXPECT_EQ(parse_or_fail("1.7976931348623157e308").as_number(),
            std::numeric_limits<double>::max());
}

// RFC 8259 section 7: the two-character escapes.
TEST(JsonReader, DecodesShortEscapes) {
  EXPECT_EQ(parse_or_fail(R"("\"\\\/\b\f\n\r\t")").as_string(), "\"\\/\b\f\n\r\t");
}

TEST(JsonReader, DecodesUnicodeEscapesToUtf8) {
  EXPECT_EQ(parse_or_fail(R"("\u0041")").as_string(), "A");
  EXPECT_EQ(parse_or_fail(R"("\u00e9")").as_string(), "\xC3\xA9");
  EXPECT_EQ(parse_or_fail(R"("\u20AC")").as_string(), "\xE2\x82\xAC");
  EXPECT_EQ(parse_or_fail(R"("\uFFFF")").as_string(), "\xEF\xBF\xBF");
}

// RFC 8259 section 7: U+1F600 is written as the pair \ud83d\ude00.
TEST(JsonReader, CombinesSurrogatePairIntoOneCodePoint) {
  EXPECT_EQ(parse_or_fail(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(parse_or_fail(R"("\uDBFF\uDFFF")").as_string(), "\xF4\x8F\xBF\xBF");
}

TEST(JsonReader, DecodesEscapedNulAsOneByte) {
  EXPECT_EQ(parse_or_fail(R"("a\u0000b")").as_string(), std::string("a\0b", 3));
}

TEST(JsonReader, KeepsRawUtf8InStrings) {
  const std::string text = "h\xC3\xA9llo \xF0\x9F\x98\x80 \xE4\xB8\xAD \x7F";
  EXPECT_EQ(parse_or_fail("\"" + text + "\"").as_string(), text);
}

TEST(JsonReader, AllowsSameKeyInDifferentObjects) {
  EXPECT_EQ(json_error(R"({"a":{"a":1},"b":{"a":2}})"), "accepted");
}

TEST(JsonValue, FindReturnsNullForMissingKeyOrNonObject) {
  JsonValue doc = parse_or_fail(R"({"n":1})");
  EXPECT_EQ(doc.find("missing"), nullptr);
  EXPECT_EQ(parse_or_fail("[1]").find("n"), nullptr);
}

TEST(JsonValue, FindStringReturnsNullForNonString) {
  JsonValue doc = parse_or_fail(R"({"n":1,"s":"x"})");
  EXPECT_EQ(doc.find_string("n"), nullptr);
  EXPECT_EQ(doc.find_string("missing"), nullptr);
  ASSERT_NE(doc.find_string("s"), nullptr);
  EXPECT_EQ(*doc.find_string("s"), "x");
}

/* ===== Limits ===== */

TEST(JsonLimits, AcceptsNestingAtMaxDepth) {
  EXPECT_EQ(json_error(nested_arrays(16)), "accepted");
}

TEST(JsonLimits, RejectsNestingBeyondMaxDepth) {
  EXPECT_EQ(json_error(nested_arrays(17)), "nesting too deep at byte 16");
}

TEST(JsonLimits, CountsObjectsTowardDepth) {
  std::string text;
  for (int i = 0; i < 17; ++i) text += "{\"a\":";
  text += "1" + std::string(17, '}');
  EXPECT_EQ(json_error(text), "nesting too deep at byte 80");
}

TEST(JsonLimits, RejectsHostileDepthWithoutDeepRecursion) {
  JsonLimits limits;
  limits.max_bytes = 10'000'000;
  EXPECT_EQ(json_error(std::string(10'000'000, '['), limits), "nesting too deep at byte 16");
}

TEST(JsonLimits, CountsEveryValueButNotKeys) {
  JsonLimits limits;
  limits.max_values = 3;
  EXPECT_EQ(json_error("[1,2]", limits), "accepted");
  EXPECT_EQ(json_error(R"({"a":1,"b":2})", limits), "accepted");
  EXPECT_EQ(json_error("[1,2,3]", limits), "too many values at byte 5");
  EXPECT_EQ(json_error("[[],[]]", limits), "accepted");
  EXPECT_EQ(json_error("[[[]]]", limits), "accepted");
  EXPECT_EQ(json_error("[[[[]]]]", limits), "too many values at byte 3");
}

TEST(JsonLimits, RejectsInputLargerThanMaxBytes) {
  JsonLimits limits;
  limits.max_bytes = 8;
  EXPECT_EQ(json_error("[1,2,3] ", limits), "accepted");
  EXPECT_EQ(json_error("[1,2,3]  ", limits), "input too large at byte 8");
}

TEST(JsonLimits, HonoursCustomMaxDepth) {
  JsonLimits limits;
  limits.max_depth = 2;
  EXPECT_EQ(json_error(R"([{"a":1}])", limits), "accepted");
  EXPECT_EQ(json_error(R"([{"a":[]}])", limits), "nesting too deep at byte 6");
  limits.max_depth = 0;
  EXPECT_EQ(json_error("7", limits), "accepted");
  EXPECT_EQ(json_error("[]", limits), "nesting too deep at byte 0");
}
