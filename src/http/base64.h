// base64.h: base64 encoding and strict decoding (RFC 4648 section 4).
//
// The handshake encodes a SHA-1 digest for Sec-WebSocket-Accept and decodes
// Sec-WebSocket-Key to check that it is exactly 16 bytes (RFC 6455 4.2.1).
// Decoding is strict: only the standard alphabet, padding only at the end and
// only as much as the length requires, no whitespace, no non-zero pad bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

std::string base64_encode(const uint8_t* data, size_t length);
std::string base64_encode(std::string_view data);

// Returns false (and leaves *out unspecified) when text is not canonical base64.
bool base64_decode(std::string_view text, std::string* out);
