// connection.h: everything the server knows about one client socket.
//
// excerpt-begin: phases
// A connection goes through these phases:
//
//   Http ──upgrade──▶ Open ──we send Close──▶ Closing ──peer's Close──▶ (closed)
//     │                 │                        │
//     │ error/page      │ peer's Close, error    │ timeout
//     ▼                 ▼                        ▼
//   Finishing ◀─────────┘               (closed)
//
// Finishing means "nothing more to say": the output is flushed, our side of
// the TCP stream is shut down, and the connection waits (briefly) for the
// peer to close its side, so the last bytes we sent are not destroyed by a
// reset. See docs/06-the-loop.md.
// excerpt-end: phases
//
// Memory matters here: chatd aims at a few hundred bytes per idle client.
// The HTTP parser exists only while a split request head is arriving, and
// then in the server's table of split heads, not here; the output ring and
// the message reassembly buffer exist only while they hold data.
#pragma once

#include <cstdint>

#include "base/token_bucket.h"
#include "chat/chat.h"
#include "loop/deadline_list.h"
#include "server/address_limits.h"
#include "server/server_metrics.h"
#include "websocket/message_reader.h"
#include "websocket/output_queue.h"

enum class ConnectionPhase : uint8_t { Http, Open, Closing, Finishing };
enum class Endpoint : uint8_t { None, Chat, Echo };

// A Connection is a ChatClient (so the chat layer's references lead straight
// back to it) and a DeadlineLink (so it sits in exactly one timer list).
struct Connection : ChatClient, DeadlineLink {
  Connection()
      : closed(false), in_flush_list(false), in_chat(false), write_side_shut(false),
        close_queued(false), behind_proxy(false), has_split_head(false), on_metrics_port(false) {}

  int fd = -1;
  ConnectionPhase phase = ConnectionPhase::Http;
  Endpoint endpoint = Endpoint::None;
  // One bit each: at 20,000 connections every byte of this struct counts.
  bool closed : 1;           // fd closed; freed at the end of the turn
  bool in_flush_list : 1;    // queued for this turn's flush
  bool in_chat : 1;          // the chat layer knows this client
  bool write_side_shut : 1;  // shutdown(SHUT_WR) done (Finishing)
  bool close_queued : 1;     // its end waits in the inbound queue; read no more
  bool behind_proxy : 1;     // peer is a trusted proxy: the client comes with the request
  bool has_split_head : 1;   // has a parser of its own in Server::split_heads_
  bool on_metrics_port : 1;  // came in on --metrics-port: /metrics and /healthz only
  CloseReason close_reason = CloseReason::Unset;  // why it ends, once known (server_metrics.h)
  uint16_t flood_strikes = 0;    // messages dropped by the rate limit in a row
  uint16_t queued_messages = 0;  // its messages waiting in this turn's inbound queue
  uint16_t replaced_pongs = 0;   // pings in a row that replaced an unsent pong
  // The close code sent (our own, or the peer's echoed) or the HTTP status
  // of the last answer: for the log line when it closes. It sits in what
  // was padding before the token bucket, so it costs no memory.
  uint16_t close_code = 0;
  TokenBucket rate;
  AddressRecord* address = nullptr;  // its client address's limits; null when exempt
  MessageReader reader;
  OutputQueue output;
};
