// frame_writer.h: encodes WebSocket frames (RFC 6455 section 5.2).
//
// Server frames are never masked (section 5.1). encode_masked_frame() builds
// client frames for the tests and the load generator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "websocket/websocket.h"

constexpr size_t kMaxServerFrameHeaderBytes = 10;  // 2 + 8-byte length

// Writes an unmasked frame header into out (room for 10 bytes) using the
// shortest length form, and returns its size.
size_t write_frame_header(uint8_t* out, Opcode opcode, uint64_t payload_length, bool fin = true);

// A whole unmasked frame.
std::string encode_frame(Opcode opcode, std::string_view payload, bool fin = true);

// Close frame payload: 2-byte code then reason. The reason is cut to at most
// 123 bytes at a UTF-8 code point boundary so the payload fits a control
// frame (125 bytes).
std::string encode_close_payload(uint16_t code, std::string_view reason);
std::string encode_close_frame(uint16_t code, std::string_view reason);

// A whole masked frame, as a client sends it. rsv is the three RSV bits in
// their header positions (0x70 mask); tests use it to send bad frames.
std::string encode_masked_frame(Opcode opcode, std::string_view payload, const uint8_t mask[4],
                                bool fin = true, uint8_t rsv = 0);
