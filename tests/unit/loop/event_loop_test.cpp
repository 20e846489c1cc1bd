// event_loop_test.cpp: the EventLoop (src/loop/event_loop.h): handlers by
// descriptor, the interest mask kept once, removal within a turn, the table's
// bounds and the order of the before-sleep phases. Runs on whichever poller
// backend is linked in, like poller_test.cpp.

#include "loop/event_loop.h"
#include "poller_test_support.h"

#include <gtest/gtest.h>

#include <errno.h>
#include <unistd.h>

#include <string>
#include <vector>

using poller_test::SocketPair;

namespace {

// Records what it was told, and can be told to remove descriptors when
// it hears about one (the "close a client from an earlier handler" trap).
struct RecordingHandler : EventHandler {
  EventLoop* loop = nullptr;
  std::vector<std::string> heard;
  std::vector<int> remove_on_readable;

  void on_readable(int fd, void* context) override {
    heard.push_back("readable " + std::to_string(fd) + (context ? " with context" : ""));
    for (int other : remove_on_readable) loop->remove(other);
    char drain[64];
    while (read(fd, drain, sizeof drain) == static_cast<ssize_t>(sizeof drain)) {
    }
  }
  void on_writable(int fd, void*) override { heard.push_back("writable " + std::to_string(fd)); }
};

}  // namespace

TEST(EventLoop, RegisteredHandlerHearsItsDescriptorIsReadable) {
  EventLoop loop(1024);
  ASSERT_TRUE(loop.ok());
  SocketPair pair;
  RecordingHandler handler;
  handler.loop = &loop;
  int context = 0;
  ASSERT_TRUE(loop.add(pair.local, &handler, &context, kPollReadable));
  ASSERT_TRUE(pair.peer_sends("hi"));
  EXPECT_EQ(loop.run_once(1000), 1);
  ASSERT_EQ(handler.heard.size(), 1u);
  EXPECT_EQ(handler.heard[0], "readable " + std::to_string(pair.local) + " with context");
  EXPECT_EQ(loop.context(pair.local), &context);
}

TEST(EventLoop, WantWritableTurnsWritabilityReportsOnAndOff) {
  EventLoop loop(1024);
  SocketPair pair;
  RecordingHandler handler;
  handler.loop = &loop;
  ASSERT_TRUE(loop.add(pair.local, &handler, nullptr, kPollReadable));
  EXPECT_EQ(loop.run_once(0), 0);  // an idle socket with read interest only: nothing
  ASSERT_TRUE(loop.want_writable(pair.local, true));
  EXPECT_EQ(loop.interest(pair.local), kPollReadable | kPollWritable);
  EXPECT_EQ(loop.run_once(1000), 1);
  EXPECT_EQ(handler.heard, std::vector<std::string>{"writable " + std::to_string(pair.local)});
  ASSERT_TRUE(loop.want_writable(pair.local, false));
  EXPECT_EQ(loop.interest(pair.local), kPollReadable);
  EXPECT_EQ(loop.run_once(0), 0);
  EXPECT_EQ(handler.heard.size(), 1u);
}

TEST(EventLoop, WantWritableCallsThePollerOnlyWhenTheMaskChanges) {
  EventLoop loop(1024);
  SocketPair pair;
  RecordingHandler handler;
  ASSERT_TRUE(loop.add(pair.local, &handler, nullptr, kPollReadable));
  const uint64_t after_add = loop.poller_calls();
  EXPECT_TRUE(loop.want_writable(pair.local, false));  // already off
  EXPECT_EQ(loop.poller_calls(), after_add);
  EXPECT_TRUE(loop.want_writable(pair.local, true));
  EXPECT_EQ(loop.poller_calls(), after_add + 1);
  EXPECT_TRUE(loop.want_writable(pair.local, true));  // already on
  EXPECT_EQ(loop.poller_calls(), after_add + 1);
  EXPECT_TRUE(loop.want_writable(pair.local, false));
  EXPECT_EQ(loop.poller_calls(), after_add + 2);
}

// The loop skips the table when no descriptor is watched for writing; write
// interest given at registration must count as such.
TEST(EventLoop, DropsWriteInterestGivenAtRegistration) {
  EventLoop loop(1024);
  SocketPair pair;
  RecordingHandler handler;
  ASSERT_TRUE(loop.add(pair.local, &handler, nullptr, kPollReadable | kPollWritable));
  ASSERT_TRUE(loop.want_writable(pair.local, false));
  EXPECT_EQ(loop.interest(pair.local), kPollReadable);
  EXPECT_EQ(loop.run_once(0), 0);
  EXPECT_TRUE(handler.heard.empty());
}

TEST(EventLoop, DropsWriteInterestAfterAnotherWritableDescriptorWasRemoved) {
  EventLoop loop(1024);
  SocketPair kept;
  SocketPair removed;
  RecordingHandler handler;
  ASSERT_TRUE(loop.add(kept.local, &handler, nullptr, kPollReadable));
  ASSERT_TRUE(loop.want_writable(kept.local, true));
  ASSERT_TRUE(loop.add(removed.local, &handler, nullptr, kPollReadable | kPollWritable));
  loop.remove(removed.local);
  ASSERT_TRUE(loop.want_writable(kept.local, false));
  EXPECT_EQ(loop.interest(kept.local), kPollReadable);
  EXPECT_EQ(loop.run_once(0), 0);
  EXPECT_TRUE(handler.heard.empty());
}

TEST(EventLoop, RemovingADescriptorInsideATurnSkipsItsLaterEventsThatTurn) {
  EventLoop loop(1024);
  SocketPair first;
  SocketPair second;
  RecordingHandler handler;
  handler.loop = &loop;
  ASSERT_TRUE(loop.add(first.local, &handler, nullptr, kPollReadable | kPollWritable));
  ASSERT_TRUE(loop.add(second.local, &handler, nullptr, kPollReadable | kPollWritable));
  // Whichever of the two is handled first removes both (itself, too, so its
  // own writable report is skipped as well).
  handler.remove_on_readable = {first.local, second.local};
  ASSERT_TRUE(first.peer_sends("a"));
  ASSERT_TRUE(second.peer_sends("b"));
  EXPECT_EQ(loop.run_once(1000), 2);
  ASSERT_EQ(handler.heard.size(), 1u);
  EXPECT_EQ(handler.heard[0].rfind("readable ", 0), 0u) << handler.heard[0];
  EXPECT_FALSE(loop.registered(first.local));
  EXPECT_FALSE(loop.registered(second.local));
}

TEST(EventLoop, RefusesADescriptorBeyondItsTable) {
  SocketPair pair;
  ASSERT_GE(pair.local, 0);
  EventLoop loop(static_cast<size_t>(pair.local));  // pair.local is one past the end
  RecordingHandler handler;
  errno = 0;
  EXPECT_FALSE(loop.add(pair.local, &handler, nullptr, kPollReadable));
  EXPECT_EQ(errno, EINVAL);
  EXPECT_FALSE(loop.registered(pair.local));
  EXPECT_FALSE(loop.want_writable(pair.local, true));
  EXPECT_EQ(loop.poller_calls(), 0u);
  EXPECT_FALSE(loop.add(-1, &handler, nullptr, kPollReadable));
}

TEST(EventLoop, RefusesADescriptorAlreadyRegistered) {
  EventLoop loop(1024);
  SocketPair pair;
  RecordingHandler handler;
  ASSERT_TRUE(loop.add(pair.local, &handler, nullptr, kPollReadable));
  EXPECT_FALSE(loop.add(pair.local, &handler, nullptr, kPollReadable));
  EXPECT_EQ(errno, EEXIST);
}

TEST(EventLoop, BeforeSleepPhasesRunInRegistrationOrderOncePerTurn) {
  EventLoop loop(1024);
  std::vector<std::string> ran;
  loop.add_before_sleep([&ran] { ran.push_back("inbound"); });
  loop.add_before_sleep([&ran] { ran.push_back("timers"); });
  loop.add_before_sleep([&ran] { ran.push_back("flush"); });
  loop.run_once(0);
  EXPECT_EQ(ran, (std::vector<std::string>{"inbound", "timers", "flush"}));
  loop.run_once(0);
  EXPECT_EQ(ran.size(), 6u);
  EXPECT_EQ(ran[3], "inbound");
}

TEST(EventLoop, FirstPriorityDescriptorsAreHandledBeforeTheRest) {
  EventLoop loop(1024);
  SocketPair normal;
  SocketPair first;
  RecordingHandler handler;
  handler.loop = &loop;
  ASSERT_TRUE(loop.add(normal.local, &handler, nullptr, kPollReadable));
  ASSERT_TRUE(loop.add(first.local, &handler, nullptr, kPollReadable, EventPriority::First));
  ASSERT_TRUE(normal.peer_sends("a"));
  ASSERT_TRUE(first.peer_sends("b"));
  EXPECT_EQ(loop.run_once(1000), 2);
  EXPECT_EQ(handler.heard, (std::vector<std::string>{"readable " + std::to_string(first.local),
                                                     "readable " + std::to_string(normal.local)}));
}

TEST(EventLoop, RunTurnsUntilStoppedAndAsksTheTimeoutSourceEachTurn) {
  EventLoop loop(1024);
  int turns = 0;
  int asked = 0;
  loop.set_timeout_source([&asked] {
    ++asked;
    return 0;
  });
  loop.add_before_sleep([&] {
    if (++turns == 3) loop.stop();
  });
  EXPECT_EQ(loop.run(), 0);
  EXPECT_EQ(turns, 3);
  EXPECT_EQ(asked, 3);
}
