// websocket_session.cpp: see websocket_session.h.
#include "server/websocket_session.h"

#include "base/log.h"
#include "websocket/shared_frame.h"

void WebSocketSession::handle_bytes(Connection* connection, char* data, size_t length) {
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
  if (!connection->closed && connection->phase == ConnectionPhase::Open) {
    restart_timer_after_read(connection, completed_message);
  }
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
void WebSocketSession::restart_timer_after_read(Connection* connection, bool completed_message) {
  ConnectionTimers& timers = connections_.timers();
  if (!connection->reader.in_message()) {
    timers.idle.schedule(connection, connections_.now_ms());
  } else if (completed_message || connection->owner != &timers.message) {
    timers.message.schedule(connection, connections_.now_ms());  // a new message has begun
  }
}
// excerpt-end: message-timer

void WebSocketSession::handle_event(Connection* connection, const WsEvent& event) {
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
        connections_.destroy(connection, "close handshake complete");
        return;
      }
      // The peer started the closing handshake: echo its code (section 5.5.1),
      // after whatever it sent before its Close.
      LOG_DEBUG("conn %llu: peer closed with %u", static_cast<unsigned long long>(connection->id),
                event.close_code);
      fail_connection(connection, CloseReason::Client,
                      event.close_code == close_code::kNoStatus ? close_code::kNormal : event.close_code, "");
      return;
    case WsEventKind::Error:
      LOG_DEBUG("conn %llu: closing with %u: %s", static_cast<unsigned long long>(connection->id), event.close_code,
               event.error_reason);
      // The reader cannot parse this client's stream any more, so there is no
      // point waiting for its Close: fail the connection (section 7.1.7).
      if (connection->phase == ConnectionPhase::Closing) {
        connections_.note_close_reason(connection, close_reason_for_code(event.close_code));
        connections_.destroy(connection, event.error_reason);  // our Close is already out
      } else {
        fail_connection(connection, close_reason_for_code(event.close_code), event.close_code, event.error_reason);
      }
      return;
  }
}

void WebSocketSession::accept_message(Connection* connection, const WsEvent& event) {
  if (connection->endpoint == Endpoint::Chat) {
    if (event.opcode == Opcode::Binary) {
      fail_connection(connection, CloseReason::ProtocolError, close_code::kUnsupportedData,
                      "chat accepts text messages only");
      return;
    }
    if (!within_rate_limits(connection)) return;
  }
  inbound_.push_message(connection, event.opcode, event.payload);
}

bool WebSocketSession::within_rate_limits(Connection* connection) {
  // The client's own budget, then its address's, which reconnecting does
  // not refill (address_limits.h).
  const int64_t now = connections_.now_ms();
  if (connection->rate.take(now, options_.rate_per_second, options_.rate_burst) &&
      admission_.take_message(connection, now)) {
    connection->flood_strikes = 0;
    return true;
  }
  // Tell the client once per streak, not once per dropped message: an
  // error per message would let a flooder make us flood it back.
  ++connection->flood_strikes;
  if (connection->flood_strikes == 1) {
    chat_.send_error(*connection, "rate_limited", "too many messages; this one was dropped");
  } else if (connection->flood_strikes > options_.rate_burst + 10) {
    fail_connection(connection, CloseReason::RateLimited, close_code::kPolicyViolation, "rate limit exceeded");
  }
  return false;
}

// excerpt-begin: queue_pong
// RFC 6455 section 5.5.3 lets an endpoint answer only the most recent of
// several pings. So a ping whose predecessor's pong has not started going
// out replaces that pong instead of queueing another: a client that sends
// pings and never reads holds one pong, not one per ping. Pinging on while
// the answers stay unread is a flood all the same, and is closed with 1008.
void WebSocketSession::queue_pong(Connection* connection, std::string_view payload) {
  FrameRef pong(SharedFrame::encode(Opcode::Pong, payload));
  if (!connection->output.push_replacing(pong.get())) {
    connection->replaced_pongs = 0;
  } else if (++connection->replaced_pongs > kMaxPingsWhilePongUnsent) {
    fail_connection(connection, CloseReason::Policy, close_code::kPolicyViolation,
                    "too many pings while not reading the pongs");
    return;
  }
  connections_.mark_for_flush(connection);
}
// excerpt-end: queue_pong
