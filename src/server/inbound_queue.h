// inbound_queue.h: the turn's inbound queue, the one road of every client
// event: a chat client's arrival, each of its complete messages, and its end.
//
// Every client event of a turn travels this one road, in the order it was
// read, so nothing overtakes what came before it (push_end says why that
// matters).
//
// Payloads are copied out of the read buffer (which the next recv() reuses)
// into one byte buffer reused every turn: one copy per inbound message, no
// allocation per message once the buffers have grown to the turn's size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/connection.h"
#include "websocket/websocket.h"

enum class InboundKind : uint8_t { Connect, Message, Close, Disconnect };

struct InboundEvent {
  Connection* connection;
  uint32_t offset;  // into the queue's bytes (Message)
  uint32_t length;
  Opcode opcode;
  InboundKind kind;
  uint16_t close_code;  // Close: the code to send
  const char* reason;   // Close and Disconnect: why (a string literal)
};

class InboundQueue {
 public:
  // A client stops being read for the turn once this many of its events
  // wait here: a flood of tiny messages (an empty echo is 6 bytes in, 2 out
  // plus a queue entry) cannot queue more than this plus one read's worth
  // before the output cap is checked.
  static constexpr uint16_t kMaxPerClient = 1024;

  // The client is open on the chat endpoint: the chat hears of it in turn.
  void push_connect(Connection* connection) { push(connection, InboundKind::Connect, 0, ""); }
  void push_message(Connection* connection, Opcode opcode, std::string_view payload) {
    events_.push_back(InboundEvent{connection, static_cast<uint32_t>(bytes_.size()),
                                   static_cast<uint32_t>(payload.size()), opcode, InboundKind::Message, 0, ""});
    bytes_.append(payload.data(), payload.size());
    ++connection->queued_messages;
  }
  // excerpt-begin: one-road
  // The client's end: Close (send a Close with code) or Disconnect (close
  // the socket). Every client event of a turn travels one road, this queue,
  // in the order it was read: a chat client's arrival (pushed by the
  // upgrade), its messages, and its end: a protocol violation, its Close, a
  // rate-limit close, or EOF. So nothing overtakes what came before it. In
  // particular, what a client sent before it broke the rules or left was
  // complete and valid, and is not undone (RFC 6455 section 7.1.7): its room
  // gets those messages before the `left` notice, its echoes go out before
  // the Close. Nothing more is read from a client once its end is queued.
  void push_end(Connection* connection, InboundKind kind, uint16_t code, const char* reason) {
    push(connection, kind, code, reason);
    connection->close_queued = true;
  }
  // excerpt-end: one-road

  bool empty() const { return events_.empty(); }
  std::string_view payload(const InboundEvent& event) const {
    return std::string_view(bytes_.data() + event.offset, event.length);
  }
  // Hands every event, in order, to deliver(const InboundEvent&), then
  // empties the queue for the next turn.
  template <typename Deliver>
  void drain(Deliver deliver) {
    for (const InboundEvent& event : events_) {
      --event.connection->queued_messages;
      deliver(event);
    }
    clear();
  }

 private:
  void push(Connection* connection, InboundKind kind, uint16_t code, const char* reason) {
    events_.push_back(InboundEvent{connection, 0, 0, Opcode::Close, kind, code, reason});
    ++connection->queued_messages;
  }
  // Keeps the buffers' memory for the next turn unless one huge turn grew them.
  void clear();

  std::vector<InboundEvent> events_;
  std::string bytes_;
};
