// server_websocket.cpp: what the server does with a WebSocket connection's
// bytes and events (RFC 6455 sections 5 and 7): hand complete messages to the
// inbound queue, answer pings, and run the closing handshake.
//
// Errors are answered where they happen: a protocol error gets the close
// code the message reader named, a slow reader 1008, a binary message on the
// chat endpoint 1003. No error ever reaches beyond its own connection.
#include <cstring>

#include "base/clock.h"
#include "base/log.h"
#include "server/server.h"
#include "websocket/frame_writer.h"

void Server::handle_websocket_bytes(Connection* connection, char* data, size_t length) {
  bool completed_message = false;
  while (!connection->closed && !connection->close_queued &&
         (connection->phase == ConnectionPhase::Open || connection->phase == ConnectionPhase::Closing)) {
    WsEvent event;
    size_t consumed = connection->reader.read(data, length, &event);
    data += consumed;
    length -= consumed;
    if (event.kind == WsEventKind::None) break;
    completed_message |= event.kind == WsEventKind::Message;
    handle_event(connection, event);
  }
  if (!connection->closed && connection->phase == ConnectionPhase::Open) restart_timer_after_read(connection, completed_message);
}

// excerpt-begin: message-timer
// Any bytes prove the client is alive, so they restart its idle timer. But
// bytes are not progress: a client that begins a message (or a frame) and
// then drips it, or stops and only answers pings, would hold its half
// message forever, 64 KiB of buffer each. So while a message is unfinished
// the connection sits in the message timer list instead, whose clock starts
// with the message and is not restarted by more of its bytes; if the message
// is not complete within --message-timeout, the client is closed with 1008.
// Each list operation is O(1), as for every other timer (deadline_list.h).
void Server::restart_timer_after_read(Connection* connection, bool completed_message) {
  if (!connection->reader.in_message()) {
    idle_timers_.schedule(connection, now_ms_);
  } else if (completed_message || connection->owner != &message_timers_) {
    message_timers_.schedule(connection, now_ms_);  // a new message has begun
  }
}
// excerpt-end: message-timer

void Server::handle_event(Connection* connection, const WsEvent& event) {
  switch (event.kind) {
    case WsEventKind::None:
      return;
    case WsEventKind::Message:
      if (connection->phase == ConnectionPhase::Open) accept_message(connection, event);
      return;  // while Closing, data is discarded (RFC 6455 section 5.5.1)
    case WsEventKind::Ping:
      if (connection->phase == ConnectionPhase::Open) queue_pong(connection, event.payload);
      return;
    case WsEventKind::Pong:
      return;  // the bytes already restarted the idle timer
    case WsEventKind::Close:
      if (connection->phase == ConnectionPhase::Closing) {
        // Our Close has been answered: the handshake is complete, and the
        // server closes the TCP connection first (section 7.1.1).
        destroy(connection, "close handshake complete");
        return;
      }
      // The peer started the closing handshake: echo its code (section 5.5.1),
      // after whatever it sent before its Close.
      LOG_DEBUG("conn %llu: peer closed with %u", static_cast<unsigned long long>(connection->id),
                event.close_code);
      fail_connection(connection,
                      event.close_code == close_code::kNoStatus ? close_code::kNormal : event.close_code, "");
      return;
    case WsEventKind::Error:
      LOG_INFO("conn %llu: closing with %u: %s", static_cast<unsigned long long>(connection->id), event.close_code,
               event.error_reason);
      // The reader cannot parse this client's stream any more, so there is no
      // point waiting for its Close: fail the connection (section 7.1.7).
      if (connection->phase == ConnectionPhase::Closing) {
        destroy(connection, event.error_reason);  // our Close is already out
      } else {
        fail_connection(connection, event.close_code, event.error_reason);
      }
      return;
  }
}

void Server::accept_message(Connection* connection, const WsEvent& event) {
  if (connection->endpoint == Endpoint::Chat) {
    if (event.opcode == Opcode::Binary) {
      fail_connection(connection, close_code::kUnsupportedData, "chat accepts text messages only");
      return;
    }
    // The client's own budget, then its address's, which reconnecting does
    // not refill (address_limits.h).
    bool allowed = connection->rate.take(now_ms_, options_.rate_per_second, options_.rate_burst) &&
                   (connection->address == nullptr || address_limits_.take_message(connection->address, now_ms_));
    if (!allowed) {
      // Tell the client once per streak, not once per dropped message: an
      // error per message would let a flooder make us flood it back.
      ++connection->flood_strikes;
      if (connection->flood_strikes == 1) {
        chat_.send_error(*connection, "rate_limited", "too many messages; this one was dropped");
      } else if (connection->flood_strikes > options_.rate_burst + 10) {
        LOG_INFO("conn %llu: kept flooding; closing", static_cast<unsigned long long>(connection->id));
        fail_connection(connection, close_code::kPolicyViolation, "rate limit exceeded");
      }
      return;
    }
    connection->flood_strikes = 0;
  }
  // Copy the payload out of the read buffer, which the next recv() reuses.
  // One copy per inbound message into a buffer reused every turn.
  InboundMessage message{connection, static_cast<uint32_t>(inbound_bytes_.size()),
                         static_cast<uint32_t>(event.payload.size()), event.opcode, InboundKind::Message, 0, ""};
  inbound_bytes_.append(event.payload.data(), event.payload.size());
  inbound_.push_back(message);
  ++connection->queued_messages;
}

void Server::process_inbound() {
  int64_t now = inbound_.empty() ? 0 : wall_clock_ms();
  for (const InboundMessage& message : inbound_) deliver(message, now);
  inbound_.clear();
  // Keep the buffers' memory for the next turn unless one huge turn grew them.
  if (inbound_.capacity() > kKeptInboundEntries) std::vector<InboundMessage>().swap(inbound_);
  if (inbound_bytes_.capacity() > 4 * 1024 * 1024) std::string().swap(inbound_bytes_);
  inbound_bytes_.clear();
}

void Server::deliver(const InboundMessage& message, int64_t now_wall_ms) {
  Connection* connection = message.connection;
  if (connection->closed) return;
  --connection->queued_messages;
  switch (message.kind) {
    case InboundKind::Connect:
      if (connection->phase == ConnectionPhase::Open) {
        connection->in_chat = true;
        chat_.connect(*connection);
      }
      return;
    case InboundKind::Close:
      send_close(connection, message.close_code, message.reason, false);
      return;
    case InboundKind::Disconnect:
      destroy(connection, message.reason);
      return;
    case InboundKind::Message:
      break;
  }
  if (connection->phase != ConnectionPhase::Open) return;
  std::string_view payload(inbound_bytes_.data() + message.offset, message.length);
  if (connection->endpoint == Endpoint::Echo) {
    queue_frame(connection, FrameRef(SharedFrame::encode(message.opcode, payload)).get());
    return;
  }
  chat_.receive_text(*connection, payload, now_wall_ms);
}

// excerpt-begin: one-road
// Every client event of a turn travels one road, the inbound queue, in the
// order it was read: a chat client's arrival (queued by upgrade), its
// messages, and its end: a protocol violation, its Close, a rate-limit
// close, or EOF. So nothing overtakes what came before it. In particular,
// what a client sent before it broke the rules or left was complete and
// valid, and is not undone (RFC 6455 section 7.1.7): its room gets those
// messages before the `left` notice, its echoes go out before the Close.
// Nothing more is read from a client once its end is queued.
void Server::queue_end(Connection* connection, InboundKind kind, uint16_t code, const char* reason) {
  inbound_.push_back(InboundMessage{connection, 0, 0, Opcode::Close, kind, code, reason});
  ++connection->queued_messages;
  connection->close_queued = true;
}
// excerpt-end: one-road

// Sends Close with code (and does not wait for the client's answer), once
// every event of the client's read before it is processed.
void Server::fail_connection(Connection* connection, uint16_t code, const char* reason) {
  queue_end(connection, InboundKind::Close, code, reason);
}

// excerpt-begin: queue_pong
// RFC 6455 section 5.5.3 lets an endpoint answer only the most recent of
// several pings. So a ping whose predecessor's pong has not started going
// out replaces that pong instead of queueing another: a client that sends
// pings and never reads holds one pong, not one per ping. Pinging on while
// the answers stay unread is a flood all the same, and is closed with 1008.
void Server::queue_pong(Connection* connection, std::string_view payload) {
  FrameRef pong(SharedFrame::encode(Opcode::Pong, payload));
  if (!connection->output.push_replacing(pong.get())) {
    connection->replaced_pongs = 0;
  } else if (++connection->replaced_pongs > kMaxPingsWhilePongUnsent) {
    fail_connection(connection, close_code::kPolicyViolation, "too many pings while not reading the pongs");
    return;
  }
  mark_for_flush(connection);
}
// excerpt-end: queue_pong

// Must only queue: the chat layer may be iterating a room's members.
void Server::send(ChatClient& client, const FrameRef& frame) {
  queue_frame(static_cast<Connection*>(&client), frame.get());
}

void Server::queue_frame(Connection* connection, SharedFrame* frame) {
  if (connection->closed || connection->phase != ConnectionPhase::Open) return;
  // The --max-output check happens after this turn's write (flush_output).
  connection->output.push(frame);
  mark_for_flush(connection);
}

void Server::send_close(Connection* connection, uint16_t code, std::string_view reason, bool wait_for_reply) {
  if (connection->closed || connection->phase != ConnectionPhase::Open) return;
  leave_chat(connection, LeaveReason::Disconnected);
  connection->output.push(FrameRef(SharedFrame::raw(encode_close_frame(code, reason))));
  mark_for_flush(connection);
  if (wait_for_reply) {
    connection->phase = ConnectionPhase::Closing;
    closing_timers_.schedule(connection, now_ms_);
  } else {
    finish(connection);
  }
}

void Server::finish(Connection* connection) {
  connection->phase = ConnectionPhase::Finishing;
  closing_timers_.schedule(connection, now_ms_);
}

// Calls into the chat layer never re-enter it: Server::send only queues a
// frame, and a client that cannot keep up is closed later, in flush_output,
// outside any chat call. So a departure can go straight to the chat layer.
// The client's own messages are never still waiting when it leaves: its end
// takes the same road as they do, behind them (queue_end).
void Server::leave_chat(Connection* connection, LeaveReason reason) {
  if (!connection->in_chat) return;
  connection->in_chat = false;
  chat_.disconnect(*connection, reason);
}
