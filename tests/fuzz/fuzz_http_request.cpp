// fuzz_http_request.cpp: libFuzzer target for HttpRequestParser (RFC 9112
// sections 2-5), differential over how the bytes arrive.
//
// The input is fed three ways: in one buffer to a new parser, one byte at a
// time to a parser that was reset() after parsing something else, and in
// chunks cut by fuzz_support::SplitPlan. http_request.h promises that the
// verdict does not depend on the split, so all three must agree on:
//   - the status, and for Error the HTTP status and the reason;
//   - for Complete, the bytes consumed (the head's end, where the caller's
//     WebSocket bytes begin) and the whole parsed request: method, target,
//     version and every header, copied out byte by byte so that ASan checks
//     each view lies inside the parser's live buffer.
// It also checks the promises every call makes: feed() never reports more
// bytes than it was given and takes nothing once the parse is over.
//
// What the server does next is fuzzed too: a complete head goes through the
// Host check and the request-target split of http_target.h (a path that
// starts with "/" and, like the query, lies inside the target) and through
// validate_websocket_upgrade() (RFC 6455 4.2.1), with and without an Origin
// allow-list, and a refused one through http_error_response(). Both must
// produce a well-formed response: the status the result names, a
// Content-Length that matches the body, a head (what HEAD gets) that ends at
// the blank line, and for a 101 the Accept key of RFC 6455 4.2.2.
//
// Deliberately left out: judging whether a verdict is right (400 or 431?).
// The unit tests pin that down; here the parser is only held to agreeing
// with itself and never reading out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_support.h"
#include "http/handshake.h"
#include "http/http_responses.h"
#include "http/http_request.h"
#include "http/http_target.h"
#include "server/client_address.h"

namespace {

struct Outcome {
  HttpParseStatus status = HttpParseStatus::NeedMore;
  int error_status = 0;
  std::string error_reason;
  size_t consumed = 0;  // compared only for Complete (see http_request.h)
  std::string method;
  std::string target;
  int version_minor = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  // The lookups the server makes, so their views are exercised too.
  std::string upgrade;
  bool connection_upgrade = false;

  bool operator==(const Outcome& other) const {
    if (status != other.status) return false;
    if (status == HttpParseStatus::Error) {
      return error_status == other.error_status && error_reason == other.error_reason;
    }
    if (status == HttpParseStatus::NeedMore) return true;
    return consumed == other.consumed && method == other.method && target == other.target &&
           version_minor == other.version_minor && headers == other.headers && upgrade == other.upgrade &&
           connection_upgrade == other.connection_upgrade;
  }
};

// Feeds one chunk and checks what every feed() promises.
void feed_chunk(HttpRequestParser& parser, const char* chunk, size_t size, Outcome* outcome) {
  const HttpParseStatus before = parser.status();
  const size_t taken = parser.feed(chunk, size);
  FUZZ_CHECK(taken <= size);
  if (before != HttpParseStatus::NeedMore) FUZZ_CHECK(taken == 0);
  outcome->consumed += taken;
}

// Copies what the parser reports into an Outcome. The copies read every byte
// of every view, which is what lets ASan catch a view past the buffer.
Outcome describe(const HttpRequestParser& parser, size_t consumed) {
  Outcome outcome;
  outcome.status = parser.status();
  outcome.consumed = consumed;
  if (outcome.status == HttpParseStatus::Error) {
    outcome.error_status = parser.error_status();
    outcome.error_reason = parser.error_reason();
    FUZZ_CHECK(outcome.error_status == 400 || outcome.error_status == 414 || outcome.error_status == 431 ||
               outcome.error_status == 505);
    FUZZ_CHECK(!outcome.error_reason.empty());
  }
  if (outcome.status != HttpParseStatus::Complete) return outcome;
  const HttpRequest& request = parser.request();
  outcome.method = std::string(request.method);
  outcome.target = std::string(request.target);
  outcome.version_minor = request.version_minor;
  FUZZ_CHECK(!outcome.method.empty() && !outcome.target.empty());
  FUZZ_CHECK(request.header_count <= HttpRequest::kMaxHeaders);
  for (size_t i = 0; i < request.header_count; ++i) {
    outcome.headers.emplace_back(std::string(request.headers[i].name), std::string(request.headers[i].value));
  }
  outcome.upgrade = std::string(request.header("Upgrade"));
  outcome.connection_upgrade = request.header_has_token("Connection", "upgrade");
  FUZZ_CHECK(consumed <= HttpRequestParser::kMaxHeadBytes);
  return outcome;
}

Outcome parse_whole(HttpRequestParser& parser, const char* data, size_t size) {
  Outcome running;
  if (size > 0) feed_chunk(parser, data, size, &running);
  return describe(parser, running.consumed);
}

Outcome parse_byte_by_byte(HttpRequestParser& parser, const char* data, size_t size) {
  Outcome running;
  for (size_t i = 0; i < size && parser.status() == HttpParseStatus::NeedMore; ++i) {
    feed_chunk(parser, data + i, 1, &running);
  }
  return describe(parser, running.consumed);
}

Outcome parse_in_splits(HttpRequestParser& parser, const char* data, size_t size,
                        fuzz_support::SplitPlan& plan) {
  Outcome running;
  size_t offset = 0;
  while (offset < size) {
    const size_t chunk = plan.next(size - offset);
    // Past the end of the parse the chunks are still fed: feed() must take
    // none of them.
    feed_chunk(parser, data + offset, chunk, &running);
    offset += chunk;
  }
  return describe(parser, running.consumed);
}

// A response head starts with the status line and ends in a blank line; an
// error response's Content-Length is exactly its body.
void check_response(const std::string& response, int status) {
  const std::string status_line = "HTTP/1.1 " + std::to_string(status) + " ";
  FUZZ_CHECK(response.compare(0, status_line.size(), status_line) == 0);
  const size_t head_end = response.find("\r\n\r\n");
  FUZZ_CHECK(head_end != std::string::npos);
  FUZZ_CHECK(http_response_head(response).size() == head_end + 4);
  if (status == 101) {
    FUZZ_CHECK(head_end + 4 == response.size());
    return;
  }
  const std::string length_field = "\r\nContent-Length: ";
  const size_t length_at = response.find(length_field);
  FUZZ_CHECK(length_at != std::string::npos && length_at < head_end);
  const size_t body_length = std::stoul(response.substr(length_at + length_field.size()));
  FUZZ_CHECK(head_end + 4 + body_length == response.size());
}

// True when part is a view into whole (or empty).
bool lies_inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

// What the server checks before routing: Host, and the target's form.
void check_target_and_host(const HttpRequest& request) {
  const char* host_problem = host_header_problem(request);
  FUZZ_CHECK(host_problem == nullptr || *host_problem != '\0');
  for (size_t i = 0; i < request.header_count; ++i) (void)is_valid_host_value(request.headers[i].value);

  // The client behind trusted proxies (client_address.h): always one of the
  // addresses it was given, never a crash on a hostile X-Forwarded-For.
  static const std::vector<CidrRange> kTrusted = [] {
    std::vector<CidrRange> ranges(2);
    parse_cidr_range("127.0.0.0/8", &ranges[0]);
    parse_cidr_range("2001:db8::/32", &ranges[1]);
    return ranges;
  }();
  IpAddress proxy;
  parse_ip_address("127.0.0.1", &proxy);
  const ForwardedClient client = forwarded_client(request, proxy, kTrusted);
  FUZZ_CHECK(client.forwarded || client.address == proxy);
  CidrRange ignored;
  for (size_t i = 0; i < request.header_count; ++i) (void)parse_cidr_range(request.headers[i].value, &ignored);

  const RequestTarget target = parse_request_target(request.target);
  switch (target.form) {
    case TargetForm::Origin:
    case TargetForm::Absolute:
      FUZZ_CHECK(!target.path.empty() && target.path[0] == '/');
      FUZZ_CHECK(target.path == "/" || lies_inside(target.path, request.target));
      FUZZ_CHECK(lies_inside(target.query, request.target));
      FUZZ_CHECK(target.problem == nullptr);
      break;
    case TargetForm::Authority:
    case TargetForm::Asterisk:
      FUZZ_CHECK(target.path.empty() && target.problem == nullptr);
      break;
    case TargetForm::Invalid:
      FUZZ_CHECK(target.problem != nullptr && *target.problem != '\0');
      break;
  }
}

// The server's next step after the parser: the upgrade, or the error page.
void check_server_answer(const HttpRequestParser& parser) {
  if (parser.status() == HttpParseStatus::Error) {
    check_response(http_error_response(parser.error_status(), parser.error_reason()), parser.error_status());
    return;
  }
  if (parser.status() != HttpParseStatus::Complete) return;
  const HttpRequest& request = parser.request();
  check_target_and_host(request);
  (void)is_upgrade_request(request);
  static const OriginPolicy kAnyOrigin;
  static const OriginPolicy kLocalOnly({"http://localhost:8080"});
  for (const OriginPolicy* policy : {&kAnyOrigin, &kLocalOnly}) {
    const HandshakeResult result = validate_websocket_upgrade(request, *policy);
    FUZZ_CHECK(result.status == 101 || result.status == 400 || result.status == 403 || result.status == 405 ||
               result.status == 426);
    check_response(result.response, result.status);
    if (result.status == 101) {
      const std::string accept =
          "\r\nSec-WebSocket-Accept: " + websocket_accept_key(request.header("Sec-WebSocket-Key")) + "\r\n";
      FUZZ_CHECK(result.response.find(accept) != std::string::npos);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const char* data = reinterpret_cast<const char*>(bytes);

  HttpRequestParser whole_parser;
  const Outcome whole = parse_whole(whole_parser, data, size);
  // Until the head is over, every byte is the parser's.
  if (whole.status == HttpParseStatus::NeedMore) FUZZ_CHECK(whole.consumed == size);

  // A reset parser must be as good as a new one, so reuse the first: its
  // buffer keeps its capacity and whatever the last parse left in it.
  whole_parser.reset();
  FUZZ_CHECK(whole_parser.status() == HttpParseStatus::NeedMore);
  const Outcome byte_by_byte = parse_byte_by_byte(whole_parser, data, size);
  FUZZ_CHECK(byte_by_byte == whole);

  HttpRequestParser split_parser;
  fuzz_support::SplitPlan plan(bytes, size);
  const Outcome split = parse_in_splits(split_parser, data, size, plan);
  FUZZ_CHECK(split == whole);
  check_server_answer(split_parser);
  return 0;
}
