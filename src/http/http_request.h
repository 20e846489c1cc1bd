// http_request.h: incremental HTTP/1.1 request-head parser (RFC 9112 sections
// 2-5, RFC 9110 section 5 for field syntax).
//
// The parser takes bytes as they arrive from the socket, in any split, and
// reports NeedMore, Complete or Error. On Error it names the status the server
// should answer with (400, 414, 431, 505). It parses only the request head: a
// WebSocket upgrade has no body, and bytes after the head's blank line are
// left for the caller (feed() returns how many bytes it consumed).
//
// It buffers the head in one string that grows in steps (never per byte) up to
// kMaxHeadBytes, and it keeps header positions as offsets into that buffer, so
// views handed out by HttpRequest stay valid until the parser is reset or
// destroyed (copying or moving a parser does not carry the views along).
//
// Lines may end in CRLF or a bare LF (RFC 9112 2.2 lets a recipient accept
// either); empty lines before the request line are skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct HttpHeader {
  std::string_view name;   // as sent; compare case-insensitively
  std::string_view value;  // leading and trailing whitespace removed
};

// A parsed request head. Views point into the parser's buffer.
struct HttpRequest {
  static constexpr size_t kMaxHeaders = 64;

  std::string_view method;
  std::string_view target;
  int version_minor = 1;  // HTTP/1.<version_minor>
  HttpHeader headers[kMaxHeaders];
  size_t header_count = 0;

  // Value of the first header with this name (case-insensitive), or an empty
  // view with data() == nullptr when absent.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  // True when any header with this name, taken as a comma-separated token
  // list (repeated headers are joined, RFC 9110 5.3), contains token,
  // compared case-insensitively. Example: Connection: keep-alive, Upgrade.
  bool header_has_token(std::string_view name, std::string_view token) const;
};

enum class HttpParseStatus { NeedMore, Complete, Error };

class HttpRequestParser {
 public:
  static constexpr size_t kMaxHeadBytes = 8192;    // beyond: 431
  static constexpr size_t kMaxTargetBytes = 2048;  // beyond: 414

  // Consumes bytes up to and including the end of the request head and
  // returns how many it took. Once the status is Complete or Error, feed()
  // consumes nothing more. (On Error the count covers what was examined, up
  // to kMaxHeadBytes + 1 in all, and depends on how the input was split.)
  size_t feed(const char* data, size_t length);

  HttpParseStatus status() const { return status_; }
  // When status() == Error: the HTTP status to answer with, and a short
  // human-readable reason for the response body.
  int error_status() const { return error_status_; }
  const char* error_reason() const { return error_reason_; }
  // When status() == Complete.
  const HttpRequest& request() const { return request_; }

  void reset();

 private:
  // Implementation-defined state; see http_request.cpp.
  static constexpr size_t kNotFound = static_cast<size_t>(-1);

  // Where a header's name and value lie in buffer_. Offsets, not views,
  // because buffer_ may move while the head is still arriving.
  struct FieldOffsets {
    uint16_t name_begin, name_length, value_begin, value_length;
  };
  static_assert(kMaxHeadBytes <= UINT16_MAX, "FieldOffsets holds 16-bit offsets");

  HttpParseStatus fail(int status, const char* reason);
  HttpParseStatus parse_line(size_t begin, size_t end);
  HttpParseStatus scan_request_line(size_t from, size_t to);
  HttpParseStatus parse_request_line(size_t end);
  HttpParseStatus parse_header_line(size_t begin, size_t end);
  void complete_head();

  std::string buffer_;
  size_t scan_from_ = 0;   // where to resume looking for the next line end
  size_t line_start_ = 0;  // start of the line being received
  bool request_line_done_ = false;
  size_t request_line_begin_ = 0;  // after any leading empty lines
  // The request line's separating spaces, found as its bytes arrive so that
  // an overlong target is refused before the line ends.
  size_t method_end_ = kNotFound;
  size_t target_end_ = kNotFound;
  FieldOffsets field_offsets_[HttpRequest::kMaxHeaders];
  HttpParseStatus status_ = HttpParseStatus::NeedMore;
  int error_status_ = 0;
  const char* error_reason_ = "";
  HttpRequest request_;
};
