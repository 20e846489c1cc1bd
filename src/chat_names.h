// chat_names.h: the naming rule shared by member names and room names, and
// the ASCII case folding that makes "Alice" and "alice" the same name.
// The rule is in docs/protocol.md (Client to server).
//
// Deliberately left out: Unicode case folding and normalisation (so "Ä" and
// "ä" are different names), confusable letters (Latin "a" and Cyrillic "а"),
// and whitespace other than the ASCII space at either end. Catching those
// would need the Unicode tables, which a small server does not carry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

constexpr size_t kMaxNameCodePoints = 32;

// Code points in valid UTF-8 text: every byte that is not a continuation
// byte (10xxxxxx) starts one.
size_t count_code_points(std::string_view utf8);

// The naming rule: 1 to 32 code points, no control character (C0, DEL, or
// C1 U+0080-U+009F), no space at either end. Assumes valid UTF-8, which the
// server and the JSON reader both guarantee.
bool is_valid_name(std::string_view name);

// Names starting "guest-" (any ASCII case) are reserved for generated guest
// names, so that guest-<id> can never already be taken when client <id>
// connects.
bool has_guest_prefix(std::string_view name);

// "guest-<id>".
std::string guest_name(uint64_t id);

// name with ASCII letters lowered; other bytes unchanged.
std::string fold_ascii_case(std::string_view name);

// Equality and hash that ignore ASCII case, for name and room lookups. The
// hash is seeded once per process so that nobody can prepare a set of names
// that all land in one bucket and turn joins into linear scans.
bool equal_ignoring_ascii_case(std::string_view a, std::string_view b);
size_t hash_ignoring_ascii_case(std::string_view name);
