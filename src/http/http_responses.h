// http_responses.h: the plain HTTP responses chatd sends before an upgrade,
// or instead of one (RFC 9110 section 15): errors with a one-line reason,
// 200 for the page and /healthz, 426 with its Upgrade header, and the head
// of any of them for a HEAD request. Each is a complete response, built once
// or on the rare error; every one says Connection: close, since chatd serves
// one request per plain HTTP connection. No I/O.
#pragma once

#include <string>
#include <string_view>

// A complete non-101 response: status line with the standard reason phrase,
// Content-Type text/plain, Content-Length, Connection: close, any
// extra_headers (each ending in "\r\n"), and body followed by "\n".
std::string http_error_response(int status, std::string_view body, std::string_view extra_headers = {});

// The 426 Upgrade Required response for a request that should have been a
// WebSocket upgrade: the error response above, with "Upgrade: websocket"
// (RFC 9110 15.5.22), "Connection: Upgrade, close" (RFC 9110 7.8: a sender
// of Upgrade also sends the "upgrade" option) and "Sec-WebSocket-Version:
// 13" (RFC 6455 4.2.2).
std::string http_upgrade_required_response(std::string_view body);

// The head of a complete response: everything up to and including the blank
// line that ends its header section (all of it when there is none). This is
// what a HEAD request gets (RFC 9110 9.3.2).
std::string_view http_response_head(std::string_view response);

// A complete 200 response carrying body with the given content type.
std::string http_ok_response(std::string_view content_type, std::string_view body);

// The standard reason phrase for a status code ("Bad Request" for 400).
const char* http_reason_phrase(int status);
