// handshake.cpp: the server's half of the WebSocket opening handshake (RFC
// 6455 section 4.2). The plain responses it refuses with are built by
// http_responses.cpp.
//
// validate_websocket_upgrade() applies the checks of RFC 6455 4.2.1 in a
// fixed order, so a request with several faults always gets the same answer:
// method, HTTP version, Host, no body, Upgrade, Connection,
// Sec-WebSocket-Version, Sec-WebSocket-Key, Origin. Besides the checks listed
// in handshake.h it refuses a repeated Sec-WebSocket-Key or
// Sec-WebSocket-Version (RFC 6455 11.3.1 and 11.3.5: at most once in a
// request), because a repeated field leaves it unclear which one counts.
//
// Deliberately left out: no subprotocol (Sec-WebSocket-Protocol) and no
// extension (Sec-WebSocket-Extensions, e.g. permessage-deflate) is ever
// negotiated, so the 101 response names neither and the client must speak
// plain RFC 6455 frames.
#include "http/handshake.h"

#include <string>

#include "base/ascii.h"
#include "http/base64.h"
#include "http/http_responses.h"
#include "http/http_target.h"
#include "http/sha1.h"

namespace {

size_t count_headers(const HttpRequest& request, std::string_view name) {
  size_t count = 0;
  for (size_t i = 0; i < request.header_count; ++i) {
    if (equals_ignoring_ascii_case(request.headers[i].name, name)) ++count;
  }
  return count;
}

HandshakeResult refuse(int status, const char* reason, const HttpRequest& request, const char* header = nullptr,
                       std::string_view extra_headers = {}) {
  HandshakeResult result{status, http_error_response(status, reason, extra_headers), reason, header, {}};
  if (header != nullptr) result.header_value = request.header(header);
  return result;
}

HandshakeResult refuse_version(const char* reason, const HttpRequest& request) {
  return HandshakeResult{426, http_upgrade_required_response(reason), reason, "Sec-WebSocket-Version",
                         request.header("Sec-WebSocket-Version")};
}

// Bytes after a handshake's head are WebSocket frames, so a request that
// declares a body (RFC 9112 6.1 and 6.2) would have its body read as frames:
// whatever it smuggled in would run as the client's first messages.
// Content-Length: 0 declares no body and is allowed; any Transfer-Encoding,
// even "identity", declares one.
bool declares_body(const HttpRequest& request) {
  for (size_t i = 0; i < request.header_count; ++i) {
    const HttpHeader& field = request.headers[i];
    if (equals_ignoring_ascii_case(field.name, "Transfer-Encoding")) return true;
    if (!equals_ignoring_ascii_case(field.name, "Content-Length")) continue;
    // Content-Length = 1*DIGIT; anything else (a list, a sign) is refused too.
    if (field.value.empty()) return true;
    for (char c : field.value) {
      if (c != '0') return true;
    }
  }
  return false;
}

// RFC 6455 4.1: the key is a random 16-byte value, base64-encoded, which is
// always 24 characters ending in "==". The length check avoids decoding junk.
bool is_valid_client_key(std::string_view key) {
  if (key.size() != 24) return false;
  std::string decoded;
  return base64_decode(key, &decoded) && decoded.size() == 16;
}

}  // namespace

/* ===== Accept key and Origin ===== */

std::string websocket_accept_key(std::string_view client_key) {
  Sha1 hasher;
  hasher.update(client_key.data(), client_key.size());
  hasher.update(kWebSocketGuid.data(), kWebSocketGuid.size());
  Sha1Digest digest = hasher.finish();
  return base64_encode(digest.data(), digest.size());
}

bool OriginPolicy::allows(std::string_view origin_header_value, bool header_present) const {
  if (!header_present || allowed_.empty()) return true;
  for (const std::string& allowed : allowed_) {
    if (equals_ignoring_ascii_case(allowed, origin_header_value)) return true;
  }
  return false;
}

/* ===== The handshake ===== */

bool is_upgrade_request(const HttpRequest& request) {
  return request.has_header("Upgrade") || request.has_header("Sec-WebSocket-Key");
}

HandshakeResult validate_websocket_upgrade(const HttpRequest& request, const OriginPolicy& origins) {
  // Methods are case-sensitive (RFC 9110 9.1), so "get" is not GET.
  if (request.method != "GET") {
    return refuse(405, "a WebSocket handshake must use GET", request, nullptr, "Allow: GET\r\n");
  }
  // Upgrade does not exist in HTTP/1.0 (RFC 6455 4.1 requires 1.1 or later).
  if (request.version_minor < 1) return refuse(400, "a WebSocket handshake needs HTTP/1.1", request);

  // The same Host rule as for every request (RFC 9112 3.2).
  if (const char* problem = host_header_problem(request)) return refuse(400, problem, request, "Host");
  if (declares_body(request)) return refuse(400, "a WebSocket handshake must not have a body", request);

  if (!request.has_header("Upgrade")) return refuse(400, "missing Upgrade header", request);
  if (!request.header_has_token("Upgrade", "websocket")) {
    return refuse(400, "Upgrade header does not name websocket", request, "Upgrade");
  }
  if (!request.has_header("Connection")) return refuse(400, "missing Connection header", request);
  if (!request.header_has_token("Connection", "Upgrade")) {
    return refuse(400, "Connection header does not include Upgrade", request, "Connection");
  }

  size_t version_count = count_headers(request, "Sec-WebSocket-Version");
  if (version_count == 0) return refuse_version("missing Sec-WebSocket-Version header", request);
  if (version_count > 1) return refuse(400, "repeated Sec-WebSocket-Version header", request);
  if (request.header("Sec-WebSocket-Version") != "13") {
    return refuse_version("unsupported Sec-WebSocket-Version (this server speaks 13)", request);
  }

  size_t key_count = count_headers(request, "Sec-WebSocket-Key");
  if (key_count == 0) return refuse(400, "missing Sec-WebSocket-Key header", request);
  if (key_count > 1) return refuse(400, "repeated Sec-WebSocket-Key header", request);
  std::string_view key = request.header("Sec-WebSocket-Key");
  if (!is_valid_client_key(key)) return refuse(400, "Sec-WebSocket-Key is not base64 of 16 bytes", request, "Sec-WebSocket-Key");

  // RFC 6455 10.2: the Origin check is what stops other web sites from
  // opening sockets with a visitor's browser. Every copy must pass.
  for (size_t i = 0; i < request.header_count; ++i) {
    const HttpHeader& field = request.headers[i];
    if (equals_ignoring_ascii_case(field.name, "Origin") && !origins.allows(field.value, true)) {
      HandshakeResult refused = refuse(403, "Origin not allowed", request);
      refused.header = "Origin";
      refused.header_value = field.value;  // the copy that failed, of however many
      return refused;
    }
  }

  // RFC 6455 4.2.2 step 5.
  HandshakeResult result;
  result.status = 101;
  result.response.reserve(160);
  result.response +=
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  result.response += websocket_accept_key(key);
  result.response += "\r\n\r\n";
  return result;
}
