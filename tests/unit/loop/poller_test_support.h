// poller_test_support.h: fixtures shared by the Poller test files.
#pragma once

#include "loop/poller.h"

#include <gtest/gtest.h>

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace poller_test {

// Two connected stream sockets, closed on destruction (unless already closed).
struct SocketPair {
  int local = -1;
  int peer = -1;
  SocketPair() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0) {
      local = fds[0];
      peer = fds[1];
    }
  }
  ~SocketPair() {
    close_local();
    close_peer();
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;
  void close_local() {
    if (local >= 0) close(local);
    local = -1;
  }
  void close_peer() {
    if (peer >= 0) close(peer);
    peer = -1;
  }
  bool peer_sends(const char* text) { return write(peer, text, strlen(text)) > 0; }
};

// Waits once with a generous capacity and returns what was reported.
inline std::vector<PollerEvent> wait_once(Poller* poller, int timeout_ms) {
  std::vector<PollerEvent> events(64);
  int count = poller->wait(events.data(), static_cast<int>(events.size()), timeout_ms);
  EXPECT_GE(count, 0) << "errno " << errno;
  events.resize(count < 0 ? 0 : count);
  return events;
}

}  // namespace poller_test
