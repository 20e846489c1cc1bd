// utf8.cpp: UTF-8 validation as a deterministic finite automaton (RFC 3629
// section 4), fed one byte at a time so that text can be checked as it arrives.
//
// The automaton follows the "well-formed byte sequences" grammar of RFC 3629
// directly. Each byte is first mapped to one of twelve classes, and the next
// state is looked up from (state, class). Every state is one step along a
// prefix of some valid sequence, so the automaton reaches kInvalid at exactly
// the first byte that no valid string can continue with: an overlong lead
// (C0, C1), an overlong second byte (E0 80-9F, F0 80-8F), a surrogate (ED
// A0-BF), a code point above U+10FFFF (F4 90-BF, F5-FF), a stray continuation
// byte, or a missing one.
//
// Deliberately left out: decoding. chatd only needs to know that text is
// valid; it never needs the code points, so no state carries their bits.
#include "base/utf8.h"

#include <array>
#include <cstring>

namespace {

/* ===== Byte classes ===== */

// The grammar's lead bytes and the three slices of the continuation range
// that some lead bytes restrict their second byte to.
enum ByteClass : uint8_t {
  kAscii,            // 00-7F
  kContinuation80,   // 80-8F
  kContinuation90,   // 90-9F
  kContinuationA0,   // A0-BF
  kNeverValid,       // C0, C1 (always overlong), F5-FF (beyond U+10FFFF)
  kLeadTwo,          // C2-DF
  kLeadE0,           // E0: second byte A0-BF, else overlong
  kLeadThree,        // E1-EC, EE-EF
  kLeadED,           // ED: second byte 80-9F, else a surrogate
  kLeadF0,           // F0: second byte 90-BF, else overlong
  kLeadFour,         // F1-F3
  kLeadF4,           // F4: second byte 80-8F, else above U+10FFFF
  kByteClassCount
};

constexpr ByteClass classify(unsigned byte) {
  if (byte <= 0x7F) return kAscii;
  if (byte <= 0x8F) return kContinuation80;
  if (byte <= 0x9F) return kContinuation90;
  if (byte <= 0xBF) return kContinuationA0;
  if (byte <= 0xC1) return kNeverValid;
  if (byte <= 0xDF) return kLeadTwo;
  if (byte == 0xE0) return kLeadE0;
  if (byte == 0xED) return kLeadED;
  if (byte <= 0xEF) return kLeadThree;
  if (byte == 0xF0) return kLeadF0;
  if (byte <= 0xF3) return kLeadFour;
  if (byte == 0xF4) return kLeadF4;
  return kNeverValid;
}

// Built at compile time so the hot loop does one table load per byte instead
// of a chain of comparisons.
constexpr std::array<uint8_t, 256> make_class_table() {
  std::array<uint8_t, 256> table{};
  for (unsigned byte = 0; byte < 256; ++byte) table[byte] = classify(byte);
  return table;
}
constexpr std::array<uint8_t, 256> kByteClassOf = make_class_table();

/* ===== States and transitions ===== */

// kBoundary and kInvalid must equal Utf8Validator's kAccept and kReject
// (checked in feed()); the other states name what the automaton still expects.
enum State : uint8_t {
  kBoundary = 0,   // between code points: everything so far is valid
  kInvalid = 1,    // no continuation can make the bytes so far valid
  kNeedOne,        // one more continuation byte, any of 80-BF
  kNeedTwo,        // two more, any of 80-BF
  kNeedThree,      // three more, any of 80-BF
  kAfterE0,        // A0-BF, then one more
  kAfterED,        // 80-9F, then one more
  kAfterF0,        // 90-BF, then two more
  kAfterF4,        // 80-8F, then two more
  kStateCount
};

constexpr uint8_t R = kInvalid;  // short, so the table below stays readable

// excerpt-begin: transitions
// Rows are states; columns follow ByteClass order: ASCII, 80-8F, 90-9F,
// A0-BF, never valid, C2-DF, E0, E1-EC/EE-EF, ED, F0, F1-F3, F4.
constexpr uint8_t kNextState[kStateCount][kByteClassCount] = {
  /* kBoundary  */ {kBoundary, R, R, R, R, kNeedOne, kAfterE0, kNeedTwo, kAfterED, kAfterF0, kNeedThree, kAfterF4},
  /* kInvalid   */ {R, R, R, R, R, R, R, R, R, R, R, R},
  /* kNeedOne   */ {R, kBoundary, kBoundary, kBoundary, R, R, R, R, R, R, R, R},
  /* kNeedTwo   */ {R, kNeedOne, kNeedOne, kNeedOne, R, R, R, R, R, R, R, R},
  /* kNeedThree */ {R, kNeedTwo, kNeedTwo, kNeedTwo, R, R, R, R, R, R, R, R},
  /* kAfterE0   */ {R, R, R, kNeedOne, R, R, R, R, R, R, R, R},
  /* kAfterED   */ {R, kNeedOne, kNeedOne, R, R, R, R, R, R, R, R, R},
  /* kAfterF0   */ {R, R, kNeedTwo, kNeedTwo, R, R, R, R, R, R, R, R},
  /* kAfterF4   */ {R, kNeedTwo, R, R, R, R, R, R, R, R, R, R},
};
// excerpt-end: transitions

// Chat text is mostly ASCII. Between code points, eight bytes whose top bits
// are all clear are eight complete characters, so they can be skipped with one
// load and one test instead of eight table lookups.
constexpr uint64_t kHighBitOfEveryByte = 0x8080808080808080ULL;

size_t skip_ascii(const uint8_t* data, size_t length) {
  size_t position = 0;
  while (position + 8 <= length) {
    uint64_t word;
    std::memcpy(&word, data + position, sizeof word);  // unaligned-safe load
    if (word & kHighBitOfEveryByte) break;
    position += 8;
  }
  while (position < length && data[position] < 0x80) ++position;
  return position;
}

}  // namespace

/* ===== Public interface ===== */

// Runs the automaton over data, stopping at the first rejected byte. The ASCII
// shortcut is only taken between code points (state kAccept), where an ASCII
// byte is exactly what the table would accept.
bool Utf8Validator::feed(const uint8_t* data, size_t length) {
  static_assert(kBoundary == kAccept && kInvalid == kReject, "one state numbering for header and table");
  uint8_t state = state_;
  size_t position = 0;
  while (position < length && state != kReject) {
    if (state == kAccept && data[position] < 0x80) {
      position += skip_ascii(data + position, length - position);
      continue;
    }
    state = kNextState[state][kByteClassOf[data[position]]];
    ++position;
  }
  state_ = state;
  return state != kReject;
}

bool is_valid_utf8(std::string_view data) {
  Utf8Validator validator;
  return validator.feed(data) && validator.complete();
}
