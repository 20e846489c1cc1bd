// poller_kqueue.cpp: the Poller on BSD and macOS kqueue(2), level-triggered.
//
// NOT EXERCISED BY CI: CI runs on Linux, where this file is not compiled (the
// Makefile builds epoll or poll there). It was written against the FreeBSD
// and macOS kqueue(2) manual pages, and on Linux only compiled against a stub
// <sys/event.h> and run on a poll()-based imitation of kevent(), which checks
// its bookkeeping but not the real kernel: run `make test` on a Mac or a BSD.
//
// kqueue watches (descriptor, filter) pairs: reading is EVFILT_READ, writing
// EVFILT_WRITE, each added (EV_ADD) and deleted (EV_DELETE) on its own. The
// kernel does not tell us which filters a descriptor has, so interest_of_fd
// remembers, and modify() sends only the difference (deleting a filter that
// is not there would fail with ENOENT).
//
// interest_of_fd is not a second source of truth about what the server
// wants: that is the EventLoop's mask (event_loop.h), the only one the
// server reads or changes, and the loop calls modify() only when its mask
// changes. interest_of_fd records what the kernel has been given, which is
// what computing a kevent() difference needs. It could go if modify() and
// remove() were handed the old mask by the loop; that would change the
// Poller interface for all three backends to suit one that CI cannot run,
// so it was left as it is. Without EV_CLEAR, kqueue filters are
// level-triggered, as epoll is here. A descriptor ready both ways comes back
// as two kevents; wait() merges them into one PollerEvent, the same shape
// the other backends report.
//
// Traps:
//   - EV_EOF (peer closed, or our write side shut) and EV_ERROR are passed on
//     as readable, so the read path meets the EOF or error from recv().
//   - Closing a descriptor deletes its kevents in the kernel, so remove()
//     after close() would fail with ENOENT or EBADF; remove() ignores that,
//     but callers should still remove before close as on every backend.
//   - As with every backend, an event in a batch may belong to a client that
//     an earlier handler in the same turn closed; the EventLoop checks.
//   - A kqueue is not inherited across fork(); FD_CLOEXEC also keeps it out
//     of any program we exec.
// Left out: EV_RECEIPT per-change error reports. If the kernel rejects one
// of two changes, modify() returns false and the caller closes the client.

#if !(defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
      defined(__NetBSD__) || defined(__DragonFly__))
#error "poller_kqueue.cpp needs kqueue(2) (macOS or a BSD); on Linux use POLLER=epoll or POLLER=poll"
#endif

#include "loop/poller.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstddef>
#include <vector>

/* ===== Backend state ===== */

// The "struct" in "struct kevent" is required: kevent() the function hides
// the type's plain name.
struct Poller::Backend {
  int queue_fd = -1;
  // Indexed by fd: kPollReadable | kPollWritable as registered, plus
  // kWatched so that a watched descriptor with no interest is still known.
  std::vector<uint8_t> interest_of_fd;
  // Indexed by fd during one wait(): where its PollerEvent went, or -1.
  std::vector<int> output_slot_of_fd;
  std::vector<struct kevent> ready;  // kernel output buffer, reused

  static constexpr uint8_t kWatched = 0x80;

  uint8_t interest(int fd) const {
    if (fd < 0 || static_cast<size_t>(fd) >= interest_of_fd.size()) return 0;
    return interest_of_fd[fd];
  }
};

namespace {

// Sends the filter additions and deletions that turn old_interest into
// new_interest for fd. No call at all when nothing changes.
bool change_filters(int queue_fd, int fd, uint32_t old_interest, uint32_t new_interest) {
  struct kevent changes[2];
  int count = 0;
  const uint32_t bits[2] = {kPollReadable, kPollWritable};
  for (uint32_t bit : bits) {
    const bool before = (old_interest & bit) != 0;
    const bool after = (new_interest & bit) != 0;
    if (before == after) continue;
    // Field by field rather than EV_SET: the type of udata differs between
    // the BSDs (void* or intptr_t) and zero-initialising leaves it alone.
    struct kevent change = {};
    change.ident = static_cast<uintptr_t>(fd);
    change.filter = (bit == kPollReadable) ? EVFILT_READ : EVFILT_WRITE;
    change.flags = after ? EV_ADD : EV_DELETE;
    changes[count++] = change;
  }
  if (count == 0) return true;
  return kevent(queue_fd, changes, count, nullptr, 0, nullptr) == 0;
}

}  // namespace

/* ===== Poller interface ===== */

Poller::Poller() : backend_(new Backend) {
  backend_->queue_fd = kqueue();
  if (backend_->queue_fd >= 0) fcntl(backend_->queue_fd, F_SETFD, FD_CLOEXEC);
}

Poller::~Poller() {
  if (backend_->queue_fd >= 0) close(backend_->queue_fd);
  delete backend_;
}

bool Poller::ok() const { return backend_->queue_fd >= 0; }

// Refuses a descriptor that is already watched, as epoll does.
bool Poller::add(int fd, uint32_t interest) {
  Backend& backend = *backend_;
  if (fd < 0) {
    errno = EBADF;
    return false;
  }
  if (backend.interest(fd) & Backend::kWatched) {
    errno = EEXIST;
    return false;
  }
  interest &= kPollReadable | kPollWritable;
  if (!change_filters(backend.queue_fd, fd, 0, interest)) {
    const int saved_errno = errno;
    change_filters(backend.queue_fd, fd, interest, 0);  // undo a half-done add
    errno = saved_errno;
    return false;
  }
  if (static_cast<size_t>(fd) >= backend.interest_of_fd.size()) {
    backend.interest_of_fd.resize(static_cast<size_t>(fd) + 1, 0);
    backend.output_slot_of_fd.resize(static_cast<size_t>(fd) + 1, -1);
  }
  backend.interest_of_fd[fd] = static_cast<uint8_t>(Backend::kWatched | interest);
  return true;
}

bool Poller::modify(int fd, uint32_t interest) {
  Backend& backend = *backend_;
  const uint8_t current = backend.interest(fd);
  if (!(current & Backend::kWatched)) {
    errno = ENOENT;
    return false;
  }
  interest &= kPollReadable | kPollWritable;
  if (!change_filters(backend.queue_fd, fd, current, interest)) return false;
  backend.interest_of_fd[fd] = static_cast<uint8_t>(Backend::kWatched | interest);
  return true;
}

// Errors are ignored: they mean fd was already closed, which removed its
// filters in the kernel anyway.
void Poller::remove(int fd) {
  Backend& backend = *backend_;
  const uint8_t current = backend.interest(fd);
  if (!(current & Backend::kWatched)) return;
  change_filters(backend.queue_fd, fd, current, 0);
  backend.interest_of_fd[fd] = 0;
}

int Poller::wait(PollerEvent* events, int capacity, int timeout_ms) {
  Backend& backend = *backend_;
  if (capacity <= 0) {
    errno = EINVAL;
    return -1;
  }
  if (backend.ready.size() < static_cast<size_t>(capacity)) backend.ready.resize(capacity);
  struct timespec timeout;
  struct timespec* timeout_or_forever = nullptr;
  if (timeout_ms >= 0) {
    timeout.tv_sec = timeout_ms / 1000;
    timeout.tv_nsec = static_cast<long>(timeout_ms % 1000) * 1000000L;
    timeout_or_forever = &timeout;
  }
  const int received =
      kevent(backend.queue_fd, nullptr, 0, backend.ready.data(), capacity, timeout_or_forever);
  if (received < 0) return errno == EINTR ? 0 : -1;

  // Merge the read and write kevents of one descriptor into one PollerEvent.
  // There are at most as many PollerEvents as kevents, so capacity holds.
  int count = 0;
  for (int i = 0; i < received; ++i) {
    const struct kevent& event = backend.ready[i];
    const int fd = static_cast<int>(event.ident);
    uint32_t reported = 0;
    if (event.filter == EVFILT_READ) reported |= kPollReadable;
    if (event.filter == EVFILT_WRITE) reported |= kPollWritable;
    if (event.flags & (EV_EOF | EV_ERROR)) reported |= kPollReadable;
    if (reported == 0) continue;
    const bool tracked = fd >= 0 && static_cast<size_t>(fd) < backend.output_slot_of_fd.size();
    if (tracked && backend.output_slot_of_fd[fd] >= 0) {
      events[backend.output_slot_of_fd[fd]].events |= reported;
      continue;
    }
    if (tracked) backend.output_slot_of_fd[fd] = count;
    events[count++] = PollerEvent{fd, reported};
  }
  for (int i = 0; i < count; ++i) {
    const int fd = events[i].fd;
    if (fd >= 0 && static_cast<size_t>(fd) < backend.output_slot_of_fd.size()) {
      backend.output_slot_of_fd[fd] = -1;
    }
  }
  return count;
}

const char* Poller::backend_name() { return "kqueue"; }
