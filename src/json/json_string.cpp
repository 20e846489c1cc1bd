// json_string.cpp: JSON string literals in both directions (RFC 8259
// section 7): decode_json_string() for the reader, append_json_string() for
// the writer.
//
// Decoding is strict. Raw bytes must be valid UTF-8 (RFC 8259 section 8.1,
// RFC 3629 section 4: no overlong forms, no encoded surrogates, nothing above
// U+10FFFF), checked by the one validator chatd has, base/utf8.h. Escapes must be one of the nine RFC 8259 lists, and \uXXXX
// escapes must form valid UTF-16 (section 8.2): a high surrogate must be
// followed by a low one, a low one may not stand alone. \u0000 is accepted
// and decodes to a NUL byte; callers that cannot hold NULs must check.
//
// Encoding escapes '"', '\\' and every control character below U+0020, using
// the short forms \b \f \n \r \t where they exist and \u00XX otherwise. It
// also escapes U+2028 and U+2029: JSON allows them raw, but JavaScript before
// ES2019 ends a line at them, which breaks a client that embeds the text.
// It assumes valid UTF-8 input and does not check it: everything the server
// writes came through the reader or a UTF-8 validated WebSocket frame.
//
// Both directions copy runs of ordinary bytes with one append, so plain text
// costs a scan and a memcpy; escapes only interrupt the run where they occur.

#include "json/json_string.h"

#include "json/json.h"

#include <cstdint>

#include "base/utf8.h"

/* ===== Decoding ===== */

namespace {

// Checks the run of non-ASCII bytes starting at text[at] (a UTF-8 sequence is
// made of bytes >= 0x80 only, so the run holds whole characters or an error)
// with the validator WebSocket text uses. Returns the position after the run,
// or npos with *error_offset at the first byte of the sequence that is not
// valid UTF-8. The common case is one feed() per run; only an invalid run is
// walked again, byte by byte, to find where its bad sequence begins.
size_t skip_utf8_run(std::string_view text, size_t at, size_t* error_offset) {
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t end = at;
  while (end < text.size() && bytes[end] >= 0x80) ++end;
  Utf8Validator validator;
  if (validator.feed(bytes + at, end - at) && validator.complete()) return end;
  validator.reset();
  size_t sequence_start = at;
  for (size_t i = at; i < end; ++i) {
    if (!validator.feed(bytes + i, 1)) break;
    if (validator.complete()) sequence_start = i + 1;
  }
  *error_offset = sequence_start;
  return std::string_view::npos;
}

// Reads four hex digits at text[*pos] and advances past them.
bool read_hex4(std::string_view text, size_t* pos, uint32_t* value) {
  if (text.size() - *pos < 4) return false;
  uint32_t result = 0;
  for (size_t i = *pos; i < *pos + 4; ++i) {
    const char c = text[i];
    uint32_t digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else return false;
    result = result * 16 + digit;
  }
  *pos += 4;
  *value = result;
  return true;
}

void append_utf8(std::string* out, uint32_t code_point) {
  char bytes[4];
  size_t length;
  if (code_point < 0x80) {
    bytes[0] = static_cast<char>(code_point);
    length = 1;
  } else if (code_point < 0x800) {
    bytes[0] = static_cast<char>(0xC0 | (code_point >> 6));
    bytes[1] = static_cast<char>(0x80 | (code_point & 0x3F));
    length = 2;
  } else if (code_point < 0x10000) {
    bytes[0] = static_cast<char>(0xE0 | (code_point >> 12));
    bytes[1] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    bytes[2] = static_cast<char>(0x80 | (code_point & 0x3F));
    length = 3;
  } else {
    bytes[0] = static_cast<char>(0xF0 | (code_point >> 18));
    bytes[1] = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    bytes[2] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    bytes[3] = static_cast<char>(0x80 | (code_point & 0x3F));
    length = 4;
  }
  out->append(bytes, length);
}

// Decodes the escape whose backslash is text[*pos], appends the character
// and advances past it. Returns nullptr, or the error message with
// *error_offset at the backslash of the offending escape.
const char* decode_escape(std::string_view text, size_t* pos, std::string* out,
                          size_t* error_offset) {
  *error_offset = *pos;
  const size_t after_backslash = *pos + 1;
  if (after_backslash >= text.size()) {
    *error_offset = text.size();
    return "unterminated string";
  }
  *pos = after_backslash + 1;
  switch (text[after_backslash]) {
    case '"': out->push_back('"'); return nullptr;
    case '\\': out->push_back('\\'); return nullptr;
    case '/': out->push_back('/'); return nullptr;
    case 'b': out->push_back('\b'); return nullptr;
    case 'f': out->push_back('\f'); return nullptr;
    case 'n': out->push_back('\n'); return nullptr;
    case 'r': out->push_back('\r'); return nullptr;
    case 't': out->push_back('\t'); return nullptr;
    case 'u': break;
    default: return "invalid escape";
  }
  uint32_t code_point;
  if (!read_hex4(text, pos, &code_point)) return "invalid escape";
  if (code_point >= 0xDC00 && code_point <= 0xDFFF) return "unpaired surrogate";
  if (code_point >= 0xD800 && code_point <= 0xDBFF) {
    // A character outside the Basic Multilingual Plane is written as a
    // high-low pair of escapes; anything else after the high half is an error.
    if (text.substr(*pos, 2) != "\\u") return "unpaired surrogate";
    const size_t low_start = *pos;
    *pos += 2;
    uint32_t low;
    if (!read_hex4(text, pos, &low)) {
      *error_offset = low_start;
      return "invalid escape";
    }
    if (low < 0xDC00 || low > 0xDFFF) return "unpaired surrogate";
    code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
  }
  append_utf8(out, code_point);
  return nullptr;
}

}  // namespace

const char* decode_json_string(std::string_view text, size_t* pos, std::string* out,
                               size_t* error_offset) {
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t at = *pos + 1;  // past the opening quote
  size_t run_start = at;
  for (;;) {
    if (at >= text.size()) {
      *error_offset = at;
      return "unterminated string";
    }
    const unsigned char c = bytes[at];
    if (c == '"') {
      out->append(text.data() + run_start, at - run_start);
      *pos = at + 1;
      return nullptr;
    }
    if (c == '\\') {
      out->append(text.data() + run_start, at - run_start);
      const char* problem = decode_escape(text, &at, out, error_offset);
      if (problem != nullptr) return problem;
      run_start = at;
    } else if (c < 0x20) {
      *error_offset = at;
      return "control character in string";
    } else if (c < 0x80) {
      ++at;
    } else {
      at = skip_utf8_run(text, at, error_offset);
      if (at == std::string_view::npos) return "invalid UTF-8";
    }
  }
}

/* ===== Encoding ===== */

namespace {

// Bytes that cannot simply be copied. 0xE2 is the lead byte of U+2028 and
// U+2029 (E2 80 A8, E2 80 A9); other characters starting with it are copied
// once the next two bytes show they are not one of those.
inline bool needs_escape_check(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\' || c == 0xE2;
}

void append_escaped_byte(std::string* out, unsigned char c) {
  switch (c) {
    case '"': out->append("\\\""); return;
    case '\\': out->append("\\\\"); return;
    case '\b': out->append("\\b"); return;
    case '\f': out->append("\\f"); return;
    case '\n': out->append("\\n"); return;
    case '\r': out->append("\\r"); return;
    case '\t': out->append("\\t"); return;
    default: {
      static const char kHexDigits[] = "0123456789abcdef";
      const char escape[6] = {'\\', 'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 0xF]};
      out->append(escape, sizeof escape);
      return;
    }
  }
}

}  // namespace

void append_json_string(std::string* out, std::string_view text) {
  out->reserve(out->size() + text.size() + 2);
  out->push_back('"');
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t run_start = 0;
  for (size_t i = 0; i < size; ++i) {
    const unsigned char c = bytes[i];
    if (!needs_escape_check(c)) continue;
    if (c == 0xE2) {
      const bool separator =
          i + 2 < size && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9);
      if (!separator) continue;
      out->append(text.data() + run_start, i - run_start);
      out->append(bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
      i += 2;
    } else {
      out->append(text.data() + run_start, i - run_start);
      append_escaped_byte(out, c);
    }
    run_start = i + 1;
  }
  out->append(text.data() + run_start, size - run_start);
  out->push_back('"');
}
