// redis_url_test.cpp: parse_redis_url, the redis:// form of redis_url.h
// (RFC 3986 generic syntax): the URLs it accepts with every default and
// decoded part, and each kind of URL it refuses, with its reason.
#include "redis/redis_url.h"

#include <gtest/gtest.h>

#include <string>

namespace {

RedisUrl parse_or_fail(const std::string& text) {
  RedisUrl url;
  std::string error;
  EXPECT_TRUE(parse_redis_url(text, &url, &error)) << text << ": " << error;
  return url;
}

// The reason a URL is refused with, or "accepted".
std::string url_error(const std::string& text) {
  RedisUrl url;
  std::string error;
  if (parse_redis_url(text, &url, &error)) return "accepted";
  return error;
}

}  // namespace

/* ===== Accepted URLs ===== */

TEST(RedisUrl, DefaultsPortAndDbForABareHost) {
  const RedisUrl url = parse_or_fail("redis://localhost");
  EXPECT_EQ(url.host, "localhost");
  EXPECT_FALSE(url.host_is_ipv6);
  EXPECT_EQ(url.port, 6379);
  EXPECT_EQ(url.db, 0);
  EXPECT_FALSE(url.has_password);
  EXPECT_EQ(url.user, "");
}

TEST(RedisUrl, ReadsAnIpv4LiteralPortAndDb) {
  const RedisUrl url = parse_or_fail("redis://10.0.0.5:6380/2");
  EXPECT_EQ(url.host, "10.0.0.5");
  EXPECT_EQ(url.port, 6380);
  EXPECT_EQ(url.db, 2);
}

TEST(RedisUrl, ReadsAnIpv6LiteralWithoutItsBrackets) {
  const RedisUrl url = parse_or_fail("redis://[::1]:7000/15");
  EXPECT_EQ(url.host, "::1");
  EXPECT_TRUE(url.host_is_ipv6);
  EXPECT_EQ(url.port, 7000);
  EXPECT_EQ(url.db, 15);
  EXPECT_EQ(parse_or_fail("redis://[2001:db8::7]").host, "2001:db8::7");
  EXPECT_EQ(parse_or_fail("redis://[::ffff:192.0.2.1]/1").host, "::ffff:192.0.2.1");
}

TEST(RedisUrl, ReadsAPasswordWithoutAUser) {
  const RedisUrl url = parse_or_fail("redis://:s3cret@redis.internal:6379");
  EXPECT_TRUE(url.has_password);
  EXPECT_EQ(url.user, "");
  EXPECT_EQ(url.password, "s3cret");
  EXPECT_EQ(url.host, "redis.internal");
}

TEST(RedisUrl, ReadsAnAclUserAndPassword) {
  const RedisUrl url = parse_or_fail("redis://chatd:pw@cache-1/3");
  EXPECT_EQ(url.user, "chatd");
  EXPECT_EQ(url.password, "pw");
  EXPECT_EQ(url.db, 3);
}

TEST(RedisUrl, PercentDecodesUserAndPassword) {
  const RedisUrl url = parse_or_fail("redis://al%69ce:p%40ss%3Aw%2Fd%25@host");
  EXPECT_EQ(url.user, "alice");
  EXPECT_EQ(url.password, "p@ss:w/d%");
  EXPECT_EQ(url.host, "host");
}

// The password is whatever follows the first ':' of the user info.
TEST(RedisUrl, KeepsColonsAfterTheFirstInThePassword) {
  EXPECT_EQ(parse_or_fail("redis://u:a:b@host").password, "a:b");
}

TEST(RedisUrl, AcceptsAnEmptyPassword) {
  const RedisUrl url = parse_or_fail("redis://:@host");
  EXPECT_TRUE(url.has_password);
  EXPECT_EQ(url.password, "");
}

// RFC 3986 section 3.1: schemes compare without regard to case.
TEST(RedisUrl, AcceptsTheSchemeInAnyCase) {
  EXPECT_EQ(parse_or_fail("REDIS://Host").host, "Host");
  EXPECT_EQ(parse_or_fail("Redis://h").host, "h");
}

TEST(RedisUrl, AcceptsTheExtremesOfPortAndDb) {
  EXPECT_EQ(parse_or_fail("redis://h:1").port, 1);
  EXPECT_EQ(parse_or_fail("redis://h:65535").port, 65535);
  EXPECT_EQ(parse_or_fail("redis://h/0").db, 0);
  EXPECT_EQ(parse_or_fail("redis://h/16383").db, 16383);
  EXPECT_EQ(parse_or_fail("redis://h/").db, 0);
}

TEST(RedisUrl, RedactsThePasswordForLogs) {
  EXPECT_EQ(parse_or_fail("redis://chatd:hunter2@[::1]:6380/4").redacted(), "redis://chatd:***@[::1]:6380/4");
  EXPECT_EQ(parse_or_fail("redis://h").redacted(), "redis://h:6379/0");
}

/* ===== Refused URLs ===== */

TEST(RedisUrl, RefusesOtherSchemes) {
  EXPECT_EQ(url_error("http://host"), "unknown scheme (expected redis://)");
  EXPECT_EQ(url_error("unix:///tmp/redis.sock"), "unknown scheme (expected redis://)");
  EXPECT_EQ(url_error("rediss://host"), "rediss:// (TLS) is not supported");
  EXPECT_EQ(url_error("localhost:6379"), "not a URL (expected redis://)");
  EXPECT_EQ(url_error(""), "not a URL (expected redis://)");
}

TEST(RedisUrl, RefusesAnEmptyHost) {
  EXPECT_EQ(url_error("redis://"), "empty host");
  EXPECT_EQ(url_error("redis://:6379"), "empty host");
  EXPECT_EQ(url_error("redis://:pw@/1"), "empty host");
}

TEST(RedisUrl, RefusesABadHost) {
  EXPECT_EQ(url_error("redis://ho st"), "bad character in host");
  EXPECT_EQ(url_error("redis://h%41"), "bad character in host");
  EXPECT_EQ(url_error("redis://256.1.1.1"), "bad IPv4 address");
  EXPECT_EQ(url_error("redis://1.2.3"), "bad IPv4 address");
}

TEST(RedisUrl, RefusesABadIpv6Literal) {
  EXPECT_EQ(url_error("redis://[::1"), "IPv6 literal without ']'");
  EXPECT_EQ(url_error("redis://[::g]"), "bad IPv6 literal");
  EXPECT_EQ(url_error("redis://[]"), "bad IPv6 literal");
  EXPECT_EQ(url_error("redis://[127.0.0.1]"), "bad IPv6 literal");
  EXPECT_EQ(url_error("redis://[fe80::1%25eth0]"), "IPv6 zone identifiers are not supported");
  EXPECT_EQ(url_error("redis://[::1]x"), "junk after IPv6 literal");
  EXPECT_EQ(url_error("redis://::1"), "empty host");
}

TEST(RedisUrl, RefusesABadPort) {
  EXPECT_EQ(url_error("redis://h:"), "empty port");
  EXPECT_EQ(url_error("redis://h:0"), "bad port");
  EXPECT_EQ(url_error("redis://h:65536"), "bad port");
  EXPECT_EQ(url_error("redis://h:99999999999"), "bad port");
  EXPECT_EQ(url_error("redis://h:-1"), "bad port");
  EXPECT_EQ(url_error("redis://h:+80"), "bad port");
  EXPECT_EQ(url_error("redis://h:80a"), "bad port");
  EXPECT_EQ(url_error("redis://h:80:81"), "bad port");
  EXPECT_EQ(url_error("redis://h:6379 "), "bad port");
}

TEST(RedisUrl, RefusesADbThatIsNotASmallNonNegativeInteger) {
  EXPECT_EQ(url_error("redis://h/16384"), "db over 16383");
  EXPECT_EQ(url_error("redis://h/99999999999999999999"), "db over 16383");
  EXPECT_EQ(url_error("redis://h/-1"), "db is not a non-negative integer");
  EXPECT_EQ(url_error("redis://h/x"), "db is not a non-negative integer");
  EXPECT_EQ(url_error("redis://h/1 "), "db is not a non-negative integer");
}

TEST(RedisUrl, RefusesTrailingJunk) {
  EXPECT_EQ(url_error("redis://h/1/2"), "trailing junk after db");
  EXPECT_EQ(url_error("redis://h/1?timeout=5"), "trailing junk after db");
  EXPECT_EQ(url_error("redis://h?db=1"), "query or fragment is not supported");
  EXPECT_EQ(url_error("redis://h#top"), "query or fragment is not supported");
}

TEST(RedisUrl, RefusesBadUserInfo) {
  EXPECT_EQ(url_error("redis://secret@host"), "user info without ':' (write :password@)");
  EXPECT_EQ(url_error("redis://a:b@c@host"), "unencoded '@' in user or password");
  EXPECT_EQ(url_error("redis://a:%4@host"), "bad character or escape in password");
  EXPECT_EQ(url_error("redis://a:%zz@host"), "bad character or escape in password");
  EXPECT_EQ(url_error("redis://a:b c@host"), "bad character or escape in password");
  EXPECT_EQ(url_error("redis://a%@h:pw@host"), "unencoded '@' in user or password");
  EXPECT_EQ(url_error("redis://a[:pw@host"), "bad character or escape in user");
}

TEST(RedisUrl, FailureLeavesTheOutputAsItWas) {
  RedisUrl url = parse_or_fail("redis://kept:pw@kept-host:7000/5");
  std::string error;
  EXPECT_FALSE(parse_redis_url("redis://other:1@x:0", &url, &error));
  EXPECT_EQ(url.host, "kept-host");
  EXPECT_EQ(url.port, 7000);
  EXPECT_EQ(url.db, 5);
  EXPECT_EQ(url.password, "pw");
}
