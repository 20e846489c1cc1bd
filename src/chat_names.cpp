// chat_names.cpp: the naming rule and ASCII case folding. See chat_names.h.
#include "chat_names.h"

#include <random>

namespace {

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

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
  if (name.empty() || name.front() == ' ' || name.back() == ' ') return false;
  if (count_code_points(name) > kMaxNameCodePoints) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    uint8_t byte = static_cast<uint8_t>(name[i]);
    if (byte < 0x20 || byte == 0x7F) return false;
    // U+0080..U+009F encode as C2 80..C2 9F; nothing else starts with C2 8x/9x.
    if (byte == 0xC2 && i + 1 < name.size()) {
      uint8_t next = static_cast<uint8_t>(name[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return false;
    }
  }
  return true;
}

bool has_guest_prefix(std::string_view name) {
  constexpr std::string_view kPrefix = "guest-";
  return name.size() >= kPrefix.size() && equal_ignoring_ascii_case(name.substr(0, kPrefix.size()), kPrefix);
}

std::string guest_name(uint64_t id) { return "guest-" + std::to_string(id); }

std::string fold_ascii_case(std::string_view name) {
  std::string folded(name);
  for (char& c : folded) c = lower_ascii(c);
  return folded;
}

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  }
  return true;
}

// FNV-1a over the folded bytes, starting from a random offset. Not a keyed
// cryptographic hash like SipHash: enough to stop precomputed collisions,
// not an attacker who can measure timings at length.
size_t hash_ignoring_ascii_case(std::string_view name) {
  uint64_t hash = 14695981039346656037ull ^ process_hash_seed();
  for (char c : name) {
    hash ^= static_cast<uint8_t>(lower_ascii(c));
    hash *= 1099511628211ull;
  }
  return static_cast<size_t>(hash);
}
