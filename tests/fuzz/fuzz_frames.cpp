// fuzz_frames.cpp: libFuzzer target for MessageReader over FrameParser
// (RFC 6455 sections 5.2-5.7, 7.4 and 8.1), differential over how the bytes
// arrive.
//
// The input is the byte stream a client sends after the handshake. It is read
// three ways, each by a new reader: in one buffer, one byte at a time, and in
// chunks cut by fuzz_support::SplitPlan. message_reader.h promises that any
// split gives the same events, so the three event sequences (kind, opcode,
// payload, close code, error reason) must be equal.
//
// The reader unmasks payloads in place, so every run works on its own copy,
// and each chunk is copied into a heap block of exactly its size: a read one
// byte past the chunk is an ASan report. Payloads are copied out at once,
// because the next read() may reuse their memory.
//
// Besides agreement, each event is held to what the RFC allows the reader to
// deliver: text and close reasons are valid UTF-8, close codes are ones a
// peer may send, control payloads fit in 125 bytes, no message exceeds the
// limit. And the memory promise: a reader between messages holds no heap.
//
// The message size limit is taken from the input's hash, so small limits
// (where 1009 happens on short inputs) are fuzzed as well as the default.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "websocket/message_reader.h"
#include "base/utf8.h"

namespace {

struct Event {
  WsEventKind kind;
  Opcode opcode;
  std::string payload;
  uint16_t close_code;
  std::string error_reason;

  bool operator==(const Event& other) const {
    return kind == other.kind && opcode == other.opcode && payload == other.payload &&
           close_code == other.close_code && error_reason == other.error_reason;
  }
};

// What the reader may hand out, whatever the input.
void check_event(const WsEvent& event, size_t max_message_bytes) {
  switch (event.kind) {
    case WsEventKind::None: break;
    case WsEventKind::Message:
      FUZZ_CHECK(event.opcode == Opcode::Text || event.opcode == Opcode::Binary);
      FUZZ_CHECK(event.payload.size() <= max_message_bytes);
      if (event.opcode == Opcode::Text) FUZZ_CHECK(is_valid_utf8(event.payload));
      break;
    case WsEventKind::Ping:
    case WsEventKind::Pong:
      FUZZ_CHECK(event.payload.size() <= 125);
      break;
    case WsEventKind::Close:
      FUZZ_CHECK(event.payload.size() <= 123);
      FUZZ_CHECK(is_valid_utf8(event.payload));
      if (event.close_code == close_code::kNoStatus) {
        FUZZ_CHECK(event.payload.empty());
      } else {
        FUZZ_CHECK(is_valid_close_code(event.close_code));
      }
      break;
    case WsEventKind::Error:
      FUZZ_CHECK(event.close_code == close_code::kProtocolError || event.close_code == close_code::kInvalidPayload ||
                 event.close_code == close_code::kMessageTooBig);
      FUZZ_CHECK(event.error_reason != nullptr && event.error_reason[0] != '\0');
      break;
  }
}

// Reads the stream in chunks of the sizes next_size() picks and returns the
// events, up to and including an Error.
template <typename NextSize>
std::vector<Event> read_stream(const uint8_t* stream, size_t size, size_t max_message_bytes, NextSize next_size) {
  MessageReader reader(max_message_bytes);
  std::vector<Event> events;
  size_t start = 0;
  while (start < size) {
    const size_t chunk_size = next_size(size - start);
    std::unique_ptr<char[]> chunk(new char[chunk_size]);
    std::memcpy(chunk.get(), stream + start, chunk_size);
    start += chunk_size;
    size_t offset = 0;
    for (;;) {
      WsEvent event;
      const size_t consumed = reader.read(chunk.get() + offset, chunk_size - offset, &event);
      FUZZ_CHECK(consumed <= chunk_size - offset);
      offset += consumed;
      check_event(event, max_message_bytes);
      if (event.kind == WsEventKind::None) {
        FUZZ_CHECK(offset == chunk_size);  // None: every byte was used
        break;
      }
      events.push_back({event.kind, event.opcode, std::string(event.payload), event.close_code,
                        event.kind == WsEventKind::Error ? event.error_reason : ""});
      if (event.kind == WsEventKind::Error) {
        // The reader is finished: it repeats the error and takes nothing.
        WsEvent again;
        FUZZ_CHECK(reader.read(chunk.get() + offset, chunk_size - offset, &again) == 0);
        FUZZ_CHECK(again.kind == WsEventKind::Error && again.close_code == event.close_code);
        return events;
      }
    }
  }
  // Between messages an idle reader gives back every heap byte once the
  // last payload has been collected (a zero-length read does that).
  char nothing = 0;
  WsEvent last;
  reader.read(&nothing, 0, &last);
  FUZZ_CHECK(last.kind == WsEventKind::None);
  if (!reader.in_message()) FUZZ_CHECK(reader.heap_bytes() == 0);
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz_support::SplitPlan plan(data, size);
  static const size_t kLimits[] = {0, 1, 125, 126, 1000, 64 * 1024};
  const size_t limit = kLimits[plan.next_random() % (sizeof kLimits / sizeof kLimits[0])];

  const std::vector<Event> whole = read_stream(data, size, limit, [](size_t remaining) { return remaining; });
  const std::vector<Event> byte_by_byte = read_stream(data, size, limit, [](size_t) { return size_t{1}; });
  FUZZ_CHECK(byte_by_byte == whole);
  const std::vector<Event> split =
      read_stream(data, size, limit, [&plan](size_t remaining) { return plan.next(remaining); });
  FUZZ_CHECK(split == whole);
  return 0;
}
