// resp_test_support.h: what the RESP tests share: builders for expected
// reply trees, a printer so that a failed comparison shows the tree, and a
// driver that feeds a byte stream to a RespReader in chosen chunks.
//
// Each chunk is copied into a heap block of exactly its size, so a read past
// the end of what the reader was given is an AddressSanitizer report under
// `make asan` (picohttpparser's tests do the same with guard pages).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "redis/resp_reader.h"

/* ===== Expected values ===== */

namespace resp_test {

inline RespValue simple(const std::string& text) {
  RespValue value;
  value.type = RespValue::Type::SimpleString;
  value.text = text;
  return value;
}

inline RespValue error(const std::string& text) {
  RespValue value;
  value.type = RespValue::Type::Error;
  value.text = text;
  return value;
}

inline RespValue integer(int64_t number) {
  RespValue value;
  value.type = RespValue::Type::Integer;
  value.integer = number;
  return value;
}

inline RespValue bulk(const std::string& text) {
  RespValue value;
  value.type = RespValue::Type::Bulk;
  value.text = text;
  return value;
}

inline RespValue null() { return RespValue(); }

inline RespValue array(std::vector<RespValue> elements) {
  RespValue value;
  value.type = RespValue::Type::Array;
  value.elements = std::move(elements);
  return value;
}

/* ===== Driving the reader ===== */

// What a reader made of a whole stream: the replies in order, then either
// the error that stopped it or "" (with need_more when the stream ended in
// the middle of a reply).
struct Outcome {
  std::vector<RespValue> replies;
  std::string error;
  bool need_more = false;     // the last call reported NeedMore
  size_t consumed = 0;        // bytes the reader reported using, in all
  bool overran_chunk = false; // a call claimed more bytes than it was given

  bool operator==(const Outcome& other) const {
    return replies == other.replies && error == other.error && need_more == other.need_more &&
           consumed == other.consumed;
  }
};

// Feeds stream in chunks of the given sizes (the last size repeats; zero
// sizes are skipped), taking each reply as it completes.
inline Outcome read_in_chunks(const std::string& stream, const std::vector<size_t>& sizes,
                              const RespLimits& limits = RespLimits()) {
  RespReader reader(limits);
  Outcome outcome;
  size_t start = 0;
  for (size_t index = 0; start < stream.size(); ++index) {
    size_t size = sizes.empty() ? stream.size() : sizes[std::min(index, sizes.size() - 1)];
    size = std::min(std::max<size_t>(size, 1), stream.size() - start);
    std::unique_ptr<char[]> chunk(new char[size]);
    std::copy(stream.begin() + start, stream.begin() + start + size, chunk.get());
    start += size;
    size_t offset = 0;
    while (offset < size) {
      RespReader::Status status;
      const size_t used = reader.parse(chunk.get() + offset, size - offset, &status);
      if (used > size - offset) outcome.overran_chunk = true;
      offset += used;
      outcome.consumed += used;
      outcome.need_more = status == RespReader::Status::NeedMore;
      if (status == RespReader::Status::Reply) {
        outcome.replies.push_back(reader.take_reply());
      } else if (status == RespReader::Status::Error) {
        outcome.error = reader.error_reason();
        return outcome;
      } else if (offset != size) {
        outcome.overran_chunk = true;  // NeedMore must mean "all used"
        return outcome;
      }
    }
  }
  return outcome;
}

inline Outcome read_whole(const std::string& stream, const RespLimits& limits = RespLimits()) {
  return read_in_chunks(stream, {}, limits);
}

// The reason a stream is refused with, or "accepted" when it is not.
inline std::string read_error(const std::string& stream, const RespLimits& limits = RespLimits()) {
  const Outcome outcome = read_whole(stream, limits);
  return outcome.error.empty() ? "accepted" : outcome.error;
}

}  // namespace resp_test

/* ===== Printing ===== */

// GoogleTest finds this by argument-dependent lookup when a comparison fails.
inline void PrintTo(const RespValue& value, std::ostream* out) {
  switch (value.type) {
    case RespValue::Type::SimpleString: *out << "+\"" << value.text << "\""; return;
    case RespValue::Type::Error: *out << "-\"" << value.text << "\""; return;
    case RespValue::Type::Integer: *out << ":" << value.integer; return;
    case RespValue::Type::Bulk: *out << "$\"" << value.text << "\""; return;
    case RespValue::Type::Null: *out << "null"; return;
    case RespValue::Type::Array:
      *out << "[";
      for (size_t i = 0; i < value.elements.size(); ++i) {
        if (i > 0) *out << ", ";
        PrintTo(value.elements[i], out);
      }
      *out << "]";
      return;
  }
}

namespace resp_test {
inline void PrintTo(const Outcome& outcome, std::ostream* out) {
  *out << outcome.replies.size() << " replies {";
  for (const RespValue& reply : outcome.replies) {
    ::PrintTo(reply, out);
    *out << "; ";
  }
  *out << "} error \"" << outcome.error << "\" need_more " << outcome.need_more << " consumed "
       << outcome.consumed;
}
}  // namespace resp_test
