// http_target.h: where a request is addressed: the Host header (RFC 9112
// section 3.2, host syntax from RFC 3986 section 3.2.2) and the request
// target's four forms (RFC 9112 sections 3.2.1 to 3.2.4).
//
// Both are pure functions over a parsed request head, used by the server for
// every request before it routes one. They say what is wrong in a short
// reason for a 400 body; they never decide how to answer a valid request.
#pragma once

#include <string_view>

#include "http/http_request.h"

// True when value is uri-host [ ":" port ] (RFC 3986 3.2.2 and 3.2.3): a
// reg-name (unreserved, pct-encoded, sub-delims; this includes IPv4
// addresses), or an IPv6 or IPvFuture literal in brackets, optionally
// followed by a colon and digits. The empty value is valid (RFC 9112 3.2
// allows it for targets without an authority).
bool is_valid_host_value(std::string_view value);

// Why the request's Host header breaks RFC 9112 3.2, or nullptr when it
// does not: missing in an HTTP/1.1 request (HTTP/1.0 did not require it),
// repeated, or not uri-host [ ":" port ].
const char* host_header_problem(const HttpRequest& request);

enum class TargetForm {
  Origin,     // "/path?query", what every browser sends (3.2.1)
  Absolute,   // "http://host/path?query", what proxies send (3.2.2)
  Authority,  // "host:port", only for CONNECT (3.2.3)
  Asterisk,   // "*", only for server-wide OPTIONS (3.2.4)
  Invalid,    // none of these; problem says why
};

struct RequestTarget {
  TargetForm form = TargetForm::Invalid;
  // For Origin and Absolute: the path to route on, always starting with
  // "/" (an absolute-form target with an empty path means "/", RFC 9112
  // 3.2.2), and the query after "?" (empty when there is none). Views into
  // the target, or into a static "/".
  std::string_view path;
  std::string_view query;
  const char* problem = nullptr;  // for Invalid: a reason for the 400 body
};

// Classifies a request target (as HttpRequestParser delivered it: visible
// ASCII, not empty). The absolute form is accepted for the http and https
// schemes (any case), with a valid, non-empty host and no userinfo (RFC 9110
// 4.2.1 and 4.2.4); any other scheme is Invalid, because chatd is not a proxy.
RequestTarget parse_request_target(std::string_view target);
