// message_reader.h: turns the bytes a client sends after the handshake into
// WebSocket events (RFC 6455 section 5): whole messages, pings, pongs, a close,
// or a protocol error with the close code to answer with.
//
// Two layers, kept apart as in wslay:
//   - FrameParser (frame_parser.h) is the byte-level state machine for one
//     frame: header, extended length, mask key, payload (unmasked in place).
//   - MessageReader (this file) is the message layer: fragment reassembly,
//     control frames interleaved between fragments, the size limit, UTF-8
//     checks for text messages and close reasons, close-code validation.
//
// Any byte split gives the same events. An idle reader holds no heap memory;
// the reassembly buffer exists only while a message spans reads or fragments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "websocket/frame_parser.h"
#include "base/utf8.h"
#include "websocket/websocket.h"

enum class WsEventKind : uint8_t { None, Message, Ping, Pong, Close, Error };

struct WsEvent {
  WsEventKind kind = WsEventKind::None;
  Opcode opcode = Opcode::Text;  // Message: Text or Binary
  // Message, Ping, Pong: the payload. Close: the reason text (may be empty).
  // Valid until the next call to MessageReader::read().
  std::string_view payload;
  // Close: the code the peer sent (kNoStatus when its Close had no payload).
  // Error: the code to close with (1002, 1007 or 1009).
  uint16_t close_code = 0;
  const char* error_reason = "";  // Error: short reason for the Close frame and the log
};

class MessageReader {
 public:
  explicit MessageReader(size_t max_message_bytes = 64 * 1024);

  // Parses bytes from data[0, length), unmasking payload bytes in place (so
  // the buffer must be the caller's own). Stops as soon as one event is
  // complete and returns the number of bytes consumed; the caller loops with
  // the remaining bytes. When it returns with event->kind == None it has
  // consumed all length bytes and needs more. After an Error event the reader
  // is finished: the caller closes the connection and stops feeding it.
  size_t read(char* data, size_t length, WsEvent* event);

  void set_max_message_bytes(size_t limit) { max_message_bytes_ = limit; }
  size_t max_message_bytes() const { return max_message_bytes_; }
  // True while a message is partly received (fragments or bytes still due).
  bool in_message() const;
  // Heap bytes the reader holds right now. A payload delivered from the
  // reassembly buffer stays valid until the next read(), so its memory is
  // released at the start of that call; read(data, 0, &event) releases it
  // without feeding anything. Looping until read() returns kind None does
  // this naturally.
  size_t heap_bytes() const;
  // For tests and benchmarks: how many times the reassembly buffer of the
  // latest buffered message was allocated or grown (it saturates at 65535).
  // Growth is geometric, so this is O(log message size) however the
  // message is fragmented.
  size_t reassembly_reallocations() const { return reassembly_reallocations_; }

 private:
  // Implementation-defined; see message_reader.cpp.
  enum class Failure : uint8_t {
    None,
    Frame,               // FrameParser refused the frame; it has the reason
    OrphanContinuation,
    InterruptedMessage,
    TooBig,
    InvalidText,
    TruncatedText,
    CloseOneByte,
    InvalidCloseCode,
    InvalidCloseReason,
  };

  bool payload_fits_in_place(size_t available) const;
  bool begin_frame(WsEvent* event);
  bool take_payload(uint8_t* chunk, size_t size, bool in_place, WsEvent* event);
  bool finish_frame(std::string_view payload, WsEvent* event);
  bool finish_close(std::string_view payload, WsEvent* event);
  void append_to_message(const uint8_t* bytes, size_t size);
  void append_to_control(const uint8_t* bytes, size_t size);
  std::string_view message_view() const;
  std::string_view control_view() const;
  void release_idle_buffers();
  void fail(Failure failure, WsEvent* event);
  void report_failure(WsEvent* event) const;

  // Laid out to keep the object small: it lives in every connection.
  FrameParser frame_;
  size_t max_message_bytes_;
  // Reassembly buffer: null while idle, allocated when a message spans reads
  // or fragments. 32-bit sizes cap a message at 4 GiB - 1 whatever the limit.
  std::unique_ptr<uint8_t[]> message_buffer_;
  uint32_t message_size_ = 0;
  uint32_t message_capacity_ = 0;
  // A control frame's payload split across reads (at most 125 bytes).
  std::unique_ptr<uint8_t[]> control_buffer_;
  uint8_t control_size_ = 0;
  Utf8Validator utf8_;              // the current text message, across fragments
  Opcode message_opcode_ = Opcode::Text;
  bool in_fragmented_message_ = false;
  Failure failure_ = Failure::None;
  // 16 bits fit in the padding after the flags above: no cost per connection.
  uint16_t reassembly_reallocations_ = 0;
};
