// hostile_slow_clients_test.cpp: clients that are too slow on purpose, while
// a group chats in the lobby (hostile_support.h): slowloris request heads
// (RFC 9110 section 15.5.9, 408), and readers that never read, whose output
// chatd caps (--max-output) and then closes with 1008 (RFC 6455 section
// 7.4.1, docs/protocol.md).
//
// Left out: slow writers of WebSocket frames (a frame trickled byte by byte
// is only an idle client to chatd; the idle timeout covers it).
#include <gtest/gtest.h>
#include <poll.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "hostile_support.h"

namespace {

// Reads from every client that has something to say, without waiting; for
// each that got its answer, records the HTTP status and when it came.
int collect_answers(std::vector<TestClient>& clients, const std::vector<int64_t>& connected_ms,
                    std::vector<int>* status, std::vector<int64_t>* answered_after_ms) {
  std::vector<pollfd> fds(clients.size());
  for (size_t i = 0; i < clients.size(); ++i) fds[i] = {(*status)[i] ? -1 : clients[i].fd(), POLLIN, 0};
  int answered = 0;
  if (poll(fds.data(), fds.size(), 10) <= 0) return 0;
  for (size_t i = 0; i < clients.size(); ++i) {
    if (fds[i].revents == 0) continue;
    (*answered_after_ms)[i] = monotonic_ms() - connected_ms[i];
    // The server shuts its side down right after the response, so this
    // read ends at the EOF that follows it.
    (*status)[i] = TestClient::status_of(clients[i].read_http_response(1000));
    if ((*status)[i] == 0) (*status)[i] = -1;  // answered with nothing: still counted
    ++answered;
  }
  return answered;
}

TEST(HostileSlowClients, SlowlorisHeadsAreAnswered408AtTheHandshakeTimeout) {
  ServerUnderAttack scene({"--handshake-timeout", "1"});
  ASSERT_TRUE(scene.ready());
  const int kAttackers = 300;
  const int64_t kTimeoutMs = 1000;
  // Never finished: after the head's start, the X-Slow value goes on forever.
  const std::string head = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nX-Slow: ";
  std::vector<TestClient> attackers(kAttackers);
  std::vector<int64_t> connected_ms(kAttackers);
  for (int i = 0; i < kAttackers; ++i) {
    ASSERT_TRUE(attackers[i].connect_tcp(scene.port())) << "attacker " << i;
    connected_ms[i] = monotonic_ms();
  }

  std::vector<int> status(kAttackers, 0);
  std::vector<int64_t> answered_after_ms(kAttackers, 0);
  int answered = 0;
  bool newcomer_served = false, newcomer_tried = false;
  const int64_t start_ms = monotonic_ms();
  for (size_t sent = 0; answered < kAttackers && monotonic_ms() < start_ms + 10000; ++sent) {
    // One more byte from every attacker still waiting, about every 10 ms.
    char byte = sent < head.size() ? head[sent] : 'a';
    for (int i = 0; i < kAttackers; ++i) {
      if (status[i] == 0) attackers[i].send_raw(std::string_view(&byte, 1));
    }
    answered += collect_answers(attackers, connected_ms, &status, &answered_after_ms);
    if (!newcomer_tried && monotonic_ms() > start_ms + kTimeoutMs / 2) {
      // Halfway through the attack an honest client must still get in.
      newcomer_tried = true;
      TestClient newcomer;
      JsonValue welcome;
      newcomer_served = newcomer.open(scene.port()) && newcomer.read_until_type("welcome", &welcome, 1000);
    }
  }

  int got_408 = 0;
  int64_t earliest_ms = 1 << 30, latest_ms = 0;
  for (int i = 0; i < kAttackers; ++i) {
    if (status[i] == 408) ++got_408;
    earliest_ms = std::min(earliest_ms, answered_after_ms[i]);
    latest_ms = std::max(latest_ms, answered_after_ms[i]);
  }
  std::printf("    slowloris: %d of %d answered 408, after %lld to %lld ms\n", got_408, kAttackers,
              static_cast<long long>(earliest_ms), static_cast<long long>(latest_ms));
  EXPECT_EQ(got_408, kAttackers);
  // Trickling bytes must not extend the deadline, nor may it fire early.
  EXPECT_GE(earliest_ms, kTimeoutMs - 50);
  EXPECT_LE(latest_ms, kTimeoutMs + 1500);
  EXPECT_TRUE(newcomer_served);

  for (TestClient& attacker : attackers) attacker.close_socket();
  EXPECT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  expect_group_unharmed(scene.group.finish());
}

TEST(HostileSlowClients, SlowChatReadersAreClosedWith1008WhileTheRoomChats) {
  // A blaster with no rate limit fills the lobby; forty members never read.
  // Their Close waits behind what the kernel holds for them, so the close
  // timeout is long enough for the test to read that far. (The readers keep
  // the default receive buffer: a tiny one makes loopback TCP crawl through
  // zero-window probes when the test finally reads.) The 256 KiB cap
  // leaves the group's members, which parse every message, room to fall
  // behind briefly on a slow machine.
  ServerUnderAttack scene(
      {"--max-output", "262144", "--rate", "100000", "--burst", "100000", "--close-timeout", "30"});
  ASSERT_TRUE(scene.ready());
  const int kSlowReaders = 40;
  std::vector<std::unique_ptr<TestClient>> slow_readers;
  JsonValue welcome;
  for (int i = 0; i < kSlowReaders; ++i) {
    auto reader = std::make_unique<TestClient>();
    ASSERT_TRUE(reader->open(scene.port()));
    ASSERT_TRUE(reader->read_until_type("welcome", &welcome));
    slow_readers.push_back(std::move(reader));
  }
  TestClient blaster;
  ASSERT_TRUE(blaster.open(scene.port()));
  ASSERT_TRUE(blaster.read_until_type("welcome", &welcome));
  const long resident_before_kib = scene.server.resident_kib();

  // Messages of 3 KB to every member, more than a slow reader's 256 KiB of
  // output plus what the kernel buffers for it (about 6 MiB: 2,500
  // messages). The blaster keeps at most 8 messages in flight, waiting for
  // its own copies, so it is never a slow reader itself and never queues
  // more than 24 KB in one turn.
  const std::string text(3000, 'b');
  const int kMessages = static_cast<int>((bytes_a_silent_reader_absorbs() + 2 * 262144) / text.size());
  const int kWindow = 8;
  int sent = 0, echoed = 0;
  ReceivedFrame frame;
  const int64_t deadline_ms = monotonic_ms() + 20000;
  while (echoed < kMessages && monotonic_ms() < deadline_ms) {
    while (sent < kMessages && sent - echoed < kWindow && blaster.send_text(text)) ++sent;
    if (!blaster.read_frame(&frame, 2000) || frame.opcode == Opcode::Close) break;
    if (frame.payload.find("\"text\":\"bbb") != std::string::npos) ++echoed;
  }
  EXPECT_EQ(echoed, kMessages);
  const long resident_stuck_kib = scene.server.resident_kib();

  std::vector<uint16_t> codes;
  for (auto& reader : slow_readers) codes.push_back(reader->read_close_code(5000));
  EXPECT_EQ(codes, std::vector<uint16_t>(kSlowReaders, close_code::kPolicyViolation));
  for (auto& reader : slow_readers) EXPECT_TRUE(reader->wait_for_eof(3000));

  slow_readers.clear();
  blaster.close_socket();
  EXPECT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  const long resident_after_kib = scene.server.resident_kib();
  std::printf("    slow chat readers: server RSS %ld KiB before, %ld KiB with %d readers stuck, %ld KiB after%s\n",
              resident_before_kib, resident_stuck_kib, kSlowReaders, resident_after_kib,
              chatd_is_sanitized() ? " (sanitized build: bound not checked)" : "");
  // Broadcast frames are shared, so 40 capped readers cost little: allow
  // the allocator some slack and no more.
  if (!chatd_is_sanitized()) {
    EXPECT_LT(resident_stuck_kib - resident_before_kib, 16 * 1024);
  }
  expect_group_unharmed(scene.group.finish());
}

TEST(HostileSlowClients, SlowEchoReadersAreClosedWith1008AndServerMemoryStaysBounded) {
  // Echo output is one copy per client, never shared: without the cap the
  // server would hold what the kernel does not, about 40 x 2 MiB. The close
  // timeout is long so that the readers' buffered bytes are still there when
  // the test reads them.
  ServerUnderAttack scene({"--max-output", "65536", "--close-timeout", "30"});
  ASSERT_TRUE(scene.ready());
  const int kSlowReaders = 40;
  // Messages of 4,000 bytes, more than the cap plus the kernel's buffers
  // (about 6 MiB each: 1,600 messages).
  const std::string text(4000, 'e');
  const int kMessagesEach = static_cast<int>((bytes_a_silent_reader_absorbs() + 2 * 65536) / text.size());
  std::vector<std::unique_ptr<TestClient>> slow_readers;
  for (int i = 0; i < kSlowReaders; ++i) {
    auto reader = std::make_unique<TestClient>();
    ASSERT_TRUE(reader->open(scene.port(), "/echo"));
    slow_readers.push_back(std::move(reader));
  }
  const long resident_before_kib = scene.server.resident_kib();

  for (auto& reader : slow_readers) {
    // Once closed, the server discards what it reads; a send may fail when
    // the connection is gone, which is fine too.
    for (int m = 0; m < kMessagesEach && reader->send_text(text); ++m) {
    }
  }
  const long resident_stuck_kib = scene.server.resident_kib();

  std::vector<uint16_t> codes;
  for (auto& reader : slow_readers) codes.push_back(reader->read_close_code(5000));
  EXPECT_EQ(codes, std::vector<uint16_t>(kSlowReaders, close_code::kPolicyViolation));
  slow_readers.clear();
  EXPECT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  const long resident_after_kib = scene.server.resident_kib();

  std::printf("    slow echo readers: server RSS %ld KiB before, %ld KiB with %d readers stuck, %ld KiB after%s\n",
              resident_before_kib, resident_stuck_kib, kSlowReaders, resident_after_kib,
              chatd_is_sanitized() ? " (sanitized build: bound not checked)" : "");
  // 40 x 64 KiB of capped output is 2.5 MiB; allow for the allocator.
  if (!chatd_is_sanitized()) {
    EXPECT_LT(resident_stuck_kib - resident_before_kib, 16 * 1024);
    EXPECT_LT(resident_after_kib - resident_before_kib, 16 * 1024);
  }
  expect_group_unharmed(scene.group.finish());
}

}  // namespace
