// poller_epoll.cpp: the Poller on Linux epoll(7), level-triggered.
//
// The kernel keeps the interest list, so add, modify and remove are one
// epoll_ctl() call each and wait() costs time in the number of ready sockets,
// not the number watched. That is why this is the default on Linux.
//
// Traps, and what this file or the server does about them:
//   - epoll registers the open file description, not the descriptor number.
//     If fd is closed while a dup() of it survives (in this process or a
//     forked child), the registration survives too and keeps reporting events
//     under the old number, which may by then belong to a new client. Hence
//     "remove(fd) before close(fd)", always.
//   - One wait() returns a batch. A handler early in the batch may close a
//     client whose event is still later in the same batch, and accept() may
//     even reuse its number. The EventLoop, not the poller, guards against
//     that (it looks the fd up again before acting on each event).
//   - EPOLLERR and EPOLLHUP are reported whether asked for or not. They are
//     passed on as readable, so the read path meets the error or EOF from
//     recv(). A socket left registered with no interest after a hang-up would
//     be reported on every turn; the server closes such sockets.
//   - We stay level-triggered (no EPOLLET): a client we stop reading early,
//     e.g. to be fair to others, is reported again on the next turn.
// Left out: EPOLLEXCLUSIVE and EPOLLONESHOT, which matter only to several
// threads sharing one epoll set; chatd runs one loop.

#include "loop/poller.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <vector>

/* ===== Backend state ===== */

struct Poller::Backend {
  int epoll_fd = -1;
  // Kernel output buffer for epoll_wait(), kept between calls so wait() does
  // not allocate once it has grown to the caller's capacity.
  std::vector<epoll_event> ready;
};

namespace {

uint32_t to_epoll_events(uint32_t interest) {
  uint32_t events = 0;
  if (interest & kPollReadable) events |= EPOLLIN | EPOLLRDHUP;
  if (interest & kPollWritable) events |= EPOLLOUT;
  return events;
}

// Errors and hang-ups count as readable; see the header comment.
uint32_t from_epoll_events(uint32_t events) {
  uint32_t result = 0;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) result |= kPollReadable;
  if (events & EPOLLOUT) result |= kPollWritable;
  return result;
}

bool control(int epoll_fd, int operation, int fd, uint32_t interest) {
  epoll_event event{};
  event.events = to_epoll_events(interest);
  event.data.fd = fd;
  return epoll_ctl(epoll_fd, operation, fd, &event) == 0;
}

}  // namespace

/* ===== Poller interface ===== */

// EPOLL_CLOEXEC keeps the epoll descriptor out of any program we might exec.
Poller::Poller() : backend_(new Backend) {
  backend_->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
}

Poller::~Poller() {
  if (backend_->epoll_fd >= 0) close(backend_->epoll_fd);
  delete backend_;
}

bool Poller::ok() const { return backend_->epoll_fd >= 0; }

bool Poller::add(int fd, uint32_t interest) {
  return control(backend_->epoll_fd, EPOLL_CTL_ADD, fd, interest);
}

bool Poller::modify(int fd, uint32_t interest) {
  return control(backend_->epoll_fd, EPOLL_CTL_MOD, fd, interest);
}

// Errors are ignored: the only ones possible mean fd was not registered (or
// is no longer open), and either way it is no longer watched.
void Poller::remove(int fd) {
  control(backend_->epoll_fd, EPOLL_CTL_DEL, fd, 0);
}

int Poller::wait(PollerEvent* events, int capacity, int timeout_ms) {
  if (capacity <= 0) {
    errno = EINVAL;
    return -1;
  }
  if (backend_->ready.size() < static_cast<size_t>(capacity)) backend_->ready.resize(capacity);
  const int count = epoll_wait(backend_->epoll_fd, backend_->ready.data(), capacity, timeout_ms);
  if (count < 0) return errno == EINTR ? 0 : -1;
  for (int i = 0; i < count; ++i) {
    events[i].fd = backend_->ready[i].data.fd;
    events[i].events = from_epoll_events(backend_->ready[i].events);
  }
  return count;
}

const char* Poller::backend_name() { return "epoll"; }
