// loadgen.h: chatd's WebSocket load generator, shared declarations.
//
// One parent process and one or more forked worker processes. The parent
// parses the options, measures the server from /proc (RSS, CPU time), tells
// the workers when to move from one phase to the next, merges their reports
// and prints one JSON line. Each worker runs its own epoll loop over a slice
// of the connections (RFC 6455 client side: handshake of section 4.1 with
// the Accept key checked, masked frames of 5.3, pongs for pings of 5.5.2).
//
// Phases, each with its own deadline so that a run always ends by itself:
//   connect  -> (pair, stranger mode only) -> run -> drain -> exit
//
// Files: loadgen_main.cpp (parent), loadgen_worker.cpp (the event loop),
// loadgen_client.cpp (handshake and frame bytes), loadgen_stats.cpp
// (latency histogram, /proc readers, the parent/worker line protocol).
//
// Deliberately left out: TLS, extensions (no permessage-deflate is offered),
// sending fragmented messages, and any scenario logic: the driver script
// tests/bench/run.sh turns scenarios into command-line options.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/* ===== Options ===== */

enum class ChatMode : uint8_t {
  Room,      // everyone is in one room (chatd's lobby, or a peer's single broadcast)
  Strangers  // chatd stranger mode: each client asks for a partner first
};

enum class SendPattern : uint8_t {
  Idle,        // connect, hold, measure memory; send nothing
  ClosedLoop,  // each sender keeps `window` messages in flight (until its own copy returns)
  FixedRate    // each sender sends `rate` messages per second
};

struct LoadOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  // --ports: several servers (chatd nodes sharing rooms through Redis).
  // Connection i goes to ports[i % n], so room senders, the lowest ids, are
  // spread over them too. Empty: everyone goes to `port`.
  std::vector<int> ports;
  std::string path = "/";
  std::string scenario = "custom";  // labels, copied into the JSON line
  std::string server = "server";
  int server_pid = 0;               // 0: no /proc measurements
  std::vector<int> more_server_pids; // --server-pid again: RSS and CPU summed over all
  int redis_pid = 0;                 // 0: none; else its CPU time over the run, apart

  size_t connections = 100;
  size_t senders = 1;  // Room mode: connections 0..senders-1 send; Strangers: every paired one
  // --room-size: connection id joins room "scale-<id / room_size>" after
  // its welcome in the lobby, so rooms of that size fill one after another.
  // Then --senders counts per room: members 0..senders-1 of each of the
  // first chatting_rooms rooms send. 0: everyone stays in the lobby.
  size_t room_size = 0;
  size_t chatting_rooms = 0;  // 0: every room chats
  ChatMode mode = ChatMode::Room;
  SendPattern pattern = SendPattern::ClosedLoop;
  size_t window = 8;
  double rate = 20;            // messages/s per sender (FixedRate)
  size_t message_bytes = 64;   // size of the text each sender puts in a message
  bool json_say = false;       // wrap texts in {"type":"say","text":...} (Strangers forces it)

  double duration_seconds = 10;
  double connect_timeout_seconds = 60;
  double pair_timeout_seconds = 20;
  double drain_timeout_seconds = 10;
  double quiet_seconds = 2;    // drain also ends after this long without a delivery
  double settle_seconds = 1;   // pause before the "after" memory reading
  double hold_seconds = 0;     // Idle: keep the connections open this long after measuring

  size_t workers = 0;                 // 0: as many as max_per_worker requires
  size_t max_per_worker = 10000;      // keeps each worker well under the 20,000-file limit
  size_t concurrency = 1000;          // handshakes in progress at once, over all workers
  size_t source_addresses = 16;       // bind to 127.0.0.first .. first+count-1
  size_t first_source_address = 1;
};

// Parses argv; prints usage and returns false on a bad option.
bool parse_load_options(int argc, char** argv, LoadOptions* options);

// The server port connection `id` connects to (see LoadOptions::ports).
inline int port_for_connection(const LoadOptions& options, size_t id) {
  return options.ports.empty() ? options.port : options.ports[id % options.ports.size()];
}

/* ===== Latency histogram ===== */

// Log-linear buckets over microseconds: exact below 128 us, then 64 buckets
// per power of two (at most 1.6% error) up to 2^40 us. 2,304 counters, so
// merging and shipping it between processes is cheap.
class LatencyHistogram {
 public:
  static constexpr size_t kBucketCount = 128 + 34 * 64;
  LatencyHistogram() : counts_(kBucketCount, 0) {}

  void record(uint64_t microseconds);
  void merge(const LatencyHistogram& other);
  uint64_t count() const { return total_; }
  uint64_t max() const { return max_; }
  // The upper edge of the bucket holding the given fraction (0.5, 0.99), capped at max().
  uint64_t percentile(double fraction) const;

  // "index:count,index:count" over the non-empty buckets, then ";max".
  std::string serialize() const;
  bool parse(std::string_view text);

 private:
  static size_t bucket_of(uint64_t value);
  static uint64_t bucket_upper_edge(size_t bucket);
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t max_ = 0;
};

/* ===== What a worker reports ===== */

struct WorkerReport {
  uint64_t connected = 0;
  uint64_t failed = 0;
  uint64_t connect_start_us = 0;  // CLOCK_MONOTONIC, comparable between processes
  uint64_t connect_end_us = 0;    // when the last handshake of this worker completed
  uint64_t paired = 0;
  uint64_t sent = 0;
  uint64_t delivered = 0;            // every copy of a load message received, drain included
  uint64_t delivered_in_window = 0;  // received between RUN and the end of the run
  uint64_t duplicates = 0;           // a sequence number not above the last one from that sender
  uint64_t gaps = 0;                 // sequence numbers skipped within a stream
  uint64_t closed_by_server = 0;     // Close frames received after the handshake
  uint64_t disconnected = 0;         // EOF or error without a Close frame
  uint64_t errors_received = 0;      // chatd {"type":"error"} messages
  uint64_t run_start_us = 0;
  uint64_t run_end_us = 0;
  uint64_t receivers = 0;            // connections open when the run started
  uint64_t cpu_us = 0;               // the worker's own CPU time from RUN to RESULT
  uint64_t pings = 0;                // Ping frames answered, any phase
  uint64_t expected = 0;             // --room-size: copies due, sum of sent x room size
  uint64_t senders = 0;              // connections that sent in the run
  LatencyHistogram latency;
};

// "KEY value KEY value ..." with the histogram last; one line.
std::string format_report(const WorkerReport& report);
bool parse_report(std::string_view line, WorkerReport* report);

/* ===== /proc readers ===== */

long read_rss_kb(int pid);             // VmRSS from /proc/PID/status, -1 when unreadable
long long read_cpu_us(int pid);        // utime + stime from /proc/PID/stat, -1 when unreadable
uint64_t monotonic_us();
uint64_t own_cpu_us();                 // this process's user + system time (getrusage)
// System-wide loss counters, to explain latency tails: TCP segments
// retransmitted (RetransSegs in /proc/net/snmp) and packets dropped because a
// CPU's input backlog was full (second column of /proc/net/softnet_stat; on
// loopback that queue is net.core.netdev_max_backlog packets long). -1 when
// unreadable.
long long read_tcp_retransmits();
long long read_softnet_drops();
// Kernel memory, apart from the processes': the "TCP: inuse" sockets and the
// "mem" pages of /proc/net/sockstat (socket buffers, in pages), and a
// /proc/meminfo field such as "Slab:" in kB (socket structures live in the
// slab). -1 when unreadable.
struct KernelMemory {
  long long tcp_inuse = -1;
  long long tcp_mem_pages = -1;
  long long slab_kb = -1;
};
KernelMemory read_kernel_memory();

// --room-size: the room connection id joins, its size, and whether it sends.
inline size_t room_of(const LoadOptions& options, size_t id) { return id / options.room_size; }
inline size_t members_of_room(const LoadOptions& options, size_t room) {
  size_t first = room * options.room_size;
  size_t left = options.connections > first ? options.connections - first : 0;
  return left < options.room_size ? left : options.room_size;
}
inline bool sends_in_rooms(const LoadOptions& options, size_t id) {
  size_t room = room_of(options, id);
  return (options.chatting_rooms == 0 || room < options.chatting_rooms) && id % options.room_size < options.senders;
}

/* ===== Client side of the WebSocket protocol (loadgen_client.cpp) ===== */

// The opening handshake request (RFC 6455 4.1) for a random 16-byte key.
std::string build_handshake_request(std::string_view host, int port, std::string_view path,
                                    std::string_view key_base64);

// Checks a complete response head (through the blank line): status 101,
// Upgrade: websocket, Connection: Upgrade and the expected
// Sec-WebSocket-Accept (4.1, the client's checks 1 to 4). Returns nullptr when
// it is acceptable, else what was wrong.
const char* check_handshake_response(std::string_view head, std::string_view expected_accept);

struct ServerFrame {
  bool fin = false;
  uint8_t opcode = 0;
  std::string_view payload;
};

// Parses one unmasked server frame from the front of data. Returns the bytes
// it spans, 0 when more bytes are needed, or -1 when the frame is invalid
// for a client to receive (masked, RSV bits set, length top bit set).
long parse_server_frame(std::string_view data, ServerFrame* frame);

// A load message's text: "L <sender> <seq> <send_us>" padded with 'x' to
// size bytes (never shorter than the numbers themselves).
std::string format_load_text(uint32_t sender, uint32_t sequence, uint64_t send_us, size_t size);

struct LoadMark {
  uint32_t sender = 0;
  uint32_t sequence = 0;
  uint64_t send_us = 0;
};

// Finds a load message in whatever the server sent: the payload itself
// ("L ...", peers that broadcast raw text) or the "text" field of a chatd
// message or stranger_message. Other chatd messages (welcome with its
// history, joined, presence) are not load messages and return false.
bool find_load_mark(std::string_view payload, LoadMark* mark);

// The "type" of a chatd JSON message when it comes first ("paired",
// "error"), or an empty view.
std::string_view chat_message_type(std::string_view payload);

/* ===== Worker (loadgen_worker.cpp) ===== */

// Runs worker `index` of `count`: owns connections whose id % count == index.
// Reads commands from command_fd, writes reports to report_fd. Returns the
// process exit status.
int run_worker(const LoadOptions& options, size_t index, size_t count, int command_fd, int report_fd);
