// wake_pipe.cpp: see wake_pipe.h.
#include "loop/wake_pipe.h"

#include <unistd.h>

#include <cerrno>

#include "loop/descriptors.h"

namespace {

// The write end, for the signal handler, which can reach only globals.
// A plain int: written before any signal handler is installed.
int signal_write_fd = -1;

}  // namespace

WakePipe::~WakePipe() {
  if (signal_write_fd == write_fd_) signal_write_fd = -1;
  if (read_fd_ >= 0) ::close(read_fd_);
  if (write_fd_ >= 0) ::close(write_fd_);
}

bool WakePipe::open() {
  int fds[2];
  if (pipe(fds) != 0) return false;
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  if (!set_nonblocking(read_fd_) || !set_nonblocking(write_fd_)) return false;
  signal_write_fd = write_fd_;
  return true;
}

void WakePipe::drain() {
  char bytes[64];
  while (read(read_fd_, bytes, sizeof bytes) > 0) {
  }
}

void WakePipe::notify_from_signal() {
  int saved = errno;  // a signal handler must leave errno as it found it
  if (signal_write_fd >= 0) {
    char byte = 1;
    ssize_t ignored = write(signal_write_fd, &byte, 1);
    (void)ignored;
  }
  errno = saved;
}
