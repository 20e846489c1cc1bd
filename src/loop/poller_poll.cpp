// poller_poll.cpp: the Poller on portable poll(2) (POSIX.1-2008), built
// with `make POLLER=poll`.
//
// poll() has no kernel-side interest list: every wait() hands the kernel the
// whole array of watched descriptors and then scans all of it for results.
// That costs time in the number of watched sockets on every turn, where
// epoll and kqueue cost time in the number of ready ones; fine for hundreds
// of clients, noticeable for tens of thousands. It is here as the fallback
// that works on any POSIX system, and as a second implementation that the
// test suite runs against to keep the interface honest.
//
// Bookkeeping: watched is the array poll() reads; slot_of_fd maps a
// descriptor to its index in watched (-1 when unwatched), so add, modify and
// remove are O(1). Remove moves the last entry into the hole, which is why
// the order of watched carries no meaning.
//
// Traps:
//   - POLLERR, POLLHUP and POLLNVAL are reported even when not asked for.
//     All three are passed on as readable, so the read path meets the error
//     or EOF from recv(). POLLNVAL means a descriptor was closed without
//     remove(); reporting it (rather than hiding it) makes that bug visible
//     as a failing recv() instead of a silently dead client.
//   - When more descriptors are ready than capacity allows, a scan that always
//     began at index 0 would starve the ones near the end. Each scan starts
//     where the previous one stopped; level-triggering reports the rest next
//     turn.
//   - As with every backend, an event in a batch may belong to a client that
//     an earlier handler in the same turn closed; the EventLoop checks.
// Left out: select(2), whose FD_SETSIZE limit (often 1024) a chat server
// would hit.

#include "loop/poller.h"

#include <errno.h>
#include <poll.h>

#include <cstddef>
#include <vector>

/* ===== Backend state ===== */

struct Poller::Backend {
  std::vector<pollfd> watched;
  std::vector<int> slot_of_fd;  // indexed by fd; -1 when fd is not watched
  size_t next_scan_start = 0;   // where the next result scan begins

  int slot(int fd) const {
    if (fd < 0 || static_cast<size_t>(fd) >= slot_of_fd.size()) return -1;
    return slot_of_fd[fd];
  }
};

namespace {

short to_poll_events(uint32_t interest) {
  short events = 0;
  if (interest & kPollReadable) events |= POLLIN;
  if (interest & kPollWritable) events |= POLLOUT;
  return events;
}

// Errors, hang-ups and invalid descriptors count as readable; see above.
uint32_t from_poll_events(short revents) {
  uint32_t result = 0;
  if (revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) result |= kPollReadable;
  if (revents & POLLOUT) result |= kPollWritable;
  return result;
}

}  // namespace

/* ===== Poller interface ===== */

Poller::Poller() : backend_(new Backend) {}

Poller::~Poller() { delete backend_; }

bool Poller::ok() const { return true; }

// Refuses a descriptor that is already watched, like epoll_ctl(EPOLL_CTL_ADD),
// so that the server behaves the same on every backend.
bool Poller::add(int fd, uint32_t interest) {
  if (fd < 0) {
    errno = EBADF;
    return false;
  }
  if (backend_->slot(fd) >= 0) {
    errno = EEXIST;
    return false;
  }
  if (static_cast<size_t>(fd) >= backend_->slot_of_fd.size()) {
    backend_->slot_of_fd.resize(static_cast<size_t>(fd) + 1, -1);
  }
  backend_->slot_of_fd[fd] = static_cast<int>(backend_->watched.size());
  backend_->watched.push_back(pollfd{fd, to_poll_events(interest), 0});
  return true;
}

bool Poller::modify(int fd, uint32_t interest) {
  const int slot = backend_->slot(fd);
  if (slot < 0) {
    errno = ENOENT;
    return false;
  }
  backend_->watched[slot].events = to_poll_events(interest);
  return true;
}

void Poller::remove(int fd) {
  const int slot = backend_->slot(fd);
  if (slot < 0) return;
  std::vector<pollfd>& watched = backend_->watched;
  const pollfd last = watched.back();
  watched[slot] = last;
  backend_->slot_of_fd[last.fd] = slot;
  watched.pop_back();
  backend_->slot_of_fd[fd] = -1;
}

int Poller::wait(PollerEvent* events, int capacity, int timeout_ms) {
  if (capacity <= 0) {
    errno = EINVAL;
    return -1;
  }
  std::vector<pollfd>& watched = backend_->watched;
  int ready = poll(watched.data(), static_cast<nfds_t>(watched.size()), timeout_ms);
  if (ready < 0) return errno == EINTR ? 0 : -1;
  if (ready == 0) return 0;

  // Stop scanning once poll()'s count of ready entries has been seen.
  const size_t size = watched.size();
  size_t index = backend_->next_scan_start < size ? backend_->next_scan_start : 0;
  int count = 0;
  for (size_t scanned = 0; scanned < size && ready > 0 && count < capacity; ++scanned) {
    const pollfd& entry = watched[index];
    if (entry.revents != 0) {
      --ready;
      const uint32_t reported = from_poll_events(entry.revents);
      if (reported != 0) events[count++] = PollerEvent{entry.fd, reported};
    }
    index = index + 1 < size ? index + 1 : 0;
  }
  backend_->next_scan_start = index;
  return count;
}

const char* Poller::backend_name() { return "poll"; }
