// base64.cpp: base64 with the standard alphabet and '=' padding (RFC 4648
// section 4).
//
// The decoder accepts only canonical encodings (RFC 4648 section 3.5): the
// text must be a whole number of 4-character groups, padding may appear only
// in the last group and only as much as the length needs, and the unused bits
// before the padding must be zero. It deliberately leaves out the URL-safe
// alphabet (section 5), line breaks (MIME) and skipping whitespace: a
// Sec-WebSocket-Key is exactly one canonical token, and accepting variants
// would let two different texts stand for the same key.
#include "http/base64.h"

namespace {

// constexpr, not just const: the table below reads it at compile time, and
// only GCC accepts that from a const array (clang rejects it).
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr int8_t kNotInAlphabet = -1;

// Reverse lookup table, built once at compile time.
struct DecodeTable {
  int8_t value[256];
  constexpr DecodeTable() : value{} {
    for (int i = 0; i < 256; ++i) value[i] = kNotInAlphabet;
    for (int i = 0; i < 64; ++i) value[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
};
constexpr DecodeTable kDecodeTable;

int sextet(char character) { return kDecodeTable.value[static_cast<uint8_t>(character)]; }

}  // namespace

// excerpt-begin: encode
std::string base64_encode(const uint8_t* data, size_t length) {
  std::string text;
  text.reserve((length + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= length; i += 3) {
    uint32_t group = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    text += kAlphabet[group >> 18];
    text += kAlphabet[(group >> 12) & 63];
    text += kAlphabet[(group >> 6) & 63];
    text += kAlphabet[group & 63];
  }
  // A final group of one or two bytes is zero-filled and padded with '='
  // (RFC 4648 section 4, cases (2) and (3)).
  size_t remaining = length - i;
  if (remaining == 1) {
    uint32_t group = uint32_t{data[i]} << 16;
    text += kAlphabet[group >> 18];
    text += kAlphabet[(group >> 12) & 63];
    text += "==";
  } else if (remaining == 2) {
    uint32_t group = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    text += kAlphabet[group >> 18];
    text += kAlphabet[(group >> 12) & 63];
    text += kAlphabet[(group >> 6) & 63];
    text += '=';
  }
  return text;
}
// excerpt-end: encode

std::string base64_encode(std::string_view data) {
  return base64_encode(reinterpret_cast<const uint8_t*>(data.data()), data.size());
}

bool base64_decode(std::string_view text, std::string* out) {
  out->clear();
  if (text.size() % 4 != 0) return false;
  out->reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last_group = i + 4 == text.size();
    // Padding is legal only as "xx==" or "xxx=" in the final group.
    size_t padding = 0;
    if (last_group && text[i + 3] == '=') padding = text[i + 2] == '=' ? 2 : 1;
    uint32_t group = 0;
    for (size_t j = 0; j < 4 - padding; ++j) {
      int value = sextet(text[i + j]);
      if (value == kNotInAlphabet) return false;  // also catches a misplaced '='
      group |= static_cast<uint32_t>(value) << (18 - 6 * j);
    }
    // Non-zero bits under the padding would make a second spelling of the
    // same bytes ("Zh==" and "Zg==" both meaning "f"): not canonical.
    if (padding == 2 && (group & 0xFFFF) != 0) return false;
    if (padding == 1 && (group & 0xFF) != 0) return false;
    out->push_back(static_cast<char>(group >> 16));
    if (padding < 2) out->push_back(static_cast<char>((group >> 8) & 0xFF));
    if (padding < 1) out->push_back(static_cast<char>(group & 0xFF));
  }
  return true;
}
