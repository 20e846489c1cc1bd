// hostile_group.cpp: see hostile_group.h.
#include "hostile_group.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "websocket/frame_writer.h"

namespace {

int64_t monotonic_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A group message's text: "w <member> <sequence> <send time in us>". Plain
// text, so chatd takes it as a say (docs/protocol.md).
std::string group_text(int member, uint64_t sequence, int64_t send_us) {
  return "w " + std::to_string(member) + " " + std::to_string(sequence) + " " + std::to_string(send_us);
}

// The group reads every message the room carries, thousands a second when a
// test blasts the room, so it does not build a JSON tree for each. This
// relies on two facts: chatd writes "type" first (docs/protocol.md), and a
// quoted key such as "seq": cannot occur inside a string value, where
// quotes are escaped.
bool is_room_message(std::string_view json) { return json.compare(0, 17, "{\"type\":\"message\"") == 0; }

double number_field(std::string_view json, std::string_view key) {
  std::string pattern = "\"" + std::string(key) + "\":";
  size_t at = json.find(pattern);
  if (at == std::string_view::npos) return -1;
  std::string digits(json.substr(at + pattern.size(), 24));
  return std::strtod(digits.c_str(), nullptr);
}

// The "text" value when it is a group text (which has no escapes), else "".
std::string group_text_field(std::string_view json) {
  static const std::string_view pattern = "\"text\":\"w ";
  size_t at = json.find(pattern);
  if (at == std::string_view::npos) return "";
  size_t begin = at + pattern.size() - 2;
  size_t end = json.find('"', begin);
  return end == std::string_view::npos ? "" : std::string(json.substr(begin, end - begin));
}

bool parse_group_text(const std::string& text, int* member, uint64_t* sequence, int64_t* send_us) {
  if (text.compare(0, 2, "w ") != 0) return false;
  char* end = nullptr;
  *member = static_cast<int>(std::strtol(text.c_str() + 2, &end, 10));
  *sequence = std::strtoull(end, &end, 10);
  *send_us = std::strtoll(end, &end, 10);
  return *end == '\0';
}

}  // namespace

/* ===== ChattingGroup ===== */

ChattingGroup::~ChattingGroup() {
  if (thread_.joinable()) {
    drain_ms_ = 0;
    stop_sending_ = true;
    thread_.join();
  }
}

bool ChattingGroup::start(int port) {
  JsonValue welcome;
  for (int i = 0; i < kMembers; ++i) {
    auto member = std::make_unique<Member>();
    if (!member->client.open(port) || !member->client.read_until_type("welcome", &welcome)) return false;
    // A server that stops reading must fail the group, not hang its thread.
    timeval send_timeout{2, 0};
    setsockopt(member->client.fd(), SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    member->received_from.assign(kMembers, 0);
    member->next_from.assign(kMembers, 1);
    members_.push_back(std::move(member));
  }
  sent_by_.assign(kMembers, 0);
  report_.members = kMembers;
  thread_ = std::thread([this] { run(); });
  return true;
}

GroupReport ChattingGroup::finish(int drain_ms) {
  drain_ms_ = drain_ms;
  stop_sending_ = true;
  if (thread_.joinable()) thread_.join();
  for (const auto& member : members_) {
    for (int sender = 0; sender < kMembers; ++sender) {
      report_.delivered += member->received_from[sender];
      if (member->received_from[sender] < sent_by_[sender]) {
        report_.missing += sent_by_[sender] - member->received_from[sender];
      }
    }
  }
  for (uint64_t sent : sent_by_) report_.sent += sent;
  if (!latencies_us_.empty()) {
    std::sort(latencies_us_.begin(), latencies_us_.end());
    report_.max_latency_us = latencies_us_.back();
    report_.p99_latency_us = latencies_us_[latencies_us_.size() * 99 / 100];
  }
  return report_;
}

// The thread: send a round every kSendIntervalMs, read whatever arrives in
// between; after stop_sending_, only read, until everything has arrived or
// the drain time is up.
void ChattingGroup::run() {
  int64_t next_send_us = monotonic_us();
  int64_t drain_deadline_us = -1;
  std::vector<pollfd> fds(members_.size());
  for (;;) {
    int64_t now = monotonic_us();
    if (drain_deadline_us < 0 && stop_sending_) drain_deadline_us = now + int64_t{drain_ms_} * 1000;
    if (drain_deadline_us >= 0 && (everything_delivered() || now >= drain_deadline_us)) return;
    if (drain_deadline_us < 0 && now >= next_send_us) {
      send_round();
      // A late round is not made up with a burst: the pace stays steady.
      next_send_us = std::max(next_send_us + int64_t{kSendIntervalMs} * 1000, now);
    }
    int timeout_ms = drain_deadline_us < 0 ? static_cast<int>((next_send_us - now) / 1000) : 10;
    for (size_t i = 0; i < members_.size(); ++i) {
      fds[i] = {members_[i]->gone ? -1 : members_[i]->client.fd(), POLLIN, 0};
    }
    if (poll(fds.data(), fds.size(), std::clamp(timeout_ms, 0, 10)) <= 0) continue;
    for (size_t i = 0; i < members_.size(); ++i) {
      if (fds[i].revents != 0) read_member(static_cast<int>(i));
    }
  }
}

void ChattingGroup::send_round() {
  for (int i = 0; i < kMembers; ++i) {
    if (members_[i]->gone) continue;
    uint64_t sequence = sent_by_[i] + 1;
    send_frame(i, Opcode::Text, group_text(i, sequence, monotonic_us()));
    if (!members_[i]->gone) sent_by_[i] = sequence;
  }
  ++rounds_sent_;
}

bool ChattingGroup::wait_for_rounds(int rounds, int timeout_ms) {
  const uint64_t target = rounds_sent_ + static_cast<uint64_t>(rounds);
  const int64_t deadline_us = monotonic_us() + int64_t{timeout_ms} * 1000;
  while (rounds_sent_ < target && monotonic_us() < deadline_us) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return rounds_sent_ >= target;
}

void ChattingGroup::send_frame(int index, Opcode opcode, const std::string& payload) {
  uint8_t mask[4];
  for (uint8_t& byte : mask) byte = static_cast<uint8_t>(mask_random_());
  if (!members_[index]->client.send_raw(encode_masked_frame(opcode, payload, mask))) {
    fail(index, "send failed");
  }
}

void ChattingGroup::read_member(int index) {
  Member& member = *members_[index];
  ReceivedFrame frame;
  // The poll said readable: one read with a short wait, then every frame
  // that one read completed, without waiting again.
  bool got_any = false;
  for (bool got = member.client.read_frame(&frame, 1); got && !member.gone; got = member.client.read_frame(&frame, 0)) {
    got_any = true;
    handle_frame(index, frame);
  }
  char byte;
  if (!got_any && !member.gone && recv(member.client.fd(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0) {
    fail(index, "connection ended without a Close");
  }
}

void ChattingGroup::handle_frame(int index, const ReceivedFrame& frame) {
  Member& member = *members_[index];
  if (frame.opcode == Opcode::Ping) {
    send_frame(index, Opcode::Pong, frame.payload);
    return;
  }
  if (frame.opcode == Opcode::Close) {
    fail(index, "closed by the server with " + std::to_string(frame.close_code()));
    return;
  }
  if (frame.opcode != Opcode::Text) return;
  if (!is_room_message(frame.payload)) return;  // joined, left, presence...
  double seq = number_field(frame.payload, "seq");
  if (member.last_room_seq != 0 && seq != member.last_room_seq + 1) ++report_.room_seq_gaps;
  member.last_room_seq = seq;

  int sender = 0;
  uint64_t sequence = 0;
  int64_t send_us = 0;
  if (!parse_group_text(group_text_field(frame.payload), &sender, &sequence, &send_us) || sender < 0 ||
      sender >= kMembers) {
    ++report_.other_messages;  // an attacker's: it only had to keep the room's order
    return;
  }
  latencies_us_.push_back(monotonic_us() - send_us);
  if (sequence != member.next_from[sender]) ++report_.out_of_order;
  member.next_from[sender] = sequence + 1;
  ++member.received_from[sender];
}

void ChattingGroup::fail(int index, const std::string& what) {
  members_[index]->gone = true;
  if (report_.failure.empty()) report_.failure = "member " + std::to_string(index) + ": " + what;
}

bool ChattingGroup::everything_delivered() const {
  for (const auto& member : members_) {
    if (member->gone) continue;
    for (int sender = 0; sender < kMembers; ++sender) {
      if (member->received_from[sender] < sent_by_[sender]) return false;
    }
  }
  return true;
}

void expect_group_unharmed(const GroupReport& report) {
  EXPECT_EQ(report.failure, "");
  EXPECT_GT(report.sent, 0u);
  EXPECT_EQ(report.delivered, report.sent * report.members);
  EXPECT_EQ(report.missing, 0u);
  EXPECT_EQ(report.out_of_order, 0u);
  EXPECT_EQ(report.room_seq_gaps, 0u);
  EXPECT_LT(report.max_latency_us, kGroupMaxLatencyUs);
  std::printf("    group: %llu sent, %llu delivered, %llu missing, p99 %.1f ms, max %.1f ms\n",
              static_cast<unsigned long long>(report.sent), static_cast<unsigned long long>(report.delivered),
              static_cast<unsigned long long>(report.missing), report.p99_latency_us / 1000.0,
              report.max_latency_us / 1000.0);
}
