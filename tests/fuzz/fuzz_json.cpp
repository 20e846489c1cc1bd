// fuzz_json.cpp: libFuzzer target for parse_json() and JsonWriter (RFC 8259).
//
// The input is parsed with the limits chat requests get. If it parses, the
// tree is written back out with JsonWriter, and that text must
//   - parse again (the writer only ever produces valid JSON, whatever the
//     strings hold: quotes, control characters, U+2028, NUL);
//   - give a tree equal to the first one, value by value (the round trip
//     loses nothing: escapes decode to what was escaped);
//   - be written out again byte for byte the same (writing is a function of
//     the tree alone, so a second round trip is a fixed point).
// If it does not parse, the error must say what and where, and the output
// value must be left empty (json.h: "never hand back half a tree").
//
// The writer has no floating-point output (the chat protocol sends only
// integers), so numbers go through raw() in the shortest form std::to_chars
// gives that reads back as the same double; that form is valid JSON for
// every finite double, and the reader never produces any other.
//
// Deliberately left out: judging which inputs should be refused. The unit
// tests (json_rejection_test.cpp) pin the grammar down; here the reader is
// held to never crashing, never recursing or allocating without bound, and
// agreeing with the writer.
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "json/json.h"

namespace {

void write_value(JsonWriter& writer, const JsonValue& value) {
  switch (value.type()) {
    case JsonValue::Type::Null: writer.null(); break;
    case JsonValue::Type::Bool: writer.boolean(value.as_bool()); break;
    case JsonValue::Type::Number: {
      FUZZ_CHECK(std::isfinite(value.as_number()));
      char digits[32];
      const std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, value.as_number());
      FUZZ_CHECK(result.ec == std::errc());
      writer.raw(std::string_view(digits, static_cast<size_t>(result.ptr - digits)));
      break;
    }
    case JsonValue::Type::String: writer.string(value.as_string()); break;
    case JsonValue::Type::Array:
      writer.begin_array();
      for (const JsonValue& item : value.items()) write_value(writer, item);
      writer.end_array();
      break;
    case JsonValue::Type::Object:
      writer.begin_object();
      for (const auto& member : value.members()) {
        writer.key(member.first);
        write_value(writer, member.second);
      }
      writer.end_object();
      break;
  }
}

std::string write_json(const JsonValue& value) {
  std::string text;
  JsonWriter writer(&text);
  write_value(writer, value);
  return text;
}

// Deep equality. Numbers compare as doubles, so 0 and -0 are equal (JSON
// does not tell them apart either).
bool same_value(const JsonValue& a, const JsonValue& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case JsonValue::Type::Null: return true;
    case JsonValue::Type::Bool: return a.as_bool() == b.as_bool();
    case JsonValue::Type::Number: return a.as_number() == b.as_number();
    case JsonValue::Type::String: return a.as_string() == b.as_string();
    case JsonValue::Type::Array:
      if (a.items().size() != b.items().size()) return false;
      for (size_t i = 0; i < a.items().size(); ++i) {
        if (!same_value(a.items()[i], b.items()[i])) return false;
      }
      return true;
    case JsonValue::Type::Object:
      if (a.members().size() != b.members().size()) return false;
      for (size_t i = 0; i < a.members().size(); ++i) {
        if (a.members()[i].first != b.members()[i].first) return false;
        if (!same_value(a.members()[i].second, b.members()[i].second)) return false;
      }
      return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  JsonValue value;
  std::string error;
  if (!parse_json(text, &value, &error)) {
    FUZZ_CHECK(error.find(" at byte ") != std::string::npos);
    FUZZ_CHECK(value.is_null());
    return 0;
  }
  FUZZ_CHECK(error.empty());

  // Escaping can make the text up to six times longer (a control character
  // becomes \u0001), so the second reading gets room for that; the depth and
  // value count do not change in a round trip.
  JsonLimits wider;
  wider.max_bytes = 6 * JsonLimits().max_bytes + 64;
  const std::string written = write_json(value);
  JsonValue reread;
  std::string reread_error;
  if (!parse_json(written, &reread, &reread_error, wider)) {
    std::fprintf(stderr, "written JSON does not parse (%s): %s\n", reread_error.c_str(), written.c_str());
    FUZZ_CHECK(false);
  }
  FUZZ_CHECK(same_value(value, reread));
  FUZZ_CHECK(write_json(reread) == written);
  return 0;
}
