// hostile_group.h: the well-behaved side of the hostile-client tests
// (hostile_*_test.cpp, issue 6).
//
// Every hostile scenario runs against a chatd whose lobby is busy: a
// ChattingGroup of a few clients, driven by one background thread, sends a
// numbered message from every member every 20 ms and reads everything the
// server sends. When the scenario is over, the group stops sending, waits for
// the last messages to arrive, and reports what it saw: per-sender sequence
// gaps, room `seq` gaps (docs/protocol.md: `seq` rises by exactly one on a
// connection that stays in the room), messages missing, and the latency from
// send to receipt. A server that lets an attacker hurt its other users fails
// here even when the attacker itself is handled correctly.
//
// Threads: the group's thread touches only the group's own TestClients, and
// only through calls that share no state with other TestClients (send_raw,
// read_frame), so the test's thread may use the harness freely meanwhile.
//
// Left out: members that join or leave mid-scenario (the soak test does
// that), and rooms other than the lobby (the attackers land in the lobby, so
// that is where they can do the most harm).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

/* ===== What the group saw ===== */

struct GroupReport {
  int members = 0;
  uint64_t sent = 0;            // messages sent by all members
  uint64_t delivered = 0;       // copies received, over all members (sent * members when all is well)
  uint64_t missing = 0;         // copies never received
  uint64_t out_of_order = 0;    // a member's message arriving with a sequence other than the next
  uint64_t room_seq_gaps = 0;   // room `seq` not one above the previous message's
  uint64_t other_messages = 0;  // room messages from others (attackers), over all members
  int64_t p99_latency_us = 0;
  int64_t max_latency_us = 0;
  std::string failure;          // first thing that went wrong (a Close, an EOF), or empty
};

// The bound on latency the group must stay under. Loose enough for a loaded
// 2-core CI machine; an attacker that stalls the loop even briefly blows it.
constexpr int64_t kGroupMaxLatencyUs = 500 * 1000;

/* ===== The group ===== */

class ChattingGroup {
 public:
  static constexpr int kMembers = 5;
  static constexpr int kSendIntervalMs = 20;

  ChattingGroup() = default;
  ~ChattingGroup();
  ChattingGroup(const ChattingGroup&) = delete;
  ChattingGroup& operator=(const ChattingGroup&) = delete;

  // Opens the members on port, waits for every welcome, and starts the
  // thread. False when a member could not connect.
  bool start(int port);
  // Waits (up to timeout_ms) until the group has sent `rounds` more rounds.
  // Whatever reached the room before the call is then ahead of messages
  // that finish() waits for, so the group is sure to have read it.
  bool wait_for_rounds(int rounds, int timeout_ms = 3000);
  // Stops sending, waits up to drain_ms for every message to reach every
  // member, stops the thread and returns what it saw. Call once.
  GroupReport finish(int drain_ms = 5000);

 private:
  struct Member {
    TestClient client;
    std::vector<uint64_t> received_from;  // per sender: messages received
    std::vector<uint64_t> next_from;      // per sender: the sequence expected next
    double last_room_seq = 0;             // 0 until the first room message
    bool gone = false;                    // closed by the server, or EOF
  };

  void run();
  void send_round();
  void read_member(int index);
  void handle_frame(int index, const ReceivedFrame& frame);
  void fail(int index, const std::string& what);
  bool everything_delivered() const;
  void send_frame(int index, Opcode opcode, const std::string& payload);

  std::vector<std::unique_ptr<Member>> members_;
  std::vector<uint64_t> sent_by_;  // per member: messages sent (sequences 1..n)
  std::vector<int64_t> latencies_us_;
  GroupReport report_;
  std::mt19937 mask_random_{2024};  // the group's own, so no state is shared with the harness
  std::thread thread_;
  std::atomic<bool> stop_sending_{false};
  std::atomic<int> drain_ms_{0};
  std::atomic<uint64_t> rounds_sent_{0};
};

// EXPECTs that the group received every message, in order, fast, and that
// no member was disconnected.
void expect_group_unharmed(const GroupReport& report);
