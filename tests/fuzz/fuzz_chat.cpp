// fuzz_chat.cpp: libFuzzer target for the chat layer (docs/protocol.md)
// driven the way the server drives it: the bytes three clients send after
// the handshake go through their own MessageReader (RFC 6455 section 5), and
// every complete text message goes to Chat::receive_text().
//
// Input format, so that seeds can be written by hand (make_corpus.py does):
//   byte 0      options: bits 0-1 pick the presence threshold (0, 1, 2, 100),
//               bits 2-3 the history length (0, 1, 3, 50), bits 4-5 the
//               history bytes in a welcome (32768, 0, 300, 1 MiB)
//   then steps, each starting with a control byte c:
//     c < 0xC0  the next byte n is a length: the following n bytes (fewer
//               at the end of the input) are what client c % 3 sent in one read
//     c >= 0xC0, bit 5 clear: client c % 3's socket goes away (Chat::
//               disconnect, as Disconnected or Timeout per bit 3), or, if
//               it is already gone, a new client connects in its slot
//     c >= 0xC0, bit 5 set: the clock moves on by the next byte times 100 ms
//               and the presence timer runs
// A client that sends a Close, a binary message or a protocol error is
// disconnected as the server would disconnect it; its slot stays empty until
// a step reconnects it.
//
// What must hold: no crash, no leak (libFuzzer's LeakSanitizer checks after
// each input, once every client has gone and Chat is destroyed), no use of a
// client after it left (clients live on the heap and are freed at once, so
// ASan sees a dangling pointer used), no frame to a client that has left, and
// every frame a well-formed final text frame whose payload is a JSON object
// with a "type" string.
//
// The chat layer's own join rate (1 per second, burst 5) is in force: the
// clock steps refill it.
//
// Deliberately left out: the server's rate limit and output limit, which are
// the loop's business (server_websocket.cpp), and wall-clock timestamps.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "chat/chat.h"
#include "fuzz_support.h"
#include "json/json.h"
#include "websocket/message_reader.h"

namespace {

constexpr size_t kClientSlots = 3;
constexpr size_t kMaxMessageBytes = 64 * 1024;  // the server's default

struct Slot {
  std::unique_ptr<ChatClient> client;  // null while nobody is connected here
  std::unique_ptr<MessageReader> reader;
};

// Server frames are unmasked (RFC 6455 5.1); decode the header and check it
// describes exactly the bytes that follow.
std::string_view checked_payload(const SharedFrame& frame) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(frame.data());
  FUZZ_CHECK(frame.size() >= 2);
  FUZZ_CHECK(bytes[0] == 0x81);  // FIN, text
  uint64_t length = bytes[1];
  size_t header = 2;
  FUZZ_CHECK((length & 0x80) == 0);
  if (length == 126) {
    FUZZ_CHECK(frame.size() >= 4);
    length = static_cast<uint64_t>(bytes[2]) << 8 | bytes[3];
    header = 4;
  } else if (length == 127) {
    FUZZ_CHECK(frame.size() >= 10);
    length = 0;
    for (size_t i = 2; i < 10; ++i) length = length << 8 | bytes[i];
    header = 10;
  }
  FUZZ_CHECK(header + length == frame.size());
  FUZZ_CHECK(frame.payload().size() == length);
  return frame.payload();
}

class CheckingTransport : public ChatTransport {
 public:
  explicit CheckingTransport(const Slot* slots) : slots_(slots) {}

  void send(ChatClient& client, const FrameRef& frame) override {
    bool connected = false;
    for (size_t i = 0; i < kClientSlots; ++i) connected |= slots_[i].client.get() == &client;
    FUZZ_CHECK(connected);
    FUZZ_CHECK(frame);
    // The server's own messages may exceed the limits meant for client
    // input (a welcome with a long history), so they are read with wider ones.
    JsonLimits limits;
    limits.max_bytes = 4 * 1024 * 1024;
    limits.max_values = 1024 * 1024;
    JsonValue value;
    std::string error;
    if (!parse_json(checked_payload(*frame.get()), &value, &error, limits)) {
      std::fprintf(stderr, "chat sent invalid JSON (%s)\n", error.c_str());
      FUZZ_CHECK(false);
    }
    FUZZ_CHECK(value.is_object());
    FUZZ_CHECK(value.find_string("type") != nullptr);
  }

 private:
  const Slot* slots_;
};

class Driver {
 public:
  explicit Driver(const ChatOptions& options) : transport_(slots_), chat_(transport_, options) {
    for (size_t i = 0; i < kClientSlots; ++i) connect(i);
  }
  ~Driver() {
    for (size_t i = 0; i < kClientSlots; ++i) {
      if (slots_[i].client) disconnect(i, LeaveReason::Disconnected);
    }
  }

  void connect(size_t slot) {
    slots_[slot].client.reset(new ChatClient);
    slots_[slot].client->id = ++last_id_;
    slots_[slot].reader.reset(new MessageReader(kMaxMessageBytes));
    chat_.connect(*slots_[slot].client);
  }

  // The client leaves the slot before Chat hears of it, so a frame Chat
  // still sends it is caught by the transport; then it is freed at once.
  void disconnect(size_t slot, LeaveReason reason) {
    std::unique_ptr<ChatClient> leaving = std::move(slots_[slot].client);
    chat_.disconnect(*leaving, reason);
    slots_[slot].reader.reset();
  }

  void toggle(size_t slot, LeaveReason reason) {
    if (slots_[slot].client) {
      disconnect(slot, reason);
    } else {
      connect(slot);
    }
  }

  void run_timers(int64_t advance_ms) {
    now_ms_ += advance_ms;
    if (chat_.next_timer_ms() >= 0 && chat_.next_timer_ms() <= now_ms_) chat_.run_timers(now_ms_);
  }

  // One read()'s worth of bytes from the client in slot, copied because the
  // reader unmasks in place.
  void receive(size_t slot, const uint8_t* bytes, size_t size) {
    if (!slots_[slot].client || size == 0) return;
    std::unique_ptr<char[]> chunk(new char[size]);
    std::memcpy(chunk.get(), bytes, size);
    size_t offset = 0;
    while (slots_[slot].client) {
      WsEvent event;
      offset += slots_[slot].reader->read(chunk.get() + offset, size - offset, &event);
      switch (event.kind) {
        case WsEventKind::None: return;
        case WsEventKind::Ping:
        case WsEventKind::Pong: break;
        case WsEventKind::Message:
          if (event.opcode == Opcode::Text) {
            chat_.receive_text(*slots_[slot].client, event.payload, now_ms_);
          } else {
            disconnect(slot, LeaveReason::Disconnected);  // 1003 on the chat endpoint
          }
          break;
        case WsEventKind::Close:
        case WsEventKind::Error: disconnect(slot, LeaveReason::Disconnected); break;
      }
    }
  }

 private:
  Slot slots_[kClientSlots];
  CheckingTransport transport_;
  Chat chat_;
  uint64_t last_id_ = 0;
  int64_t now_ms_ = 1763700000000;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const size_t kThresholds[] = {0, 1, 2, 100};
  static const size_t kHistoryLengths[] = {0, 1, 3, 50};
  static const size_t kHistoryBytes[] = {32768, 0, 300, 1024 * 1024};
  ChatOptions options;
  options.presence_threshold = kThresholds[data[0] & 3];
  options.history_length = kHistoryLengths[(data[0] >> 2) & 3];
  options.history_bytes = kHistoryBytes[(data[0] >> 4) & 3];
  options.presence_interval_ms = 1000;

  Driver driver(options);
  size_t position = 1;
  while (position < size) {
    const uint8_t control = data[position++];
    const size_t slot = control % kClientSlots;
    if (control >= 0xC0) {
      if (control & 0x20) {
        const int64_t advance = position < size ? data[position++] * 100 : 0;
        driver.run_timers(advance);
      } else {
        driver.toggle(slot, (control & 0x08) ? LeaveReason::Timeout : LeaveReason::Disconnected);
      }
      continue;
    }
    if (position >= size) break;
    size_t length = data[position++];
    if (length > size - position) length = size - position;
    driver.receive(slot, data + position, length);
    position += length;
  }
  return 0;
}
