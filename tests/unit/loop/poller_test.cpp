// poller_test.cpp: the Poller interface, as every backend must honour it:
// readiness, interest changes, removal and hang-ups. Waiting itself
// (timeouts, signals, batches, many descriptors) is in poller_wait_test.cpp.
//
// The same tests run against whichever backend is linked in: the Makefile
// links epoll on Linux (and poll for `make POLLER=poll`), kqueue on macOS and
// the BSDs. Sockets come from socketpair() and pipe(), so nothing touches the
// network.

#include "loop/poller.h"
#include "poller_test_support.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <string>
#include <vector>

using poller_test::SocketPair;
using poller_test::wait_once;

/* ===== Basics ===== */

TEST(Poller, NamesItsBackend) {
  const std::string name = Poller::backend_name();
  EXPECT_TRUE(name == "epoll" || name == "kqueue" || name == "poll") << name;
  Poller poller;
  EXPECT_TRUE(poller.ok());
}

TEST(Poller, ReportsReadableAfterPeerWrites) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollReadable));
  ASSERT_TRUE(pair.peer_sends("hi"));
  std::vector<PollerEvent> events = wait_once(&poller, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].fd, pair.local);
  EXPECT_EQ(events[0].events, kPollReadable);
}

TEST(Poller, ReportsNothingWhenNothingToRead) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollReadable));
  EXPECT_TRUE(wait_once(&poller, 0).empty());
}

// Level-triggered: bytes left unread are reported again on the next wait.
TEST(Poller, ReportsUnreadBytesAgainOnNextWait) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollReadable));
  ASSERT_TRUE(pair.peer_sends("hi"));
  EXPECT_EQ(wait_once(&poller, 1000).size(), 1u);
  std::vector<PollerEvent> again = wait_once(&poller, 0);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].events, kPollReadable);
}

TEST(Poller, ReportsWritableWhenAskedFor) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollWritable));
  std::vector<PollerEvent> events = wait_once(&poller, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].fd, pair.local);
  EXPECT_EQ(events[0].events, kPollWritable);
}

TEST(Poller, DoesNotReportWritableWithoutInterest) {
  Poller poller;
  SocketPair pair;  // an empty socket is writable, but we only ask to read
  ASSERT_TRUE(poller.add(pair.local, kPollReadable));
  EXPECT_TRUE(wait_once(&poller, 0).empty());
}

TEST(Poller, ReportsReadableAndWritableAsOneEvent) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollReadable | kPollWritable));
  ASSERT_TRUE(pair.peer_sends("hi"));
  std::vector<PollerEvent> events = wait_once(&poller, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].events, kPollReadable | kPollWritable);
}

/* ===== Changing interest ===== */

TEST(Poller, ModifyFromReadToReadWriteAndBack) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollReadable));
  EXPECT_TRUE(wait_once(&poller, 0).empty());

  ASSERT_TRUE(poller.modify(pair.local, kPollReadable | kPollWritable));
  std::vector<PollerEvent> events = wait_once(&poller, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].events, kPollWritable);

  ASSERT_TRUE(poller.modify(pair.local, kPollReadable));
  EXPECT_TRUE(wait_once(&poller, 0).empty());
  ASSERT_TRUE(pair.peer_sends("hi"));
  events = wait_once(&poller, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].events, kPollReadable);
}

TEST(Poller, ModifyToNoInterestSilencesDescriptor) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollReadable | kPollWritable));
  ASSERT_TRUE(pair.peer_sends("hi"));
  ASSERT_TRUE(poller.modify(pair.local, 0));
  EXPECT_TRUE(wait_once(&poller, 0).empty());
}

TEST(Poller, RemoveStopsEvents) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollReadable | kPollWritable));
  ASSERT_TRUE(pair.peer_sends("hi"));
  poller.remove(pair.local);
  EXPECT_TRUE(wait_once(&poller, 0).empty());
}

TEST(Poller, CanAddAgainAfterRemove) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollReadable));
  poller.remove(pair.local);
  ASSERT_TRUE(poller.add(pair.local, kPollWritable));
  std::vector<PollerEvent> events = wait_once(&poller, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].events, kPollWritable);
}

TEST(Poller, RefusesToAddWatchedDescriptorTwice) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollReadable));
  EXPECT_FALSE(poller.add(pair.local, kPollReadable));
}

TEST(Poller, RefusesToModifyUnwatchedDescriptor) {
  Poller poller;
  SocketPair pair;
  EXPECT_FALSE(poller.modify(pair.local, kPollReadable));
}

TEST(Poller, RemoveOfUnwatchedDescriptorIsHarmless) {
  Poller poller;
  SocketPair watched, unwatched;
  ASSERT_TRUE(poller.add(watched.local, kPollReadable));
  poller.remove(unwatched.local);
  poller.remove(-1);
  ASSERT_TRUE(watched.peer_sends("hi"));
  std::vector<PollerEvent> events = wait_once(&poller, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].fd, watched.local);
}

// The poll backend fills the hole left by a removed entry with the last one;
// the moved descriptor must still be found by modify() afterwards.
TEST(Poller, KeepsOtherDescriptorsAfterRemovingOneInTheMiddle) {
  Poller poller;
  SocketPair first, middle, last;
  ASSERT_TRUE(poller.add(first.local, kPollReadable));
  ASSERT_TRUE(poller.add(middle.local, kPollReadable));
  ASSERT_TRUE(poller.add(last.local, kPollReadable));
  poller.remove(middle.local);
  ASSERT_TRUE(middle.peer_sends("x"));
  ASSERT_TRUE(poller.modify(last.local, kPollWritable));
  std::vector<PollerEvent> events = wait_once(&poller, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].fd, last.local);
  EXPECT_EQ(events[0].events, kPollWritable);
}

/* ===== Hang-ups ===== */

TEST(Poller, ReportsPeerCloseAsReadable) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollReadable));
  pair.close_peer();
  std::vector<PollerEvent> events = wait_once(&poller, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].fd, pair.local);
  EXPECT_EQ(events[0].events, kPollReadable);
  char byte;
  EXPECT_EQ(read(pair.local, &byte, 1), 0);  // and the read path sees EOF
}

TEST(Poller, ReportsPeerCloseAsReadableEvenWhenOnlyWriting) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollWritable));
  pair.close_peer();
  std::vector<PollerEvent> events = wait_once(&poller, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].events & kPollReadable);
}

TEST(Poller, ReportsClosedPipeWriterAsReadable) {
  Poller poller;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_TRUE(poller.add(fds[0], kPollReadable));
  EXPECT_TRUE(wait_once(&poller, 0).empty());
  close(fds[1]);
  std::vector<PollerEvent> events = wait_once(&poller, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].fd, fds[0]);
  EXPECT_EQ(events[0].events, kPollReadable);
  poller.remove(fds[0]);
  close(fds[0]);
}
