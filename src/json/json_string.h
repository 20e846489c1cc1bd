// json_string.h: decoding of JSON string literals (RFC 8259 section 7), the
// part of the JSON reader that deals in escapes and UTF-8.
//
// Internal to the JSON module: json_reader.cpp calls it for keys and string
// values. The encoding direction is append_json_string() in json.h, defined
// in json_string.cpp next to this. Surrogate escapes and raw UTF-8 are held
// to RFC 8259 section 8 strictly; nothing here allocates beyond *out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// Decodes the string literal whose opening quote is text[*pos], appending its
// characters to *out as UTF-8. On success returns nullptr and leaves *pos
// just past the closing quote. On failure returns a short fixed message
// ("unterminated string", "control character in string", "invalid escape",
// "unpaired surrogate", "invalid UTF-8") and sets *error_offset to the byte
// it concerns (for escapes, the backslash that starts the bad escape).
const char* decode_json_string(std::string_view text, size_t* pos, std::string* out,
                               size_t* error_offset);
