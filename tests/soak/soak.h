// soak.h: chatd's soak test (issue 6), shared declarations.
//
// `make soak` starts a chatd (tests/integration/harness.h's ChatdProcess) and
// drives a few thousand WebSocket clients against it from one thread and one
// epoll loop: clients spread over several rooms, a few of them senders at a
// steady rate, and a trickle of receivers that drop their connection and
// come back. It runs for a set time and then checks that nothing was lost:
//
//   - room order: chatd numbers each room's messages (docs/protocol.md,
//     `seq`); every client must see them without a gap, starting right
//     after the last `seq` in the history of the welcome it got on joining;
//   - per sender: every message of every sender, in order;
//   - the tail: after the drain, every client in a room has seen the room's
//     last message, so the total of copies missing is exactly zero;
//   - memory: the server's RSS at the end against its RSS after warm-up.
//
// Files: soak_main.cpp (options, phases, measurements, the verdict),
// soak_clients.cpp (the clients' sockets: connect, handshake, join, frames)
// and soak_checks.cpp (what each message is checked against).
//
// Left out: TLS, more than one client process (2,000 clients take a few
// percent of one core), and rooms of different sizes (the hostile tests and
// the benchmarks cover the extremes; the soak is about time, not size).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

/* ===== Options ===== */

struct SoakOptions {
  double seconds = 120;              // length of the run, warm-up included
  double warmup_seconds = 20;        // the "start" RSS is read at its end
  size_t clients = 2000;
  size_t rooms = 10;
  size_t senders = 20;               // sender k is client k, in room k % rooms
  double rate = 10;                  // messages per second per sender
  size_t message_bytes = 100;        // size of each message's text
  double reconnects_per_second = 5;  // receivers that drop and come back
  double drain_seconds = 15;         // bound on waiting for the last copies
  double max_rss_growth_fraction = 0.20;  // allowed growth after warm-up:
  long max_rss_growth_kib = 10 * 1024;    // fraction of the start, plus this
  std::vector<std::string> chatd_args;    // after "--" on the command line
};

// Parses argv; prints usage and returns false on a bad option.
bool parse_soak_options(int argc, char** argv, SoakOptions* options);

/* ===== Latency ===== */

// Counts in 0.1 ms buckets up to 10 s (the last bucket takes everything
// above): exact enough for a p99, and a fixed 800 KB however long the run.
class LatencyBuckets {
 public:
  LatencyBuckets() : counts_(kBuckets, 0) {}
  void record(int64_t microseconds);
  uint64_t count() const { return total_; }
  int64_t max_us() const { return max_us_; }
  // The upper edge of the bucket holding that fraction of the samples.
  int64_t percentile_us(double fraction) const;

 private:
  static constexpr size_t kBuckets = 100000;
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  int64_t max_us_ = 0;
};

/* ===== What the clients saw ===== */

struct SoakTotals {
  uint64_t sent = 0;               // messages sent by all senders
  uint64_t delivered = 0;          // copies received by all clients
  uint64_t room_seq_gaps = 0;      // a room `seq` that was not the next one
  uint64_t sender_gaps = 0;        // a sender's message out of its order
  uint64_t tail_missing = 0;       // copies never received, counted after the drain
  uint64_t unexpected_closes = 0;  // Close frames or EOFs the client did not ask for
  uint64_t errors_received = 0;    // chatd {"type":"error"} messages
  uint64_t connect_failures = 0;   // connects or handshakes that failed
  uint64_t reconnects = 0;
  uint64_t pings_answered = 0;
  LatencyBuckets latency;
  std::string first_problem;       // the first of the above, described

  uint64_t problems() const {
    return room_seq_gaps + sender_gaps + tail_missing + unexpected_closes + errors_received + connect_failures;
  }
};

/* ===== The clients ===== */

enum class ClientPhase : uint8_t { Idle, Connecting, Upgrading, Joining, InRoom };

struct SoakClient {
  uint32_t index = 0;
  uint32_t generation = 0;  // bumped by every reconnect: stale events are ignored
  int fd = -1;
  ClientPhase phase = ClientPhase::Idle;
  bool wants_writable = false;
  std::string room;
  std::string inbound;
  size_t inbound_used = 0;
  std::string outbound;
  std::string expected_accept;
  uint64_t last_room_seq = 0;
  std::vector<uint64_t> next_from;  // per sender: the sequence expected next; 0 = none seen yet
  std::mt19937 random;
};

class SoakClients {
 public:
  SoakClients(const SoakOptions& options, int port);
  ~SoakClients();
  SoakClients(const SoakClients&) = delete;
  SoakClients& operator=(const SoakClients&) = delete;

  // Opens every client (a bounded number of handshakes at a time) and waits
  // until all are in their rooms; false on a timeout or a failure.
  bool connect_all(double timeout_seconds);
  // One turn: sends what is due, reconnects what is due when churn is on,
  // and handles whatever the sockets have, waiting at most max_wait_ms.
  void turn(int max_wait_ms, bool sending, bool churning);
  // After the run: true once every client in a room has seen its room's
  // last message.
  bool drained() const;
  // Counts the copies still missing into the totals (call once, at the end).
  void count_tail();
  size_t in_room() const;
  const SoakTotals& totals() const { return totals_; }

 private:
  void start_connect(SoakClient& client);
  void drop_and_reconnect(SoakClient& client);
  void handle_events(SoakClient& client, uint32_t events);
  void read_bytes(SoakClient& client);
  bool handle_handshake(SoakClient& client);
  void handle_frame(SoakClient& client, uint8_t opcode, const char* payload, size_t length);
  void handle_welcome(SoakClient& client, const char* payload, size_t length);
  void handle_message(SoakClient& client, const char* payload, size_t length);
  void send_masked(SoakClient& client, uint8_t opcode, const std::string& payload);
  void flush(SoakClient& client);
  void fail(SoakClient& client, const std::string& what);
  void problem(const std::string& what);
  void send_due(int64_t now_us);

  SoakOptions options_;
  int port_;
  int epoll_fd_ = -1;
  std::vector<SoakClient*> clients_;
  std::vector<uint64_t> sent_by_;        // per sender: last sequence sent
  std::vector<int64_t> next_send_us_;    // per sender
  std::vector<uint64_t> room_messages_;  // per room: messages sent to it (its last seq)
  int64_t next_reconnect_us_ = 0;
  uint32_t next_victim_ = 0;
  size_t connecting_ = 0;
  SoakTotals totals_;
};

int64_t soak_now_us();
