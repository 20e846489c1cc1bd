// ascii.h: ASCII case folding, for the protocol words that compare without
// regard to case: HTTP field names (RFC 9110 section 5.1), tokens such as
// "Upgrade: websocket" (RFC 6455 section 4.2.1), URI schemes (RFC 3986
// section 3.1) and Origins (RFC 6454 section 6.2).
//
// Only A-Z and a-z fold; every other byte, including UTF-8, compares as it
// is. That is what those RFCs ask for, and it is deliberately not the
// Unicode folding of chat names (src/chat/chat_names.h), which is another
// job.
#pragma once

#include <cstddef>
#include <string_view>

constexpr char to_lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// a and b are equal once A-Z are folded to a-z.
constexpr bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (to_lower_ascii(a[i]) != to_lower_ascii(b[i])) return false;
  }
  return true;
}

// text begins with prefix once A-Z are folded to a-z.
constexpr bool starts_with_ignoring_ascii_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equals_ignoring_ascii_case(text.substr(0, prefix.size()), prefix);
}
