// websocket_session.h: what the server does with an open WebSocket's bytes
// (RFC 6455 sections 5 and 7): run them through the connection's message
// reader, hand complete messages to the inbound queue under the rate limits,
// answer pings, and start or finish the closing handshake.
//
// Errors are answered where they happen: a protocol error gets the close
// code the message reader named, a flooder 1008, a binary message on the
// chat endpoint 1003. No error ever reaches beyond its own connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chat/chat.h"
#include "server/address_admission.h"
#include "server/connections.h"
#include "server/inbound_queue.h"
#include "server/server_options.h"
#include "websocket/message_reader.h"

class WebSocketSession {
 public:
  WebSocketSession(const ServerOptions& options, Connections& connections, InboundQueue& inbound, Chat& chat,
                   AddressAdmission& admission)
      : options_(options), connections_(connections), inbound_(inbound), chat_(chat), admission_(admission) {}

  // Bytes read from an open or closing connection (also the bytes a client
  // sent right behind its upgrade request).
  void handle_bytes(Connection* connection, char* data, size_t length);

 private:
  // One event of the message reader: a message, a control frame, an error.
  void handle_event(Connection* connection, const WsEvent& event);
  // Queues a complete message, or drops it under the rate limits.
  void accept_message(Connection* connection, const WsEvent& event);
  // True if the client and its address may send one more chat message;
  // tells a flooder, and closes one that does not stop.
  bool within_rate_limits(Connection* connection);
  // The idle timer, or the message timer while a message is unfinished.
  void restart_timer_after_read(Connection* connection, bool completed_message);
  // Answers a ping, replacing a pong that has not started going out.
  void queue_pong(Connection* connection, std::string_view payload);
  // Sends Close with code once the client's earlier events are processed;
  // why is what the metrics and the close line will say.
  void fail_connection(Connection* connection, CloseReason why, uint16_t code, const char* reason) {
    connections_.note_close_reason(connection, why);
    inbound_.push_end(connection, InboundKind::Close, code, reason);
  }

  static constexpr uint16_t kMaxPingsWhilePongUnsent = 64;

  const ServerOptions& options_;
  Connections& connections_;
  InboundQueue& inbound_;
  Chat& chat_;
  AddressAdmission& admission_;
};
