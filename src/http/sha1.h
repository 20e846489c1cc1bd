// sha1.h: SHA-1 message digest (FIPS 180-4, RFC 3174).
//
// chatd needs SHA-1 for exactly one thing: the Sec-WebSocket-Accept key of the
// opening handshake (RFC 6455 section 4.2.2). SHA-1 is broken for collision
// resistance, but the handshake only uses it to prove that the server read the
// client's key, so that weakness does not matter here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

using Sha1Digest = std::array<uint8_t, 20>;

// Incremental SHA-1: call update() with the message in any number of pieces,
// then finish() once. The object must not be reused after finish().
class Sha1 {
 public:
  Sha1();
  void update(const void* data, size_t length);
  Sha1Digest finish();

 private:
  void process_block(const uint8_t* block);

  uint32_t state_[5];
  uint64_t total_bytes_ = 0;
  uint8_t block_[64];
  size_t block_used_ = 0;
};

// One-shot helper.
Sha1Digest sha1(std::string_view data);
