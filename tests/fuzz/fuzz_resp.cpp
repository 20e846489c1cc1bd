// fuzz_resp.cpp: libFuzzer target for RespReader and the command writer
// (RESP2, redis.io "Redis serialization protocol specification"),
// differential over how the bytes arrive.
//
// The input is the byte stream a Redis server would send. It is read three
// ways: in one buffer, one byte at a time, and in chunks cut by
// fuzz_support::SplitPlan, each chunk in a heap block of exactly its size (a
// read past it is an ASan report). resp_reader.h promises that any split
// gives the same replies, so the three sequences of events (each reply or
// the error reason, with the stream offset where it ended) must be equal.
// The one-buffer run is then repeated on the same reader after reset(),
// which must behave as new.
//
// Each reply is also held to the limits it was read under (sizes, depth,
// elements), and to the wire: written back out in RESP2 it takes exactly as
// many bytes as it was read from (the reader accepts only one spelling of
// each value, and both nulls are five bytes), and reads back as the same
// tree.
//
// Writer round trip: the input, cut into arguments by a second SplitPlan, is
// written with append_command and must read back as one array of those
// bulks, consuming every byte.
//
// The limits are taken from the input's hash, so small limits (where every
// "over limit" error is reachable by short inputs) are fuzzed as well as the
// defaults.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "redis/resp_reader.h"
#include "redis/resp_writer.h"

namespace {

struct Event {
  RespValue reply;
  std::string error;  // empty for a reply
  size_t end;         // stream offset just after the reply, or after the bad byte

  bool operator==(const Event& other) const {
    return reply == other.reply && error == other.error && end == other.end;
  }
};

RespLimits limits_for(const uint8_t* data, size_t size) {
  RespLimits limits;
  const uint64_t hash = fuzz_support::hash_bytes(data, size);
  if (hash % 4 != 0) return limits;  // three runs in four use the defaults
  limits.max_bulk_bytes = (hash >> 8) % 64;
  limits.max_array_elements = (hash >> 16) % 16;
  limits.max_depth = (hash >> 24) % 5;
  limits.max_line_bytes = (hash >> 32) % 32;
  limits.max_reply_bytes = (hash >> 40) % 256;
  return limits;
}

// Reads data in the chunk sizes next_size gives, one heap block per chunk.
template <typename NextSize>
std::vector<Event> read_stream(RespReader& reader, const uint8_t* data, size_t size, NextSize next_size) {
  std::vector<Event> events;
  size_t start = 0;
  while (start < size) {
    const size_t chunk_size = next_size(size - start);
    std::unique_ptr<char[]> chunk(new char[chunk_size]);
    std::memcpy(chunk.get(), data + start, chunk_size);
    size_t offset = 0;
    while (offset < chunk_size) {
      RespReader::Status status;
      const size_t used = reader.parse(chunk.get() + offset, chunk_size - offset, &status);
      FUZZ_CHECK(used <= chunk_size - offset);
      offset += used;
      if (status == RespReader::Status::NeedMore) {
        FUZZ_CHECK(offset == chunk_size);
      } else if (status == RespReader::Status::Reply) {
        FUZZ_CHECK(used > 0);
        events.push_back(Event{reader.take_reply(), "", start + offset});
      } else {
        FUZZ_CHECK(reader.failed());
        events.push_back(Event{RespValue(), reader.error_reason(), start + offset});
        // Sticky: nothing more is consumed, whatever follows.
        FUZZ_CHECK(reader.parse("+OK\r\n", 5, &status) == 0 && status == RespReader::Status::Error);
        return events;
      }
    }
    start += chunk_size;
  }
  return events;
}

// A reply as RESP2 bytes, in the one spelling the reader accepts (a null as
// "$-1"). Recursion is fine here: depth is bounded by the reader's limit.
void write_reply(std::string& out, const RespValue& value) {
  switch (value.type) {
    case RespValue::Type::SimpleString: out += "+" + value.text + "\r\n"; break;
    case RespValue::Type::Error: out += "-" + value.text + "\r\n"; break;
    case RespValue::Type::Integer: out += ":" + std::to_string(value.integer) + "\r\n"; break;
    case RespValue::Type::Bulk: append_bulk(out, value.text); break;
    case RespValue::Type::Null: out += "$-1\r\n"; break;
    case RespValue::Type::Array:
      append_array_header(out, value.elements.size());
      for (const RespValue& element : value.elements) write_reply(out, element);
      break;
  }
}

// What the reader may hand out under limits; returns the elements counted.
size_t check_reply(const RespValue& value, const RespLimits& limits, size_t depth) {
  switch (value.type) {
    case RespValue::Type::SimpleString:
    case RespValue::Type::Error:
      FUZZ_CHECK(value.text.size() <= limits.max_line_bytes);
      FUZZ_CHECK(value.text.find_first_of("\r\n") == std::string::npos);
      return 0;
    case RespValue::Type::Bulk: FUZZ_CHECK(value.text.size() <= limits.max_bulk_bytes); return 0;
    case RespValue::Type::Integer:
    case RespValue::Type::Null: return 0;
    case RespValue::Type::Array: {
      FUZZ_CHECK(depth + 1 <= limits.max_depth);
      size_t elements = value.elements.size();
      for (const RespValue& element : value.elements) elements += check_reply(element, limits, depth + 1);
      return elements;
    }
  }
  return 0;
}

void check_events(const std::vector<Event>& events, const RespLimits& limits) {
  size_t previous_end = 0;
  for (const Event& event : events) {
    if (!event.error.empty()) continue;
    FUZZ_CHECK(check_reply(event.reply, limits, 0) <= limits.max_array_elements);
    std::string written;
    write_reply(written, event.reply);
    FUZZ_CHECK(written.size() == event.end - previous_end);
    FUZZ_CHECK(written.size() <= limits.max_reply_bytes);
    RespReader reread(limits);
    RespReader::Status status;
    FUZZ_CHECK(reread.parse(written.data(), written.size(), &status) == written.size());
    FUZZ_CHECK(status == RespReader::Status::Reply);
    FUZZ_CHECK(reread.take_reply() == event.reply);
    previous_end = event.end;
  }
}

// The input cut into arguments, written as one command, read back.
void check_writer_round_trip(const uint8_t* data, size_t size) {
  fuzz_support::SplitPlan plan(data, size, 0x7265737077726974ULL);
  std::vector<std::string> arguments;
  for (size_t start = 0; start < size;) {
    const uint64_t random = plan.next_random();
    // Now and then an empty argument, never two in a row, so the loop ends.
    const bool empty = random % 4 == 0 && (arguments.empty() || !arguments.back().empty());
    const size_t length = empty ? 0 : plan.next(size - start);
    arguments.emplace_back(reinterpret_cast<const char*>(data) + start, length);
    start += length;
  }
  std::string out;
  append_command(out, arguments);
  RespReader reader;
  RespReader::Status status;
  FUZZ_CHECK(reader.parse(out.data(), out.size(), &status) == out.size());
  FUZZ_CHECK(status == RespReader::Status::Reply);
  const RespValue command = reader.take_reply();
  FUZZ_CHECK(command.is_array() && command.elements.size() == arguments.size());
  for (size_t i = 0; i < arguments.size(); ++i) {
    FUZZ_CHECK(command.elements[i].is_bulk() && command.elements[i].text == arguments[i]);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const RespLimits limits = limits_for(data, size);

  RespReader reader(limits);
  const std::vector<Event> whole = read_stream(reader, data, size, [](size_t remaining) { return remaining; });
  check_events(whole, limits);

  RespReader bytewise(limits);
  FUZZ_CHECK(read_stream(bytewise, data, size, [](size_t) { return size_t{1}; }) == whole);

  fuzz_support::SplitPlan plan(data, size);
  RespReader chunked(limits);
  FUZZ_CHECK(read_stream(chunked, data, size, [&plan](size_t remaining) { return plan.next(remaining); }) == whole);

  reader.reset();
  FUZZ_CHECK(read_stream(reader, data, size, [](size_t remaining) { return remaining; }) == whole);

  check_writer_round_trip(data, size);
  return 0;
}
