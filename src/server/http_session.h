// http_session.h: what the server does with a connection's bytes before the
// WebSocket upgrade: feed the HTTP parser, check Host and the request target
// (RFC 9112 section 3.2), route the request (RFC 9110), answer plain
// requests, HEAD included (RFC 9110 9.3.2), and perform the upgrade (RFC
// 6455 4.2).
//
// chatd serves exactly one request per HTTP connection (every response says
// Connection: close). The demo page, /healthz and /metrics are small, so
// keep-alive would buy nothing but code.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "bus/redis_room_bus.h"
#include "http/handshake.h"
#include "http/http_request.h"
#include "server/address_admission.h"
#include "server/connections.h"
#include "server/inbound_queue.h"
#include "server/server_options.h"
#include "server/split_heads.h"
#include "server/websocket_session.h"

class HttpSession {
 public:
  HttpSession(const ServerOptions& options, Connections& connections, SplitHeads& split_heads,
              AddressAdmission& admission, InboundQueue& inbound, WebSocketSession& websocket);

  // Bytes read from a connection that has not upgraded yet.
  void handle_bytes(Connection* connection, char* data, size_t length);
  // Answers 429: client already holds --max-connections-per-ip connections.
  void refuse_over_address_limit(Connection* connection, const IpAddress& client);
  // With --redis: /healthz answers 503 while bus is down, so a load
  // balancer sends new clients to a node that can serve them.
  void set_bus(const RedisRoomBus* bus) { bus_ = bus; }
  // Writes GET /metrics's body (the server gathers it: server_metrics.h).
  void set_metrics_source(std::function<void(std::string* out)> source) { metrics_source_ = std::move(source); }

 private:
  void log_refusal(Connection* connection, int status, const char* what, const char* reason, const char* header,
                   std::string_view value);
  // A complete request head; rest is what followed it in the same read.
  void handle_request(Connection* connection, const HttpRequest& request, char* rest, size_t rest_length);
  // An upgrade request for path: 101 and on to the WebSocket, or a refusal.
  void route_upgrade(Connection* connection, const HttpRequest& request, std::string_view path, char* rest,
                     size_t rest_length);
  // A plain GET or HEAD for path: the page, the health check, or an error.
  void route_plain(Connection* connection, const HttpRequest& request, bool head_only, std::string_view path);
  // Whether the client of this request may read /metrics: a loopback
  // address or one of --metrics-allow, judged behind a trusted proxy by the
  // address the proxy forwards, so a public proxy does not expose it.
  bool may_read_metrics(const Connection* connection, const HttpRequest& request) const;
  // Sends response as the last word, without its body for a HEAD request.
  void answer(Connection* connection, bool head_only, const std::string& response);
  // Queues the 101 response; the connection is a WebSocket from here on.
  void upgrade(Connection* connection, Endpoint endpoint, const std::string& response);

  const ServerOptions& options_;
  OriginPolicy origins_;
  Connections& connections_;
  SplitHeads& split_heads_;
  AddressAdmission& admission_;
  InboundQueue& inbound_;
  WebSocketSession& websocket_;
  const RedisRoomBus* bus_ = nullptr;
  std::function<void(std::string* out)> metrics_source_;
  HttpRequestParser scratch_parser_;  // parses heads that arrive in one read (split_heads.h)
  // Built once at start-up; the *_head_ ones are the same responses without
  // their body, for HEAD (RFC 9110 9.3.2).
  FrameRef page_response_;
  FrameRef page_head_response_;
  FrameRef health_response_;
  FrameRef health_head_response_;
};
