// child_process.h: what the tests that run other programs for a while share
// (proxy_test.cpp runs nginx and Caddy, systemd_test.cpp chatd under
// systemd-socket-activate): files read and written whole, a temporary
// directory that cleans up after itself, and a child process with its
// output in a log file, stopped by its PID.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

std::string read_text(const std::string& path);
bool write_text(const std::string& path, const std::string& text);
// The end of text, for failure messages that must stay readable.
std::string tail_of(const std::string& text, size_t bytes = 3000);

// A directory of the test's own under /tmp, removed with everything in it.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// True when 127.0.0.1:port accepts a TCP connection.
bool accepts_connections(int port);
// The PIDs whose parent is pid (nginx's workers under its master), from /proc.
std::vector<pid_t> children_of(pid_t pid);

// A program started by the test: its command line (argv[0] a path) with
// extra environment, stdout and stderr into log_path. Stopped by its PID:
// SIGTERM, then after 3 s SIGKILL for it and the children it had.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& command, const std::vector<std::string>& environment,
               const std::string& log_path);
  ~ChildProcess() { stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits up to timeout_ms until 127.0.0.1:port accepts; false if the
  // process exits first or the time runs out.
  bool wait_until_listening(int port, int timeout_ms);
  // Stops it (as above) and returns its exit status, or -1 when it did not
  // exit by itself after SIGTERM (or was gone already).
  int stop();
  std::string log() const { return tail_of(read_text(log_path_)); }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
};
