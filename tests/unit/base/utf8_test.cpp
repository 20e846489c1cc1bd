// utf8_test.cpp: Utf8Validator and is_valid_utf8 against RFC 3629 section 4
// (the well-formed byte sequences), as RFC 6455 section 8.1 requires for text
// messages: boundary code points, each class of ill-formed input, feeding in
// any split, failure at the first bad byte, and an exhaustive comparison with
// a plain decoder written for this test.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/utf8.h"

namespace {

// Feeds one byte at a time; returns the index of the byte after which the
// validator failed, or input.size() if it never did.
size_t first_failing_byte(const std::string& input) {
  Utf8Validator validator;
  for (size_t index = 0; index < input.size(); ++index) {
    if (!validator.feed(input.substr(index, 1))) return index;
  }
  return input.size();
}

// The reference: decode each sequence the long way and check the code point
// against the ranges RFC 3629 allows. Slow and obvious on purpose.
bool reference_is_valid(const std::string& input) {
  size_t index = 0;
  while (index < input.size()) {
    const unsigned lead = static_cast<uint8_t>(input[index]);
    size_t length;
    uint32_t code_point;
    if (lead < 0x80) {
      length = 1, code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code_point = lead & 0x07;
    } else {
      return false;
    }
    if (index + length > input.size()) return false;
    for (size_t offset = 1; offset < length; ++offset) {
      const unsigned byte = static_cast<uint8_t>(input[index + offset]);
      if ((byte & 0xC0) != 0x80) return false;
      code_point = code_point << 6 | (byte & 0x3F);
    }
    static const uint32_t kSmallestOfLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallestOfLength[length]) return false;        // overlong
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;  // surrogate
    if (code_point > 0x10FFFF) return false;
    index += length;
  }
  return true;
}

// Valid and invalid samples for the split tests.
const std::vector<std::string> kSamples = {
    "",
    "plain ASCII that is longer than one eight-byte word",
    "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5",  // κόσμε
    "mixed: caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80 and more ASCII after it",
    "\xf4\x8f\xbf\xbf",
    "ASCII run then \xed\xa0\x80 a surrogate",
    "overlong \xc0\xaf slash",
    "truncated at the end \xe2\x82",
    "stray \x80 continuation",
    "\xf5\x80\x80\x80",
};

}  // namespace

/* ===== Valid input ===== */

TEST(Utf8Validator, AcceptsEmptyInput) { EXPECT_TRUE(is_valid_utf8("")); }

TEST(Utf8Validator, AcceptsAsciiUpToU007F) {
  EXPECT_TRUE(is_valid_utf8(std::string("\x00 hello \x7f", 9)));
}

TEST(Utf8Validator, AcceptsTwoByteBoundariesU0080AndU07FF) {
  EXPECT_TRUE(is_valid_utf8("\xc2\x80"));
  EXPECT_TRUE(is_valid_utf8("\xdf\xbf"));
}

TEST(Utf8Validator, AcceptsThreeByteBoundariesU0800AndUFFFF) {
  EXPECT_TRUE(is_valid_utf8("\xe0\xa0\x80"));
  EXPECT_TRUE(is_valid_utf8("\xef\xbf\xbf"));
}

TEST(Utf8Validator, AcceptsCodePointsAroundTheSurrogates) {
  EXPECT_TRUE(is_valid_utf8("\xed\x9f\xbf"));  // U+D7FF
  EXPECT_TRUE(is_valid_utf8("\xee\x80\x80"));  // U+E000
}

TEST(Utf8Validator, AcceptsFourByteBoundariesU10000AndU10FFFF) {
  EXPECT_TRUE(is_valid_utf8("\xf0\x90\x80\x80"));
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));
}

TEST(Utf8Validator, AcceptsMixedText) {
  EXPECT_TRUE(is_valid_utf8("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"));  // κόσμε
  EXPECT_TRUE(is_valid_utf8(kSamples[3]));
}

/* ===== Each class of ill-formed input ===== */

TEST(Utf8Validator, RejectsOverlongTwoByteLeadsC0AndC1) {
  EXPECT_FALSE(is_valid_utf8("\xc0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc1\xbf"));
}

TEST(Utf8Validator, RejectsOverlongThreeByteE0With80To9F) {
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xe0\x9f\xbf"));
}

TEST(Utf8Validator, RejectsOverlongFourByteF0With80To8F) {
  EXPECT_FALSE(is_valid_utf8("\xf0\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xf0\x8f\xbf\xbf"));
}

TEST(Utf8Validator, RejectsSurrogatesEDA0ToBF) {
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // U+D800
  EXPECT_FALSE(is_valid_utf8("\xed\xbf\xbf"));  // U+DFFF
}

TEST(Utf8Validator, RejectsCodePointsAboveU10FFFF) {
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // U+110000
  for (int lead = 0xF5; lead <= 0xFF; ++lead) {
    EXPECT_FALSE(is_valid_utf8(std::string(1, static_cast<char>(lead)) + "\x80\x80\x80")) << lead;
  }
}

TEST(Utf8Validator, RejectsStrayContinuationBytes) {
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("a\xbf"));
  EXPECT_FALSE(is_valid_utf8("\xc3\xa9\xa9"));
}

TEST(Utf8Validator, RejectsLeadByteFollowedByNonContinuation) {
  EXPECT_FALSE(is_valid_utf8("\xc3("));
  EXPECT_FALSE(is_valid_utf8("\xe2\x82("));
  EXPECT_FALSE(is_valid_utf8("\xf0\x9f\x98("));
}

TEST(Utf8Validator, RejectsSequenceTruncatedAtTheEnd) {
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xf0\x9f\x98"));
}

/* ===== Incremental feeding ===== */

TEST(Utf8Validator, TruncatedSequenceIsIncompleteButNotFailed) {
  Utf8Validator validator;
  EXPECT_TRUE(validator.feed("\xe2\x82"));
  EXPECT_FALSE(validator.complete());
  EXPECT_FALSE(validator.failed());
  EXPECT_TRUE(validator.feed("\xac"));  // U+20AC, the euro sign
  EXPECT_TRUE(validator.complete());
}

TEST(Utf8Validator, SplitAtEveryPositionAgreesWithOneShot) {
  for (const std::string& sample : kSamples) {
    const bool expected = is_valid_utf8(sample);
    for (size_t split = 0; split <= sample.size(); ++split) {
      Utf8Validator validator;
      validator.feed(sample.substr(0, split));
      validator.feed(sample.substr(split));
      EXPECT_EQ(validator.complete(), expected) << "sample \"" << sample << "\" split at " << split;
    }
  }
}

TEST(Utf8Validator, OneByteAtATimeAgreesWithOneShot) {
  for (const std::string& sample : kSamples) {
    Utf8Validator validator;
    for (char byte : sample) validator.feed(std::string(1, byte));
    EXPECT_EQ(validator.complete(), is_valid_utf8(sample)) << sample;
  }
}

TEST(Utf8Validator, StaysFailedUntilReset) {
  Utf8Validator validator;
  EXPECT_FALSE(validator.feed("\xff"));
  EXPECT_FALSE(validator.feed("valid"));
  EXPECT_TRUE(validator.failed());
  validator.reset();
  EXPECT_TRUE(validator.feed("valid"));
  EXPECT_TRUE(validator.complete());
}

/* ===== Failing at the first bad byte ===== */

// κόσμε followed by ED A0 80 (U+D800): ED could still begin U+D000-U+D7FF, so
// the text only becomes invalid when A0 arrives, at index 12.
TEST(Utf8Validator, FailsWhenSurrogateSecondByteArrives) {
  EXPECT_EQ(first_failing_byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"), 12u);
}

TEST(Utf8Validator, FailsAtFirstBadByteOfEachClass) {
  EXPECT_EQ(first_failing_byte("ab\xc0\x80"), 2u);          // C0 can begin nothing
  EXPECT_EQ(first_failing_byte("ab\xe0\x9f\x80"), 3u);      // overlong shows at 9F
  EXPECT_EQ(first_failing_byte("ab\xf0\x8f\x80\x80"), 3u);  // overlong shows at 8F
  EXPECT_EQ(first_failing_byte("ab\xf4\x90\x80\x80"), 3u);  // above U+10FFFF shows at 90
  EXPECT_EQ(first_failing_byte("ab\xf5"), 2u);
  EXPECT_EQ(first_failing_byte("ab\xe2\x82x"), 4u);         // missing continuation
  EXPECT_EQ(first_failing_byte("ab\x80"), 2u);
}

// The eight-byte ASCII shortcut must not step over a bad byte wherever it falls.
TEST(Utf8Validator, FindsBadByteAtEveryOffsetInAnAsciiRun) {
  for (size_t offset = 0; offset < 40; ++offset) {
    std::string text(40, 'a');
    text[offset] = '\xff';
    EXPECT_FALSE(is_valid_utf8(text)) << offset;
    EXPECT_EQ(first_failing_byte(text), offset);
  }
}

/* ===== Exhaustive comparison with the reference decoder ===== */

TEST(Utf8Validator, AgreesWithReferenceOnEveryOneAndTwoByteString) {
  for (int first = 0; first < 256; ++first) {
    const std::string one(1, static_cast<char>(first));
    ASSERT_EQ(is_valid_utf8(one), reference_is_valid(one)) << first;
    for (int second = 0; second < 256; ++second) {
      const std::string two = one + static_cast<char>(second);
      ASSERT_EQ(is_valid_utf8(two), reference_is_valid(two)) << first << " " << second;
    }
  }
}

TEST(Utf8Validator, AgreesWithReferenceOnEveryThreeByteStringWithLeadE0ToEF) {
  std::string three(3, '\0');
  for (int lead = 0xE0; lead <= 0xEF; ++lead) {
    for (int second = 0; second < 256; ++second) {
      for (int third = 0; third < 256; ++third) {
        three[0] = static_cast<char>(lead), three[1] = static_cast<char>(second), three[2] = static_cast<char>(third);
        ASSERT_EQ(is_valid_utf8(three), reference_is_valid(three)) << lead << " " << second << " " << third;
      }
    }
  }
}

TEST(Utf8Validator, AgreesWithReferenceOnFourByteStringsWithLeadF0ToF7) {
  const int tails[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  std::string four(4, '\0');
  for (int lead = 0xF0; lead <= 0xF7; ++lead) {
    for (int second = 0; second < 256; ++second) {
      for (int third : tails) {
        for (int fourth : tails) {
          four[0] = static_cast<char>(lead), four[1] = static_cast<char>(second);
          four[2] = static_cast<char>(third), four[3] = static_cast<char>(fourth);
          ASSERT_EQ(is_valid_utf8(four), reference_is_valid(four)) << lead << " " << second;
        }
      }
    }
  }
}
