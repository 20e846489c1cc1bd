// wake_pipe_test.cpp: the self-pipe a signal handler writes to
// (loop/wake_pipe.h): a notification makes the read end readable, so the
// poller wakes; draining makes it quiet again.
#include "loop/wake_pipe.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>

namespace {

bool readable(int fd) {
  pollfd entry{fd, POLLIN, 0};
  return poll(&entry, 1, 0) == 1 && (entry.revents & POLLIN) != 0;
}

TEST(WakePipe, NotificationMakesTheReadEndReadableUntilDrained) {
  WakePipe pipe;
  ASSERT_TRUE(pipe.open());
  EXPECT_FALSE(readable(pipe.read_fd()));
  WakePipe::notify_from_signal();
  EXPECT_TRUE(readable(pipe.read_fd()));
  pipe.drain();
  EXPECT_FALSE(readable(pipe.read_fd()));
}

TEST(WakePipe, ManyNotificationsNeverBlockEvenWhenThePipeIsFull) {
  WakePipe pipe;
  ASSERT_TRUE(pipe.open());
  // A pipe holds 64 KiB on Linux; a blocking write would hang this test.
  for (int i = 0; i < 200000; ++i) WakePipe::notify_from_signal();
  EXPECT_TRUE(readable(pipe.read_fd()));
  pipe.drain();
  EXPECT_FALSE(readable(pipe.read_fd()));
}

void on_signal(int) { WakePipe::notify_from_signal(); }

TEST(WakePipe, ASignalHandlerWakesIt) {
  WakePipe pipe;
  ASSERT_TRUE(pipe.open());
  struct sigaction action {};
  struct sigaction previous {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR1, &action, &previous), 0);
  raise(SIGUSR1);
  sigaction(SIGUSR1, &previous, nullptr);
  EXPECT_TRUE(readable(pipe.read_fd()));
}

TEST(WakePipe, AfterItIsGoneANotificationWritesNowhere) {
  {
    WakePipe pipe;
    ASSERT_TRUE(pipe.open());
  }
  // The kernel hands out the lowest free descriptors, so this pipe most
  // likely gets the numbers the wake pipe had: a notification that still
  // wrote to the old write end would land here.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  WakePipe::notify_from_signal();
  EXPECT_FALSE(readable(fds[0]));
  close(fds[0]);
  close(fds[1]);
}

}  // namespace
