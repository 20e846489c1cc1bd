// sha1.cpp: SHA-1 as specified in FIPS 180-4 sections 5.1.1 (padding),
// 6.1.2 (hash computation) and 4.1.1 / 4.2.1 (functions and constants).
//
// A plain, portable implementation: one 64-byte block at a time with an
// 80-word message schedule. It leaves out SIMD and SHA-NI paths on purpose;
// chatd hashes one 60-byte string per handshake, so clarity wins over speed.
#include "http/sha1.h"

#include <cstring>

namespace {

uint32_t rotate_left(uint32_t value, int bits) {
  return (value << bits) | (value >> (32 - bits));
}

uint32_t load_big_endian(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

void store_big_endian(uint32_t value, uint8_t* bytes) {
  bytes[0] = static_cast<uint8_t>(value >> 24);
  bytes[1] = static_cast<uint8_t>(value >> 16);
  bytes[2] = static_cast<uint8_t>(value >> 8);
  bytes[3] = static_cast<uint8_t>(value);
}

}  // namespace

// The initial hash value H(0) of FIPS 180-4 section 5.3.1.
Sha1::Sha1() : state_{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0} {}

// Hashes one 64-byte block into state_ (FIPS 180-4 section 6.1.2, steps 1-4).
void Sha1::process_block(const uint8_t* block) {
  uint32_t schedule[80];
  for (int t = 0; t < 16; ++t) schedule[t] = load_big_endian(block + 4 * t);
  for (int t = 16; t < 80; ++t) {
    schedule[t] =
        rotate_left(schedule[t - 3] ^ schedule[t - 8] ^ schedule[t - 14] ^ schedule[t - 16], 1);
  }

  uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4];
  for (int t = 0; t < 80; ++t) {
    // f_t and K_t change every 20 rounds: Ch, Parity, Maj, Parity.
    uint32_t mixed, constant;
    if (t < 20) {
      mixed = (b & c) | (~b & d);
      constant = 0x5A827999;
    } else if (t < 40) {
      mixed = b ^ c ^ d;
      constant = 0x6ED9EBA1;
    } else if (t < 60) {
      mixed = (b & c) | (b & d) | (c & d);
      constant = 0x8F1BBCDC;
    } else {
      mixed = b ^ c ^ d;
      constant = 0xCA62C1D6;
    }
    uint32_t next = rotate_left(a, 5) + mixed + e + constant + schedule[t];
    e = d;
    d = c;
    c = rotate_left(b, 30);
    b = a;
    a = next;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
}

// Fills the partial block first, then hashes whole blocks straight from the
// caller's memory so long inputs are not copied twice.
void Sha1::update(const void* data, size_t length) {
  if (length == 0) return;  // data may be null then; memcpy must not see it
  const uint8_t* bytes = static_cast<const uint8_t*>(data);
  total_bytes_ += length;
  if (block_used_ > 0) {
    size_t take = sizeof(block_) - block_used_;
    if (take > length) take = length;
    std::memcpy(block_ + block_used_, bytes, take);
    block_used_ += take;
    bytes += take;
    length -= take;
    if (block_used_ < sizeof(block_)) return;
    process_block(block_);
    block_used_ = 0;
  }
  while (length >= sizeof(block_)) {
    process_block(bytes);
    bytes += sizeof(block_);
    length -= sizeof(block_);
  }
  if (length > 0) {
    std::memcpy(block_, bytes, length);
    block_used_ = length;
  }
}

// Padding (FIPS 180-4 section 5.1.1): a single 1 bit, zeros up to 56 bytes
// mod 64, then the message length in bits as a 64-bit big-endian number.
Sha1Digest Sha1::finish() {
  uint64_t total_bits = total_bytes_ * 8;
  block_[block_used_++] = 0x80;
  if (block_used_ > 56) {
    std::memset(block_ + block_used_, 0, sizeof(block_) - block_used_);
    process_block(block_);
    block_used_ = 0;
  }
  std::memset(block_ + block_used_, 0, 56 - block_used_);
  store_big_endian(static_cast<uint32_t>(total_bits >> 32), block_ + 56);
  store_big_endian(static_cast<uint32_t>(total_bits), block_ + 60);
  process_block(block_);

  Sha1Digest digest;
  for (int i = 0; i < 5; ++i) store_big_endian(state_[i], digest.data() + 4 * i);
  return digest;
}

Sha1Digest sha1(std::string_view data) {
  Sha1 hasher;
  hasher.update(data.data(), data.size());
  return hasher.finish();
}
