// hostile_tiny_frames_test.cpp: floods of the smallest frames a client can
// send, from a client that never reads, while a group chats in the lobby
// (hostile_support.h). Each frame asks for an answer of a couple of bytes,
// but every answer the server holds also costs it a queue entry and a heap
// block. The output cap (--max-output) must count what the server really
// holds, and pongs must not pile up: RFC 6455 section 5.5.3 lets an endpoint
// answer only the most recent of several pings, so a new ping replaces a
// pong that has not gone out yet.
//
// The bound checked: the server's peak resident memory (VmHWM) grows by at
// most 2 x --max-output + 1 MiB over what it was before the flood.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "hostile_support.h"
#include "websocket/frame_writer.h"

namespace {

constexpr size_t kMaxOutput = 1024 * 1024;
constexpr int kFrames = 500000;

// kFrames copies of one masked frame with an empty payload.
std::string flood_of(Opcode opcode) {
  const uint8_t mask[4] = {0x11, 0x22, 0x33, 0x44};
  std::string frame = encode_masked_frame(opcode, "", mask, true);
  std::string flood;
  flood.reserve(frame.size() * kFrames);
  for (int i = 0; i < kFrames; ++i) flood += frame;
  return flood;
}

// Sends the flood in 64 KiB writes until it is all out or the server has
// closed the connection; returns the bytes sent.
size_t send_flood(TestClient& attacker, const std::string& flood) {
  size_t sent = 0;
  const size_t kChunk = 64 * 1024;
  while (sent < flood.size()) {
    std::string_view chunk(flood.data() + sent, std::min(kChunk, flood.size() - sent));
    if (!attacker.send_raw(chunk)) break;
    sent += chunk.size();
  }
  return sent;
}

void expect_flood_closed_and_bounded(Opcode opcode, const char* what) {
  // A long close timeout keeps the closed attacker's socket open, so that it
  // can read its Close after the flood.
  ServerUnderAttack scene({"--max-output", std::to_string(kMaxOutput), "--close-timeout", "30"});
  ASSERT_TRUE(scene.ready());
  const std::string flood = flood_of(opcode);
  TestClient attacker;
  attacker.set_small_receive_buffer();  // 4 KiB, and it never reads
  ASSERT_TRUE(attacker.open(scene.port(), "/echo"));
  const long resident_before_kib = scene.server.resident_kib();

  size_t sent = send_flood(attacker, flood);
  // Let the server read what is still in flight.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long peak_kib = scene.server.peak_resident_kib();

  EXPECT_EQ(attacker.read_close_code(10000), close_code::kPolicyViolation);
  const long growth_kib = peak_kib - resident_before_kib;
  const long bound_kib = static_cast<long>((2 * kMaxOutput + 1024 * 1024) / 1024);
  std::printf("    %s: %zu of %zu bytes sent; server RSS %ld KiB before, peak %ld KiB (+%ld KiB, bound %ld KiB)%s\n",
              what, sent, flood.size(), resident_before_kib, peak_kib, growth_kib, bound_kib,
              chatd_is_sanitized() ? " (sanitized build: bound not checked)" : "");
  if (!chatd_is_sanitized()) {
    EXPECT_LE(growth_kib, bound_kib);
  }
  attacker.close_socket();
  expect_group_unharmed(scene.group.finish());
}

TEST(HostileTinyFrames, PingFloodFromAClientThatNeverReadsIsClosedWith1008AndStaysBounded) {
  expect_flood_closed_and_bounded(Opcode::Ping, "500,000 empty pings");
}

TEST(HostileTinyFrames, EmptyEchoFloodFromAClientThatNeverReadsIsClosedWith1008AndStaysBounded) {
  expect_flood_closed_and_bounded(Opcode::Text, "500,000 empty /echo messages");
}

}  // namespace
