// websocket.h: RFC 6455 constants shared by the frame parser, the frame
// writer and the server: opcodes (section 5.2, 11.8) and close codes (7.4).
#pragma once

#include <cstdint>

enum class Opcode : uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xA,
};

// Close status codes (RFC 6455 section 7.4.1).
namespace close_code {
constexpr uint16_t kNormal = 1000;
constexpr uint16_t kGoingAway = 1001;
constexpr uint16_t kProtocolError = 1002;
constexpr uint16_t kUnsupportedData = 1003;
constexpr uint16_t kNoStatus = 1005;        // never sent on the wire
constexpr uint16_t kAbnormal = 1006;        // never sent on the wire
constexpr uint16_t kInvalidPayload = 1007;  // e.g. a text message that is not UTF-8
constexpr uint16_t kPolicyViolation = 1008;
constexpr uint16_t kMessageTooBig = 1009;
}  // namespace close_code

// True for codes a peer may put in a Close frame (section 7.4.1 and 7.4.2):
// 1000-1003, 1007-1011, 3000-4999.
bool is_valid_close_code(uint16_t code);
