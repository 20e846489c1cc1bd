// frame_parser.h: the byte-level state machine for one WebSocket frame as a
// client sends it (RFC 6455 section 5.2), with the frame-level checks of
// sections 5.1, 5.2 and 5.5.
//
// A frame is read in two phases, and the caller drives them:
//
//   header:  parse_header() until it reports Complete. Bytes may arrive in any
//            split, down to one at a time; the parser keeps the few bytes of
//            state it needs (no buffer of the header, none of the frame).
//   payload: unmask_payload() over the caller's bytes, in place, until
//            payload_remaining() is zero. The parser never copies payload;
//            what to do with it (deliver in place, or reassemble) is the
//            message layer's choice (message_reader.h).
//
// Errors, all answered with close code 1002 and reported at the first byte
// that makes the frame invalid: RSV bits set (no extension is negotiated), a
// reserved opcode, a control frame without FIN, a client frame without the mask
// bit, a 64-bit length with its top bit set, a control payload over 125 bytes.
//
// Deliberately left out: extensions (so RSV bits are always an error), and
// parsing server-to-client (unmasked) frames: chatd only reads client frames.
// Non-minimal length encodings (say, 126 followed by 0x0005) are accepted: the
// RFC asks senders for the shortest form, but the length is unambiguous either
// way, so a receiver loses nothing by being lenient.
#pragma once

#include <cstddef>
#include <cstdint>

#include "websocket/websocket.h"

class FrameParser {
 public:
  enum class HeaderStatus : uint8_t {
    NeedMore,  // every byte given was consumed; the header is not complete yet
    Complete,  // fin(), opcode() and payload_remaining() describe the frame
    Error,     // a protocol error (close code 1002); see error_reason()
  };

  // Consumes header bytes from data[0, length) and returns how many it used.
  // Stops right after the last header byte, so it never consumes payload. On
  // Complete with a zero-length payload the frame is already finished and the
  // next call starts a new header. Once Error, it stays Error.
  size_t parse_header(const uint8_t* data, size_t length, HeaderStatus* status);

  // Unmasks up to payload_remaining() bytes of data in place and returns how
  // many it took. Call only while in_payload().
  size_t unmask_payload(uint8_t* data, size_t length);

  // The frame whose header was last completed (valid until the next header
  // starts).
  bool fin() const { return (first_byte_ & kFinBit) != 0; }
  Opcode opcode() const { return static_cast<Opcode>(first_byte_ & kOpcodeBits); }
  bool is_control() const { return (first_byte_ & kControlBit) != 0; }
  // After Complete: the whole payload length; then counts down to zero.
  uint64_t payload_remaining() const { return payload_remaining_; }

  // True between a Complete header and the last payload byte.
  bool in_payload() const { return state_ == State::Payload; }
  // True when no byte of a frame has been consumed since the last one ended.
  bool at_frame_boundary() const { return state_ == State::FirstByte; }
  bool failed() const { return state_ == State::Failed; }
  // Failed only: what was wrong, for the Close frame and the log.
  const char* error_reason() const;

 private:
  enum class State : uint8_t { FirstByte, SecondByte, ExtendedLength, MaskKey, Payload, Failed };
  enum class Error : uint8_t {
    None,
    ReservedBits,
    ReservedOpcode,
    FragmentedControl,
    Unmasked,
    ControlTooLong,
    LengthTopBit,
  };

  static constexpr uint8_t kFinBit = 0x80;
  static constexpr uint8_t kReservedBits = 0x70;
  static constexpr uint8_t kOpcodeBits = 0x0F;
  static constexpr uint8_t kControlBit = 0x08;  // opcodes 8-F are control frames (5.5)
  static constexpr uint8_t kMaskBit = 0x80;
  static constexpr uint8_t kLengthBits = 0x7F;
  static constexpr uint64_t kMaxControlPayload = 125;

  bool accept_first_byte(uint8_t byte);
  bool accept_second_byte(uint8_t byte);
  bool accept_length_byte(uint8_t byte);
  void accept_mask_byte(uint8_t byte);
  bool fail(Error error);

  // Sixteen bytes in all: this object lives in every connection.
  uint64_t payload_remaining_ = 0;  // while reading the extended length, its bytes so far
  // The mask key, rotated as payload bytes are unmasked so that mask_key_[0]
  // always applies to the next payload byte; no position counter needed.
  uint8_t mask_key_[4] = {0, 0, 0, 0};
  State state_ = State::FirstByte;
  uint8_t first_byte_ = 0;  // FIN, RSV and opcode of the current frame
  uint8_t bytes_due_ = 0;   // extended length or mask key bytes still to read
  Error error_ = Error::None;
};
