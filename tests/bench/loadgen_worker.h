// loadgen_worker.h: the load generator's worker process, internal to
// tests/bench: the per-connection state and the Worker class whose methods
// are split between loadgen_worker.cpp (phases, commands, the loop) and
// loadgen_connection.cpp (handshake, frames in, frames out).
//
// A worker owns the connections whose id % workers == its index, so the
// senders (the lowest ids) are spread over the workers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen.h"
#include "websocket/websocket.h"

namespace loadgen {

enum class Stage : uint8_t { Unused, Connecting, Handshaking, Open, Closed };
enum class Phase : uint8_t { Connecting, Waiting, Pairing, Running, Stopped, Draining, Reported };

// The next sequence number a receiver expects from one sender.
struct SenderTrack {
  uint32_t sender;
  uint32_t next_sequence;
};

struct Connection {
  int fd = -1;
  uint32_t id = 0;
  Stage stage = Stage::Unused;
  bool paired = false;
  bool joining = false;        // --room-size: join sent, the room's welcome not yet here
  uint32_t next_sequence = 0;  // as a sender
  uint32_t in_flight = 0;      // closed loop: sent, own copy not yet back
  std::string input;           // a partial response head or frame, between reads
  std::string output;          // bytes the socket did not take yet
  std::string expected_accept; // only during the handshake
  std::string fragments;       // a fragmented text message
  std::vector<SenderTrack> tracks;
};

constexpr uint64_t kCommandToken = ~uint64_t{0};
constexpr size_t kReadBufferBytes = 256 * 1024;
constexpr size_t kMaxResponseHead = 8192;

class Worker {
 public:
  Worker(const LoadOptions& options, size_t index, size_t count, int command_fd, int report_fd)
      : options_(options), command_fd_(command_fd), report_fd_(report_fd), read_buffer_(kReadBufferBytes) {
    for (size_t id = index; id < options.connections; id += count) {
      connections_.emplace_back();
      connections_.back().id = static_cast<uint32_t>(id);
    }
    concurrency_ = options.concurrency / count + 1;
    random_state_ = monotonic_us() * 2654435761u + index * 40503u + 1;
  }

  int run();

 private:
  /* ----- connect phase ----- */
  void open_more();
  void open_connection(Connection& c);
  void on_connected(Connection& c);
  void on_handshake_done(Connection& c, uint64_t now);
  void finish_connecting(Connection& c, uint64_t now);
  void fail_handshake(Connection& c, const char* reason);
  /* ----- bytes in ----- */
  void on_event(Connection& c, uint32_t events);
  void read_from(Connection& c);
  void consume(Connection& c, const char* data, size_t size, uint64_t now);
  bool handle_frame(Connection& c, const ServerFrame& frame, uint64_t now);
  void on_text(Connection& c, std::string_view payload, uint64_t now);
  void on_delivery(Connection& c, const LoadMark& mark, uint64_t now);
  /* ----- bytes out ----- */
  void send_load_message(Connection& c, uint64_t now);
  void send_frame(Connection& c, Opcode opcode, std::string_view payload);
  void flush(Connection& c);
  void watch(Connection& c, bool writable);
  void drop(Connection& c);
  /* ----- phases ----- */
  void read_commands(uint64_t now);
  void handle_command(const std::string& command, uint64_t now);
  void advance(uint64_t now);
  int poll_timeout_ms() const;
  void report(const char* tag);
  uint32_t random32() {
    random_state_ ^= random_state_ << 13;
    random_state_ ^= random_state_ >> 7;
    random_state_ ^= random_state_ << 17;
    return static_cast<uint32_t>(random_state_ >> 11);
  }

  const LoadOptions& options_;
  int command_fd_, report_fd_, epoll_fd_ = -1;
  std::vector<Connection> connections_;
  std::vector<char> read_buffer_;
  std::string command_buffer_;
  uint64_t random_state_;
  size_t concurrency_ = 1;
  size_t next_to_open_ = 0, handshakes_in_progress_ = 0, failures_logged_ = 0;
  Phase phase_ = Phase::Connecting;
  uint64_t deadline_us_ = 0;
  WorkerReport report_;
  std::vector<uint32_t> senders_;  // indices into connections_
  uint64_t scheduled_sends_ = 0;   // FixedRate: sends done so far in the run
  uint64_t distinct_deliveries_ = 0, expected_deliveries_ = 0;
  uint64_t drain_start_us_ = 0, last_delivery_us_ = 0;
  uint64_t run_cpu_start_us_ = 0;
  bool exit_requested_ = false;
  bool opening_ = false;
};


}  // namespace loadgen
