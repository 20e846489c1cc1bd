// hostile_flood_churn_test.cpp: clients that are too fast on purpose, while a
// group chats in the lobby (hostile_support.h): a flooder (rate limit, then
// 1008, docs/protocol.md), a burst from many senders at once, and tens of
// thousands of connections opened and dropped in every way a client can
// drop one, after which the server must hold exactly the descriptors and
// about the memory it held before.
//
// Left out: floods of new TCP connections that never send a byte (the
// handshake timeout and --max-connections cover them; see the slowloris test
// and http_endpoints_test.cpp).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "hostile_support.h"
#include "websocket/frame_writer.h"

namespace {

const uint8_t kMask[4] = {0x12, 0x34, 0x56, 0x78};

TEST(HostileFlood, FloodersAreRateLimitedThenClosedWith1008) {
  ServerUnderAttack scene;  // 200 messages/s, burst 200
  ASSERT_TRUE(scene.ready());
  const int kFlooders = 10;
  std::vector<std::unique_ptr<TestClient>> flooders;
  ASSERT_TRUE(open_clients(scene.port(), kFlooders, &flooders));
  // 20,000 messages each, in one write: as fast as a client can send.
  std::string flood;
  for (int i = 0; i < 20000; ++i) flood += encode_masked_frame(Opcode::Text, "spam", kMask);
  for (auto& flooder : flooders) flooder->send_raw(flood);  // may fail once the server has given up on it

  std::vector<std::string> errors;
  std::vector<uint16_t> codes;
  JsonValue reply;
  for (auto& flooder : flooders) {
    const std::string* code = flooder->read_until_type("error", &reply, 5000) ? reply.find_string("code") : nullptr;
    errors.push_back(code ? *code : "");
    codes.push_back(flooder->read_close_code(5000));
    EXPECT_TRUE(flooder->wait_for_eof(5000));
  }
  EXPECT_EQ(errors, std::vector<std::string>(kFlooders, "rate_limited"));
  EXPECT_EQ(codes, std::vector<uint16_t>(kFlooders, close_code::kPolicyViolation));
  flooders.clear();
  EXPECT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  expect_group_unharmed(scene.group.finish());
}

// Twenty senders each spend their whole burst (30 messages of 2 KB, within
// the rate limit) at the same moment: 1.2 MB for every member of the lobby,
// more than --max-output (1 MiB by default) if it all lands in one turn of
// the loop. The server is paused while the bursts are written so that it
// does. Members that read everything must not be taken for slow readers:
// --max-output is about a client that cannot keep up, and a fast reader
// empties its output as soon as the server writes it.
TEST(HostileFlood, BurstFromManySendersInOneTurnDoesNotCloseReadersThatKeepUp) {
  ServerUnderAttack scene({"--burst", "30"});
  ASSERT_TRUE(scene.ready());
  const int kSenders = 20;
  const int kBurst = 30;
  std::vector<std::unique_ptr<TestClient>> senders;
  ASSERT_TRUE(open_clients(scene.port(), kSenders, &senders));
  std::string burst;
  for (int i = 0; i < kBurst; ++i) burst += encode_masked_frame(Opcode::Text, std::string(2000, 'x'), kMask);

  ASSERT_EQ(kill(scene.server.pid(), SIGSTOP), 0);
  for (auto& sender : senders) sender->send_raw(burst);  // 60 KB: fits the socket buffers
  ASSERT_EQ(kill(scene.server.pid(), SIGCONT), 0);

  // Each sender reads everything (600 burst messages among the group's) and
  // none may be closed.
  std::vector<int> burst_copies(kSenders, 0);
  int closed = 0;
  const int64_t deadline_ms = monotonic_ms() + 5000;
  auto done = [&] { return closed + std::count(burst_copies.begin(), burst_copies.end(), kSenders * kBurst) == kSenders; };
  while (!done() && monotonic_ms() < deadline_ms) {
    for (int i = 0; i < kSenders; ++i) {
      if (senders[i]->fd() < 0) continue;
      bool ended = false;
      read_ready_frames(*senders[i], &ended, [&](const ReceivedFrame& frame) {
        if (frame.payload.find("\"text\":\"xxxx") != std::string::npos) ++burst_copies[i];
      });
      if (ended) {
        ++closed;
        senders[i]->close_socket();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(closed, 0);
  EXPECT_EQ(burst_copies, std::vector<int>(kSenders, kSenders * kBurst));
  expect_group_unharmed(scene.group.finish());
}

// One connect/handshake/close cycle ended in one of the ways a client ends a
// connection. Returns false when the handshake failed.
bool open_and_drop(int port, int way) {
  TestClient client;
  if (!client.open(port)) return false;
  JsonValue welcome;
  switch (way % 5) {
    case 0:  // read what arrived, then close: a FIN
      if (!client.read_until_type("welcome", &welcome)) return false;
      read_ready_frames(client);
      client.close_socket();
      return true;
    case 1:  // the closing handshake, to the end (RFC 6455 section 7)
      if (!client.read_until_type("welcome", &welcome)) return false;
      client.send_frame(Opcode::Close, encode_close_payload(close_code::kNormal, "bye"));
      return client.read_close_code() == close_code::kNormal && client.wait_for_eof();
    case 2:  // a Close, then gone without waiting for the answer
      client.send_frame(Opcode::Close, encode_close_payload(close_code::kGoingAway, ""));
      client.close_socket();
      return true;
    case 3:  // a reset
      reset_connection(client);
      return true;
    default:  // gone with the welcome unread (the kernel answers with a reset)
      client.close_socket();
      return true;
  }
}

TEST(HostileChurn, TwentyThousandConnectionsLeaveNoDescriptorOrMemoryBehind) {
  ServerUnderAttack scene;
  ASSERT_TRUE(scene.ready());
  const int kCycles = 20000;
  const int kHeld = 50;  // connections open at once, so descriptor numbers vary
  // Warm-up: the allocator reaches its working size before the baseline.
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(open_and_drop(scene.port(), i));
  ASSERT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  const long resident_before_kib = scene.server.resident_kib();

  int failed = 0, done = 0;
  const int64_t start_ms = monotonic_ms();
  std::vector<std::unique_ptr<TestClient>> held;
  for (int i = 0; i < kCycles && monotonic_ms() < start_ms + 60000; ++i, ++done) {
    if (i % 100 < kHeld) {
      // Half the cycles leave their connection open until the next hundred.
      auto client = std::make_unique<TestClient>();
      if (!client->open(scene.port())) ++failed;
      held.push_back(std::move(client));
      continue;
    }
    if (!open_and_drop(scene.port(), i)) ++failed;
    if (i % 100 == 99) {
      for (size_t k = 0; k < held.size(); ++k) {
        if (k % 2) reset_connection(*held[k]); else held[k]->close_socket();
      }
      held.clear();
    }
  }
  const int64_t elapsed_ms = monotonic_ms() - start_ms;
  held.clear();

  const int descriptors_after = wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000);
  const long resident_after_kib = scene.server.resident_kib();
  std::printf("    churn: %d cycles in %lld ms, %d failed; descriptors %d before, %d after; RSS %ld -> %ld KiB%s\n",
              done, static_cast<long long>(elapsed_ms), failed, scene.baseline_descriptors, descriptors_after,
              resident_before_kib, resident_after_kib,
              chatd_is_sanitized() ? " (sanitized build: bound not checked)" : "");
  EXPECT_EQ(done, kCycles);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(descriptors_after, scene.baseline_descriptors);
  if (!chatd_is_sanitized()) {
    EXPECT_LT(resident_after_kib - resident_before_kib, 2048);
  }
  expect_group_unharmed(scene.group.finish());
}

}  // namespace
