// handshake.h: the server side of the WebSocket opening handshake (RFC 6455
// section 4.2). The plain HTTP responses chatd sends before an upgrade are in
// http_responses.h.
//
// validate_websocket_upgrade() checks a parsed request against RFC 6455 4.2.1
// and either builds the 101 Switching Protocols response (4.2.2) or names the
// error status with a short plain-text reason. It does no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/http_request.h"

// The GUID every server appends to the client's key (RFC 6455 section 1.3).
constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// base64(SHA-1(key + GUID)).
std::string websocket_accept_key(std::string_view client_key);

// The Origin check hook. An empty list allows every Origin. A non-empty list
// allows only exact (ASCII case-insensitive) matches such as
// "http://localhost:8080". Requests without an Origin header come from
// non-browser clients, which could forge any Origin anyway, so they pass.
class OriginPolicy {
 public:
  OriginPolicy() = default;
  explicit OriginPolicy(std::vector<std::string> allowed) : allowed_(std::move(allowed)) {}
  bool allows(std::string_view origin_header_value, bool header_present) const;
  bool restricted() const { return !allowed_.empty(); }

 private:
  std::vector<std::string> allowed_;
};

struct HandshakeResult {
  int status = 0;          // 101 on success, else the error status
  std::string response;    // complete HTTP response bytes to send
  // For the log line of a refusal: why, and the header at fault with the
  // value it had (a view into the request; empty when it was missing).
  const char* reason = "";
  const char* header = nullptr;
  std::string_view header_value;
};

// True when the request asks for an upgrade at all (has an Upgrade header or
// a Sec-WebSocket-Key), so the server should treat it as a WebSocket attempt
// rather than a plain page request.
bool is_upgrade_request(const HttpRequest& request);

// Checks: method GET (405 with "Allow: GET"; HEAD too is refused), HTTP/1.1
// or later (505 is the parser's job; an HTTP/1.0 upgrade gets 400), one valid
// Host (400, see host_header_problem in http_target.h), no declared body: no
// Transfer-Encoding, Content-Length absent or 0 (400), Upgrade contains token
// "websocket" (400), Connection contains token "Upgrade" (400),
// Sec-WebSocket-Version is 13 (426, from http_upgrade_required_response),
// Sec-WebSocket-Key is base64 of exactly 16 bytes (400), Origin allowed (403).
HandshakeResult validate_websocket_upgrade(const HttpRequest& request, const OriginPolicy& origins);
