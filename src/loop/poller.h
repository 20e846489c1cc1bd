// poller.h: one small interface over the operating system's readiness API.
//
// The EventLoop (event_loop.h) asks "tell me when any of these sockets can be
// read or written" and sleeps in wait() until one can, or until the next
// timer is due. The loop, not the poller, knows whose descriptor is whose. There is
// one implementation per backend, chosen at compile time by the Makefile:
//   poller_epoll.cpp   Linux epoll(7)
//   poller_kqueue.cpp  BSD and macOS kqueue(2)
//   poller_poll.cpp    portable poll(2), `make POLLER=poll`
// All backends are level-triggered: a socket that still has unread bytes is
// reported again on the next wait(), so the server can never miss data even
// if it stops reading a client early.
#pragma once

#include <cstdint>

// excerpt-begin: interface
constexpr uint32_t kPollReadable = 1;
constexpr uint32_t kPollWritable = 2;

struct PollerEvent {
  int fd;
  // kPollReadable and/or kPollWritable. Errors and hang-ups are reported as
  // readable, so the read path meets them as an error or EOF from recv().
  uint32_t events;
};

class Poller {
 public:
  Poller();
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // False if the backend could not be created (errno tells why).
  bool ok() const;
  // Start watching fd for the given interest (kPollReadable | kPollWritable).
  bool add(int fd, uint32_t interest);
  // Replace fd's interest.
  bool modify(int fd, uint32_t interest);
  // Stop watching fd. Call before close(fd).
  void remove(int fd);
  // Blocks until at least one watched fd is ready or timeout_ms passes
  // (-1: no timeout). Fills up to capacity events and returns how many;
  // returns 0 on timeout or when interrupted by a signal, -1 on error.
  int wait(PollerEvent* events, int capacity, int timeout_ms);

  static const char* backend_name();  // "epoll", "kqueue" or "poll"
// excerpt-end: interface

 private:
  struct Backend;  // defined by each backend file
  Backend* backend_;
};
