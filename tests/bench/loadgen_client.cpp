// loadgen_client.cpp: the bytes a WebSocket client sends and checks (RFC 6455
// section 4.1 for the handshake, 5.2 for server frames), and the load message
// format the load generator puts inside text messages.
//
// Pure functions over buffers, like the server's parsers: the worker owns all
// I/O. Deliberately left out: HTTP redirects and authentication (4.1 allows a
// client to follow them; a benchmark target that redirects is misconfigured),
// and any JSON parsing beyond finding the "type" and "text" fields: a full
// parse per delivery would make the load generator, not the server, the thing
// being measured.
#include <cstdio>
#include <string>

#include "base/ascii.h"
#include "loadgen.h"

namespace {

// True when the comma-separated header value holds token (4.1 check 3:
// "Connection" must contain "Upgrade", in any case).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (equals_ignoring_ascii_case(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Reads a decimal number at the front of text and skips one space after it.
bool take_number(std::string_view* text, uint64_t* out) {
  uint64_t value = 0;
  size_t i = 0;
  while (i < text->size() && (*text)[i] >= '0' && (*text)[i] <= '9') {
    value = value * 10 + static_cast<uint64_t>((*text)[i] - '0');
    ++i;
  }
  if (i == 0 || i > 19) return false;
  text->remove_prefix(i);
  if (!text->empty() && text->front() == ' ') text->remove_prefix(1);
  *out = value;
  return true;
}

bool parse_mark(std::string_view text, LoadMark* mark) {
  if (text.size() < 2 || text[0] != 'L' || text[1] != ' ') return false;
  text.remove_prefix(2);
  uint64_t sender = 0, sequence = 0, send_us = 0;
  if (!take_number(&text, &sender) || !take_number(&text, &sequence) || !take_number(&text, &send_us)) return false;
  mark->sender = static_cast<uint32_t>(sender);
  mark->sequence = static_cast<uint32_t>(sequence);
  mark->send_us = send_us;
  return true;
}

}  // namespace

std::string build_handshake_request(std::string_view host, int port, std::string_view path,
                                    std::string_view key_base64) {
  std::string request;
  request.reserve(200);
  request.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host);
  request.append(":").append(std::to_string(port));
  request.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
  request.append(key_base64);
  request.append("\r\nSec-WebSocket-Version: 13\r\n\r\n");
  return request;
}

const char* check_handshake_response(std::string_view head, std::string_view expected_accept) {
  size_t line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return "no status line";
  std::string_view status_line = head.substr(0, line_end);
  // "HTTP/1.1 101 Switching Protocols": the reason phrase is free text.
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/" || status_line.substr(8, 4) != " 101") {
    return "status is not 101";
  }
  bool upgrade_ok = false, connection_ok = false, accept_ok = false;
  size_t position = line_end + 2;
  while (position < head.size()) {
    size_t end = head.find("\r\n", position);
    if (end == std::string_view::npos || end == position) break;
    std::string_view line = head.substr(position, end - position);
    position = end + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return "malformed header line";
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (equals_ignoring_ascii_case(name, "upgrade")) upgrade_ok = equals_ignoring_ascii_case(value, "websocket");
    if (equals_ignoring_ascii_case(name, "connection")) connection_ok = has_token(value, "upgrade");
    if (equals_ignoring_ascii_case(name, "sec-websocket-accept")) accept_ok = (value == expected_accept);
  }
  if (!upgrade_ok) return "Upgrade is not websocket";
  if (!connection_ok) return "Connection does not include Upgrade";
  if (!accept_ok) return "Sec-WebSocket-Accept does not match the key";
  return nullptr;
}

long parse_server_frame(std::string_view data, ServerFrame* frame) {
  if (data.size() < 2) return 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  if ((bytes[0] & 0x70) != 0) return -1;  // no extension negotiated (5.2)
  if ((bytes[1] & 0x80) != 0) return -1;  // a server must not mask (5.1)
  uint64_t length = bytes[1] & 0x7F;
  size_t header = 2;
  if (length == 126) {
    if (data.size() < 4) return 0;
    length = (static_cast<uint64_t>(bytes[2]) << 8) | bytes[3];
    header = 4;
  } else if (length == 127) {
    if (data.size() < 10) return 0;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | bytes[2 + i];
    if (length >> 63) return -1;
    header = 10;
  }
  if (length > (1u << 30)) return -1;  // far beyond anything a benchmark peer sends
  if (data.size() - header < length) return 0;
  frame->fin = (bytes[0] & 0x80) != 0;
  frame->opcode = bytes[0] & 0x0F;
  frame->payload = data.substr(header, static_cast<size_t>(length));
  return static_cast<long>(header + length);
}

std::string format_load_text(uint32_t sender, uint32_t sequence, uint64_t send_us, size_t size) {
  char numbers[64];
  int length = std::snprintf(numbers, sizeof numbers, "L %u %u %llu ", sender, sequence,
                             static_cast<unsigned long long>(send_us));
  std::string text(numbers, static_cast<size_t>(length));
  if (text.size() < size) text.append(size - text.size(), 'x');
  return text;
}

std::string_view chat_message_type(std::string_view payload) {
  constexpr std::string_view kPrefix = "{\"type\":\"";
  if (payload.substr(0, kPrefix.size()) != kPrefix) return {};
  payload.remove_prefix(kPrefix.size());
  size_t quote = payload.find('"');
  if (quote == std::string_view::npos) return {};
  return payload.substr(0, quote);
}

bool find_load_mark(std::string_view payload, LoadMark* mark) {
  if (!payload.empty() && payload[0] == 'L') return parse_mark(payload, mark);
  std::string_view type = chat_message_type(payload);
  if (type != "message" && type != "stranger_message") return false;
  constexpr std::string_view kTextKey = "\"text\":\"";
  size_t text = payload.find(kTextKey);
  if (text == std::string_view::npos) return false;
  return parse_mark(payload.substr(text + kTextKey.size()), mark);
}
