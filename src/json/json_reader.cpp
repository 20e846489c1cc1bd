// json_reader.cpp: parse_json() and the JsonValue lookups, a strict and
// bounded JSON reader (RFC 8259).
//
// The reader follows the grammar of RFC 8259 sections 2 to 7 to the letter
// and takes every "may" the RFC leaves open in the strict direction, because
// its input is whatever a chat client chose to send:
//   - duplicate object member names are an error (section 4 allows them, but
//     "which one wins" differs between parsers, a classic smuggling trick);
//   - strings must be valid UTF-8 with valid surrogate escapes (section 8);
//     json_string.cpp decodes them. Outside strings only ASCII can appear;
//   - numbers that a double cannot hold (1e400, and also 1e-400, which
//     underflows) are rejected rather than silently rounded (section 6).
// Limits (JsonLimits) cap the input size, the nesting depth and the number of
// values. Recursion depth equals nesting depth and is checked before each
// descent, so hostile input cannot exhaust the stack; every allocation is
// bounded by the value count and the input size.
//
// Deliberately left out: a byte order mark (section 8.1 says a parser MAY
// ignore one; we treat it as the invalid character it is in a chat message),
// numbers kept as exact text (values arrive as double), and streaming input.

#include "json/json.h"
#include "json/json_string.h"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <system_error>

/* ===== The reader ===== */

class JsonReader {
 public:
  JsonReader(std::string_view text, const JsonLimits& limits, std::string* error)
      : text_(text), limits_(limits), error_(error) {}

  // Parses the whole text as one value followed only by whitespace.
  bool parse_document(JsonValue* out) {
    if (text_.size() > limits_.max_bytes) return fail("input too large", limits_.max_bytes);
    skip_whitespace();
    if (!parse_value(out, 0)) return false;
    skip_whitespace();
    if (pos_ != text_.size()) return fail("trailing data", pos_);
    return true;
  }

 private:
  // Objects larger than this are checked for duplicate keys by sorting
  // instead of comparing every pair, so a 4096-member object costs
  // n log n comparisons rather than eight million.
  static constexpr size_t kPairwiseDuplicateCheckLimit = 16;

  int peek() const {
    return pos_ < text_.size() ? static_cast<unsigned char>(text_[pos_]) : -1;
  }
  bool peek_digit() const { return peek() >= '0' && peek() <= '9'; }

  // RFC 8259 section 2: only space, tab, line feed and carriage return.
  void skip_whitespace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  // Records "<what> at byte <where>" and returns false, so callers can write
  // `return fail(...)`.
  bool fail(const char* what, size_t where) {
    if (error_ != nullptr) {
      *error_ = what;
      *error_ += " at byte ";
      *error_ += std::to_string(where);
    }
    return false;
  }
  bool fail_unexpected() {
    return fail(pos_ < text_.size() ? "unexpected character" : "unexpected end of input", pos_);
  }

  bool parse_value(JsonValue* out, size_t depth) {
    if (++values_ > limits_.max_values) return fail("too many values", pos_);
    switch (peek()) {
      case '{': return parse_object(out, depth + 1);
      case '[': return parse_array(out, depth + 1);
      case '"':
        out->type_ = JsonValue::Type::String;
        return parse_string(&out->string_);
      case 't': out->type_ = JsonValue::Type::Bool; out->bool_ = true; return parse_literal("true");
      case 'f': out->type_ = JsonValue::Type::Bool; return parse_literal("false");
      case 'n': return parse_literal("null");
      default:
        if (peek() == '-' || peek_digit()) return parse_number(out);
        return fail_unexpected();
    }
  }

  bool parse_literal(std::string_view word) {
    for (char expected : word) {
      if (peek() != static_cast<unsigned char>(expected)) return fail_unexpected();
      ++pos_;
    }
    return true;
  }

  // RFC 8259 section 4. On entry pos_ is at '{'.
  bool parse_object(JsonValue* out, size_t depth) {
    if (depth > limits_.max_depth) return fail("nesting too deep", pos_);
    out->type_ = JsonValue::Type::Object;
    ++pos_;
    skip_whitespace();
    if (peek() == '}') {
      ++pos_;
      return true;
    }
    const size_t first_key = key_offsets_.size();
    for (;;) {
      if (peek() != '"') return fail_unexpected();
      key_offsets_.push_back(pos_);
      out->members_.emplace_back();
      std::pair<std::string, JsonValue>& member = out->members_.back();
      if (!parse_string(&member.first)) return false;
      skip_whitespace();
      if (peek() != ':') return fail_unexpected();
      ++pos_;
      skip_whitespace();
      if (!parse_value(&member.second, depth)) return false;
      skip_whitespace();
      if (peek() == '}') break;
      if (peek() != ',') return fail_unexpected();
      ++pos_;
      skip_whitespace();
    }
    ++pos_;
    bool unique = check_duplicate_keys(*out, first_key);
    key_offsets_.resize(first_key);
    return unique;
  }

  // Fails at the first key (in text order) that repeats an earlier one.
  bool check_duplicate_keys(const JsonValue& object, size_t first_key) {
    const auto& members = object.members_;
    const size_t count = members.size();
    if (count <= kPairwiseDuplicateCheckLimit) {
      for (size_t later = 1; later < count; ++later) {
        for (size_t earlier = 0; earlier < later; ++earlier) {
          if (members[earlier].first == members[later].first) {
            return fail("duplicate key", key_offsets_[first_key + later]);
          }
        }
      }
      return true;
    }
    // Sorting by (key, position) puts every repeat right after an equal key.
    key_order_.resize(count);
    std::iota(key_order_.begin(), key_order_.end(), size_t{0});
    std::sort(key_order_.begin(), key_order_.end(), [&](size_t a, size_t b) {
      int order = members[a].first.compare(members[b].first);
      return order < 0 || (order == 0 && a < b);
    });
    size_t first_repeat = count;
    for (size_t i = 1; i < count; ++i) {
      if (members[key_order_[i - 1]].first == members[key_order_[i]].first) {
        first_repeat = std::min(first_repeat, key_order_[i]);
      }
    }
    if (first_repeat == count) return true;
    return fail("duplicate key", key_offsets_[first_key + first_repeat]);
  }

  // RFC 8259 section 5. On entry pos_ is at '['.
  bool parse_array(JsonValue* out, size_t depth) {
    if (depth > limits_.max_depth) return fail("nesting too deep", pos_);
    out->type_ = JsonValue::Type::Array;
    ++pos_;
    skip_whitespace();
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      out->items_.emplace_back();
      if (!parse_value(&out->items_.back(), depth)) return false;
      skip_whitespace();
      if (peek() == ']') break;
      if (peek() != ',') return fail_unexpected();
      ++pos_;
      skip_whitespace();
    }
    ++pos_;
    return true;
  }

  // RFC 8259 section 6: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
  // The grammar is checked here; from_chars only converts the digits, and it
  // does so without consulting the C locale (strtod would read "1,5" in a
  // German locale).
  bool parse_number(JsonValue* out) {
    const size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
      if (peek_digit()) return fail("leading zero", start);
    } else if (peek_digit()) {
      while (peek_digit()) ++pos_;
    } else {
      return fail_unexpected();
    }
    if (peek() == '.') {
      ++pos_;
      if (!peek_digit()) return fail_unexpected();
      while (peek_digit()) ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!peek_digit()) return fail_unexpected();
      while (peek_digit()) ++pos_;
    }
    const char* end = text_.data() + pos_;
    std::from_chars_result result = std::from_chars(text_.data() + start, end, out->number_);
    if (result.ec != std::errc() || result.ptr != end) return fail("number out of range", start);
    out->type_ = JsonValue::Type::Number;
    return true;
  }

  // RFC 8259 section 7; the decoding itself lives in json_string.cpp.
  bool parse_string(std::string* out) {
    size_t error_offset;
    const char* problem = decode_json_string(text_, &pos_, out, &error_offset);
    return problem == nullptr || fail(problem, error_offset);
  }

  std::string_view text_;
  const JsonLimits& limits_;
  std::string* error_;
  size_t pos_ = 0;
  size_t values_ = 0;
  // Byte offset of each key of every object still open, innermost last, so a
  // duplicate can be reported where it stands.
  std::vector<size_t> key_offsets_;
  // Scratch space for the sorted duplicate check, reused by every object.
  std::vector<size_t> key_order_;
};

/* ===== Public entry points ===== */

bool parse_json(std::string_view text, JsonValue* out, std::string* error,
                const JsonLimits& limits) {
  *out = JsonValue();
  JsonReader reader(text, limits, error);
  if (reader.parse_document(out)) return true;
  *out = JsonValue();  // never hand back half a tree
  return false;
}

// Linear search: chat messages have a handful of members, and a hash index
// would cost more to build than it saves.
const JsonValue* JsonValue::find(std::string_view key) const {
  if (type_ != Type::Object) return nullptr;
  for (const auto& member : members_) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

const std::string* JsonValue::find_string(std::string_view key) const {
  const JsonValue* value = find(key);
  return value != nullptr && value->is_string() ? &value->string_ : nullptr;
}
