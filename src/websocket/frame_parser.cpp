// frame_parser.cpp: the frame state machine declared in frame_parser.h
// (RFC 6455 section 5.2 framing, 5.3 masking, 5.5 control-frame limits).
//
// The header is at most 14 bytes, so it is parsed one byte per step: each
// state handles one byte and names the next state. That is what lets a frame
// arrive in any split without the parser ever buffering it. The payload, which
// can be large, is unmasked a word at a time.
//
// Deliberately left out: payload-level rules (fragmentation order, message
// size, UTF-8, close codes). They need more than one frame of context and
// belong to the message layer (message_reader.cpp).
#include "websocket/frame_parser.h"

#include <cstring>

/* ===== Header ===== */

// Drives the header states over the given bytes. Returns as soon as the header
// is complete, so the caller sees the frame's length before any payload byte,
// which is when the message layer enforces its size limit.
size_t FrameParser::parse_header(const uint8_t* data, size_t length, HeaderStatus* status) {
  if (state_ == State::Failed) {
    *status = HeaderStatus::Error;
    return 0;
  }
  if (state_ == State::Payload) {  // the header was already complete
    *status = HeaderStatus::Complete;
    return 0;
  }
  size_t position = 0;
  while (position < length) {
    const uint8_t byte = data[position++];
    bool valid = true;
    switch (state_) {
      case State::FirstByte: valid = accept_first_byte(byte); break;
      case State::SecondByte: valid = accept_second_byte(byte); break;
      case State::ExtendedLength: valid = accept_length_byte(byte); break;
      case State::MaskKey: accept_mask_byte(byte); break;
      case State::Payload:
      case State::Failed: break;  // unreachable: the loop exits on both
    }
    if (!valid) {
      *status = HeaderStatus::Error;
      return position;
    }
    if (state_ == State::Payload) {
      // An empty payload means the frame is over already; go straight back
      // to waiting for the next frame so the caller has nothing to drain.
      if (payload_remaining_ == 0) state_ = State::FirstByte;
      *status = HeaderStatus::Complete;
      return position;
    }
  }
  *status = HeaderStatus::NeedMore;
  return position;
}

// FIN, RSV1-3 and the opcode (5.2). Every check that needs only this byte is
// done here, so a bad frame is refused at its first byte.
bool FrameParser::accept_first_byte(uint8_t byte) {
  first_byte_ = byte;
  // RSV bits carry meaning only for a negotiated extension, and chatd
  // negotiates none (5.2: "MUST fail the WebSocket Connection").
  if (byte & kReservedBits) return fail(Error::ReservedBits);
  const uint8_t opcode = byte & kOpcodeBits;
  const bool known = opcode <= static_cast<uint8_t>(Opcode::Binary) ||
                     (opcode >= static_cast<uint8_t>(Opcode::Close) && opcode <= static_cast<uint8_t>(Opcode::Pong));
  if (!known) return fail(Error::ReservedOpcode);  // 3-7 and B-F (5.2)
  // Control frames may be interleaved with fragments precisely because they
  // are never fragmented themselves (5.5).
  if (is_control() && !fin()) return fail(Error::FragmentedControl);
  state_ = State::SecondByte;
  return true;
}

// MASK and the 7-bit length (5.2). Clients must mask every frame (5.1) so
// that a hostile page cannot make the browser send bytes of its choosing,
// which could poison caching proxies along the path (10.3).
bool FrameParser::accept_second_byte(uint8_t byte) {
  if (!(byte & kMaskBit)) return fail(Error::Unmasked);
  const uint8_t length = byte & kLengthBits;
  payload_remaining_ = 0;
  if (length == 126 || length == 127) {
    bytes_due_ = length == 126 ? 2 : 8;
    state_ = State::ExtendedLength;
    return true;
  }
  payload_remaining_ = length;  // at most 125, so fine for a control frame too
  bytes_due_ = 4;
  state_ = State::MaskKey;
  return true;
}

// One byte of the 16- or 64-bit big-endian length. A control frame is refused
// at the first byte that rules out a length of 125 or less: any non-zero byte
// before the last one makes the length at least 256.
bool FrameParser::accept_length_byte(uint8_t byte) {
  const bool first_of_eight = bytes_due_ == 8;
  // 5.2: "the most significant bit MUST be 0" in the 64-bit form.
  if (first_of_eight && (byte & 0x80)) return fail(Error::LengthTopBit);
  payload_remaining_ = (payload_remaining_ << 8) | byte;
  --bytes_due_;
  if (is_control()) {
    const bool too_long = bytes_due_ > 0 ? payload_remaining_ != 0 : payload_remaining_ > kMaxControlPayload;
    if (too_long) return fail(Error::ControlTooLong);
  }
  if (bytes_due_ == 0) {
    bytes_due_ = 4;
    state_ = State::MaskKey;
  }
  return true;
}

void FrameParser::accept_mask_byte(uint8_t byte) {
  mask_key_[4 - bytes_due_] = byte;
  if (--bytes_due_ == 0) state_ = State::Payload;
}

bool FrameParser::fail(Error error) {
  error_ = error;
  state_ = State::Failed;
  return false;
}

const char* FrameParser::error_reason() const {
  switch (error_) {
    case Error::None: return "";
    case Error::ReservedBits: return "reserved bits set";
    case Error::ReservedOpcode: return "reserved opcode";
    case Error::FragmentedControl: return "fragmented control frame";
    case Error::Unmasked: return "unmasked client frame";
    case Error::ControlTooLong: return "control frame payload over 125 bytes";
    case Error::LengthTopBit: return "64-bit length with the top bit set";
  }
  return "";
}

/* ===== Payload ===== */

// Unmasks in place (5.3: byte i is XORed with mask key byte i mod 4). Eight
// bytes at a time with the key repeated twice in a word; the word is built
// from the key bytes in memory order, so this is right on either endianness.
size_t FrameParser::unmask_payload(uint8_t* data, size_t length) {
  if (state_ != State::Payload) return 0;
  const size_t count = length < payload_remaining_ ? length : static_cast<size_t>(payload_remaining_);

  size_t position = 0;
  if (count >= 8) {
    const uint8_t key_twice[8] = {mask_key_[0], mask_key_[1], mask_key_[2], mask_key_[3],
                                  mask_key_[0], mask_key_[1], mask_key_[2], mask_key_[3]};
    uint64_t key_word;
    std::memcpy(&key_word, key_twice, sizeof key_word);
    for (; position + 8 <= count; position += 8) {
      uint64_t word;
      std::memcpy(&word, data + position, sizeof word);
      word ^= key_word;
      std::memcpy(data + position, &word, sizeof word);
    }
  }
  for (; position < count; ++position) data[position] ^= mask_key_[position & 3];

  // Rotate the key so that the next call starts with the right key byte.
  const uint8_t shift = count & 3;
  if (shift != 0) {
    const uint8_t old_key[4] = {mask_key_[0], mask_key_[1], mask_key_[2], mask_key_[3]};
    for (int index = 0; index < 4; ++index) mask_key_[index] = old_key[(index + shift) & 3];
  }

  payload_remaining_ -= count;
  if (payload_remaining_ == 0) state_ = State::FirstByte;
  return count;
}
