// websocket_test_support.h: helpers for the MessageReader test suites. Feeds a
// byte stream to a reader in chosen splits and records the events, so a test
// can state what a stream means and check that every split means the same.
//
// Each chunk is copied into a heap block of exactly its size, so under
// AddressSanitizer a read one byte past a chunk is caught (the idea of
// picohttpparser's tests). The reader unmasks in place, so every run works on
// its own copy of the stream.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "websocket/frame_writer.h"
#include "websocket/message_reader.h"

namespace websocket_test_support {

// The masking key of the RFC 6455 section 5.7 examples.
inline constexpr uint8_t kRfcMask[4] = {0x37, 0xfa, 0x21, 0x3d};

inline std::string bytes_of(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out.push_back(static_cast<char>(value));
  return out;
}

inline std::string masked(Opcode opcode, std::string_view payload, bool fin = true) {
  return encode_masked_frame(opcode, payload, kRfcMask, fin);
}

// One event, with its payload copied out of the reader's (or the chunk's)
// memory, which the next read may reuse.
struct RecordedEvent {
  WsEventKind kind;
  Opcode opcode;
  std::string payload;
  uint16_t close_code;

  bool operator==(const RecordedEvent& other) const {
    return std::tie(kind, opcode, payload, close_code) ==
           std::tie(other.kind, other.opcode, other.payload, other.close_code);
  }
};

inline std::ostream& operator<<(std::ostream& out, const RecordedEvent& event) {
  static const char* const kKindNames[] = {"None", "Message", "Ping", "Pong", "Close", "Error"};
  return out << "{" << kKindNames[static_cast<int>(event.kind)] << ", opcode " << static_cast<int>(event.opcode)
             << ", \"" << event.payload << "\", code " << event.close_code << "}";
}

inline RecordedEvent message(Opcode opcode, std::string payload) {
  return {WsEventKind::Message, opcode, std::move(payload), 0};
}
inline RecordedEvent text(std::string payload) { return message(Opcode::Text, std::move(payload)); }
inline RecordedEvent ping(std::string payload) { return {WsEventKind::Ping, Opcode::Ping, std::move(payload), 0}; }
inline RecordedEvent pong(std::string payload) { return {WsEventKind::Pong, Opcode::Pong, std::move(payload), 0}; }
inline RecordedEvent close_event(uint16_t code, std::string reason = "") {
  return {WsEventKind::Close, Opcode::Close, std::move(reason), code};
}
inline RecordedEvent error(uint16_t code) { return {WsEventKind::Error, Opcode::Text, "", code}; }

// Feeds stream to a fresh reader in chunks of the given sizes (the last
// chunk takes whatever is left) and returns the events, stopping after an
// Error. Also checks the read() contract: kind None means the chunk was used up.
inline std::vector<RecordedEvent> read_in_chunks(const std::string& stream, const std::vector<size_t>& chunk_sizes,
                                                 size_t max_message_bytes) {
  MessageReader reader(max_message_bytes);
  std::vector<RecordedEvent> events;
  size_t start = 0;
  for (size_t index = 0; start < stream.size(); ++index) {
    const size_t size = index < chunk_sizes.size() ? std::min(chunk_sizes[index], stream.size() - start)
                                                   : stream.size() - start;
    std::unique_ptr<char[]> chunk(new char[size]);
    std::copy(stream.begin() + start, stream.begin() + start + size, chunk.get());
    start += size;
    size_t offset = 0;
    for (;;) {
      WsEvent event;
      const size_t consumed = reader.read(chunk.get() + offset, size - offset, &event);
      offset += consumed;
      EXPECT_LE(offset, size);
      if (event.kind == WsEventKind::None) {
        EXPECT_EQ(offset, size) << "None must mean every byte was consumed";
        break;
      }
      events.push_back({event.kind, event.opcode, std::string(event.payload), event.close_code});
      if (event.kind == WsEventKind::Error) return events;
    }
  }
  return events;
}

inline std::vector<RecordedEvent> read_whole(const std::string& stream, size_t max_message_bytes = 64 * 1024) {
  return read_in_chunks(stream, {stream.size()}, max_message_bytes);
}

inline std::vector<RecordedEvent> read_byte_by_byte(const std::string& stream,
                                                    size_t max_message_bytes = 64 * 1024) {
  return read_in_chunks(stream, std::vector<size_t>(stream.size(), 1), max_message_bytes);
}

// Mostly tiny chunks (to land splits inside headers, mask keys and UTF-8
// sequences) with the occasional large one.
inline std::vector<size_t> random_split(size_t stream_size, uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<size_t> small(1, 7);
  std::uniform_int_distribution<size_t> any(1, std::max<size_t>(stream_size, 1));
  std::vector<size_t> sizes;
  for (size_t total = 0; total < stream_size;) {
    const size_t size = (generator() % 4 == 0) ? any(generator) : small(generator);
    sizes.push_back(size);
    total += size;
  }
  return sizes;
}

// The events of stream read in one piece, after checking that one byte at a
// time and twenty random splits give exactly the same events.
inline std::vector<RecordedEvent> read_every_way(const std::string& stream, size_t max_message_bytes = 64 * 1024) {
  const std::vector<RecordedEvent> whole = read_whole(stream, max_message_bytes);
  EXPECT_EQ(read_byte_by_byte(stream, max_message_bytes), whole) << "one byte at a time";
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    EXPECT_EQ(read_in_chunks(stream, random_split(stream.size(), seed), max_message_bytes), whole)
        << "random split, seed " << seed;
  }
  return whole;
}

// Feeds stream one byte at a time and returns the index of the byte whose
// arrival produced the Error event (stream.size() if none did).
inline size_t error_byte_index(const std::string& stream, size_t max_message_bytes = 64 * 1024) {
  MessageReader reader(max_message_bytes);
  for (size_t index = 0; index < stream.size(); ++index) {
    char byte = stream[index];
    for (size_t used = 0;;) {
      WsEvent event;
      used += reader.read(&byte + used, 1 - used, &event);
      if (event.kind == WsEventKind::Error) return index;
      if (event.kind == WsEventKind::None) break;
    }
  }
  return stream.size();
}

}  // namespace websocket_test_support
