// http_request.cpp: the incremental request-head parser (RFC 9112 sections
// 2.2, 3 and 5; field syntax from RFC 9110 section 5).
//
// How it works: feed() appends each arriving chunk whole to buffer_, then
// looks for line ends from where the previous call stopped, so no byte is
// examined twice however the input is split. Each line is validated as soon
// as its LF arrives, and the request line is also watched while it is still
// arriving, so an overlong target gets 414 before the line ends. Errors are
// tied to a byte position (the LF of a bad line, a byte that cannot be in a
// method, the 2049th target byte, the 8193rd head byte), which makes the
// verdict the same for every split of the same input.
//
// Choices the RFC leaves open:
// - A bare LF ends a line just like CRLF (RFC 9112 2.2 says a recipient MAY
//   do this). It costs nothing here, helps hand-typed `nc` sessions, and
//   cannot cause request smuggling because chatd reads no request bodies. A
//   CR anywhere else is a control character and gets 400.
// - Empty lines before the request line are skipped (RFC 9112 2.2), as many
//   as fit in kMaxHeadBytes.
// - HTTP/1.x with x > 1 is accepted as 1.1-compatible (RFC 9110 2.5) and its
//   minor number is reported as sent; any other major version gets 505.
// Left out: request bodies, trailers, obs-fold unfolding (refused with 400,
// RFC 9112 5.2), and the meaning of the target and of Host, which
// http_target.cpp works out once the head is complete.
#include "http/http_request.h"

#include <algorithm>
#include <cstring>

#include "base/ascii.h"

/* ===== Character classes ===== */

namespace {

// tchar of RFC 9110 section 5.6.2: the characters of methods and field names.
struct TokenTable {
  bool allowed[256];
  constexpr TokenTable() : allowed{} {
    for (int c = '0'; c <= '9'; ++c) allowed[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) allowed[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) allowed[c] = true;
    for (char c : "!#$%&'*+-.^_`|~") allowed[static_cast<unsigned char>(c)] = true;
    allowed[0] = false;  // the string literal's terminator
  }
};
constexpr TokenTable kTokenTable;

bool is_token_char(char c) { return kTokenTable.allowed[static_cast<unsigned char>(c)]; }
bool is_whitespace(char c) { return c == ' ' || c == '\t'; }
bool is_visible(char c) { return c > 0x20 && c < 0x7F; }

// field-vchar, SP and HTAB (RFC 9110 5.5); obs-text bytes >= 0x80 pass too.
bool is_field_value_char(char c) {
  unsigned char byte = static_cast<unsigned char>(c);
  return byte == '\t' || (byte >= 0x20 && byte != 0x7F);
}

std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && is_whitespace(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_whitespace(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

/* ===== HttpRequest lookups ===== */

std::string_view HttpRequest::header(std::string_view name) const {
  for (size_t i = 0; i < header_count; ++i) {
    if (equals_ignoring_ascii_case(headers[i].name, name)) return headers[i].value;
  }
  return {};
}

bool HttpRequest::has_header(std::string_view name) const {
  for (size_t i = 0; i < header_count; ++i) {
    if (equals_ignoring_ascii_case(headers[i].name, name)) return true;
  }
  return false;
}

// Repeated fields are one comma-separated list (RFC 9110 5.3), so walking
// each occurrence in turn is the same as joining them first.
bool HttpRequest::header_has_token(std::string_view name, std::string_view token) const {
  for (size_t i = 0; i < header_count; ++i) {
    if (!equals_ignoring_ascii_case(headers[i].name, name)) continue;
    std::string_view rest = headers[i].value;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view element = trim_whitespace(rest.substr(0, comma));
      // Empty elements ("a, , b") are not list members (RFC 9110 5.6.1).
      if (!element.empty() && equals_ignoring_ascii_case(element, token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

/* ===== Parser ===== */

HttpParseStatus HttpRequestParser::fail(int status, const char* reason) {
  status_ = HttpParseStatus::Error;
  error_status_ = status;
  error_reason_ = reason;
  return status_;
}

void HttpRequestParser::reset() {
  buffer_.clear();  // keeps the capacity for the next request
  scan_from_ = 0;
  line_start_ = 0;
  request_line_done_ = false;
  request_line_begin_ = 0;
  method_end_ = kNotFound;
  target_end_ = kNotFound;
  status_ = HttpParseStatus::NeedMore;
  error_status_ = 0;
  error_reason_ = "";
  request_.method = {};
  request_.target = {};
  request_.version_minor = 1;
  request_.header_count = 0;
}

// The buffer never holds more than kMaxHeadBytes + 1 bytes: one byte past
// the limit is enough to know the head is too large, and the cap keeps a
// flood from being copied in.
size_t HttpRequestParser::feed(const char* data, size_t length) {
  if (status_ != HttpParseStatus::NeedMore || length == 0) return 0;
  const size_t old_size = buffer_.size();
  const size_t taken = std::min(length, kMaxHeadBytes + 1 - old_size);
  buffer_.append(data, taken);

  const size_t scan_limit = std::min(buffer_.size(), kMaxHeadBytes);
  while (scan_from_ < scan_limit) {
    const char* base = buffer_.data();
    const void* newline = std::memchr(base + scan_from_, '\n', scan_limit - scan_from_);
    size_t segment_end = newline ? static_cast<const char*>(newline) - base : scan_limit;
    if (!request_line_done_ &&
        scan_request_line(scan_from_, segment_end) == HttpParseStatus::Error) {
      return taken;
    }
    if (!newline) {
      scan_from_ = scan_limit;
      break;
    }
    size_t line_end = segment_end;
    if (line_end > line_start_ && base[line_end - 1] == '\r') --line_end;
    scan_from_ = segment_end + 1;

    if (line_end == line_start_) {  // an empty line
      if (request_line_done_) {
        buffer_.resize(scan_from_);  // what follows belongs to the caller
        complete_head();
        return scan_from_ - old_size;
      }
      line_start_ = scan_from_;  // skipped before the request line
      request_line_begin_ = scan_from_;
      continue;
    }
    if (parse_line(line_start_, line_end) == HttpParseStatus::Error) return taken;
    line_start_ = scan_from_;
  }
  if (buffer_.size() > kMaxHeadBytes) fail(431, "request head too large");
  return taken;
}

// Watches request-line bytes [from, to) as they arrive: finds the two spaces
// and checks the method and the target length without waiting for the LF.
// A byte that cannot be in a method fails at once, so a TLS ClientHello or
// other binary noise sent to the HTTP port is refused on its first byte.
HttpParseStatus HttpRequestParser::scan_request_line(size_t from, size_t to) {
  const char* base = buffer_.data();
  if (method_end_ == kNotFound) {
    const void* space = std::memchr(base + from, ' ', to - from);
    const size_t method_scan_end = space ? static_cast<const char*>(space) - base : to;
    for (size_t i = from; i < method_scan_end; ++i) {
      // A CR may still turn out to end an empty line; the checks below and
      // in parse_request_line() deal with it once that is known.
      if (!is_token_char(base[i]) && base[i] != '\r') return fail(400, "invalid character in method");
    }
    if (!space) return status_;
    method_end_ = method_scan_end;
    if (method_end_ == request_line_begin_) return fail(400, "empty method");
    for (size_t i = request_line_begin_; i < method_end_; ++i) {
      if (!is_token_char(base[i])) return fail(400, "invalid character in method");
    }
    from = method_end_ + 1;
  }
  if (target_end_ == kNotFound) {
    const size_t target_begin = method_end_ + 1;
    const void* space = std::memchr(base + from, ' ', to - from);
    size_t target_length = to - target_begin;
    if (space) {
      target_end_ = static_cast<const char*>(space) - base;
      target_length = target_end_ - target_begin;
    }
    if (target_length > kMaxTargetBytes) return fail(414, "request target too long");
  }
  return status_;
}

HttpParseStatus HttpRequestParser::parse_line(size_t begin, size_t end) {
  if (request_line_done_) return parse_header_line(begin, end);
  request_line_done_ = true;
  (void)begin;  // the request line begins at request_line_begin_
  return parse_request_line(end);
}

// request-line = method SP request-target SP HTTP-version (RFC 9112 3).
// scan_request_line() has already found the spaces and checked the method.
HttpParseStatus HttpRequestParser::parse_request_line(size_t end) {
  const char* base = buffer_.data();
  if (method_end_ == kNotFound) return fail(400, "malformed request line");
  if (target_end_ == kNotFound) return fail(400, "request line has no HTTP version");
  const size_t target_begin = method_end_ + 1;
  if (target_end_ == target_begin) return fail(400, "empty request target");
  for (size_t i = target_begin; i < target_end_; ++i) {
    if (!is_visible(base[i])) return fail(400, "invalid character in request target");
  }

  // HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive (RFC 9112 2.3).
  std::string_view version(base + target_end_ + 1, end - target_end_ - 1);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return fail(400, "malformed HTTP version");
  }
  if (version[5] != '1') return fail(505, "HTTP version not supported");
  request_.version_minor = version[7] - '0';
  return status_;
}

// field-line = field-name ":" OWS field-value OWS (RFC 9112 5).
HttpParseStatus HttpRequestParser::parse_header_line(size_t begin, size_t end) {
  const char* base = buffer_.data();
  // A line that starts with whitespace continues the previous one: obs-fold,
  // which a server must reject or unfold (RFC 9112 5.2). We reject.
  if (is_whitespace(base[begin])) return fail(400, "obsolete line folding in header");

  size_t colon = begin;
  while (colon < end && is_token_char(base[colon])) ++colon;
  if (colon == end) return fail(400, "header line has no colon");
  if (base[colon] != ':') {
    // "Name : value" must be refused (RFC 9112 5.1): proxies disagree on it.
    if (is_whitespace(base[colon])) return fail(400, "header name contains whitespace");
    return fail(400, "invalid character in header name");
  }
  if (colon == begin) return fail(400, "empty header name");

  size_t value_begin = colon + 1;
  size_t value_end = end;
  for (size_t i = value_begin; i < value_end; ++i) {
    if (!is_field_value_char(base[i])) return fail(400, "control character in header value");
  }
  while (value_begin < value_end && is_whitespace(base[value_begin])) ++value_begin;
  while (value_end > value_begin && is_whitespace(base[value_end - 1])) --value_end;

  if (request_.header_count == HttpRequest::kMaxHeaders) {
    return fail(431, "too many header fields");
  }
  field_offsets_[request_.header_count++] = FieldOffsets{
      static_cast<uint16_t>(begin), static_cast<uint16_t>(colon - begin),
      static_cast<uint16_t>(value_begin), static_cast<uint16_t>(value_end - value_begin)};
  return status_;
}

// buffer_ no longer changes once the head is complete, so this is the moment
// offsets can safely become views.
void HttpRequestParser::complete_head() {
  const char* base = buffer_.data();
  request_.method = std::string_view(base + request_line_begin_, method_end_ - request_line_begin_);
  request_.target = std::string_view(base + method_end_ + 1, target_end_ - method_end_ - 1);
  for (size_t i = 0; i < request_.header_count; ++i) {
    const FieldOffsets& field = field_offsets_[i];
    request_.headers[i].name = std::string_view(base + field.name_begin, field.name_length);
    request_.headers[i].value = std::string_view(base + field.value_begin, field.value_length);
  }
  status_ = HttpParseStatus::Complete;
}
