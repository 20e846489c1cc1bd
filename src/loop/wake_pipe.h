// wake_pipe.h: the self-pipe trick. A signal handler may do almost nothing
// (only async-signal-safe calls), and a flag it sets is not seen while the
// loop sleeps in the poller. So the handler writes one byte into a pipe whose
// read end the loop watches: the signal wakes the poller like any client.
// There is one wake pipe per process, because a signal handler has no
// object to find; opening a second one replaces the first.
#pragma once

class WakePipe {
 public:
  WakePipe() = default;
  WakePipe(const WakePipe&) = delete;
  WakePipe& operator=(const WakePipe&) = delete;
  ~WakePipe();

  // Creates the pipe, both ends nonblocking. False (errno set) on failure.
  bool open();
  // The end to register with the loop for readability.
  int read_fd() const { return read_fd_; }
  // Reads every byte waiting, so the pipe stops being readable.
  void drain();
  // Async-signal-safe: wakes the loop. A full pipe already will.
  static void notify_from_signal();

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};
