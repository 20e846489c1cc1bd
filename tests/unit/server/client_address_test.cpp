// client_address_test.cpp: addresses, CIDR ranges, and the client named by
// X-Forwarded-For behind trusted proxies (client_address.h). Addresses are
// from the documentation ranges (RFC 5737, RFC 3849).
#include "server/client_address.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/http_request.h"

namespace {

IpAddress address(const char* text) {
  IpAddress result;
  EXPECT_TRUE(parse_ip_address(text, &result)) << text;
  return result;
}

std::vector<CidrRange> ranges(const std::vector<const char*>& texts) {
  std::vector<CidrRange> result;
  for (const char* text : texts) {
    CidrRange range;
    EXPECT_TRUE(parse_cidr_range(text, &range)) << text;
    result.push_back(range);
  }
  return result;
}

// A parsed request head with the given header lines, kept alive by parser.
const HttpRequest& request_with(HttpRequestParser& parser, const std::string& header_lines) {
  std::string head = "GET / HTTP/1.1\r\nHost: chat.example\r\n" + header_lines + "\r\n";
  parser.feed(head.data(), head.size());
  EXPECT_EQ(parser.status(), HttpParseStatus::Complete);
  return parser.request();
}

TEST(IpAddressParsing, AcceptsBareIpv4AndIpv6) {
  EXPECT_EQ(address("192.0.2.7").to_string(), "192.0.2.7");
  EXPECT_EQ(address("2001:db8::7").to_string(), "2001:db8::7");
  EXPECT_TRUE(address("192.0.2.7").is_ipv4());
  EXPECT_FALSE(address("2001:db8::7").is_ipv4());
}

TEST(IpAddressParsing, RefusesAnythingElse) {
  IpAddress ignored;
  for (const char* text : {"", "unknown", "192.0.2", "192.0.2.256", "192.0.2.7:80", "[2001:db8::7]", " 192.0.2.7",
                           "2001:db8::7::1", "01.2.3.4x"}) {
    EXPECT_FALSE(parse_ip_address(text, &ignored)) << text;
  }
}

TEST(IpAddressParsing, LoopbackIsAll127AndTheIpv6One) {
  EXPECT_TRUE(address("127.0.0.1").is_loopback());
  EXPECT_TRUE(address("127.200.0.9").is_loopback());
  EXPECT_TRUE(address("::1").is_loopback());
  EXPECT_FALSE(address("192.0.2.1").is_loopback());
  EXPECT_FALSE(address("::2").is_loopback());
}

TEST(CidrRanges, ContainExactlyTheirPrefix) {
  auto v4 = ranges({"198.51.100.0/24"})[0];
  EXPECT_TRUE(v4.contains(address("198.51.100.0")));
  EXPECT_TRUE(v4.contains(address("198.51.100.255")));
  EXPECT_FALSE(v4.contains(address("198.51.101.0")));
  auto odd = ranges({"10.64.0.0/10"})[0];
  EXPECT_TRUE(odd.contains(address("10.127.255.255")));
  EXPECT_FALSE(odd.contains(address("10.128.0.0")));
  auto v6 = ranges({"2001:db8::/32"})[0];
  EXPECT_TRUE(v6.contains(address("2001:db8:ffff::1")));
  EXPECT_FALSE(v6.contains(address("2001:db9::1")));
}

TEST(CidrRanges, BareAddressIsARangeOfOne) {
  auto one = ranges({"127.0.0.1"})[0];
  EXPECT_TRUE(one.contains(address("127.0.0.1")));
  EXPECT_FALSE(one.contains(address("127.0.0.2")));
}

TEST(CidrRanges, HostBitsOfTheBaseAreIgnored) {
  auto range = ranges({"10.1.2.3/8"})[0];
  EXPECT_TRUE(range.contains(address("10.200.0.1")));
}

TEST(CidrRanges, Ipv4RangeNeverContainsIpv6) {
  auto everything_v4 = ranges({"0.0.0.0/0"})[0];
  EXPECT_TRUE(everything_v4.contains(address("203.0.113.9")));
  EXPECT_FALSE(everything_v4.contains(address("2001:db8::1")));
}

TEST(CidrRanges, RefuseBadPrefixes) {
  CidrRange ignored;
  for (const char* text : {"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1", "/8", "x/8"}) {
    EXPECT_FALSE(parse_cidr_range(text, &ignored)) << text;
  }
}

/* ===== X-Forwarded-For ===== */

TEST(ForwardedClient, UntrustedPeerIsTheClientWhateverTheHeaderSays) {
  HttpRequestParser parser;
  auto client = forwarded_client(request_with(parser, "X-Forwarded-For: 203.0.113.7\r\n"), address("198.51.100.1"),
                                 ranges({"127.0.0.1"}));
  EXPECT_EQ(client.address, address("198.51.100.1"));
  EXPECT_FALSE(client.forwarded);
}

TEST(ForwardedClient, TrustedProxyNamesTheClient) {
  HttpRequestParser parser;
  auto client = forwarded_client(request_with(parser, "X-Forwarded-For: 203.0.113.7\r\n"), address("127.0.0.1"),
                                 ranges({"127.0.0.1"}));
  EXPECT_EQ(client.address, address("203.0.113.7"));
  EXPECT_TRUE(client.forwarded);
}

TEST(ForwardedClient, RightMostUntrustedEntryIsTheClientNotWhatTheClientWrote) {
  // The client sent "X-Forwarded-For: 192.0.2.66" itself; the proxy appended
  // the address it really saw.
  HttpRequestParser parser;
  auto client = forwarded_client(request_with(parser, "X-Forwarded-For: 192.0.2.66, 203.0.113.7\r\n"),
                                 address("127.0.0.1"), ranges({"127.0.0.1"}));
  EXPECT_EQ(client.address, address("203.0.113.7"));
}

TEST(ForwardedClient, ChainOfTrustedProxiesIsSkipped) {
  HttpRequestParser parser;
  auto client = forwarded_client(request_with(parser, "X-Forwarded-For: 192.0.2.66, 203.0.113.7, 10.0.0.5\r\n"),
                                 address("127.0.0.1"), ranges({"127.0.0.1", "10.0.0.0/8"}));
  EXPECT_EQ(client.address, address("203.0.113.7"));
}

TEST(ForwardedClient, RepeatedFieldsAreOneListInOrder) {
  HttpRequestParser parser;
  auto client = forwarded_client(
      request_with(parser, "X-Forwarded-For: 192.0.2.66\r\nX-Forwarded-For: 203.0.113.7, 10.0.0.5\r\n"),
      address("127.0.0.1"), ranges({"127.0.0.1", "10.0.0.0/8"}));
  EXPECT_EQ(client.address, address("203.0.113.7"));
}

TEST(ForwardedClient, EveryEntryTrustedMeansTheLeftMost) {
  HttpRequestParser parser;
  auto client = forwarded_client(request_with(parser, "X-Forwarded-For: 10.0.0.9, 10.0.0.5\r\n"),
                                 address("127.0.0.1"), ranges({"127.0.0.1", "10.0.0.0/8"}));
  EXPECT_EQ(client.address, address("10.0.0.9"));
}

TEST(ForwardedClient, NoHeaderFromATrustedProxyMeansTheProxyItself) {
  HttpRequestParser parser;
  auto client = forwarded_client(request_with(parser, ""), address("127.0.0.1"), ranges({"127.0.0.1"}));
  EXPECT_EQ(client.address, address("127.0.0.1"));
  EXPECT_FALSE(client.forwarded);
}

TEST(ForwardedClient, MalformedEntryWhereTheClientShouldBeKeepsTheHopThatWroteIt) {
  HttpRequestParser parser;
  auto client = forwarded_client(request_with(parser, "X-Forwarded-For: 203.0.113.7, garbage, 10.0.0.5\r\n"),
                                 address("127.0.0.1"), ranges({"127.0.0.1", "10.0.0.0/8"}));
  EXPECT_EQ(client.address, address("10.0.0.5"));
  EXPECT_TRUE(client.malformed);
}

TEST(ForwardedClient, Ipv6ClientBehindAnIpv4Proxy) {
  HttpRequestParser parser;
  auto client = forwarded_client(request_with(parser, "x-forwarded-for:  2001:db8::42 \r\n"), address("127.0.0.1"),
                                 ranges({"127.0.0.1"}));
  EXPECT_EQ(client.address, address("2001:db8::42"));
}

}  // namespace
