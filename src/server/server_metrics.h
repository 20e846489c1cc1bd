// server_metrics.h: what the server counts, and GET /metrics's answer in
// the Prometheus text exposition format, version 0.0.4 (one "# HELP" and
// "# TYPE" line per metric, then "name{labels} value" lines).
//
// Counting is plain integer increments on fields of one struct, in the
// places where the thing happens (an accept, a close, a write), so it costs
// a few instructions and no lookup. Gauges (how many connections, rooms,
// bytes queued) are not kept up to date on the hot path; they are read when
// a scrape asks for them (MetricsGauges), which is rare.
//
// Names follow Prometheus's conventions: a chatd_ prefix, base units
// (seconds, bytes), counters ending in _total, and labels only from fixed
// sets (a close reason, an HTTP status): never a room, a name or an
// address, which would make one series per user. docs/08-running.md lists
// every metric.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/histogram.h"
#include "bus/redis_room_bus.h"

// Why a connection ended, as chatd_connections_closed_total's reason label
// and the log's close line say it. The first reason given wins: a slow
// consumer whose close handshake then times out still counts as slow.
enum class CloseReason : uint8_t {
  Unset,             // nothing said yet; counted as client at the end
  Client,            // the client closed (Close frame or end of stream)
  HttpResponse,      // a plain HTTP request answered, or an upgrade refused
  HandshakeTimeout,  // no complete request head in time (408)
  PongTimeout,       // pinged and silent
  MessageTimeout,    // a message begun and not finished in time
  SlowConsumer,      // more than --max-output waiting
  RateLimited,       // kept flooding past the rate limit
  ProtocolError,     // a frame RFC 6455 forbids (1002), or binary on chat (1003)
  TooBig,            // a message over --max-message (1009)
  BadUtf8,           // text that is not UTF-8 (1007)
  Policy,            // any other 1008: pings while not reading pongs
  Shutdown,          // the server is stopping
  WriteError,        // the socket refused our bytes (reset by the peer)
  Count
};
constexpr size_t kCloseReasonCount = static_cast<size_t>(CloseReason::Count);
const char* close_reason_name(CloseReason reason);
// The reason for a Close we send with code because of an error.
CloseReason close_reason_for_code(uint16_t code);

struct ServerMetrics {
  ServerMetrics();
  uint64_t connections_accepted = 0;
  uint64_t connections_closed[kCloseReasonCount] = {};
  uint64_t http_responses[600] = {};  // by status code (101 counts upgrades)
  uint64_t messages_received = 0;     // complete WebSocket messages from clients
  uint64_t messages_delivered = 0;    // frames the chat queued for clients
  uint64_t broadcasts = 0;            // room events fanned out to members here
  uint64_t received_bytes = 0;        // read from client sockets
  uint64_t sent_bytes = 0;            // written to client sockets
  Histogram loop_turn_seconds;        // from waking up to sleeping again
  Histogram broadcast_recipients;     // members one broadcast reached here
};

// What a scrape reads at the moment it is made.
struct MetricsGauges {
  size_t connections_handshake = 0;  // accepted, before the upgrade
  size_t connections_open = 0;
  size_t connections_closing = 0;    // our Close or last response sent
  size_t rooms = 0;
  size_t room_members = 0;
  size_t strangers_waiting = 0;
  size_t output_queued_bytes = 0;
  const char* version = "";
  bool has_bus = false;
  bool bus_up = false;
  const BusStats* bus = nullptr;  // with --redis
  // The process's own figures (process_*, as Prometheus's client libraries
  // name them); a negative value is one this system cannot tell.
  double cpu_seconds = 0;
  double resident_bytes = -1;
  double open_fds = -1;
  double max_fds = -1;
  double start_time_seconds = 0;
};

// Reads the process_* figures into *gauges (getrusage, /proc/self).
void read_process_gauges(MetricsGauges* gauges, double start_time_seconds);
// The whole exposition: the counters, the gauges, a final newline.
void write_metrics(const ServerMetrics& metrics, const MetricsGauges& gauges, std::string* out);

// The periodic info line (--log-summary): what changed between two copies
// of the counters, with the connections open now:
//   summary: 1,204 open (+31 accepted, -12 closed: client 9, pong_timeout 2,
//   slow_consumer 1), 5,678 messages in, 91,011 delivered, 3 refused (403 2, 429 1)
// Empty when nothing was accepted, closed, received or refused: an idle
// server's log stays quiet.
std::string summary_line(const ServerMetrics& before, const ServerMetrics& now, size_t open_connections);
