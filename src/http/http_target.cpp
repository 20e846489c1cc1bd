// http_target.cpp: the Host header check (RFC 9112 section 3.2) and the
// request-target forms (RFC 9112 sections 3.2.1 to 3.2.4), with the host
// grammar of RFC 3986 sections 3.2.2 and 3.2.3.
//
// Why a server checks Host at all when it serves one site: a proxy in front
// of chatd and chatd itself must agree on what a request means, and a
// request with two Hosts, or one like "a@b", is read differently by
// different software. RFC 9112 3.2 makes the 400 mandatory for that reason.
//
// Choices the RFCs leave open:
// - IPv4 addresses are not parsed on their own: every IPv4address is also a
//   reg-name, so "999.0.0.1" is a valid (if useless) name, as RFC 3986 3.2.2
//   says.
// - A Host with an empty name and a port (":80") follows the grammar
//   (uri-host may be an empty reg-name) and is accepted; chatd does not
//   route by name.
// - In the absolute form the host must not be empty (RFC 9110 4.2.1) and
//   userinfo is an error (RFC 9110 4.2.4).
// Left out: IPv6 zone identifiers (RFC 6874, not allowed in HTTP), checking
// the characters of the path and query (the parser has already limited them
// to visible ASCII, and chatd compares paths exactly), and percent-decoding
// (chatd's paths contain nothing that would need it).
#include "http/http_target.h"

#include "base/ascii.h"

namespace {

/* ===== Character classes (RFC 3986 section 2) ===== */

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_unreserved(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

bool is_sub_delim(char c) {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')':
    case '*': case '+': case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

/* ===== Host grammar (RFC 3986 section 3.2.2) ===== */

// reg-name = *( unreserved / pct-encoded / sub-delims )
bool is_reg_name(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      // pct-encoded = "%" HEXDIG HEXDIG; check the length before reading.
      if (text.size() - i < 3 || !is_hex_digit(text[i + 1]) || !is_hex_digit(text[i + 2])) return false;
      i += 2;
    } else if (!is_unreserved(c) && !is_sub_delim(c)) {
      return false;
    }
  }
  return true;
}

// dec-octet: 0 to 255 without leading zeros; IPv4address: four of them.
bool is_ipv4_address(std::string_view text) {
  for (int octet = 0; octet < 4; ++octet) {
    size_t length = 0;
    while (length < text.size() && length < 4 && is_digit(text[length])) ++length;
    if (length == 0 || length > 3) return false;
    if (length > 1 && text[0] == '0') return false;
    int value = 0;
    for (size_t i = 0; i < length; ++i) value = value * 10 + (text[i] - '0');
    if (value > 255) return false;
    text.remove_prefix(length);
    if (octet < 3) {
      if (text.empty() || text[0] != '.') return false;
      text.remove_prefix(1);
    }
  }
  return text.empty();
}

// Groups of 1 to 4 hex digits separated by single colons, the last of which
// may be an IPv4 address standing for two groups (ls32). Counts the groups
// into *groups; the empty text is zero groups.
bool parse_ipv6_groups(std::string_view text, bool may_end_in_ipv4, int* groups) {
  *groups = 0;
  if (text.empty()) return true;
  while (true) {
    size_t colon = text.find(':');
    std::string_view group = text.substr(0, colon);
    if (colon == std::string_view::npos && may_end_in_ipv4 && group.find('.') != std::string_view::npos) {
      if (!is_ipv4_address(group)) return false;
      *groups += 2;
      return true;
    }
    if (group.empty() || group.size() > 4) return false;
    for (char c : group) {
      if (!is_hex_digit(c)) return false;
    }
    ++*groups;
    if (colon == std::string_view::npos) return true;
    text.remove_prefix(colon + 1);
  }
}

// IPv6address (RFC 3986 3.2.2): eight 16-bit groups, or fewer with one "::"
// standing for at least one group of zeros.
bool is_ipv6_address(std::string_view text) {
  size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    int groups = 0;
    return parse_ipv6_groups(text, true, &groups) && groups == 8;
  }
  std::string_view before = text.substr(0, gap);
  std::string_view after = text.substr(gap + 2);
  if (after.find("::") != std::string_view::npos) return false;
  int groups_before = 0, groups_after = 0;
  // The IPv4 tail is the last 32 bits, so it can only end the part after "::".
  if (!parse_ipv6_groups(before, false, &groups_before)) return false;
  if (!parse_ipv6_groups(after, true, &groups_after)) return false;
  return groups_before + groups_after <= 7;
}

// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
bool is_ipv_future(std::string_view text) {
  if (text.empty() || to_lower_ascii(text[0]) != 'v') return false;
  size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 1 || dot + 1 == text.size()) return false;
  for (size_t i = 1; i < dot; ++i) {
    if (!is_hex_digit(text[i])) return false;
  }
  for (size_t i = dot + 1; i < text.size(); ++i) {
    char c = text[i];
    if (!is_unreserved(c) && !is_sub_delim(c) && c != ':') return false;
  }
  return true;
}

// Splits uri-host [ ":" port ] into its host; false when the syntax is wrong.
bool split_host_and_port(std::string_view value, std::string_view* host, bool* has_port) {
  std::string_view rest;
  if (!value.empty() && value[0] == '[') {
    size_t close = value.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view literal = value.substr(1, close - 1);
    if (!is_ipv6_address(literal) && !is_ipv_future(literal)) return false;
    *host = value.substr(0, close + 1);
    rest = value.substr(close + 1);
  } else {
    // A reg-name has no colon, so the first one starts the port.
    size_t colon = value.find(':');
    *host = value.substr(0, colon);
    if (!is_reg_name(*host)) return false;
    rest = colon == std::string_view::npos ? std::string_view() : value.substr(colon);
  }
  *has_port = !rest.empty();
  if (rest.empty()) return true;
  // port = *DIGIT (RFC 3986 3.2.3)
  return rest[0] == ':' && all_digits(rest.substr(1));
}

/* ===== Absolute form (RFC 9112 section 3.2.2) ===== */

RequestTarget invalid(const char* problem) {
  RequestTarget result;
  result.problem = problem;
  return result;
}

// Sets path and query from "path-abempty [ ? query ]"; an empty path is "/".
void split_path_and_query(std::string_view rest, RequestTarget* result) {
  size_t question = rest.find('?');
  result->path = rest.substr(0, question);
  if (question != std::string_view::npos) result->query = rest.substr(question + 1);
  if (result->path.empty()) result->path = "/";
}

RequestTarget parse_absolute_form(std::string_view after_scheme) {
  // authority = [ userinfo "@" ] host [ ":" port ], ended by "/", "?" or the end.
  size_t authority_end = after_scheme.find_first_of("/?");
  std::string_view authority = after_scheme.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos) return invalid("userinfo is not allowed in an http URI");
  std::string_view host;
  bool has_port = false;
  if (!split_host_and_port(authority, &host, &has_port)) return invalid("invalid authority in request target");
  if (host.empty()) return invalid("request target has an empty host");
  RequestTarget result;
  result.form = TargetForm::Absolute;
  split_path_and_query(authority_end == std::string_view::npos ? std::string_view() : after_scheme.substr(authority_end),
                       &result);
  return result;
}

}  // namespace

/* ===== Host ===== */

bool is_valid_host_value(std::string_view value) {
  std::string_view host;
  bool has_port = false;
  return split_host_and_port(value, &host, &has_port);
}

const char* host_header_problem(const HttpRequest& request) {
  const HttpHeader* host = nullptr;
  for (size_t i = 0; i < request.header_count; ++i) {
    const HttpHeader& field = request.headers[i];
    if (!equals_ignoring_ascii_case(field.name, "Host")) continue;
    if (host) return "repeated Host header";
    host = &field;
  }
  if (!host) return request.version_minor >= 1 ? "missing Host header" : nullptr;
  if (!is_valid_host_value(host->value)) return "invalid Host header (expected host or host:port)";
  return nullptr;
}

/* ===== Request target ===== */

RequestTarget parse_request_target(std::string_view target) {
  RequestTarget result;
  if (!target.empty() && target[0] == '/') {
    result.form = TargetForm::Origin;
    split_path_and_query(target, &result);
    return result;
  }
  if (target == "*") {
    result.form = TargetForm::Asterisk;
    return result;
  }
  // Schemes are case-insensitive (RFC 3986 3.1).
  if (starts_with_ignoring_ascii_case(target, "https://")) return parse_absolute_form(target.substr(8));
  if (starts_with_ignoring_ascii_case(target, "http://")) return parse_absolute_form(target.substr(7));
  if (target.find("://") != std::string_view::npos) {
    return invalid("request target scheme is not http or https (chatd is not a proxy)");
  }
  // authority-form = uri-host ":" port: a port is required.
  std::string_view host;
  bool has_port = false;
  if (split_host_and_port(target, &host, &has_port) && has_port && !host.empty()) {
    result.form = TargetForm::Authority;
    return result;
  }
  return invalid("malformed request target");
}
