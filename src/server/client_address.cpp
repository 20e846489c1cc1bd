// client_address.cpp: addresses, ranges and X-Forwarded-For. See
// client_address.h for why the right-most untrusted entry is the client.
#include "server/client_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "base/ascii.h"
#include "http/http_request.h"

namespace {

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

/* ===== Addresses ===== */

IpAddress IpAddress::from_socket_address(const sockaddr_storage& address) {
  IpAddress result;
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    std::memcpy(result.bytes.data(), &v6.sin6_addr, 16);
  } else if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    std::memcpy(result.bytes.data(), kMappedPrefix, 12);
    std::memcpy(result.bytes.data() + 12, &v4.sin_addr, 4);
  }
  return result;
}

bool IpAddress::is_ipv4() const { return std::memcmp(bytes.data(), kMappedPrefix, 12) == 0; }

bool IpAddress::is_loopback() const {
  if (is_ipv4()) return bytes[12] == 127;
  static const std::array<uint8_t, 16> kIpv6Loopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return bytes == kIpv6Loopback;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = "?";
  if (is_ipv4()) {
    inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  }
  return text;
}

bool parse_ip_address(std::string_view text, IpAddress* address) {
  char copy[INET6_ADDRSTRLEN];
  if (text.empty() || text.size() >= sizeof copy) return false;
  std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0';
  IpAddress result;
  if (inet_pton(AF_INET, copy, result.bytes.data() + 12) == 1) {
    std::memcpy(result.bytes.data(), kMappedPrefix, 12);
  } else if (inet_pton(AF_INET6, copy, result.bytes.data()) != 1) {
    return false;
  }
  *address = result;
  return true;
}

/* ===== Ranges ===== */

bool CidrRange::contains(const IpAddress& address) const {
  int whole_bytes = prefix_bits / 8;
  if (std::memcmp(address.bytes.data(), base.bytes.data(), whole_bytes) != 0) return false;
  int rest = prefix_bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (address.bytes[whole_bytes] & mask) == base.bytes[whole_bytes];
}

bool parse_cidr_range(std::string_view text, CidrRange* range) {
  size_t slash = text.find('/');
  CidrRange result;
  if (!parse_ip_address(text.substr(0, slash), &result.base)) return false;
  const int family_bits = result.base.is_ipv4() ? 32 : 128;
  int prefix = family_bits;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return false;
    prefix = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > family_bits) return false;
  }
  result.prefix_bits = prefix + (128 - family_bits);
  // Clear the host bits, so that "10.1.2.3/8" means 10.0.0.0/8.
  for (int bit = result.prefix_bits; bit < 128; ++bit) {
    result.base.bytes[bit / 8] = static_cast<uint8_t>(result.base.bytes[bit / 8] & ~(0x80 >> (bit % 8)));
  }
  *range = result;
  return true;
}

bool in_any_range(const std::vector<CidrRange>& ranges, const IpAddress& address) {
  for (const CidrRange& range : ranges) {
    if (range.contains(address)) return true;
  }
  return false;
}

/* ===== X-Forwarded-For ===== */

ForwardedClient forwarded_client(const HttpRequest& request, const IpAddress& peer,
                                 const std::vector<CidrRange>& trusted_proxies) {
  ForwardedClient result;
  result.address = peer;
  if (!in_any_range(trusted_proxies, peer)) return result;
  // Walk the list from its right end: the last field, its last entry, first.
  for (size_t field = request.header_count; field-- > 0;) {
    if (!equals_ignoring_ascii_case(request.headers[field].name, "X-Forwarded-For")) continue;
    std::string_view rest = request.headers[field].value;
    while (true) {
      size_t comma = rest.rfind(',');
      std::string_view entry = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
      if (!entry.empty()) {
        IpAddress address;
        if (!parse_ip_address(entry, &address)) {
          result.malformed = true;  // keep the trusted hop that wrote it
          return result;
        }
        result.address = address;
        result.forwarded = true;
        if (!in_any_range(trusted_proxies, address)) return result;
      }
      if (comma == std::string_view::npos) break;
      rest = rest.substr(0, comma);
    }
  }
  return result;  // every entry was a trusted proxy: the left-most, or peer
}
