// http_responses.cpp: chatd's plain HTTP responses (RFC 9110 section 15 for
// the statuses, RFC 9112 section 4 for the status line). See
// http_responses.h.
#include "http/http_responses.h"

#include <string>

namespace {

// "HTTP/1.1 <status> <reason>\r\n" (RFC 9112 section 4).
void append_status_line(std::string& out, int status) {
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += http_reason_phrase(status);
  out += "\r\n";
}

// Status line, a text/plain body followed by "\n", its Content-Length, the
// Connection option(s) and any extra headers.
std::string plain_text_response(int status, std::string_view body, std::string_view connection,
                                std::string_view extra_headers) {
  std::string response;
  response.reserve(160 + extra_headers.size() + body.size());
  append_status_line(response, status);
  response += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ";
  response += std::to_string(body.size() + 1);
  response += "\r\nConnection: ";
  response += connection;
  response += "\r\n";
  response += extra_headers;
  response += "\r\n";
  response += body;
  response += '\n';
  return response;
}

}  // namespace

/* ===== Plain HTTP responses ===== */

std::string http_error_response(int status, std::string_view body, std::string_view extra_headers) {
  return plain_text_response(status, body, "close", extra_headers);
}

// chatd still closes after the 426, so "close" stays beside "Upgrade".
std::string http_upgrade_required_response(std::string_view body) {
  return plain_text_response(426, body, "Upgrade, close", "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n");
}

std::string_view http_response_head(std::string_view response) {
  size_t blank_line = response.find("\r\n\r\n");
  return blank_line == std::string_view::npos ? response : response.substr(0, blank_line + 4);
}

// Cache-Control: no-cache because the page and /healthz answers change with
// each server build and state; Connection: close because chatd serves one
// request per plain HTTP connection.
std::string http_ok_response(std::string_view content_type, std::string_view body) {
  std::string response;
  response.reserve(160 + content_type.size() + body.size());
  append_status_line(response, 200);
  response += "Content-Type: ";
  response += content_type;
  response += "\r\nContent-Length: ";
  response += std::to_string(body.size());
  response += "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
  response += body;
  return response;
}

// RFC 9110 section 15 (426: 15.5.22), RFC 6585 section 5 (431). An unknown
// status gets an empty phrase, which the status-line grammar allows (RFC 9112
// section 4).
const char* http_reason_phrase(int status) {
  switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

