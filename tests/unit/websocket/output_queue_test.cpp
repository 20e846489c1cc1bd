// output_queue_test.cpp: what OutputQueue holds for a client and how it
// counts it (the figure --max-output limits), and push_replacing, which lets
// a new pong take the place of one not yet sent (RFC 6455 section 5.5.3).
#include "websocket/output_queue.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace {

FrameRef pong(std::string_view payload) { return FrameRef(SharedFrame::encode(Opcode::Pong, payload)); }

// Reads everything the peer end of a socketpair has received.
std::string drain(int fd) {
  std::string bytes;
  char buffer[4096];
  for (;;) {
    ssize_t got = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got <= 0) return bytes;
    bytes.append(buffer, static_cast<size_t>(got));
  }
}

class OutputQueueSocket : public ::testing::Test {
 protected:
  // Nonblocking, as chatd's sockets are: a write takes what fits and returns.
  void SetUp() override { ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_), 0); }
  void TearDown() override {
    close(fds_[0]);
    close(fds_[1]);
  }
  int fds_[2] = {-1, -1};
};

TEST(OutputQueue, HeldBytesCountTheOverheadOfEveryFrameNotOnlyItsBytes) {
  OutputQueue queue;
  FrameRef empty = pong("");
  for (int i = 0; i < 100; ++i) queue.push(empty);
  EXPECT_EQ(queue.pending_bytes(), 100u * 2);  // an empty pong is 2 bytes on the wire
  EXPECT_EQ(queue.held_bytes(), 100u * (2 + OutputQueue::kEntryOverheadBytes));
}

TEST(OutputQueue, PushReplacingReplacesAnUnsentFrameInItsPlace) {
  OutputQueue queue;
  FrameRef before = FrameRef::text("before"), after = FrameRef::text("after");
  queue.push(before);
  EXPECT_FALSE(queue.push_replacing(pong("first").get()));
  queue.push(after);
  EXPECT_TRUE(queue.push_replacing(pong("second!").get()));
  EXPECT_TRUE(queue.push_replacing(pong("third").get()));
  EXPECT_EQ(queue.pending_bytes(), before->size() + pong("third")->size() + after->size());
  EXPECT_EQ(queue.held_bytes(), queue.pending_bytes() + 3 * OutputQueue::kEntryOverheadBytes);
}

TEST_F(OutputQueueSocket, ReplacedFrameGoesOutWhereTheFirstWasQueued) {
  OutputQueue queue;
  queue.push(FrameRef::text("a"));
  queue.push_replacing(pong("1").get());
  queue.push(FrameRef::text("b"));
  queue.push_replacing(pong("2").get());
  ASSERT_GT(queue.write_to(fds_[0]), 0);
  EXPECT_TRUE(queue.empty());
  std::string expected = std::string(FrameRef::text("a")->data(), 3) + std::string(pong("2")->data(), 3) +
                         std::string(FrameRef::text("b")->data(), 3);
  EXPECT_EQ(drain(fds_[1]), expected);
}

TEST_F(OutputQueueSocket, FrameThatWentOutIsNotReplacedTheNextOneIsQueued) {
  OutputQueue queue;
  EXPECT_FALSE(queue.push_replacing(pong("1").get()));
  ASSERT_GT(queue.write_to(fds_[0]), 0);
  EXPECT_FALSE(queue.push_replacing(pong("2").get()));
  EXPECT_EQ(queue.pending_bytes(), 3u);
}

TEST_F(OutputQueueSocket, FrameThatStartedGoingOutIsNotReplaced) {
  // A frame far larger than the socket's buffer stays queued behind the
  // pong, which is first and so has (at least partly) gone out.
  OutputQueue queue;
  queue.push_replacing(pong(std::string(125, 'p')).get());
  queue.push(FrameRef::text(std::string(4 * 1024 * 1024, 'x')));
  ASSERT_GT(queue.write_to(fds_[0]), 0);
  ASSERT_FALSE(queue.empty());
  EXPECT_FALSE(queue.push_replacing(pong("late").get()));
}

TEST(OutputQueue, GrowingTheRingKeepsTheReplaceableFrame) {
  OutputQueue queue;
  queue.push(FrameRef::text("x"));
  queue.push_replacing(pong("old").get());
  for (int i = 0; i < 40; ++i) queue.push(FrameRef::text("y"));  // the ring grows and unwraps
  EXPECT_TRUE(queue.push_replacing(pong("newer").get()));
  EXPECT_EQ(queue.pending_bytes(), 3 + pong("newer")->size() + 40 * 3);
}

TEST(OutputQueue, DropUnsentForgetsTheReplaceableFrame) {
  OutputQueue queue;
  queue.push_replacing(pong("1").get());
  queue.drop_unsent();
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.push_replacing(pong("2").get()));
  EXPECT_EQ(queue.held_bytes(), 3 + OutputQueue::kEntryOverheadBytes);
}

}  // namespace
