// unicode_names.cpp: lookups in the generated Unicode tables, and one code
// point of UTF-8 at a time. See unicode_names.h.
#include "chat/unicode_names.h"

#include <algorithm>

/* ===== Table lookups ===== */

// ASCII is most of what names hold, so it never reaches the tables.
NameCharacterClass name_character_class(char32_t code_point) {
  if (code_point < 0x80) {
    if (code_point < 0x20 || code_point == 0x7F) return NameCharacterClass::kRefused;
    return code_point == ' ' ? NameCharacterClass::kSpace : NameCharacterClass::kOrdinary;
  }
  if (code_point > 0x10FFFF) return NameCharacterClass::kRefused;
  // The last run that starts at or before code_point holds it; the first run
  // starts at 0, so there always is one.
  const NameClassRun* end = kNameClassRuns + kNameClassRunCount;
  const NameClassRun* after = std::upper_bound(
      kNameClassRuns, end, code_point, [](char32_t value, const NameClassRun& run) { return value < run.first; });
  return (after - 1)->name_class;
}

char32_t simple_case_fold(char32_t code_point) {
  if (code_point < 0x80) return (code_point >= 'A' && code_point <= 'Z') ? code_point + ('a' - 'A') : code_point;
  const CaseFoldRange* end = kCaseFoldRanges + kCaseFoldRangeCount;
  const CaseFoldRange* after = std::upper_bound(
      kCaseFoldRanges, end, code_point, [](char32_t value, const CaseFoldRange& range) { return value < range.first; });
  if (after == kCaseFoldRanges) return code_point;
  const CaseFoldRange& range = *(after - 1);
  if (code_point > range.last || (code_point - range.first) % range.stride != 0) return code_point;
  return static_cast<char32_t>(static_cast<int32_t>(code_point) + range.delta);
}

/* ===== UTF-8 (RFC 3629 section 3) ===== */

char32_t next_code_point(std::string_view text, size_t* position) {
  const uint8_t lead = static_cast<uint8_t>(text[*position]);
  ++*position;
  if (lead < 0x80) return lead;
  size_t continuation_bytes;
  char32_t code_point;
  if (lead >= 0xC0 && lead < 0xE0) {
    continuation_bytes = 1;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead < 0xF0) {
    continuation_bytes = 2;
    code_point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead < 0xF8) {
    continuation_bytes = 3;
    code_point = lead & 0x07;
  } else {
    return kNotACodePoint;  // a continuation byte, or a lead no code point has
  }
  for (size_t i = 0; i < continuation_bytes; ++i) {
    if (*position >= text.size()) return kNotACodePoint;
    const uint8_t next = static_cast<uint8_t>(text[*position]);
    if ((next & 0xC0) != 0x80) return kNotACodePoint;  // left for the next call
    code_point = (code_point << 6) | (next & 0x3F);
    ++*position;
  }
  return code_point > 0x10FFFF ? kNotACodePoint : code_point;
}

size_t encode_utf8(char32_t code_point, char out[4]) {
  if (code_point > 0x10FFFF) code_point = 0xFFFD;  // REPLACEMENT CHARACTER
  if (code_point < 0x80) {
    out[0] = static_cast<char>(code_point);
    return 1;
  }
  if (code_point < 0x800) {
    out[0] = static_cast<char>(0xC0 | (code_point >> 6));
    out[1] = static_cast<char>(0x80 | (code_point & 0x3F));
    return 2;
  }
  if (code_point < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (code_point >> 12));
    out[1] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (code_point & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (code_point >> 18));
  out[1] = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (code_point & 0x3F));
  return 4;
}
