// json_rejection_test.cpp: every class of input the JSON reader must reject
// (RFC 8259 plus chatd's stricter choices), each with its exact message.
// Offsets in messages are 0-based byte positions in the input.

#include "json/json.h"

#include <gtest/gtest.h>

#include <string>

namespace {

// The error message parse_json gives for text, or "accepted".
std::string json_error(std::string_view text, const JsonLimits& limits = JsonLimits()) {
  JsonValue value;
  std::string error;
  if (parse_json(text, &value, &error, limits)) return "accepted";
  return error;
}

}  // namespace

/* ===== Rejected documents ===== */

TEST(JsonReader, RejectsOtherWhitespace) {
  EXPECT_EQ(json_error("\f1"), "unexpected character at byte 0");
  EXPECT_EQ(json_error("1\v"), "trailing data at byte 1");
  EXPECT_EQ(json_error("\xC2\xA0" "1"), "unexpected character at byte 0");  // NBSP
}

TEST(JsonReader, RejectsEmptyInput) {
  EXPECT_EQ(json_error(""), "unexpected end of input at byte 0");
  EXPECT_EQ(json_error("  "), "unexpected end of input at byte 2");
}

TEST(JsonReader, FailureLeavesOutputNull) {
  JsonValue value;
  std::string error;
  ASSERT_TRUE(parse_json(R"({"a":1})", &value, &error));
  EXPECT_FALSE(parse_json(R"({"a":[1,2,)", &value, &error));
  EXPECT_TRUE(value.is_null());
}

TEST(JsonReader, RejectsComments) {
  EXPECT_EQ(json_error(R"({"a":1 /* note */})"), "unexpected character at byte 7");
  EXPECT_EQ(json_error("// note\n1"), "unexpected character at byte 0");
}

TEST(JsonReader, RejectsTrailingCommas) {
  EXPECT_EQ(json_error("[1,2,]"), "unexpected character at byte 5");
  EXPECT_EQ(json_error(R"({"a":1,})"), "unexpected character at byte 7");
}

TEST(JsonReader, RejectsMissingSeparators) {
  EXPECT_EQ(json_error("[1 2]"), "unexpected character at byte 3");
  EXPECT_EQ(json_error(R"({"a" 1})"), "unexpected character at byte 5");
  EXPECT_EQ(json_error(R"({"a":})"), "unexpected character at byte 5");
  EXPECT_EQ(json_error(R"({a:1})"), "unexpected character at byte 1");
  EXPECT_EQ(json_error("[1,2"), "unexpected end of input at byte 4");
}

// RFC 8259 section 6: int = zero / ( digit1-9 *DIGIT ).
TEST(JsonReader, RejectsLeadingZeros) {
  EXPECT_EQ(json_error("01"), "leading zero at byte 0");
  EXPECT_EQ(json_error("[-007]"), "leading zero at byte 1");
}

TEST(JsonReader, RejectsPlusSign) {
  EXPECT_EQ(json_error("+1"), "unexpected character at byte 0");
  EXPECT_EQ(json_error("1e+1"), "accepted");  // but allowed in the exponent
}

TEST(JsonReader, RejectsFractionWithoutIntegerPart) {
  EXPECT_EQ(json_error(".5"), "unexpected character at byte 0");
  EXPECT_EQ(json_error("-.5"), "unexpected character at byte 1");
}

TEST(JsonReader, RejectsFractionWithoutDigits) {
  EXPECT_EQ(json_error("1."), "unexpected end of input at byte 2");
  EXPECT_EQ(json_error("[1.]"), "unexpected character at byte 3");
  EXPECT_EQ(json_error("1.e5"), "unexpected character at byte 2");
}

TEST(JsonReader, RejectsExponentWithoutDigits) {
  EXPECT_EQ(json_error("1e"), "unexpected end of input at byte 2");
  EXPECT_EQ(json_error("1e+"), "unexpected end of input at byte 3");
}

TEST(JsonReader, RejectsNanAndInfinity) {
  EXPECT_EQ(json_error("NaN"), "unexpected character at byte 0");
  EXPECT_EQ(json_error("Infinity"), "unexpected character at byte 0");
  EXPECT_EQ(json_error("-Infinity"), "unexpected character at byte 1");
}

TEST(JsonReader, RejectsNumberOutsideDoubleRange) {
  EXPECT_EQ(json_error("[1e400]"), "number out of range at byte 1");
  EXPECT_EQ(json_error("-1e400"), "number out of range at byte 0");
  EXPECT_EQ(json_error("1e-400"), "number out of range at byte 0");  // underflow
  EXPECT_EQ(json_error("4.9e-324"), "accepted");  // smallest subnormal still fits
}

TEST(JsonReader, RejectsHexadecimalNumbers) {
  EXPECT_EQ(json_error("0x10"), "trailing data at byte 1");
}

TEST(JsonReader, RejectsMisspelledLiterals) {
  EXPECT_EQ(json_error("tru"), "unexpected end of input at byte 3");
  EXPECT_EQ(json_error("nul1"), "unexpected character at byte 3");
  EXPECT_EQ(json_error("True"), "unexpected character at byte 0");
}

TEST(JsonReader, RejectsSingleQuotes) {
  EXPECT_EQ(json_error("'a'"), "unexpected character at byte 0");
  EXPECT_EQ(json_error("{'a':1}"), "unexpected character at byte 1");
}

// RFC 8259 section 7: U+0000 through U+001F must be escaped.
TEST(JsonReader, RejectsEveryUnescapedControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    std::string text = "\"ab";
    text.push_back(static_cast<char>(c));
    text += "\"";
    EXPECT_EQ(json_error(text), "control character in string at byte 3") << "byte " << c;
  }
}

TEST(JsonReader, RejectsUnterminatedString) {
  EXPECT_EQ(json_error("\"abc"), "unterminated string at byte 4");
  EXPECT_EQ(json_error("\"abc\\"), "unterminated string at byte 5");
}

TEST(JsonReader, RejectsInvalidEscapes) {
  EXPECT_EQ(json_error(R"("\x41")"), "invalid escape at byte 1");
  EXPECT_EQ(json_error(R"("\'")"), "invalid escape at byte 1");
  EXPECT_EQ(json_error(R"("\U0041")"), "invalid escape at byte 1");
  EXPECT_EQ(json_error(R"("ab\u12G4")"), "invalid escape at byte 3");
  EXPECT_EQ(json_error(R"("\u12")"), "invalid escape at byte 1");
  EXPECT_EQ(json_error("\"\\u12"), "invalid escape at byte 1");
}

// RFC 8259 section 8.2: strings must be valid UTF-16 once unescaped.
TEST(JsonReader, RejectsLoneHighSurrogate) {
  EXPECT_EQ(json_error(R"("\ud800")"), "unpaired surrogate at byte 1");
  EXPECT_EQ(json_error(R"("\ud800x")"), "unpaired surrogate at byte 1");
  EXPECT_EQ(json_error(R"("\ud800\u0041")"), "unpaired surrogate at byte 1");
  EXPECT_EQ(json_error(R"("\ud800\ud800")"), "unpaired surrogate at byte 1");
  EXPECT_EQ(json_error(R"("\ud800\n")"), "unpaired surrogate at byte 1");
}

TEST(JsonReader, RejectsLowSurrogateFirst) {
  EXPECT_EQ(json_error(R"("\udc00")"), "unpaired surrogate at byte 1");
  EXPECT_EQ(json_error(R"("x\udc00\ud800")"), "unpaired surrogate at byte 2");
}

TEST(JsonReader, RejectsBrokenEscapeInSecondHalfOfPair) {
  EXPECT_EQ(json_error(R"("\ud800\uzz00")"), "invalid escape at byte 7");
}

// RFC 8259 section 8.1 and RFC 3629 section 4.
TEST(JsonReader, RejectsInvalidUtf8InStrings) {
  EXPECT_EQ(json_error("\"a\x80\""), "invalid UTF-8 at byte 2");          // lone continuation
  EXPECT_EQ(json_error("\"\xC0\xAF\""), "invalid UTF-8 at byte 1");       // overlong '/'
  EXPECT_EQ(json_error("\"\xE0\x80\x80\""), "invalid UTF-8 at byte 1");   // overlong NUL
  EXPECT_EQ(json_error("\"\xED\xA0\x80\""), "invalid UTF-8 at byte 1");   // U+D800 encoded
  EXPECT_EQ(json_error("\"\xF4\x90\x80\x80\""), "invalid UTF-8 at byte 1");  // > U+10FFFF
  EXPECT_EQ(json_error("\"\xF5\x80\x80\x80\""), "invalid UTF-8 at byte 1");
  EXPECT_EQ(json_error("\"\xE2\x82\""), "invalid UTF-8 at byte 1");       // truncated
  EXPECT_EQ(json_error("\"\xE2\x82"), "invalid UTF-8 at byte 1");         // truncated at end
  EXPECT_EQ(json_error("\"\xFF\""), "invalid UTF-8 at byte 1");
}

// The offset names the first byte of the bad sequence, also when valid
// characters come right before it with no ASCII between ("\xC3\xA9" is é).
TEST(JsonReader, InvalidUtf8AfterValidCharactersIsReportedAtItsOwnFirstByte) {
  EXPECT_EQ(json_error("\"\xC3\xA9\x80\""), "invalid UTF-8 at byte 3");          // stray continuation
  EXPECT_EQ(json_error("\"\xC3\xA9\xE2\x82\""), "invalid UTF-8 at byte 3");      // truncated
  EXPECT_EQ(json_error("\"\xC3\xA9\xC3\xA9\xED\xA0\x80\""), "invalid UTF-8 at byte 5");  // surrogate
}

TEST(JsonReader, RejectsNonAsciiOutsideStrings) {
  EXPECT_EQ(json_error("\xEF\xBB\xBF{}"), "unexpected character at byte 0");  // BOM
  EXPECT_EQ(json_error("[1,\xC3\xA9]"), "unexpected character at byte 3");
}

TEST(JsonReader, RejectsDuplicateKeys) {
  EXPECT_EQ(json_error(R"({"a":1,"b":2,"a":3})"), "duplicate key at byte 13");
  // Escapes are decoded before comparing: "\u0061" is "a".
  EXPECT_EQ(json_error(R"({"a":1,"\u0061":2})"), "duplicate key at byte 7");
}

TEST(JsonReader, RejectsDuplicateKeyInLargeObject) {
  std::string text = "{";
  for (int i = 0; i < 40; ++i) text += "\"k" + std::to_string(i) + "\":0,";
  const size_t repeat_offset = text.size();
  text += "\"k5\":1,\"k7\":1}";
  EXPECT_EQ(json_error(text), "duplicate key at byte " + std::to_string(repeat_offset));
}

TEST(JsonReader, AcceptsLargeObjectWithDistinctKeys) {
  std::string text = "{";
  for (int i = 0; i < 4000; ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  text += "}";
  JsonLimits limits;
  limits.max_bytes = text.size();
  EXPECT_EQ(json_error(text, limits), "accepted");
}

TEST(JsonReader, RejectsTrailingGarbage) {
  EXPECT_EQ(json_error("{} x"), "trailing data at byte 3");
  EXPECT_EQ(json_error("1 2"), "trailing data at byte 2");
  EXPECT_EQ(json_error("truex"), "trailing data at byte 4");
  EXPECT_EQ(json_error("[]]"), "trailing data at byte 2");
  EXPECT_EQ(json_error(std::string("{}\0", 3)), "trailing data at byte 2");
}
