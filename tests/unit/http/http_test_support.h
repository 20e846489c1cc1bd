// http_test_support.h: shared fixtures for the HTTP parser and handshake
// tests (and the handshake benchmark): a browser-like upgrade request, a
// guard-page buffer, and a helper that feeds a parser in chosen pieces and
// records everything it produced, so different splits can be compared.
//
// The guard page is picohttpparser's trick: the input ends exactly where a
// PROT_NONE page begins, so a parser that reads one byte too far crashes the
// test even without AddressSanitizer.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http_request.h"

namespace http_test_support {

// What Chrome sends for `new WebSocket("ws://localhost:8080/chat")`: 494
// bytes, with the RFC 6455 section 1.3 sample key.
inline constexpr std::string_view kChromeUpgradeRequest =
    "GET /chat HTTP/1.1\r\n"
    "Host: localhost:8080\r\n"
    "Connection: Upgrade\r\n"
    "Pragma: no-cache\r\n"
    "Cache-Control: no-cache\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36\r\n"
    "Upgrade: websocket\r\n"
    "Origin: http://localhost:8080\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    "\r\n";

// A copy of some bytes that ends at the last byte of a readable mapping,
// directly followed by an inaccessible page.
class GuardedCopy {
 public:
  explicit GuardedCopy(std::string_view bytes) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t readable = (bytes.size() + page - 1) / page * page;
    mapping_size_ = readable + page;
    void* mapping = mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) std::abort();
    mapping_ = static_cast<char*>(mapping);
    if (mprotect(mapping_ + readable, page, PROT_NONE) != 0) std::abort();
    data_ = mapping_ + readable - bytes.size();
    if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
  }
  ~GuardedCopy() { munmap(mapping_, mapping_size_); }
  GuardedCopy(const GuardedCopy&) = delete;
  GuardedCopy& operator=(const GuardedCopy&) = delete;

  const char* data() const { return data_; }

 private:
  char* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  char* data_ = nullptr;
};

// Everything observable about one parse, as owned strings so results of
// different parser instances can be compared with ==.
struct ParseOutcome {
  HttpParseStatus status = HttpParseStatus::NeedMore;
  size_t consumed = 0;
  int error_status = 0;
  std::string error_reason;
  std::string method;
  std::string target;
  int version_minor = -1;
  std::vector<std::pair<std::string, std::string>> headers;

  bool operator==(const ParseOutcome& other) const {
    return status == other.status && consumed == other.consumed &&
           error_status == other.error_status && error_reason == other.error_reason &&
           method == other.method && target == other.target &&
           version_minor == other.version_minor && headers == other.headers;
  }
};

// Lets GoogleTest print an outcome readably when a comparison fails.
inline void PrintTo(const ParseOutcome& outcome, std::ostream* out) {
  static const char* const kStatusNames[] = {"NeedMore", "Complete", "Error"};
  *out << kStatusNames[static_cast<int>(outcome.status)] << ", consumed " << outcome.consumed;
  if (outcome.status == HttpParseStatus::Error) {
    *out << ", " << outcome.error_status << " \"" << outcome.error_reason << '"';
  }
  if (outcome.status == HttpParseStatus::Complete) {
    *out << ", " << outcome.method << ' ' << outcome.target << " HTTP/1." << outcome.version_minor
         << ", " << outcome.headers.size() << " headers";
  }
}

inline ParseOutcome describe(const HttpRequestParser& parser, size_t consumed) {
  ParseOutcome outcome;
  outcome.status = parser.status();
  outcome.consumed = consumed;
  if (parser.status() == HttpParseStatus::Error) {
    outcome.error_status = parser.error_status();
    outcome.error_reason = parser.error_reason();
  }
  if (parser.status() == HttpParseStatus::Complete) {
    const HttpRequest& request = parser.request();
    outcome.method = std::string(request.method);
    outcome.target = std::string(request.target);
    outcome.version_minor = request.version_minor;
    for (size_t i = 0; i < request.header_count; ++i) {
      outcome.headers.emplace_back(std::string(request.headers[i].name),
                                   std::string(request.headers[i].value));
    }
  }
  return outcome;
}

// Feeds input split at the given cut points (ascending offsets). Each piece
// is copied to a guarded buffer of its exact size. Stops feeding once the
// parser is no longer asking for more.
inline ParseOutcome parse_split_at(std::string_view input, const std::vector<size_t>& cuts) {
  HttpRequestParser parser;
  size_t consumed = 0;
  size_t piece_begin = 0;
  for (size_t i = 0; i <= cuts.size() && parser.status() == HttpParseStatus::NeedMore; ++i) {
    size_t piece_end = i < cuts.size() ? cuts[i] : input.size();
    GuardedCopy piece(input.substr(piece_begin, piece_end - piece_begin));
    consumed += parser.feed(piece.data(), piece_end - piece_begin);
    piece_begin = piece_end;
  }
  return describe(parser, consumed);
}

inline ParseOutcome parse_whole(std::string_view input) { return parse_split_at(input, {}); }

inline ParseOutcome parse_byte_by_byte(std::string_view input) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return parse_split_at(input, cuts);
}

}  // namespace http_test_support
