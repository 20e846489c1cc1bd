// frame_writer.cpp: encodes WebSocket frames (RFC 6455 section 5.2), close
// payloads (5.5.1) and, for tests and the load generator, masked client
// frames (5.3).
//
// Server frames always use the shortest length form (5.2 requires it) and are
// never masked (5.1). Nothing here checks that a control payload fits in 125
// bytes: the callers build control payloads themselves, and
// encode_close_payload() keeps close payloads within the limit.
//
// Deliberately left out: extensions, so RSV bits are zero except where a
// test asks for them explicitly in encode_masked_frame().
#include "websocket/frame_writer.h"

namespace {

constexpr uint8_t kFinBit = 0x80;
constexpr uint8_t kMaskBit = 0x80;
constexpr uint8_t kReservedBits = 0x70;
constexpr size_t kMaxCloseReason = 123;  // 125-byte control payload minus the 2-byte code

// The second header byte's 7-bit length and the extended length after it, in
// the shortest form that holds the value: 0-125 inline, up to 65535 in 16
// bits (marker 126), anything else in 64 bits (marker 127). Network byte
// order. mask_bit is ORed into the second byte. Returns the bytes written
// after the first byte.
size_t write_length(uint8_t* out, uint64_t payload_length, uint8_t mask_bit) {
  if (payload_length <= 125) {
    out[0] = static_cast<uint8_t>(mask_bit | payload_length);
    return 1;
  }
  if (payload_length <= 0xFFFF) {
    out[0] = mask_bit | 126;
    out[1] = static_cast<uint8_t>(payload_length >> 8);
    out[2] = static_cast<uint8_t>(payload_length);
    return 3;
  }
  out[0] = mask_bit | 127;
  for (int index = 0; index < 8; ++index) out[1 + index] = static_cast<uint8_t>(payload_length >> (56 - 8 * index));
  return 9;
}

uint8_t first_byte(Opcode opcode, bool fin) {
  return static_cast<uint8_t>((fin ? kFinBit : 0) | static_cast<uint8_t>(opcode));
}

}  // namespace

size_t write_frame_header(uint8_t* out, Opcode opcode, uint64_t payload_length, bool fin) {
  out[0] = first_byte(opcode, fin);
  return 1 + write_length(out + 1, payload_length, 0);
}

std::string encode_frame(Opcode opcode, std::string_view payload, bool fin) {
  uint8_t header[kMaxServerFrameHeaderBytes];
  const size_t header_size = write_frame_header(header, opcode, payload.size(), fin);
  std::string frame;
  frame.reserve(header_size + payload.size());
  frame.append(reinterpret_cast<const char*>(header), header_size);
  frame.append(payload);
  return frame;
}

// Cuts the reason at 123 bytes, then steps back over continuation bytes
// (10xxxxxx) so that the cut never splits a character: a close reason must be
// valid UTF-8 (5.5.1), and a peer would fail us with 1007 otherwise.
std::string encode_close_payload(uint16_t code, std::string_view reason) {
  if (reason.size() > kMaxCloseReason) {
    size_t cut = kMaxCloseReason;
    while (cut > 0 && (static_cast<uint8_t>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  std::string payload;
  payload.reserve(2 + reason.size());
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  return payload;
}

std::string encode_close_frame(uint16_t code, std::string_view reason) {
  return encode_frame(Opcode::Close, encode_close_payload(code, reason));
}

std::string encode_masked_frame(Opcode opcode, std::string_view payload, const uint8_t mask[4], bool fin,
                                uint8_t rsv) {
  uint8_t header[kMaxServerFrameHeaderBytes + 4];
  header[0] = static_cast<uint8_t>(first_byte(opcode, fin) | (rsv & kReservedBits));
  size_t header_size = 1 + write_length(header + 1, payload.size(), kMaskBit);
  for (int index = 0; index < 4; ++index) header[header_size++] = mask[index];

  std::string frame;
  frame.reserve(header_size + payload.size());
  frame.append(reinterpret_cast<const char*>(header), header_size);
  for (size_t index = 0; index < payload.size(); ++index) {
    frame.push_back(static_cast<char>(static_cast<uint8_t>(payload[index]) ^ mask[index & 3]));
  }
  return frame;
}
