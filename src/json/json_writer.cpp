// json_writer.cpp: JsonWriter, which builds JSON text (RFC 8259) by
// appending to a std::string, inserting commas itself.
//
// Every string and key goes through append_json_string() (json_string.cpp),
// so user text always comes out as a valid, escaped JSON string.
//
// The writer trusts its caller to make well-shaped calls (keys only inside
// objects, every begin matched by an end, one top-level value); it does not
// check, to stay cheap on the broadcast path. Floating-point output is left
// out: the chat protocol only sends integers.

#include "json/json.h"

#include <charconv>

/* ===== JsonWriter ===== */

// One flag is enough for the commas. After a complete value (a scalar, or a
// container just closed) the next value or key at that level needs a comma;
// right after '{', '[' or a key's ':' it does not. Closing a container lands
// back in the parent right after a complete value, so no per-level stack is
// needed.
void JsonWriter::before_value() {
  if (need_comma_) out_->push_back(',');
  need_comma_ = false;
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_->push_back('{');
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_->push_back('}');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_->push_back('[');
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_->push_back(']');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  append_json_string(out_, name);
  out_->push_back(':');
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view text) {
  before_value();
  append_json_string(out_, text);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::number(int64_t value) {
  before_value();
  char digits[24];
  std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, value);
  out_->append(digits, result.ptr);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::number(uint64_t value) {
  before_value();
  char digits[24];
  std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, value);
  out_->append(digits, result.ptr);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  before_value();
  out_->append(value ? "true" : "false");
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_->append("null");
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_->append(json.data(), json.size());
  need_comma_ = true;
  return *this;
}
