// base64_test.cpp: base64 encoding against the RFC 4648 section 10 vectors,
// and the strict decoder's refusal of every non-canonical form (RFC 4648
// sections 3.3 and 3.5).
#include "http/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace {

// RFC 4648 section 10.
const std::pair<const char*, const char*> kRfcVectors[] = {
    {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

bool decodes(std::string_view text) {
  std::string out;
  return base64_decode(text, &out);
}

}  // namespace

TEST(Base64, EncodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : kRfcVectors) EXPECT_EQ(base64_encode(plain), encoded) << plain;
}

TEST(Base64, DecodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : kRfcVectors) {
    std::string out = "leftover";
    ASSERT_TRUE(base64_decode(encoded, &out)) << encoded;
    EXPECT_EQ(out, plain);
  }
}

TEST(Base64, EncodesEveryByteValueAndDecodesBack) {
  std::string bytes;
  for (int value = 0; value < 256; ++value) bytes += static_cast<char>(value);
  std::string encoded = base64_encode(bytes);
  EXPECT_EQ(encoded.substr(0, 8), "AAECAwQF");
  EXPECT_EQ(encoded.substr(encoded.size() - 8), "/P3+/w==");
  std::string decoded;
  ASSERT_TRUE(base64_decode(encoded, &decoded));
  EXPECT_EQ(decoded, bytes);
}

TEST(Base64, PointerOverloadMatchesStringOverload) {
  const uint8_t digest[3] = {0xFB, 0xFF, 0xBF};
  EXPECT_EQ(base64_encode(digest, 3), "+/+/");
}

// RFC 6455 section 1.3: the sample key is 16 bytes.
TEST(Base64, DecodesWebSocketSampleKeyToSixteenBytes) {
  std::string out;
  ASSERT_TRUE(base64_decode("dGhlIHNhbXBsZSBub25jZQ==", &out));
  EXPECT_EQ(out, "the sample nonce");
}

// RFC 4648 section 3.3: characters outside the alphabet are errors.
TEST(Base64, RejectsCharactersOutsideAlphabet) {
  EXPECT_FALSE(decodes("Zm9*"));
  EXPECT_FALSE(decodes("Zm9-"));  // URL-safe alphabet (section 5) is not accepted
  EXPECT_FALSE(decodes("Zm9_"));
  EXPECT_FALSE(decodes(std::string_view("Zm9\0", 4)));
  EXPECT_FALSE(decodes("Zm9\xC3"));
}

TEST(Base64, RejectsWhitespace) {
  EXPECT_FALSE(decodes("Zm9v Zm9v"));
  EXPECT_FALSE(decodes(" Zm9v"));
  EXPECT_FALSE(decodes("Zm9v\r\n"));
  EXPECT_FALSE(decodes("Zm\t9v"));
}

TEST(Base64, RejectsLengthNotMultipleOfFour) {
  EXPECT_FALSE(decodes("Z"));
  EXPECT_FALSE(decodes("Zg"));      // unpadded form of "f"
  EXPECT_FALSE(decodes("Zm8"));     // unpadded form of "fo"
  EXPECT_FALSE(decodes("Zm9vY"));
}

TEST(Base64, RejectsWrongPadding) {
  EXPECT_FALSE(decodes("Zg="));     // too little padding
  EXPECT_FALSE(decodes("Zg==="));   // too much padding
  EXPECT_FALSE(decodes("Z==="));    // a group needs two data characters
  EXPECT_FALSE(decodes("===="));
  EXPECT_FALSE(decodes("Z=g="));    // padding before data
  EXPECT_FALSE(decodes("Zm=v"));
}

TEST(Base64, RejectsPaddingInTheMiddle) {
  EXPECT_FALSE(decodes("Zg==Zm9v"));
  EXPECT_FALSE(decodes("Zm8=Zm9v"));
}

// RFC 4648 section 3.5: pad bits must be zero, otherwise "Zh==" would be a
// second spelling of "f".
TEST(Base64, RejectsNonZeroPadBits) {
  EXPECT_FALSE(decodes("Zh=="));
  EXPECT_FALSE(decodes("Zm9="));
  EXPECT_FALSE(decodes("dGhlIHNhbXBsZSBub25jZR=="));
}
