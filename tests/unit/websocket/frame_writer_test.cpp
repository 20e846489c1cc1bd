// frame_writer_test.cpp: the bytes chatd puts on the wire (RFC 6455 section
// 5.2): the section 5.7 examples byte for byte, the shortest length form at
// each boundary, close payloads (5.5.1) and masked client frames (5.3).
#include <gtest/gtest.h>

#include <string>

#include "websocket/frame_writer.h"
#include "base/utf8.h"

namespace {

constexpr uint8_t kRfcMask[4] = {0x37, 0xfa, 0x21, 0x3d};

std::string bytes_of(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out.push_back(static_cast<char>(value));
  return out;
}

std::string header_of(Opcode opcode, uint64_t payload_length, bool fin = true) {
  uint8_t header[kMaxServerFrameHeaderBytes];
  const size_t size = write_frame_header(header, opcode, payload_length, fin);
  return std::string(reinterpret_cast<const char*>(header), size);
}

}  // namespace

/* ===== The section 5.7 examples ===== */

TEST(FrameWriter, EncodesRfcSingleFrameUnmaskedHello) {
  EXPECT_EQ(encode_frame(Opcode::Text, "Hello"), bytes_of({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
}

TEST(FrameWriter, EncodesRfcFragmentedUnmaskedHello) {
  EXPECT_EQ(encode_frame(Opcode::Text, "Hel", false), bytes_of({0x01, 0x03, 0x48, 0x65, 0x6c}));
  EXPECT_EQ(encode_frame(Opcode::Continuation, "lo"), bytes_of({0x80, 0x02, 0x6c, 0x6f}));
}

TEST(FrameWriter, WritesRfcFragmentHeadersWithoutAndWithFin) {
  EXPECT_EQ(header_of(Opcode::Text, 3, false), bytes_of({0x01, 0x03}));
  EXPECT_EQ(header_of(Opcode::Continuation, 2, true), bytes_of({0x80, 0x02}));
}

TEST(FrameWriter, EncodesRfcUnmaskedPingHello) {
  EXPECT_EQ(encode_frame(Opcode::Ping, "Hello"), bytes_of({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
}

TEST(FrameWriter, EncodesRfcSingleFrameMaskedHello) {
  EXPECT_EQ(encode_masked_frame(Opcode::Text, "Hello", kRfcMask),
            bytes_of({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

TEST(FrameWriter, EncodesRfcMaskedPongHello) {
  EXPECT_EQ(encode_masked_frame(Opcode::Pong, "Hello", kRfcMask),
            bytes_of({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

TEST(FrameWriter, EncodesRfc256ByteBinaryWith16BitLength) {
  const std::string frame = encode_frame(Opcode::Binary, std::string(256, 'b'));
  EXPECT_EQ(frame.substr(0, 4), bytes_of({0x82, 0x7E, 0x01, 0x00}));
  EXPECT_EQ(frame.size(), 4u + 256u);
}

TEST(FrameWriter, EncodesRfc64KiBBinaryWith64BitLength) {
  const std::string frame = encode_frame(Opcode::Binary, std::string(65536, 'b'));
  EXPECT_EQ(frame.substr(0, 10), bytes_of({0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
  EXPECT_EQ(frame.size(), 10u + 65536u);
}

/* ===== Shortest length form (5.2) ===== */

TEST(FrameWriter, Uses7BitLengthUpTo125) {
  EXPECT_EQ(header_of(Opcode::Text, 0), bytes_of({0x81, 0x00}));
  EXPECT_EQ(header_of(Opcode::Text, 125), bytes_of({0x81, 0x7D}));
}

TEST(FrameWriter, Uses16BitLengthFrom126To65535) {
  EXPECT_EQ(header_of(Opcode::Text, 126), bytes_of({0x81, 0x7E, 0x00, 0x7E}));
  EXPECT_EQ(header_of(Opcode::Text, 65535), bytes_of({0x81, 0x7E, 0xFF, 0xFF}));
}

TEST(FrameWriter, Uses64BitLengthFrom65536) {
  EXPECT_EQ(header_of(Opcode::Binary, 65536), bytes_of({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
  EXPECT_EQ(header_of(Opcode::Binary, 0x0123456789ABCDEFULL),
            bytes_of({0x82, 0x7F, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF}));
}

/* ===== Close payloads (5.5.1) ===== */

TEST(FrameWriter, ClosePayloadIsBigEndianCodeThenReason) {
  EXPECT_EQ(encode_close_payload(1001, "bye"), bytes_of({0x03, 0xE9, 'b', 'y', 'e'}));
}

TEST(FrameWriter, CloseFrameWrapsClosePayload) {
  EXPECT_EQ(encode_close_frame(1000, ""), bytes_of({0x88, 0x02, 0x03, 0xE8}));
}

TEST(FrameWriter, CloseReasonIsCutTo123Bytes) {
  const std::string payload = encode_close_payload(1000, std::string(200, 'r'));
  EXPECT_EQ(payload.size(), 125u);
  EXPECT_EQ(payload.substr(2), std::string(123, 'r'));
}

// "é" (C3 A9) would straddle byte 123; the cut moves before it so the reason
// stays valid UTF-8.
TEST(FrameWriter, CloseReasonCutNeverSplitsACharacter) {
  const std::string reason = std::string(122, 'r') + "\xc3\xa9" + "tail";
  const std::string payload = encode_close_payload(1000, reason);
  EXPECT_EQ(payload.substr(2), std::string(122, 'r'));
  EXPECT_TRUE(is_valid_utf8(payload.substr(2)));
}

TEST(FrameWriter, CloseReasonOf123BytesIsKeptWhole) {
  const std::string reason = std::string(121, 'r') + "\xc3\xa9";
  EXPECT_EQ(encode_close_payload(1000, reason).substr(2), reason);
}

/* ===== Masked client frames (5.3) ===== */

TEST(FrameWriter, MaskedFrameCarriesRequestedReservedBits) {
  const std::string frame = encode_masked_frame(Opcode::Text, "", kRfcMask, true, 0x40);
  EXPECT_EQ(frame, bytes_of({0xC1, 0x80, 0x37, 0xfa, 0x21, 0x3d}));
}

TEST(FrameWriter, MaskedFrameUses16BitLengthWithMaskBit) {
  const std::string frame = encode_masked_frame(Opcode::Binary, std::string(300, '\0'), kRfcMask);
  EXPECT_EQ(frame.substr(0, 8), bytes_of({0x82, 0xFE, 0x01, 0x2C, 0x37, 0xfa, 0x21, 0x3d}));
  EXPECT_EQ(frame.substr(8, 5), bytes_of({0x37, 0xfa, 0x21, 0x3d, 0x37}));  // zero bytes XOR the key
}
