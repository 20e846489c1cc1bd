// supervisor.cpp: the --workers supervisor. See supervisor.h.
#include "supervisor.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "server/socket_activation.h"

namespace {

constexpr int kFirstBackoffMs = 100;
constexpr int kLastBackoffMs = 5000;
constexpr int64_t kHealthyAfterMs = 10000;  // a worker this old resets its backoff
constexpr int64_t kStartTimeoutMs = 10000;  // for every worker to listen at start-up

// What the signal handlers leave for the loop: they only write to a pipe
// and count, which is all a handler may safely do.
int signal_pipe[2] = {-1, -1};
volatile sig_atomic_t stop_signals = 0;

void on_signal(int number) {
  if (number == SIGINT || number == SIGTERM) stop_signals = stop_signals + 1;
  int saved = errno;
  char byte = 0;
  ssize_t ignored = write(signal_pipe[1], &byte, 1);
  (void)ignored;
  errno = saved;
}

struct Worker {
  int index;                // 1..N, its name "w<index>"
  pid_t pid = -1;           // -1: not running
  int64_t started_ms = 0;
  int backoff_ms = kFirstBackoffMs;
  int64_t restart_at_ms = -1;  // when it is due to be started again; -1: not waiting
};

// "exited with status 1", "killed by signal 9 (Killed)".
std::string how_it_ended(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  }
  return "ended with status " + std::to_string(status);
}

// A socket bound to host:0 with SO_REUSEPORT, never listening: it holds the
// port the kernel picked for the workers. Returns the port, 0 on failure.
int reserve_port(const std::string& host, int* fd_out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  if (getaddrinfo(host.c_str(), "0", &hints, &addresses) != 0) return 0;
  int port = 0;
  for (addrinfo* address = addresses; address != nullptr && port == 0; address = address->ai_next) {
    int fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    if (bind(fd, address->ai_addr, address->ai_addrlen) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) == 0) {
      port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
      *fd_out = fd;
    } else {
      close(fd);
    }
  }
  freeaddrinfo(addresses);
  return port;
}

class Supervisor {
 public:
  explicit Supervisor(ServerOptions* options) : options_(options) {}
  int run(bool* is_worker);

 private:
  // Forks worker; in the child returns true (the caller returns to main).
  bool start(Worker& worker);
  void reap();
  void stop_all(int signal_number);
  bool all_stopped() const;
  int next_timeout_ms() const;

  ServerOptions* options_;
  std::vector<Worker> workers_;
  int supervisor_pipe_[2] = {-1, -1};  // workers read; EOF when we are gone
  int ready_pipe_[2] = {-1, -1};       // workers write a byte once listening
  int reserved_fd_ = -1;
  bool stopping_ = false;
};

bool Supervisor::start(Worker& worker) {
  pid_t pid = fork();
  if (pid < 0) {
    LOG_ERROR("supervisor: cannot start w%d: %s", worker.index, std::strerror(errno));
    worker.restart_at_ms = monotonic_ms() + worker.backoff_ms;
    return false;
  }
  if (pid == 0) {
    // The worker: nothing of the supervisor's own stays open or installed.
    for (int number : {SIGINT, SIGTERM, SIGCHLD}) signal(number, SIG_DFL);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    close(supervisor_pipe_[1]);
    if (ready_pipe_[0] >= 0) close(ready_pipe_[0]);
    if (reserved_fd_ >= 0) close(reserved_fd_);
    options_->worker_index = worker.index;
    options_->supervisor_fd = supervisor_pipe_[0];
    options_->ready_fd = ready_pipe_[1];  // -1 for a restarted worker: nobody waits for it
    if (!options_->node_name.empty()) options_->node_name += "-w" + std::to_string(worker.index);
    return true;
  }
  worker.pid = pid;
  worker.started_ms = monotonic_ms();
  worker.restart_at_ms = -1;
  LOG_INFO("supervisor: w%d started (pid %d)", worker.index, static_cast<int>(pid));
  return false;
}

// Collects every worker that ended, says how, and schedules its restart.
void Supervisor::reap() {
  int status = 0;
  for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {
    auto worker = std::find_if(workers_.begin(), workers_.end(), [pid](const Worker& w) { return w.pid == pid; });
    if (worker == workers_.end()) continue;
    worker->pid = -1;
    const int64_t now = monotonic_ms();
    if (stopping_) {
      LOG_INFO("supervisor: w%d (pid %d) %s", worker->index, static_cast<int>(pid), how_it_ended(status).c_str());
      continue;
    }
    if (now - worker->started_ms >= kHealthyAfterMs) worker->backoff_ms = kFirstBackoffMs;
    worker->restart_at_ms = now + worker->backoff_ms;
    LOG_WARN("supervisor: w%d (pid %d) %s; restarting it in %.1f s", worker->index, static_cast<int>(pid),
             how_it_ended(status).c_str(), worker->backoff_ms / 1000.0);
    worker->backoff_ms = std::min(kLastBackoffMs, worker->backoff_ms * 2);
  }
}

void Supervisor::stop_all(int signal_number) {
  for (const Worker& worker : workers_) {
    if (worker.pid > 0) kill(worker.pid, signal_number);
  }
}

bool Supervisor::all_stopped() const {
  return std::all_of(workers_.begin(), workers_.end(), [](const Worker& w) { return w.pid < 0; });
}

int Supervisor::next_timeout_ms() const {
  int64_t earliest = -1;
  for (const Worker& worker : workers_) {
    if (worker.restart_at_ms >= 0 && (earliest < 0 || worker.restart_at_ms < earliest)) {
      earliest = worker.restart_at_ms;
    }
  }
  if (earliest < 0) return -1;
  return static_cast<int>(std::clamp<int64_t>(earliest - monotonic_ms(), 0, 60000));
}

int Supervisor::run(bool* is_worker) {
  *is_worker = false;
  if (pipe(signal_pipe) != 0 || pipe(supervisor_pipe_) != 0 || pipe(ready_pipe_) != 0) {
    std::fprintf(stderr, "chatd: cannot make the supervisor's pipes: %s\n", std::strerror(errno));
    return 1;
  }
  fcntl(signal_pipe[0], F_SETFL, O_NONBLOCK);
  fcntl(signal_pipe[1], F_SETFL, O_NONBLOCK);
  // A socket from systemd is already bound: every worker shares it.
  if (options_->listen_fd < 0 && options_->port == 0) {
    options_->port = reserve_port(options_->host, &reserved_fd_);
    if (options_->port == 0) {
      std::fprintf(stderr, "chatd: cannot find a free port on %s\n", options_->host.c_str());
      return 1;
    }
  }
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (int number : {SIGINT, SIGTERM, SIGCHLD}) sigaction(number, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);

  for (size_t i = 0; i < options_->workers; ++i) {
    workers_.push_back(Worker{static_cast<int>(i + 1)});
    if (start(workers_.back())) {
      *is_worker = true;
      return 0;
    }
  }
  close(ready_pipe_[1]);  // our copy: the workers hold theirs
  ready_pipe_[1] = -1;
  // Every worker listens before the port is announced, so a client that
  // connects at once finds one.
  size_t ready = 0;
  const int64_t deadline = monotonic_ms() + kStartTimeoutMs;
  while (ready < options_->workers && monotonic_ms() < deadline) {
    pollfd wait{ready_pipe_[0], POLLIN, 0};
    if (poll(&wait, 1, 100) <= 0) continue;
    char bytes[64];
    ssize_t got = read(ready_pipe_[0], bytes, sizeof bytes);
    if (got <= 0) break;  // every worker closed its end without listening
    ready += static_cast<size_t>(got);
  }
  close(ready_pipe_[0]);
  ready_pipe_[0] = -1;
  if (ready < options_->workers) {
    LOG_ERROR("supervisor: only %zu of %zu workers started listening", ready, options_->workers);
    stop_all(SIGKILL);
    return 1;
  }
  std::string url;
  if (options_->listen_fd >= 0) {
    url = listening_url(options_->listen_fd);
  } else {
    std::string host = options_->host;
    if (host == "0.0.0.0" || host == "::") host = "localhost";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    url = "http://" + host + ":" + std::to_string(options_->port);
  }
  std::printf("chatd listening on %s (open it in a browser; %zu workers)\n", url.c_str(), options_->workers);
  std::fflush(stdout);

  for (;;) {
    pollfd wait{signal_pipe[0], POLLIN, 0};
    poll(&wait, 1, next_timeout_ms());
    char drained[64];
    while (read(signal_pipe[0], drained, sizeof drained) > 0) {
    }
    reap();
    if (stop_signals >= 2) {
      LOG_WARN("supervisor: second signal: killing every worker now");
      stop_all(SIGKILL);
      return 1;
    }
    if (stop_signals == 1 && !stopping_) {
      stopping_ = true;
      LOG_INFO("supervisor: shutting down: SIGTERM to every worker");
      for (Worker& worker : workers_) worker.restart_at_ms = -1;
      stop_all(SIGTERM);
    }
    if (stopping_) {
      if (all_stopped()) return 0;
      continue;
    }
    const int64_t now = monotonic_ms();
    for (Worker& worker : workers_) {
      if (worker.pid < 0 && worker.restart_at_ms >= 0 && worker.restart_at_ms <= now && start(worker)) {
        *is_worker = true;
        return 0;
      }
    }
  }
}

}  // namespace

int run_supervisor(ServerOptions* options, bool* is_worker) {
  Supervisor supervisor(options);
  return supervisor.run(is_worker);
}
