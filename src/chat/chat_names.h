// chat_names.h: the naming rule shared by member names and room names, and
// the Unicode case folding that makes "Alice" and "alice", "ÄLICE" and
// "älice" the same name. The rule is in docs/protocol.md (Client to server);
// the character classes and the folding it uses are in unicode_names.h.
//
// The rule is there so that a name shows as what it is: no character that
// renders as nothing or reorders the text around it (so nobody can be
// "alice" plus an invisible character beside the real alice), no blank or
// space-padded name, no mark without a letter to sit on, and no tower of
// marks that spills over the lines around it.
//
// Deliberately left out: normalisation (so "é" precomposed and "e" plus a
// combining accent are different names), full case folding (so "ß" and "ss"
// differ), and confusable letters (Latin "a" and Cyrillic "а", or a
// no-break space inside a name where another has a plain one). Catching
// those needs Unicode's normalisation and confusables data (UAX #15, UTS
// #39), several times the size of the tables this rule carries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

constexpr size_t kMaxNameCodePoints = 32;
// Real text puts two or three marks on a letter (Vietnamese, pointed
// Hebrew, Indic vowel signs); more is "zalgo" text.
constexpr size_t kMaxCombiningMarksInARow = 4;

// Code points in valid UTF-8 text: every byte that is not a continuation
// byte (10xxxxxx) starts one.
size_t count_code_points(std::string_view utf8);

// The naming rule: 1 to 32 code points; none of them a control (Cc), format
// character (Cf: bidi controls, zero-width spaces and joiners, the byte
// order mark), line or paragraph separator (Zl, Zp), surrogate (Cs),
// private-use (Co), unassigned (Cn) or other default-ignorable code point;
// no space of any kind (Zs) at either end, so no name of spaces only; no
// combining mark (Mn, Mc, Me) first, nor more than four in a row. Assumes
// valid UTF-8, which the server and the JSON reader both guarantee.
bool is_valid_name(std::string_view name);

// Names starting "guest-" (compared case-folded, so "GUEST-" and "gueſt-"
// too) are reserved for generated guest names, so that guest-<id> can never
// already be taken when client <id> connects.
bool has_guest_prefix(std::string_view name);

// "guest-<id>".
std::string guest_name(uint64_t id);

// name with every code point replaced by its simple case folding; the key
// under which rooms are kept.
std::string fold_case(std::string_view name);

// Equality and hash after simple case folding, for name and room lookups,
// without building the folded strings. Equal names hash equal: the hash is
// that of fold_case(name). It is seeded once per process so that nobody can
// prepare a set of names that all land in one bucket and turn joins into
// linear scans.
bool equal_ignoring_case(std::string_view a, std::string_view b);
size_t hash_ignoring_case(std::string_view name);
