// ascii_test.cpp: the ASCII case folding of src/base/ascii.h that HTTP field
// names, upgrade tokens and URI schemes compare with (RFC 9110 section 5.1).
#include "base/ascii.h"

#include <gtest/gtest.h>

namespace {

TEST(Ascii, OnlyUpperCaseLettersFoldToLowerCase) {
  EXPECT_EQ(to_lower_ascii('A'), 'a');
  EXPECT_EQ(to_lower_ascii('Z'), 'z');
  EXPECT_EQ(to_lower_ascii('a'), 'a');
  EXPECT_EQ(to_lower_ascii('@'), '@');  // just below 'A'
  EXPECT_EQ(to_lower_ascii('['), '[');  // just above 'Z'
  EXPECT_EQ(to_lower_ascii('\xC3'), '\xC3');
}

TEST(Ascii, FieldNamesCompareEqualInAnyCase) {
  static_assert(equals_ignoring_ascii_case("Sec-WebSocket-Key", "sec-websocket-key"));
  EXPECT_TRUE(equals_ignoring_ascii_case("UPGRADE", "upgrade"));
  EXPECT_TRUE(equals_ignoring_ascii_case("", ""));
}

TEST(Ascii, DifferentLettersOrLengthsAreNotEqual) {
  EXPECT_FALSE(equals_ignoring_ascii_case("Upgrade", "Upgrades"));
  EXPECT_FALSE(equals_ignoring_ascii_case("Host", "Hose"));
  // '@' and '`' differ from 'A' and 'a' by the same 32 as the letters do, yet
  // are not letters and must not fold onto each other.
  EXPECT_FALSE(equals_ignoring_ascii_case("@", "`"));
}

// "É" (C3 89) and "é" (C3 A9): Unicode case pairs, but not ASCII ones.
TEST(Ascii, NonAsciiBytesCompareExactly) {
  EXPECT_FALSE(equals_ignoring_ascii_case("\xC3\x89", "\xC3\xA9"));
}

TEST(Ascii, APrefixMatchesInAnyCase) {
  EXPECT_TRUE(starts_with_ignoring_ascii_case("HTTPS://chat.example", "https://"));
  EXPECT_TRUE(starts_with_ignoring_ascii_case("http", "HTTP"));
  EXPECT_FALSE(starts_with_ignoring_ascii_case("http:", "https"));
  EXPECT_FALSE(starts_with_ignoring_ascii_case("ftp://", "http"));
}

}  // namespace
