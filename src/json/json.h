// json.h: a small strict JSON reader and writer (RFC 8259).
//
// The reader builds a tree from untrusted client text. It is strict (no
// comments, no trailing commas, no leading zeros, no duplicate object keys,
// only the escapes RFC 8259 section 7 allows, valid UTF-8 and valid surrogate
// pairs) and bounded: input size, nesting depth and total number of values
// are capped, so a hostile message cannot make it recurse deeply or allocate
// without limit.
//
// The writer appends to a std::string and escapes every string it writes, so
// whatever a user typed comes out as valid JSON text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

class JsonValue {
 public:
  enum class Type : uint8_t { Null, Bool, Number, String, Array, Object };

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_bool() const { return type_ == Type::Bool; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }

  bool as_bool() const { return bool_; }
  double as_number() const { return number_; }
  const std::string& as_string() const { return string_; }
  const std::vector<JsonValue>& items() const { return items_; }
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }

  // Object member by key, or nullptr (also nullptr when this is not an object).
  const JsonValue* find(std::string_view key) const;
  // The member's string value, or nullptr when missing or not a string.
  const std::string* find_string(std::string_view key) const;

 private:
  friend class JsonReader;
  Type type_ = Type::Null;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

struct JsonLimits {
  size_t max_bytes = 64 * 1024;
  size_t max_depth = 16;
  size_t max_values = 4096;
};

// Parses the whole of text. On failure returns false and sets *error to a
// short message naming what was wrong and where ("unexpected character at 7").
bool parse_json(std::string_view text, JsonValue* out, std::string* error,
                const JsonLimits& limits = JsonLimits());

// Appends text as a JSON string literal, quotes included. Escapes '"', '\\',
// and every control character below U+0020; also U+2028 and U+2029, which
// some JavaScript parsers treat as line ends. Assumes text is valid UTF-8.
void append_json_string(std::string* out, std::string_view text);

// Builds JSON text by appending to a string. Commas are inserted for you.
//   JsonWriter w(&out);
//   w.begin_object().key("type").string("message").key("seq").number(7).end_object();
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view text);
  JsonWriter& number(int64_t value);
  JsonWriter& number(uint64_t value);
  JsonWriter& number(int value) { return number(static_cast<int64_t>(value)); }
  JsonWriter& number(unsigned value) { return number(static_cast<uint64_t>(value)); }
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // Inserts already-valid JSON text (e.g. a stored history entry) as a value.
  JsonWriter& raw(std::string_view json);

 private:
  void before_value();
  std::string* out_;
  bool need_comma_ = false;
};
