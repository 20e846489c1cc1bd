// unicode_names.h: the few Unicode facts the naming rule needs (chat_names.h):
// what class of character a code point is, its simple case folding, and
// UTF-8 decoding and encoding of one code point (RFC 3629 section 3).
//
// The classes come from the General_Category and the
// Default_Ignorable_Code_Point property of the Unicode Character Database
// (UAX #44); the folding is simple case folding, CaseFolding.txt statuses C
// and S (Unicode Standard section 3.13). Both are tables generated into
// unicode_tables.cpp by tools/make_unicode_tables.py; the version is
// kUnicodeVersion.
//
// Deliberately left out: normalisation (NFC), full and Turkic case folding,
// and grapheme clusters. The rule needs none of them, and each would add
// tables several times the size of these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chat/unicode_tables.h"

// Returned by next_code_point() for bytes that are not UTF-8; beyond
// U+10FFFF, so it is refused in names and folds to itself.
constexpr char32_t kNotACodePoint = 0x110000;

// The class of code_point (unicode_tables.h lists what each holds).
NameCharacterClass name_character_class(char32_t code_point);

// code_point's simple case folding: "A" to "a", "Σ" and "ς" to "σ", KELVIN
// SIGN to "k"; code_point itself when it has none.
char32_t simple_case_fold(char32_t code_point);

// Decodes the code point starting at text[*position] and moves *position
// past it. Meant for valid UTF-8; on anything else it still never reads
// past the end, advances at least one byte, and returns kNotACodePoint.
// Requires *position < text.size().
char32_t next_code_point(std::string_view text, size_t* position);

// Writes code_point as UTF-8 into out (U+FFFD in place of anything beyond
// U+10FFFF, kNotACodePoint included); returns the number of bytes, 1 to 4.
size_t encode_utf8(char32_t code_point, char out[4]);
