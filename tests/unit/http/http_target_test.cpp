// http_target_test.cpp: where a request is addressed (http_target.h): the
// Host header's syntax and count (RFC 9112 section 3.2, RFC 3986 section
// 3.2.2) and the four forms of request target (RFC 9112 sections 3.2.1 to
// 3.2.4). Host values are checked from guarded buffers, so a validator that
// reads past the value's end crashes the test.
#include "http/http_target.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "http_test_support.h"

namespace {

bool host_is_valid(std::string_view value) {
  http_test_support::GuardedCopy copy(value);
  return is_valid_host_value(std::string_view(copy.data(), value.size()));
}

// The Host check on a parsed head with these header lines.
std::string host_problem(std::string_view request_line, std::string_view header_lines) {
  std::string text = std::string(request_line) + "\r\n" + std::string(header_lines) + "\r\n";
  HttpRequestParser parser;
  parser.feed(text.data(), text.size());
  if (parser.status() != HttpParseStatus::Complete) {
    ADD_FAILURE() << "request did not parse: " << parser.error_reason();
    return "(unparsed)";
  }
  const char* problem = host_header_problem(parser.request());
  return problem ? problem : "";
}

void expect_target(std::string_view target, TargetForm form, std::string_view path, std::string_view query) {
  SCOPED_TRACE(std::string(target));
  RequestTarget parsed = parse_request_target(target);
  EXPECT_EQ(parsed.form, form);
  EXPECT_EQ(parsed.path, path);
  EXPECT_EQ(parsed.query, query);
  EXPECT_EQ(parsed.problem, nullptr);
}

void expect_invalid_target(std::string_view target) {
  SCOPED_TRACE(std::string(target));
  RequestTarget parsed = parse_request_target(target);
  EXPECT_EQ(parsed.form, TargetForm::Invalid);
  ASSERT_NE(parsed.problem, nullptr);
  EXPECT_STRNE(parsed.problem, "");
}

}  // namespace

/* ===== Host values: uri-host [ ":" port ] (RFC 3986 section 3.2.2) ===== */

TEST(HostValue, RegisteredNamesWithAndWithoutPortAreValid) {
  EXPECT_TRUE(host_is_valid("localhost"));
  EXPECT_TRUE(host_is_valid("localhost:8080"));
  EXPECT_TRUE(host_is_valid("chat.example.com"));
  EXPECT_TRUE(host_is_valid("xn--bcher-kva.example:443"));
  EXPECT_TRUE(host_is_valid("UPPER.Case.Example"));
}

TEST(HostValue, Ipv4AddressesAreValid) {
  EXPECT_TRUE(host_is_valid("127.0.0.1"));
  EXPECT_TRUE(host_is_valid("127.0.0.1:8080"));
}

// reg-name = *( unreserved / pct-encoded / sub-delims )
TEST(HostValue, UnreservedSubDelimsAndPercentEncodingAreValid) {
  EXPECT_TRUE(host_is_valid("a-b.c_d~e"));
  EXPECT_TRUE(host_is_valid("a!$&'()*+,;=b"));
  EXPECT_TRUE(host_is_valid("ex%41mple.com"));
  EXPECT_TRUE(host_is_valid("%c3%A9"));
}

// IP-literal = "[" ( IPv6address / IPvFuture ) "]"
TEST(HostValue, BracketedIpv6LiteralsAreValid) {
  EXPECT_TRUE(host_is_valid("[::1]"));
  EXPECT_TRUE(host_is_valid("[::1]:8080"));
  EXPECT_TRUE(host_is_valid("[::]"));
  EXPECT_TRUE(host_is_valid("[2001:db8::7]"));
  EXPECT_TRUE(host_is_valid("[2001:DB8:0:0:8:800:200C:417A]"));
  EXPECT_TRUE(host_is_valid("[1:2:3:4:5:6:7::]"));
  EXPECT_TRUE(host_is_valid("[::2:3:4:5:6:7:8]"));
  EXPECT_TRUE(host_is_valid("[::ffff:192.0.2.1]"));
  EXPECT_TRUE(host_is_valid("[1:2:3:4:5:6:192.0.2.1]"));
}

TEST(HostValue, IpvFutureLiteralIsValid) {
  EXPECT_TRUE(host_is_valid("[v1.fe80::a+en1]"));
  EXPECT_TRUE(host_is_valid("[VF.x:y]:80"));
}

// port = *DIGIT, so "host:" is allowed too.
TEST(HostValue, EmptyPortIsValid) {
  EXPECT_TRUE(host_is_valid("example.com:"));
}

// RFC 9112 3.2: Host = uri-host [ ":" port ], and uri-host may be an empty
// reg-name; a target without an authority is sent with an empty Host.
TEST(HostValue, EmptyValueIsValid) {
  EXPECT_TRUE(host_is_valid(""));
}

TEST(HostValue, SpaceSlashAndAtAreInvalid) {
  EXPECT_FALSE(host_is_valid("a b"));
  EXPECT_FALSE(host_is_valid("a/b@c"));
  EXPECT_FALSE(host_is_valid("a@b"));  // userinfo has no place in Host
  EXPECT_FALSE(host_is_valid("a\tb"));
  EXPECT_FALSE(host_is_valid("a?b"));
  EXPECT_FALSE(host_is_valid("a#b"));
}

TEST(HostValue, PortMustBeDigits) {
  EXPECT_FALSE(host_is_valid("host:port"));
  EXPECT_FALSE(host_is_valid("host:80a"));
  EXPECT_FALSE(host_is_valid("host:-1"));
  EXPECT_FALSE(host_is_valid("a:1:2"));
}

TEST(HostValue, BadPercentEncodingIsInvalid) {
  EXPECT_FALSE(host_is_valid("ex%4"));
  EXPECT_FALSE(host_is_valid("ex%zzample"));
  EXPECT_FALSE(host_is_valid("%"));
}

// Raw UTF-8 is not a reg-name; an internationalised name travels as IDNA
// ("xn--...") or percent-encoded.
TEST(HostValue, RawNonAsciiIsInvalid) {
  EXPECT_FALSE(host_is_valid("caf\xc3\xa9.example"));
}

TEST(HostValue, MalformedIpLiteralsAreInvalid) {
  EXPECT_FALSE(host_is_valid("[::1"));
  EXPECT_FALSE(host_is_valid("::1]"));
  EXPECT_FALSE(host_is_valid("[]"));
  EXPECT_FALSE(host_is_valid("[::1]x"));
  EXPECT_FALSE(host_is_valid("[::1]:x"));
  EXPECT_FALSE(host_is_valid("[::1]]"));
  EXPECT_FALSE(host_is_valid("[localhost]"));
  EXPECT_FALSE(host_is_valid("[1::2::3]"));            // two "::"
  EXPECT_FALSE(host_is_valid("[:::1]"));
  EXPECT_FALSE(host_is_valid("[1:2:3:4:5:6:7:8:9]"));  // nine groups
  EXPECT_FALSE(host_is_valid("[1:2:3:4:5:6:7]"));      // seven, without "::"
  EXPECT_FALSE(host_is_valid("[1:2:3:4:5:6:7:8::]"));  // "::" stands for at least one group
  EXPECT_FALSE(host_is_valid("[12345::1]"));           // a group is at most 4 digits
  EXPECT_FALSE(host_is_valid("[:1:2:3:4:5:6:7]"));     // a lone leading colon
  EXPECT_FALSE(host_is_valid("[1:2:3:4:5:6:7:]"));     // a lone trailing colon
  EXPECT_FALSE(host_is_valid("[::1%25eth0]"));         // zone ids are RFC 6874, not HTTP
  EXPECT_FALSE(host_is_valid("[192.0.2.1]"));
  EXPECT_FALSE(host_is_valid("[::192.0.2.256]"));      // dec-octet is at most 255
  EXPECT_FALSE(host_is_valid("[::192.0.2.01]"));       // and has no leading zero
  EXPECT_FALSE(host_is_valid("[::192.0.2]"));
  EXPECT_FALSE(host_is_valid("[192.0.2.1::]"));        // IPv4 only in the last 32 bits
  EXPECT_FALSE(host_is_valid("[v1.]"));
  EXPECT_FALSE(host_is_valid("[v.x]"));
  EXPECT_FALSE(host_is_valid("[vg.x]"));
}

/* ===== The Host header in a request (RFC 9112 section 3.2) ===== */

TEST(HostHeader, OneValidHostPasses) {
  EXPECT_EQ(host_problem("GET / HTTP/1.1", "Host: localhost:8080\r\n"), "");
}

TEST(HostHeader, MissingHostInHttp11Is400Reason) {
  EXPECT_EQ(host_problem("GET / HTTP/1.1", "Accept: */*\r\n"), "missing Host header");
}

// Host became mandatory with HTTP/1.1; RFC 9112 3.2 asks for the 400 only
// for HTTP/1.1 requests, and an HTTP/1.0 client (a hand-typed nc session)
// may leave it out.
TEST(HostHeader, MissingHostInHttp10Passes) {
  EXPECT_EQ(host_problem("GET / HTTP/1.0", "Accept: */*\r\n"), "");
}

TEST(HostHeader, RepeatedHostIsRefusedInEveryVersion) {
  EXPECT_EQ(host_problem("GET / HTTP/1.1", "Host: a\r\nHost: a\r\n"), "repeated Host header");
  EXPECT_EQ(host_problem("GET / HTTP/1.0", "Host: a\r\nhost: b\r\n"), "repeated Host header");
}

TEST(HostHeader, InvalidHostValueIsRefused) {
  const char* const values[] = {"a b", "a/b@c", "a@b", "[::1", "host:port"};
  for (const char* value : values) {
    SCOPED_TRACE(value);
    EXPECT_EQ(host_problem("GET / HTTP/1.1", std::string("Host: ") + value + "\r\n"),
              "invalid Host header (expected host or host:port)");
  }
}

TEST(HostHeader, EmptyHostValuePasses) {
  EXPECT_EQ(host_problem("GET / HTTP/1.1", "Host:\r\n"), "");
  EXPECT_EQ(host_problem("GET / HTTP/1.1", "Host:   \r\n"), "");
}

/* ===== Origin form (RFC 9112 section 3.2.1) ===== */

TEST(RequestTarget, OriginFormSplitsPathAndQuery) {
  expect_target("/", TargetForm::Origin, "/", "");
  expect_target("/healthz", TargetForm::Origin, "/healthz", "");
  expect_target("/echo?x=1&y", TargetForm::Origin, "/echo", "x=1&y");
  expect_target("/?", TargetForm::Origin, "/", "");
  expect_target("//a/b", TargetForm::Origin, "//a/b", "");
}

/* ===== Absolute form (RFC 9112 section 3.2.2) ===== */

TEST(RequestTarget, AbsoluteFormIsRoutedByItsPath) {
  expect_target("http://127.0.0.1:8080/healthz", TargetForm::Absolute, "/healthz", "");
  expect_target("http://chat.example/echo?room=a", TargetForm::Absolute, "/echo", "room=a");
  expect_target("https://[::1]:8443/", TargetForm::Absolute, "/", "");
}

// Schemes are case-insensitive (RFC 3986 3.1).
TEST(RequestTarget, SchemeIsMatchedWithoutRegardToCase) {
  expect_target("HTTP://a.example/x", TargetForm::Absolute, "/x", "");
  expect_target("hTtPs://a.example/x", TargetForm::Absolute, "/x", "");
}

TEST(RequestTarget, AbsoluteFormWithEmptyPathMeansRoot) {
  expect_target("http://a.example", TargetForm::Absolute, "/", "");
  expect_target("http://a.example:8080", TargetForm::Absolute, "/", "");
  expect_target("http://a.example?x=1", TargetForm::Absolute, "/", "x=1");
}

// chatd is not a proxy: it serves http and https URIs (RFC 9110 4.2) only.
TEST(RequestTarget, OtherSchemesAreInvalid) {
  expect_invalid_target("ws://a.example/");
  expect_invalid_target("wss://a.example/echo");
  expect_invalid_target("ftp://a.example/");
  expect_invalid_target("httpx://a.example/");
}

// RFC 9110 4.2.1: an http URI with an empty host is invalid.
TEST(RequestTarget, AbsoluteFormWithoutHostIsInvalid) {
  expect_invalid_target("http://");
  expect_invalid_target("http:///healthz");
  expect_invalid_target("http://:8080/");
}

// RFC 9110 4.2.4: userinfo in an http URI is to be treated as an error.
TEST(RequestTarget, AbsoluteFormWithUserinfoIsInvalid) {
  expect_invalid_target("http://user@a.example/");
  expect_invalid_target("http://user:pass@a.example/");
}

TEST(RequestTarget, AbsoluteFormWithBadAuthorityIsInvalid) {
  expect_invalid_target("http://a.example:port/");
  expect_invalid_target("http://[::1/");
  expect_invalid_target("http://a%zz/");
}

TEST(RequestTarget, SchemeWithoutSlashesIsInvalid) {
  expect_invalid_target("http:/healthz");
  expect_invalid_target("http:healthz");
  expect_invalid_target("mailto:someone@example.com");
}

/* ===== Authority and asterisk forms (RFC 9112 sections 3.2.3, 3.2.4) ===== */

TEST(RequestTarget, HostAndPortIsAuthorityForm) {
  expect_target("chat.example:443", TargetForm::Authority, "", "");
  expect_target("127.0.0.1:8080", TargetForm::Authority, "", "");
  expect_target("[::1]:8080", TargetForm::Authority, "", "");
}

TEST(RequestTarget, LoneAsteriskIsAsteriskForm) {
  expect_target("*", TargetForm::Asterisk, "", "");
}

TEST(RequestTarget, AnythingElseIsInvalid) {
  expect_invalid_target("healthz");
  expect_invalid_target("**");
  expect_invalid_target("?x=1");
  expect_invalid_target("chat.example");  // authority form needs the port
  expect_invalid_target("a b:80");
}
