// client_address.h: who a client is, as far as per-address limits can tell:
// IPv4 and IPv6 addresses in one 16-byte form, CIDR ranges for the
// --trusted-proxy flag, and the client address of a request that came
// through trusted proxies, from its X-Forwarded-For header.
//
// X-Forwarded-For is a list that each proxy extends on the right with the
// address it received the request from ("client, proxy1, proxy2"). Only the
// entries added by proxies we trust are facts; anything to their left was
// written by whoever sent the request and may be made up. So the client is
// the right-most address that is not a trusted proxy: the one the outermost
// trusted proxy saw.
//
// Deliberately left out: the standard Forwarded header (RFC 7239), which
// nginx and Caddy do not send by default, and addresses with ports or
// brackets in X-Forwarded-For (the proxies chatd documents send bare ones).
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct HttpRequest;

// An IPv4 address is kept as its IPv4-mapped IPv6 form (::ffff:a.b.c.d,
// RFC 4291 section 2.5.5.2), so one type and one comparison serve both.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};

  static IpAddress from_socket_address(const sockaddr_storage& address);
  bool is_ipv4() const;
  // 127.0.0.0/8 or ::1.
  bool is_loopback() const;
  // "192.0.2.7" or "2001:db8::7".
  std::string to_string() const;
  bool operator==(const IpAddress& other) const { return bytes == other.bytes; }
  bool operator!=(const IpAddress& other) const { return bytes != other.bytes; }
};

// A bare IPv4 or IPv6 address ("192.0.2.7", "2001:db8::7"); false otherwise.
bool parse_ip_address(std::string_view text, IpAddress* address);

struct CidrRange {
  IpAddress base;        // with the bits past the prefix cleared
  int prefix_bits = 0;   // of the 128-bit form (an IPv4 /24 is /120)
  bool contains(const IpAddress& address) const;
};

// "10.0.0.0/8", "2001:db8::/32", or a bare address (a range of one).
// Refuses a prefix longer than the address family allows.
bool parse_cidr_range(std::string_view text, CidrRange* range);

bool in_any_range(const std::vector<CidrRange>& ranges, const IpAddress& address);

struct ForwardedClient {
  IpAddress address;       // the client, as far as the trusted proxies say
  bool forwarded = false;  // address came from X-Forwarded-For
  bool malformed = false;  // an entry that had to be believed was not an address
};

// The client of a request received from peer. When peer is not a trusted
// proxy, that is peer, whatever the request says. Otherwise it is the
// right-most X-Forwarded-For entry (all the header's fields read as one
// list, RFC 9110 section 5.3) that is not a trusted proxy; when every entry
// is trusted, the left-most. A malformed entry where the client should be
// leaves the address of the trusted hop that wrote it.
ForwardedClient forwarded_client(const HttpRequest& request, const IpAddress& peer,
                                 const std::vector<CidrRange>& trusted_proxies);
