// loadgen_worker.cpp: one load generator process: an epoll loop over its
// share of the connections, stepped through the phases (connect, pair, run,
// drain) by its parent's commands; see loadgen.h. The byte-level work per
// connection is in loadgen_connection.cpp.
//
// Deliberately left out: timers per connection. The only clocks are the
// phase deadline and, at a fixed rate, one send schedule for all senders.
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "loadgen_worker.h"

namespace loadgen {

/* ===== Phases ===== */

void Worker::report(const char* tag) {
  std::string line = std::string(tag) + " " + format_report(report_) + "\n";
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = write(report_fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      exit_requested_ = true;  // the parent is gone
      return;
    }
    written += static_cast<size_t>(n);
  }
}

void Worker::read_commands(uint64_t now) {
  char chunk[4096];
  ssize_t got = read(command_fd_, chunk, sizeof chunk);
  if (got <= 0) {
    if (got < 0 && errno == EINTR) return;
    exit_requested_ = true;
    return;
  }
  command_buffer_.append(chunk, static_cast<size_t>(got));
  size_t newline;
  while ((newline = command_buffer_.find('\n')) != std::string::npos) {
    std::string command = command_buffer_.substr(0, newline);
    command_buffer_.erase(0, newline + 1);
    handle_command(command, now);
  }
}

// PAIR, RUN <milliseconds>, DRAIN <messages sent by all workers>, EXIT.
void Worker::handle_command(const std::string& command, uint64_t now) {
  if (command == "EXIT") {
    exit_requested_ = true;
  } else if (command == "PAIR") {
    phase_ = Phase::Pairing;
    deadline_us_ = now + static_cast<uint64_t>(options_.pair_timeout_seconds * 1e6);
    for (Connection& c : connections_) {
      if (c.stage == Stage::Open) send_frame(c, Opcode::Text, "{\"type\":\"stranger\"}");
    }
  } else if (command.compare(0, 4, "RUN ") == 0) {
    phase_ = Phase::Running;
    report_.run_start_us = now;
    run_cpu_start_us_ = own_cpu_us();
    report_.run_end_us = now + std::stoull(command.substr(4)) * 1000;
    for (size_t i = 0; i < connections_.size(); ++i) {
      const Connection& c = connections_[i];
      if (c.stage != Stage::Open) continue;
      ++report_.receivers;
      bool sends = options_.mode == ChatMode::Strangers ? c.paired
                   : options_.room_size > 0           ? sends_in_rooms(options_, c.id)
                                                      : c.id < options_.senders;
      if (sends) senders_.push_back(static_cast<uint32_t>(i));
    }
    report_.senders = senders_.size();
    if (options_.pattern == SendPattern::ClosedLoop) {
      for (uint32_t i : senders_) {
        while (connections_[i].in_flight < options_.window && connections_[i].stage == Stage::Open) {
          send_load_message(connections_[i], now);
        }
      }
    }
  } else if (command.compare(0, 6, "DRAIN ") == 0) {
    phase_ = Phase::Draining;
    drain_start_us_ = now;
    deadline_us_ = now + static_cast<uint64_t>(options_.drain_timeout_seconds * 1e6);
    // In a room every receiver gets every message; a stranger's partner may
    // live in another worker, so stranger mode ends on the quiet rule alone.
    if (options_.mode == ChatMode::Room && options_.room_size == 0) expected_deliveries_ = std::stoull(command.substr(6)) * report_.receivers;
  }
}

void Worker::advance(uint64_t now) {
  switch (phase_) {
    case Phase::Connecting:
      if (now >= deadline_us_) {
        report_.failed += connections_.size() - next_to_open_;
        next_to_open_ = connections_.size();
        for (Connection& c : connections_) {
          if (c.stage == Stage::Connecting || c.stage == Stage::Handshaking || c.joining) {
            fail_handshake(c, "connect timeout");
          }
        }
      }
      if (handshakes_in_progress_ == 0 && next_to_open_ == connections_.size()) {
        phase_ = Phase::Waiting;
        report("CONNECTED");
      }
      break;
    case Phase::Pairing: {
      size_t open = 0;
      for (const Connection& c : connections_) open += c.stage == Stage::Open;
      if (report_.paired >= open || now >= deadline_us_) {
        phase_ = Phase::Waiting;
        report("PAIRED");
      }
      break;
    }
    case Phase::Running:
      if (options_.pattern == SendPattern::FixedRate && !senders_.empty()) {
        // Send k of the run is due at start + k / (senders * rate): one
        // counter schedules every sender of this worker, evenly interleaved.
        double total_rate = options_.rate * static_cast<double>(senders_.size());
        // Sends fall in [start, end): a 10 s run at 20/s sends exactly 200.
        uint64_t end = now < report_.run_end_us ? now : report_.run_end_us - 1;
        auto due = static_cast<uint64_t>(static_cast<double>(end - report_.run_start_us) * total_rate / 1e6) + 1;
        for (; scheduled_sends_ < due; ++scheduled_sends_) {
          Connection& c = connections_[senders_[scheduled_sends_ % senders_.size()]];
          if (c.stage == Stage::Open) send_load_message(c, now);
        }
      }
      if (now >= report_.run_end_us) {
        phase_ = Phase::Stopped;
        // In rooms, each message is due to its own room's members (the
        // receivers of every worker, so counted by size, not by this worker).
        if (options_.room_size > 0) {
          for (uint32_t i : senders_) {
            const Connection& c = connections_[i];
            report_.expected += c.next_sequence * members_of_room(options_, room_of(options_, c.id));
          }
        }
        report("SENT");
      }
      break;
    case Phase::Draining: {
      uint64_t quiet_since = last_delivery_us_ > drain_start_us_ ? last_delivery_us_ : drain_start_us_;
      bool all_arrived = expected_deliveries_ > 0 && distinct_deliveries_ >= expected_deliveries_;
      if (all_arrived || now - quiet_since >= static_cast<uint64_t>(options_.quiet_seconds * 1e6) ||
          now >= deadline_us_) {
        phase_ = Phase::Reported;
        report_.cpu_us = own_cpu_us() - run_cpu_start_us_;
        report("RESULT");
      }
      break;
    }
    default:
      break;
  }
}

int Worker::poll_timeout_ms() const {
  if (phase_ == Phase::Running) return options_.pattern == SendPattern::FixedRate ? 1 : 5;
  if (phase_ == Phase::Draining) return 10;
  return 50;
}

int Worker::run() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return 1;
  epoll_event command_event{};
  command_event.events = EPOLLIN;
  command_event.data.u64 = kCommandToken;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, command_fd_, &command_event);
  uint64_t now = monotonic_us();
  report_.connect_start_us = now;
  report_.connect_end_us = now;
  deadline_us_ = now + static_cast<uint64_t>(options_.connect_timeout_seconds * 1e6);
  open_more();
  std::vector<epoll_event> events(1024);
  while (!exit_requested_) {
    int ready = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), poll_timeout_ms());
    if (ready < 0 && errno != EINTR) return 1;
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.u64 == kCommandToken) {
        read_commands(monotonic_us());
      } else {
        Connection& c = connections_[events[i].data.u64];
        if (c.stage != Stage::Closed) on_event(c, events[i].events);
      }
    }
    now = monotonic_us();
    advance(now);
  }
  return 0;
}

}  // namespace loadgen


int run_worker(const LoadOptions& options, size_t index, size_t count, int command_fd, int report_fd) {
  loadgen::Worker worker(options, index, count, command_fd, report_fd);
  return worker.run();
}
