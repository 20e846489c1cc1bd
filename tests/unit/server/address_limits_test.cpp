// address_limits_test.cpp: connection counts and message budgets per client
// address (address_limits.h).
#include "server/address_limits.h"

#include <gtest/gtest.h>

namespace {

IpAddress address(const char* text) {
  IpAddress result;
  EXPECT_TRUE(parse_ip_address(text, &result)) << text;
  return result;
}

AddressLimitOptions options(size_t max_connections, double rate, double burst) {
  AddressLimitOptions result;
  result.max_connections = max_connections;
  result.message_rate = rate;
  result.message_burst = burst;
  return result;
}

TEST(AddressLimits, AddressMayHoldUpToTheLimitThenIsRefused) {
  AddressLimits limits(options(3, 10, 10));
  for (int i = 0; i < 3; ++i) EXPECT_NE(limits.add_connection(address("192.0.2.1"), 0), nullptr);
  EXPECT_EQ(limits.add_connection(address("192.0.2.1"), 0), nullptr);
  EXPECT_NE(limits.add_connection(address("192.0.2.2"), 0), nullptr) << "another address has its own count";
}

TEST(AddressLimits, EndedConnectionMakesRoomForANewOne) {
  AddressLimits limits(options(1, 10, 10));
  AddressRecord* first = limits.add_connection(address("192.0.2.1"), 0);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(limits.add_connection(address("192.0.2.1"), 0), nullptr);
  limits.remove_connection(first, 5);
  EXPECT_NE(limits.add_connection(address("192.0.2.1"), 6), nullptr);
}

TEST(AddressLimits, ZeroMeansNoConnectionLimit) {
  AddressLimits limits(options(0, 10, 10));
  for (int i = 0; i < 1000; ++i) ASSERT_NE(limits.add_connection(address("192.0.2.1"), 0), nullptr);
}

TEST(AddressLimits, Ipv6AddressesAreCountedByTheirSlash64) {
  AddressLimits limits(options(2, 10, 10));
  EXPECT_NE(limits.add_connection(address("2001:db8:0:1::a"), 0), nullptr);
  EXPECT_NE(limits.add_connection(address("2001:db8:0:1::b"), 0), nullptr);
  EXPECT_EQ(limits.add_connection(address("2001:db8:0:1:ffff::c"), 0), nullptr) << "same /64";
  EXPECT_NE(limits.add_connection(address("2001:db8:0:2::a"), 0), nullptr) << "another /64";
}

TEST(AddressLimits, MessageBudgetIsSharedByTheAddressesConnections) {
  AddressLimits limits(options(10, 1, 5));
  AddressRecord* one = limits.add_connection(address("192.0.2.1"), 0);
  AddressRecord* two = limits.add_connection(address("192.0.2.1"), 0);
  ASSERT_EQ(one, two);
  int taken = 0;
  for (int i = 0; i < 10; ++i) taken += limits.take_message(i % 2 ? one : two, 0) ? 1 : 0;
  EXPECT_EQ(taken, 5);
}

TEST(AddressLimits, ReconnectingDoesNotRefillTheBudget) {
  AddressLimits limits(options(10, 1, 5));
  for (int round = 0; round < 4; ++round) {
    AddressRecord* record = limits.add_connection(address("192.0.2.1"), round);
    ASSERT_NE(record, nullptr);
    for (int i = 0; i < 5; ++i) limits.take_message(record, round);
    limits.remove_connection(record, round);
    limits.expire(round);
  }
  AddressRecord* again = limits.add_connection(address("192.0.2.1"), 10);
  EXPECT_FALSE(limits.take_message(again, 10)) << "the bucket was emptied moments ago";
}

TEST(AddressLimits, IdleRecordIsForgottenOnceItsBucketWouldBeFull) {
  AddressLimits limits(options(10, 10, 20));  // refills in 2 s
  AddressRecord* record = limits.add_connection(address("192.0.2.1"), 1000);
  limits.remove_connection(record, 1000);
  EXPECT_EQ(limits.next_deadline_ms(), 3000);
  limits.expire(2999);
  EXPECT_EQ(limits.record_count(), 1u);
  limits.expire(3000);
  EXPECT_EQ(limits.record_count(), 0u);
  EXPECT_EQ(limits.next_deadline_ms(), -1);
}

TEST(AddressLimits, RecordWithConnectionsIsNeverForgotten) {
  AddressLimits limits(options(10, 10, 20));
  AddressRecord* first = limits.add_connection(address("192.0.2.1"), 0);
  limits.remove_connection(first, 0);
  limits.add_connection(address("192.0.2.1"), 100);  // back before it expired
  limits.expire(1000000);
  EXPECT_EQ(limits.record_count(), 1u);
}

}  // namespace
