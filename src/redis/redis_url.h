// redis_url.h: where the Redis server is, from a URL such as
// redis://:secret@10.0.0.5:6380/2 (the form redis-cli -u and the IANA
// registration of the "redis" scheme use; RFC 3986 for the generic syntax).
//
//   redis://[[user]:password@]host[:port][/db]
//
//   host      a name (redis.internal), an IPv4 literal (10.0.0.5), or an IPv6
//             literal in brackets ([::1]); never empty
//   port      1 to 65535, default 6379
//   db        the SELECT index, 0 to 16383, default 0 ("/" alone is 0)
//   user, password  percent-decoded (%40 is '@'); a password without a user
//             is the classic "requirepass" (AUTH password); with one, an ACL
//             user (AUTH user password)
//
// Pure: nothing is looked up or connected; the loop's connector does that
// with the result. Everything else is refused with a reason, at parse time,
// so a typo in a flag stops chatd at start rather than at the first message.
//
// Deliberately left out: rediss:// (no TLS in chatd, see docs/00-overview.md),
// unix sockets (redis+unix:// and unix://), query parameters, IPv6 zone
// identifiers, and userinfo without a ':' (redis://secret@host is read as a
// user by some clients and as a password by others, so it is refused here).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct RedisUrl {
  std::string host;         // without brackets for an IPv6 literal
  bool host_is_ipv6 = false;
  uint16_t port = 6379;
  int db = 0;
  std::string user;         // empty: none (AUTH with the password alone)
  std::string password;
  bool has_password = false;  // "redis://:@host" has an empty one

  // The URL with the password replaced by "***", for logs and errors.
  std::string redacted() const;
};

constexpr int kRedisMaxDb = 16383;

// Parses url into *out. On failure returns false, leaves *out as it was and
// sets *error to the reason ("unknown scheme", "bad port").
bool parse_redis_url(std::string_view url, RedisUrl* out, std::string* error);
