// redis_url.cpp: the redis:// URL grammar of redis_url.h.
//
// The URL is cut from the left, one RFC 3986 part at a time: scheme, then
// the authority (up to the first '/'), split at its '@' into userinfo and
// host[:port], then the path. Each part is checked as it is cut, so the
// reason names the first part that is wrong.
//
// Deliberately left out: host names are checked for their characters only
// (letters, digits, '-', '.', '_'); whether they resolve is the connector's
// question.
#include "redis/redis_url.h"

#include <arpa/inet.h>

#include <string>
#include <utility>

#include "base/ascii.h"

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 unreserved, sub-delims and pct-encoded: what userinfo may hold
// besides ':', which only the password may contain.
bool is_userinfo_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~!$&'()*+,;=%").find(c) != std::string_view::npos;
}

// Percent-decodes text into *out; false on a character userinfo may not hold
// or a '%' not followed by two hex digits.
bool percent_decode(std::string_view text, bool colon_allowed, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!is_userinfo_char(c) && !(colon_allowed && c == ':')) return false;
    if (c != '%') {
      out->push_back(c);
      continue;
    }
    if (i + 2 >= text.size()) return false;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return false;
    out->push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

bool is_host_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Decimal digits only, at most max; false when empty, signed or larger.
bool parse_bounded(std::string_view text, long max, long* value) {
  if (!all_digits(text) || text.size() > 6) return false;
  long result = 0;
  for (char c : text) result = result * 10 + (c - '0');
  if (result > max) return false;
  *value = result;
  return true;
}

bool fail(std::string* error, const char* reason) {
  *error = reason;
  return false;
}

// host[:port], the authority after any userinfo.
bool parse_host_port(std::string_view text, RedisUrl* url, std::string* error) {
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return fail(error, "IPv6 literal without ']'");
    const std::string host(text.substr(1, close - 1));
    in6_addr address;
    if (host.find('%') != std::string::npos) return fail(error, "IPv6 zone identifiers are not supported");
    if (inet_pton(AF_INET6, host.c_str(), &address) != 1) return fail(error, "bad IPv6 literal");
    url->host = host;
    url->host_is_ipv6 = true;
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return fail(error, "junk after IPv6 literal");
      has_port = true;
      port_text = rest.substr(1);
    }
  } else {
    const size_t colon = text.find(':');
    const std::string_view host = text.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = text.substr(colon + 1);
    }
    if (host.empty()) return fail(error, "empty host");
    for (char c : host) {
      if (!is_host_name_char(c)) return fail(error, "bad character in host");
    }
    // All digits and dots is an IPv4 literal, never a name, so it must be a
    // valid one: 256.1.1.1 is a typo, not a host to look up.
    bool numeric = true;
    for (char c : host) numeric = numeric && ((c >= '0' && c <= '9') || c == '.');
    in_addr address;
    if (numeric && inet_pton(AF_INET, std::string(host).c_str(), &address) != 1) {
      return fail(error, "bad IPv4 address");
    }
    url->host = std::string(host);
    url->host_is_ipv6 = false;
  }
  if (has_port) {
    long port = 0;
    if (port_text.empty()) return fail(error, "empty port");
    if (!parse_bounded(port_text, 65535, &port) || port == 0) return fail(error, "bad port");
    url->port = static_cast<uint16_t>(port);
  }
  return true;
}

}  // namespace

// The result is built in a copy and handed over only when all of it parsed.
bool parse_redis_url(std::string_view text, RedisUrl* out, std::string* error) {
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return fail(error, "not a URL (expected redis://)");
  const std::string_view scheme = text.substr(0, scheme_end);  // RFC 3986 3.1: any case
  if (equals_ignoring_ascii_case(scheme, "rediss")) return fail(error, "rediss:// (TLS) is not supported");
  if (!equals_ignoring_ascii_case(scheme, "redis")) return fail(error, "unknown scheme (expected redis://)");
  std::string_view rest = text.substr(scheme_end + 3);

  const size_t authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  std::string_view path = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);

  RedisUrl url;
  std::string_view host_port = authority;
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    host_port = authority.substr(at + 1);
    if (userinfo.find('@') != std::string_view::npos) return fail(error, "unencoded '@' in user or password");
    const size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) return fail(error, "user info without ':' (write :password@)");
    if (!percent_decode(userinfo.substr(0, colon), false, &url.user)) return fail(error, "bad character or escape in user");
    if (!percent_decode(userinfo.substr(colon + 1), true, &url.password)) {
      return fail(error, "bad character or escape in password");
    }
    url.has_password = true;
  }
  if (!parse_host_port(host_port, &url, error)) return false;

  if (!path.empty() && path[0] != '/') return fail(error, "query or fragment is not supported");
  if (path.size() > 1) {
    long db = 0;
    const std::string_view db_text = path.substr(1);
    if (db_text.find_first_of("/?#") != std::string_view::npos) return fail(error, "trailing junk after db");
    if (!parse_bounded(db_text, kRedisMaxDb, &db)) {
      return fail(error, all_digits(db_text) ? "db over 16383" : "db is not a non-negative integer");
    }
    url.db = static_cast<int>(db);
  }
  *out = std::move(url);
  return true;
}

std::string RedisUrl::redacted() const {
  std::string text = "redis://";
  if (has_password) text += user + ":***@";
  text += host_is_ipv6 ? "[" + host + "]" : host;
  text += ":" + std::to_string(port) + "/" + std::to_string(db);
  return text;
}
