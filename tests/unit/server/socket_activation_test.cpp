// socket_activation_test.cpp: reading systemd's socket-passing variables
// (sd_listen_fds(3)) and judging the passed descriptor
// (src/server/socket_activation.h).
#include "server/socket_activation.h"

#include <sys/socket.h>

#include <gtest/gtest.h>

namespace {

TEST(ListenFds, VariablesForThisProcessPassItsSockets) {
  ListenFds passed = parse_listen_fds("4242", "1", 4242);
  EXPECT_EQ(passed.count, 1);
  EXPECT_EQ(passed.error, "");
}

TEST(ListenFds, NoVariablesMeanNotActivated) {
  ListenFds passed = parse_listen_fds(nullptr, nullptr, 4242);
  EXPECT_EQ(passed.count, 0);
  EXPECT_EQ(passed.error, "");
}

// Inherited from a parent that was activated: not ours, and no complaint.
TEST(ListenFds, VariablesForAnotherProcessAreIgnored) {
  ListenFds passed = parse_listen_fds("4241", "1", 4242);
  EXPECT_EQ(passed.count, 0);
  EXPECT_EQ(passed.error, "");
  EXPECT_EQ(parse_listen_fds("not-a-pid", "1", 4242).count, 0);
  EXPECT_EQ(parse_listen_fds("4242x", "1", 4242).count, 0);
}

TEST(ListenFds, ACountThatIsNotANumberIsAnError) {
  ListenFds passed = parse_listen_fds("4242", "one", 4242);
  EXPECT_EQ(passed.count, 0);
  EXPECT_NE(passed.error.find("LISTEN_FDS is not a number"), std::string::npos) << passed.error;
  EXPECT_NE(parse_listen_fds("4242", nullptr, 4242).error, "");
}

TEST(ListenFds, MoreThanOneSocketIsRefusedWithAReason) {
  ListenFds passed = parse_listen_fds("4242", "2", 4242);
  EXPECT_NE(passed.error.find("chatd supports one listening socket"), std::string::npos) << passed.error;
}

TEST(ListenFds, ZeroSocketsMeanNotActivated) {
  EXPECT_EQ(parse_listen_fds("4242", "0", 4242).count, 0);
}

TEST(PassedListener, OnlyAListeningTcpStreamSocketWillDo) {
  EXPECT_EQ(unusable_listener_reason(SOCK_STREAM, 1, AF_INET), "");
  EXPECT_EQ(unusable_listener_reason(SOCK_STREAM, 1, AF_INET6), "");
  EXPECT_NE(unusable_listener_reason(SOCK_DGRAM, 0, AF_INET).find("ListenDatagram"), std::string::npos);
  EXPECT_NE(unusable_listener_reason(SOCK_STREAM, 1, AF_UNIX).find("not a TCP socket"), std::string::npos);
  EXPECT_NE(unusable_listener_reason(SOCK_STREAM, 0, AF_INET).find("Accept=no"), std::string::npos);
}

}  // namespace
