// sha1_test.cpp: SHA-1 against the FIPS 180-4 / RFC 3174 test vectors, and
// the incremental interface against the one-shot one for every way of
// splitting the input. Boundary lengths (55, 56, 63, 64 bytes) exercise the
// padding rule that may need an extra block (FIPS 180-4 section 5.1.1).
#include "http/sha1.h"

#include <gtest/gtest.h>

#include <string>

namespace {

std::string to_hex(const Sha1Digest& digest) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t byte : digest) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 15];
  }
  return hex;
}

const char kAbc[] = "abc";
const char k448Bits[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const char k896Bits[] =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmn"
    "opqrsmnopqrstnopqrstu";

// Feeds input in two pieces split at every possible point.
void expect_every_two_piece_split_matches(const std::string& input) {
  Sha1Digest expected = sha1(input);
  for (size_t split = 0; split <= input.size(); ++split) {
    Sha1 hasher;
    hasher.update(input.data(), split);
    hasher.update(input.data() + split, input.size() - split);
    EXPECT_EQ(hasher.finish(), expected) << "split at " << split;
  }
}

void expect_byte_by_byte_matches(const std::string& input) {
  Sha1 hasher;
  for (char byte : input) hasher.update(&byte, 1);
  EXPECT_EQ(hasher.finish(), sha1(input));
}

}  // namespace

// FIPS 180-4 example "SHA1-One Block Message"; RFC 3174 section 7.3 TEST1.
TEST(Sha1, AbcVector) {
  EXPECT_EQ(to_hex(sha1(kAbc)), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Sha1, EmptyInputVector) {
  EXPECT_EQ(to_hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

// FIPS 180-4 "SHA1-Two Block Message"; RFC 3174 TEST2.
TEST(Sha1, FourHundredFortyEightBitVector) {
  EXPECT_EQ(to_hex(sha1(k448Bits)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(Sha1, EightHundredNinetySixBitVector) {
  EXPECT_EQ(to_hex(sha1(k896Bits)), "a49b2446a02c645bf419f995b67091253a04a259");
}

// RFC 3174 TEST3.
TEST(Sha1, OneMillionLetterAVector) {
  EXPECT_EQ(to_hex(sha1(std::string(1000000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

// RFC 3174 TEST4: 640 bytes, ten full blocks plus a padding-only block.
TEST(Sha1, RepeatedDigitsVector) {
  std::string input;
  for (int i = 0; i < 10; ++i) input += "0123456701234567012345670123456701234567012345670123456701234567";
  EXPECT_EQ(to_hex(sha1(input)), "dea356a2cddd90c7a7ecedc5ebb563934f460452");
}

// 55 bytes is the longest message whose padding fits in its own block; from
// 56 on, the length field spills into a second block.
TEST(Sha1, PaddingBoundaryLengths) {
  EXPECT_EQ(to_hex(sha1(std::string(55, 'a'))), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(to_hex(sha1(std::string(56, 'a'))), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(to_hex(sha1(std::string(63, 'a'))), "03f09f5b158a7a8cdad920bddc29b81c18a551f5");
  EXPECT_EQ(to_hex(sha1(std::string(64, 'a'))), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
  EXPECT_EQ(to_hex(sha1(std::string(119, 'a'))), "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56");
  EXPECT_EQ(to_hex(sha1(std::string(120, 'a'))), "f34c1488385346a55709ba056ddd08280dd4c6d6");
}

// Every byte value, so a signed-char bug in the message schedule would show.
TEST(Sha1, AllByteValues) {
  std::string input;
  for (int value = 0; value < 256; ++value) input += static_cast<char>(value);
  EXPECT_EQ(to_hex(sha1(input)), "4916d6bdb7f78e6803698cab32d1586ea457dfc8");
}

TEST(Sha1, TwoPieceSplitsGiveSameDigest) {
  expect_every_two_piece_split_matches(kAbc);
  expect_every_two_piece_split_matches("");
  expect_every_two_piece_split_matches(k448Bits);
  expect_every_two_piece_split_matches(k896Bits);
  expect_every_two_piece_split_matches(std::string(200, 'a'));
}

TEST(Sha1, ByteByByteGivesSameDigest) {
  expect_byte_by_byte_matches(kAbc);
  expect_byte_by_byte_matches(k448Bits);
  expect_byte_by_byte_matches(k896Bits);
  expect_byte_by_byte_matches(std::string(200, 'a'));
}

TEST(Sha1, ByteByByteMillionAMatchesVector) {
  Sha1 hasher;
  const char letter = 'a';
  for (int i = 0; i < 1000000; ++i) hasher.update(&letter, 1);
  EXPECT_EQ(to_hex(hasher.finish()), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1, EmptyUpdatesChangeNothing) {
  Sha1 hasher;
  hasher.update(nullptr, 0);
  hasher.update("ab", 2);
  hasher.update(nullptr, 0);
  hasher.update("c", 1);
  EXPECT_EQ(to_hex(hasher.finish()), "a9993e364706816aba3e25717850c26c9cd0d89d");
}
