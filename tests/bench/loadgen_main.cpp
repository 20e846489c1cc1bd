// loadgen_main.cpp: the load generator's parent process. Forks the workers,
// steps them through the phases (connect, pair, run, drain), measures the
// server from /proc around the phases, merges the worker reports and prints
// one JSON line. See loadgen.h for the design.
//
// Workers talk to the parent over two pipes each: commands down ("PAIR",
// "RUN ms", "DRAIN sent", "EXIT"), one report line up per phase. A worker
// whose command pipe closes exits, so if the parent dies, so do they.
//
// Deliberately left out: tuning the system (sysctl, rlimits beyond raising
// the soft file limit to the hard one). The scenarios fit the defaults of
// the machine they were written for.
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "loadgen.h"

namespace {

struct WorkerProcess {
  pid_t pid = -1;
  int command_fd = -1;  // parent writes
  int report_fd = -1;   // parent reads
  std::string pending;  // report bytes not yet ending in a newline
  WorkerReport report;
};

/* ===== Talking to the workers ===== */

void send_command(std::vector<WorkerProcess>& workers, const std::string& command) {
  std::string line = command + "\n";  // far below PIPE_BUF: one write, never blocks
  for (WorkerProcess& worker : workers) {
    if (write(worker.command_fd, line.data(), line.size()) < 0) std::perror("loadgen: command pipe");
  }
}

// Waits until every worker has sent a line starting with tag, and parses it
// into the worker's report. False on a timeout or a worker that died.
bool wait_for_all(std::vector<WorkerProcess>& workers, const char* tag, double timeout_seconds) {
  uint64_t deadline = monotonic_us() + static_cast<uint64_t>(timeout_seconds * 1e6);
  std::vector<bool> done(workers.size(), false);
  size_t remaining = workers.size();
  std::string prefix = std::string(tag) + " ";
  while (remaining > 0) {
    uint64_t now = monotonic_us();
    if (now >= deadline) {
      std::fprintf(stderr, "loadgen: timed out waiting for %s\n", tag);
      return false;
    }
    std::vector<pollfd> fds;
    for (const WorkerProcess& worker : workers) fds.push_back({worker.report_fd, POLLIN, 0});
    int ready = poll(fds.data(), fds.size(), static_cast<int>((deadline - now) / 1000 + 1));
    if (ready < 0 && errno == EINTR) continue;
    for (size_t i = 0; i < workers.size() && ready > 0; ++i) {
      if (fds[i].revents == 0) continue;
      char chunk[65536];
      ssize_t got = read(workers[i].report_fd, chunk, sizeof chunk);
      if (got <= 0) {
        std::fprintf(stderr, "loadgen: worker %zu exited early\n", i);
        return false;
      }
      workers[i].pending.append(chunk, static_cast<size_t>(got));
      size_t newline = workers[i].pending.find('\n');
      if (newline == std::string::npos) continue;
      std::string line = workers[i].pending.substr(0, newline);
      workers[i].pending.erase(0, newline + 1);
      if (line.compare(0, prefix.size(), prefix) != 0 || done[i]) continue;
      WorkerReport report;
      if (!parse_report(std::string_view(line).substr(prefix.size()), &report)) {
        std::fprintf(stderr, "loadgen: unreadable report from worker %zu\n", i);
        return false;
      }
      workers[i].report = report;
      done[i] = true;
      --remaining;
    }
  }
  return true;
}

bool start_workers(const LoadOptions& options, size_t count, std::vector<WorkerProcess>* workers) {
  for (size_t index = 0; index < count; ++index) {
    int commands[2], reports[2];
    if (pipe(commands) != 0 || pipe(reports) != 0) return false;
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
      // Only this worker's own pipe ends stay open: an inherited write end of
      // another worker's command pipe would keep that worker alive forever.
      for (const WorkerProcess& other : *workers) {
        close(other.command_fd);
        close(other.report_fd);
      }
      close(commands[1]);
      close(reports[0]);
      _exit(run_worker(options, index, count, commands[0], reports[1]));
    }
    close(commands[0]);
    close(reports[1]);
    WorkerProcess worker;
    worker.pid = pid;
    worker.command_fd = commands[1];
    worker.report_fd = reports[0];
    workers->push_back(worker);
  }
  return true;
}

void stop_workers(std::vector<WorkerProcess>& workers) {
  send_command(workers, "EXIT");
  for (WorkerProcess& worker : workers) {
    close(worker.command_fd);
    close(worker.report_fd);
  }
  uint64_t deadline = monotonic_us() + 10 * 1000000ull;
  for (WorkerProcess& worker : workers) {
    while (waitpid(worker.pid, nullptr, WNOHANG) == 0) {
      if (monotonic_us() >= deadline) {
        kill(worker.pid, SIGKILL);
        waitpid(worker.pid, nullptr, 0);
        break;
      }
      usleep(10000);
    }
  }
}

void sleep_seconds(double seconds) {
  if (seconds > 0) usleep(static_cast<useconds_t>(seconds * 1e6));
}

/* ===== The result ===== */

// The server processes measured: --server-pid, given once or more.
std::vector<int> server_pids(const LoadOptions& options) {
  std::vector<int> pids;
  if (options.server_pid > 0) pids.push_back(options.server_pid);
  pids.insert(pids.end(), options.more_server_pids.begin(), options.more_server_pids.end());
  return pids;
}

// VmRSS summed over the server processes; -1 when one is unreadable.
long read_rss_sum_kb(const std::vector<int>& pids) {
  long sum = 0;
  for (int pid : pids) {
    long rss = read_rss_kb(pid);
    if (rss < 0) return -1;
    sum += rss;
  }
  return sum;
}

// CPU time of each server process into *each; returns the sum, -1 when one
// is unreadable.
long long read_cpu_sum_us(const std::vector<int>& pids, std::vector<long long>* each) {
  each->clear();
  long long sum = 0;
  for (int pid : pids) {
    long long cpu = read_cpu_us(pid);
    each->push_back(cpu);
    if (cpu < 0) sum = -1;
    if (sum >= 0) sum += cpu;
  }
  return sum;
}

struct Measurements {
  long rss_before_kb = -1, rss_after_kb = -1;
  long long cpu_before_us = -1, cpu_after_us = -1;
  std::vector<long long> cpu_before_each_us, cpu_after_each_us;  // several server processes
  long long redis_cpu_before_us = -1, redis_cpu_after_us = -1;
  uint64_t run_wall_us = 0;
  long long retransmits_before = -1, retransmits_after = -1;
  long long drops_before = -1, drops_after = -1;
  KernelMemory kernel_before, kernel_held;  // at start, and with every connection held
  long redis_rss_held_kb = -1;
  bool complete = true;
};

void print_json(const LoadOptions& options, size_t worker_count, const WorkerReport& total,
                const Measurements& m) {
  const char* pattern = options.pattern == SendPattern::Idle         ? "idle"
                        : options.pattern == SendPattern::ClosedLoop ? "closed"
                                                                     : "rate";
  double connect_seconds = (total.connect_end_us - total.connect_start_us) / 1e6;
  std::printf("{\"scenario\":\"%s\",\"server\":\"%s\",\"connections\":%zu,\"workers\":%zu,\"complete\":%s",
              options.scenario.c_str(), options.server.c_str(), options.connections, worker_count,
              m.complete ? "true" : "false");
  if (!options.ports.empty()) {
    std::printf(",\"ports\":[");
    for (size_t i = 0; i < options.ports.size(); ++i) std::printf("%s%d", i ? "," : "", options.ports[i]);
    std::printf("]");
  }
  std::printf(",\"connected\":%llu,\"failed\":%llu,\"connect_seconds\":%.3f,\"handshakes_per_s\":%.0f",
              (unsigned long long)total.connected, (unsigned long long)total.failed, connect_seconds,
              connect_seconds > 0 ? total.connected / connect_seconds : 0.0);
  if (m.rss_before_kb >= 0 && m.rss_after_kb >= 0) {
    double per_connection = total.connected ? (m.rss_after_kb - m.rss_before_kb) * 1024.0 / total.connected : 0;
    std::printf(",\"rss_before_kb\":%ld,\"rss_after_kb\":%ld,\"rss_per_connection_bytes\":%.0f", m.rss_before_kb,
                m.rss_after_kb, per_connection);
  }
  if (m.redis_rss_held_kb >= 0) {
    std::printf(",\"redis_rss_kb\":%ld,\"redis_rss_per_connection_bytes\":%.0f", m.redis_rss_held_kb,
                total.connected ? m.redis_rss_held_kb * 1024.0 / total.connected : 0.0);
  }
  // The kernel's share, machine-wide (both ends of every loopback connection
  // are on this machine): socket buffers from sockstat, socket structures in the slab.
  if (m.kernel_held.tcp_inuse >= 0 && m.kernel_held.slab_kb >= 0 && m.kernel_before.slab_kb >= 0) {
    long page = sysconf(_SC_PAGESIZE);
    std::printf(",\"kernel_tcp_sockets\":%lld,\"kernel_tcp_buffer_bytes\":%lld,\"kernel_slab_growth_kb\":%lld",
                m.kernel_held.tcp_inuse, m.kernel_held.tcp_mem_pages * page,
                m.kernel_held.slab_kb - m.kernel_before.slab_kb);
  }
  std::printf(",\"pattern\":\"%s\"", pattern);
  if (options.pattern != SendPattern::Idle) {
    uint64_t fanout = options.mode == ChatMode::Room ? total.receivers : 2;
    uint64_t expected = options.room_size > 0 ? total.expected : total.sent * fanout;
    uint64_t distinct = total.delivered - total.duplicates;
    uint64_t missing = expected > distinct ? expected - distinct : 0;
    double duration = options.duration_seconds;
    std::printf(",\"mode\":\"%s\",\"senders\":%llu,\"paired\":%llu,\"duration_s\":%.1f",
                options.mode == ChatMode::Room ? "room" : "strangers",
                (unsigned long long)(options.mode == ChatMode::Strangers ? total.paired
                                     : options.room_size > 0       ? total.senders
                                                                   : options.senders),
                (unsigned long long)total.paired, duration);
    std::printf(",\"sent\":%llu,\"expected\":%llu,\"delivered\":%llu,\"offered_per_s\":%.0f,\"delivered_per_s\":%.0f",
                (unsigned long long)total.sent, (unsigned long long)expected, (unsigned long long)total.delivered,
                duration > 0 ? expected / duration : 0.0, duration > 0 ? total.delivered_in_window / duration : 0.0);
    std::printf(",\"missing\":%llu,\"missing_percent\":%.3f,\"duplicates\":%llu,\"gaps\":%llu",
                (unsigned long long)missing, expected ? 100.0 * missing / expected : 0.0,
                (unsigned long long)total.duplicates, (unsigned long long)total.gaps);
    std::printf(",\"latency_us\":{\"p50\":%llu,\"p99\":%llu,\"max\":%llu}",
                (unsigned long long)total.latency.percentile(0.50), (unsigned long long)total.latency.percentile(0.99),
                (unsigned long long)total.latency.max());
    if (m.cpu_before_us >= 0 && m.cpu_after_us >= 0) {
      double cpu_us = static_cast<double>(m.cpu_after_us - m.cpu_before_us);
      std::printf(",\"server_cpu_s\":%.2f,\"server_cpu_percent\":%.1f,\"cpu_us_per_delivery\":%.3f", cpu_us / 1e6,
                  m.run_wall_us ? 100.0 * cpu_us / m.run_wall_us : 0.0,
                  total.delivered ? cpu_us / total.delivered : 0.0);
      // Several server processes: the figures above are their sums; each one's own too.
      if (!options.more_server_pids.empty()) {
        std::printf(",\"server_processes\":%zu,\"server_cpu_s_each\":[", m.cpu_before_each_us.size());
        for (size_t i = 0; i < m.cpu_before_each_us.size(); ++i) {
          std::printf("%s%.2f", i ? "," : "", (m.cpu_after_each_us[i] - m.cpu_before_each_us[i]) / 1e6);
        }
        std::printf("]");
      }
    }
    if (m.redis_cpu_before_us >= 0 && m.redis_cpu_after_us >= 0) {
      double redis_us = static_cast<double>(m.redis_cpu_after_us - m.redis_cpu_before_us);
      std::printf(",\"redis_cpu_s\":%.2f,\"redis_cpu_percent\":%.1f", redis_us / 1e6,
                  m.run_wall_us ? 100.0 * redis_us / m.run_wall_us : 0.0);
    }
    // The load generator's own share: when it nears 100% of a core per
    // worker, it, not the server, may be what limits the figures.
    std::printf(",\"loadgen_cpu_percent\":%.1f", m.run_wall_us ? 100.0 * total.cpu_us / m.run_wall_us : 0.0);
    // Machine-wide, so other traffic counts too; loopback drops show up as
    // retransmissions, each at least one 200 ms retransmission timeout late.
    if (m.retransmits_before >= 0 && m.retransmits_after >= 0 && m.drops_before >= 0 && m.drops_after >= 0) {
      std::printf(",\"system_tcp_retransmits\":%lld,\"system_softnet_drops\":%lld",
                  m.retransmits_after - m.retransmits_before, m.drops_after - m.drops_before);
    }
  }
  if (options.room_size > 0) {
    std::printf(",\"room_size\":%zu,\"rooms\":%zu", options.room_size,
                (options.connections + options.room_size - 1) / options.room_size);
  }
  std::printf(",\"pings_answered\":%llu,\"closed_by_server\":%llu,\"disconnected\":%llu,\"errors_received\":%llu}\n",
              (unsigned long long)total.pings, (unsigned long long)total.closed_by_server,
              (unsigned long long)total.disconnected, (unsigned long long)total.errors_received);
  std::fflush(stdout);
}

WorkerReport merge_reports(const std::vector<WorkerProcess>& workers) {
  WorkerReport total;
  bool first = true;
  for (const WorkerProcess& worker : workers) {
    const WorkerReport& r = worker.report;
    total.connect_start_us = first || r.connect_start_us < total.connect_start_us ? r.connect_start_us : total.connect_start_us;
    total.connect_end_us = first || r.connect_end_us > total.connect_end_us ? r.connect_end_us : total.connect_end_us;
    first = false;
    total.connected += r.connected;
    total.failed += r.failed;
    total.paired += r.paired;
    total.sent += r.sent;
    total.delivered += r.delivered;
    total.delivered_in_window += r.delivered_in_window;
    total.duplicates += r.duplicates;
    total.gaps += r.gaps;
    total.closed_by_server += r.closed_by_server;
    total.disconnected += r.disconnected;
    total.errors_received += r.errors_received;
    total.receivers += r.receivers;
    total.cpu_us += r.cpu_us;
    total.pings += r.pings;
    total.expected += r.expected;
    total.senders += r.senders;
    total.latency.merge(r.latency);
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  LoadOptions options;
  if (!parse_load_options(argc, argv, &options)) return 2;
  signal(SIGPIPE, SIG_IGN);
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  size_t worker_count = options.workers;
  if (worker_count == 0) worker_count = (options.connections + options.max_per_worker - 1) / options.max_per_worker;
  if (worker_count > options.connections) worker_count = options.connections;
  // The last resort bound: whatever happens, the run ends. Workers see their
  // command pipe close when the parent dies, and exit.
  alarm(static_cast<unsigned>(options.connect_timeout_seconds + options.pair_timeout_seconds +
                              options.duration_seconds + options.drain_timeout_seconds + options.settle_seconds +
                              options.hold_seconds + 120));

  Measurements m;
  const std::vector<int> pids = server_pids(options);
  if (!pids.empty()) m.rss_before_kb = read_rss_sum_kb(pids);
  m.kernel_before = read_kernel_memory();
  std::vector<WorkerProcess> workers;
  if (!start_workers(options, worker_count, &workers)) {
    std::perror("loadgen: starting workers");
    return 1;
  }
  bool ok = wait_for_all(workers, "CONNECTED", options.connect_timeout_seconds + 10);
  if (ok) {
    sleep_seconds(options.settle_seconds);
    if (!pids.empty()) m.rss_after_kb = read_rss_sum_kb(pids);
    if (options.redis_pid > 0) m.redis_rss_held_kb = read_rss_kb(options.redis_pid);
    m.kernel_held = read_kernel_memory();
  }
  if (ok && options.pattern == SendPattern::Idle) sleep_seconds(options.hold_seconds);
  if (ok && options.pattern != SendPattern::Idle) {
    if (options.mode == ChatMode::Strangers) {
      send_command(workers, "PAIR");
      ok = wait_for_all(workers, "PAIRED", options.pair_timeout_seconds + 10);
    }
    uint64_t run_start = monotonic_us();
    if (ok && !pids.empty()) m.cpu_before_us = read_cpu_sum_us(pids, &m.cpu_before_each_us);
    if (ok && options.redis_pid > 0) m.redis_cpu_before_us = read_cpu_us(options.redis_pid);
    m.retransmits_before = read_tcp_retransmits();
    m.drops_before = read_softnet_drops();
    if (ok) {
      send_command(workers, "RUN " + std::to_string(static_cast<uint64_t>(options.duration_seconds * 1000)));
      ok = wait_for_all(workers, "SENT", options.duration_seconds + 30);
    }
    if (ok) {
      uint64_t total_sent = 0;
      for (const WorkerProcess& worker : workers) total_sent += worker.report.sent;
      send_command(workers, "DRAIN " + std::to_string(total_sent));
      ok = wait_for_all(workers, "RESULT", options.drain_timeout_seconds + 30);
    }
    if (ok && !pids.empty()) m.cpu_after_us = read_cpu_sum_us(pids, &m.cpu_after_each_us);
    if (ok && options.redis_pid > 0) m.redis_cpu_after_us = read_cpu_us(options.redis_pid);
    m.retransmits_after = read_tcp_retransmits();
    m.drops_after = read_softnet_drops();
    m.run_wall_us = monotonic_us() - run_start;
  }
  m.complete = ok;
  WorkerReport total = merge_reports(workers);
  stop_workers(workers);
  print_json(options, worker_count, total, m);
  return ok ? 0 : 1;
}
