// poller_wait_test.cpp: Poller::wait() itself, on whichever backend is
// linked in: timeouts, interruption by a signal, batches smaller than the
// number of ready descriptors, and hundreds of watched descriptors. Timing
// checks are deliberately loose: a timeout must be honoured, not precise.

#include "loop/poller.h"
#include "poller_test_support.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <chrono>
#include <set>
#include <vector>

using poller_test::SocketPair;
using poller_test::wait_once;

namespace {

// Makes sure this process may open `needed` descriptors; false if it cannot.
bool ensure_descriptor_limit(rlim_t needed) {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur >= needed) return true;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) return false;
  limit.rlim_cur = needed;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

void ignore_signal(int) {}

}  // namespace

/* ===== Waiting ===== */

TEST(PollerWait, HonoursTimeout) {
  Poller poller;
  SocketPair pair;
  ASSERT_TRUE(poller.add(pair.local, kPollReadable));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_once(&poller, 50).empty());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(40));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

// A signal ends the wait early; the server just loops, so that is 0, not -1.
TEST(PollerWait, InterruptedBySignalReturnsZero) {
  struct sigaction action {}, previous {};
  action.sa_handler = ignore_signal;
  sigemptyset(&action.sa_mask);
  ASSERT_EQ(sigaction(SIGALRM, &action, &previous), 0);
  itimerval timer{};
  timer.it_value.tv_usec = 20 * 1000;
  ASSERT_EQ(setitimer(ITIMER_REAL, &timer, nullptr), 0);

  Poller poller;
  PollerEvent events[4];
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(poller.wait(events, 4, 3000), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2000));

  itimerval off{};
  setitimer(ITIMER_REAL, &off, nullptr);
  sigaction(SIGALRM, &previous, nullptr);
}

TEST(PollerWait, RejectsNonPositiveCapacity) {
  Poller poller;
  PollerEvent event;
  EXPECT_EQ(poller.wait(&event, 0, 0), -1);
}

/* ===== Many descriptors ===== */

TEST(PollerWait, ReportsExactlyTheReadyDescriptorsAmongMany) {
  constexpr int kPairs = 500;
  if (!ensure_descriptor_limit(2 * kPairs + 64)) GTEST_SKIP() << "descriptor limit too low";
  Poller poller;
  std::vector<SocketPair> pairs(kPairs);
  std::set<int> expected;
  for (int i = 0; i < kPairs; ++i) {
    ASSERT_GE(pairs[i].local, 0);
    ASSERT_TRUE(poller.add(pairs[i].local, kPollReadable));
    if (i % 7 == 3) {
      ASSERT_TRUE(pairs[i].peer_sends("x"));
      expected.insert(pairs[i].local);
    }
  }
  std::vector<PollerEvent> events(2 * kPairs);
  int count = poller.wait(events.data(), static_cast<int>(events.size()), 1000);
  ASSERT_EQ(count, static_cast<int>(expected.size()));
  std::set<int> reported;
  for (int i = 0; i < count; ++i) {
    EXPECT_EQ(events[i].events, kPollReadable);
    reported.insert(events[i].fd);
  }
  EXPECT_EQ(reported, expected);
}

// When more descriptors are ready than fit in one batch, the rest must come
// in later batches rather than the first ones being reported forever.
TEST(PollerWait, ReportsEveryReadyDescriptorAcrossSmallBatches) {
  constexpr int kPairs = 100;
  constexpr int kCapacity = 16;
  if (!ensure_descriptor_limit(2 * kPairs + 64)) GTEST_SKIP() << "descriptor limit too low";
  Poller poller;
  std::vector<SocketPair> pairs(kPairs);
  std::set<int> expected;
  for (SocketPair& pair : pairs) {
    ASSERT_TRUE(poller.add(pair.local, kPollReadable));
    ASSERT_TRUE(pair.peer_sends("x"));
    expected.insert(pair.local);
  }
  std::set<int> reported;
  PollerEvent events[kCapacity];
  for (int batch = 0; batch < kPairs / kCapacity + 1; ++batch) {
    int count = poller.wait(events, kCapacity, 1000);
    ASSERT_EQ(count, kCapacity);
    for (int i = 0; i < count; ++i) reported.insert(events[i].fd);
  }
  EXPECT_EQ(reported, expected);
}
