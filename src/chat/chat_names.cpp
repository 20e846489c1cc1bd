// chat_names.cpp: the naming rule and Unicode case folding. See chat_names.h.
#include "chat/chat_names.h"

#include <random>

#include "chat/unicode_names.h"

namespace {

// Drawn once, the first time a name is hashed.
uint64_t process_hash_seed() {
  static const uint64_t seed = [] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }();
  return seed;
}

}  // namespace

size_t count_code_points(std::string_view utf8) {
  size_t count = 0;
  for (char c : utf8) {
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool is_valid_name(std::string_view name) {
  if (name.empty()) return false;
  size_t count = 0;
  size_t marks_in_a_row = 0;
  NameCharacterClass last = NameCharacterClass::kOrdinary;
  for (size_t position = 0; position < name.size();) {
    NameCharacterClass current = name_character_class(next_code_point(name, &position));
    if (++count > kMaxNameCodePoints || current == NameCharacterClass::kRefused) return false;
    if (count == 1 && current != NameCharacterClass::kOrdinary) return false;  // space or mark first
    if (current != NameCharacterClass::kMark) {
      marks_in_a_row = 0;
    } else if (++marks_in_a_row > kMaxCombiningMarksInARow) {
      return false;
    }
    last = current;
  }
  return last != NameCharacterClass::kSpace;
}

bool has_guest_prefix(std::string_view name) {
  constexpr std::string_view kPrefix = "guest-";
  size_t position = 0;
  for (char expected : kPrefix) {
    if (position >= name.size()) return false;
    if (simple_case_fold(next_code_point(name, &position)) != static_cast<char32_t>(expected)) return false;
  }
  return true;
}

std::string guest_name(uint64_t id) { return "guest-" + std::to_string(id); }

std::string fold_case(std::string_view name) {
  std::string folded;
  folded.reserve(name.size());
  char encoded[4];
  for (size_t position = 0; position < name.size();) {
    folded.append(encoded, encode_utf8(simple_case_fold(next_code_point(name, &position)), encoded));
  }
  return folded;
}

// Code point by code point: a fold can change a character's length in bytes
// (KELVIN SIGN is three, its fold "k" one), so equal names can differ in size.
bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a == b) return true;
  size_t in_a = 0;
  size_t in_b = 0;
  while (in_a < a.size() && in_b < b.size()) {
    if (simple_case_fold(next_code_point(a, &in_a)) != simple_case_fold(next_code_point(b, &in_b))) return false;
  }
  return in_a == a.size() && in_b == b.size();
}

// FNV-1a over the UTF-8 bytes of the folded name, starting from a random
// offset. Not a keyed cryptographic hash like SipHash: enough to stop
// precomputed collisions, not an attacker who can measure timings at length.
size_t hash_ignoring_case(std::string_view name) {
  uint64_t hash = 14695981039346656037ull ^ process_hash_seed();
  char encoded[4];
  for (size_t position = 0; position < name.size();) {
    size_t length = encode_utf8(simple_case_fold(next_code_point(name, &position)), encoded);
    for (size_t i = 0; i < length; ++i) {
      hash ^= static_cast<uint8_t>(encoded[i]);
      hash *= 1099511628211ull;
    }
  }
  return static_cast<size_t>(hash);
}
