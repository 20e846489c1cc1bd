// hostile_bytes_test.cpp: clients that send bytes no protocol allows, while a
// group chats in the lobby (hostile_support.h): random bytes before the
// handshake (RFC 9112 section 3, 400) and after it (RFC 6455 section 7.4.1
// close codes), frames cut short by a disconnect, and TCP resets in the middle
// of a frame, of a request head, and of a large pending output. Whatever the
// bytes, the server must answer or drop only the sender, and give back its
// descriptor.
//
// Left out: exhaustive byte-level coverage of the parsers, which belongs to
// the unit tests and the fuzz targets (tests/fuzz/); here the point is the
// server around them, under load.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "hostile_support.h"
#include "websocket/frame_writer.h"

namespace {

const uint8_t kMask[4] = {0xa1, 0xb2, 0xc3, 0xd4};

std::string random_bytes(std::mt19937* random, size_t count) {
  std::string bytes(count, '\0');
  for (char& byte : bytes) byte = static_cast<char>((*random)());
  return bytes;
}

TEST(HostileBytes, RandomBytesBeforeTheHandshakeAreAnswered400) {
  ServerUnderAttack scene;
  ASSERT_TRUE(scene.ready());
  const int kAttackers = 100;
  std::mt19937 random(1);  // fixed: a failure can be replayed
  std::vector<TestClient> attackers(kAttackers);
  for (TestClient& attacker : attackers) {
    ASSERT_TRUE(attacker.connect_tcp(scene.port()));
    // The blank line ends the head, so the server must judge it now.
    attacker.send_raw(random_bytes(&random, 512) + "\r\n\r\n");
  }
  std::map<int, int> statuses;
  for (TestClient& attacker : attackers) ++statuses[TestClient::status_of(attacker.read_http_response(3000))];
  EXPECT_EQ(statuses, (std::map<int, int>{{400, kAttackers}}));
  attackers.clear();
  EXPECT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  expect_group_unharmed(scene.group.finish());
}

TEST(HostileBytes, RandomBytesAfterTheHandshakeAreClosedWithAProtocolCode) {
  // Random frame headers mostly break a rule of section 5.2 (RSV bits, an
  // unknown opcode, no mask: 1002); the rest declare more than --max-message
  // (1009), carry text that is not UTF-8 (1007) or binary data on the chat
  // endpoint (1003).
  ServerUnderAttack scene({"--max-message", "1024"});
  ASSERT_TRUE(scene.ready());
  const int kAttackers = 100;
  std::vector<std::unique_ptr<TestClient>> attackers;
  ASSERT_TRUE(open_clients(scene.port(), kAttackers, &attackers));
  std::mt19937 random(2);
  for (auto& attacker : attackers) attacker->send_raw(random_bytes(&random, 1024));

  std::map<uint16_t, int> codes;
  int ended = 0;
  for (auto& attacker : attackers) {
    ++codes[attacker->read_close_code(3000)];
    if (attacker->wait_for_eof(3000)) ++ended;
  }
  std::string summary;
  for (const auto& [code, count] : codes) summary += " " + std::to_string(code) + ":" + std::to_string(count);
  std::printf("    random frames closed with (code:count)%s\n", summary.c_str());
  int protocol_codes = codes[close_code::kProtocolError] + codes[close_code::kMessageTooBig] +
                       codes[close_code::kInvalidPayload] + codes[close_code::kUnsupportedData];
  EXPECT_EQ(protocol_codes, kAttackers) << summary;
  EXPECT_EQ(ended, kAttackers);
  attackers.clear();
  EXPECT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  expect_group_unharmed(scene.group.finish());
}

// Beginnings of valid masked text frames, cut at every interesting place:
// inside the first two bytes, the extended length (16- and 64-bit forms),
// the mask key, and the payload; and a message's first fragment alone.
std::vector<std::string> cut_frames() {
  std::vector<std::string> cuts;
  const std::string small = encode_masked_frame(Opcode::Text, std::string(2000, 't'), kMask);  // header 8
  for (size_t cut : {1, 2, 3, 4, 6, 8, 9, 1000, 2007}) cuts.push_back(small.substr(0, cut));
  const std::string large = encode_masked_frame(Opcode::Text, std::string(70000, 't'), kMask);  // header 14
  for (size_t cut : {2, 5, 10, 13, 14, 35000, 70013}) cuts.push_back(large.substr(0, cut));
  cuts.push_back(encode_masked_frame(Opcode::Text, "first half", kMask, false));
  return cuts;
}

// Opens one chat client per cut frame (five rounds of them), sends each its
// bytes, then ends every connection with end_connection.
void send_cut_frames_then(ServerUnderAttack& scene, void (*end_connection)(TestClient&)) {
  const std::vector<std::string> cuts = cut_frames();
  std::vector<std::unique_ptr<TestClient>> attackers;
  ASSERT_TRUE(open_clients(scene.port(), static_cast<int>(cuts.size()) * 5, &attackers));
  for (size_t i = 0; i < attackers.size(); ++i) ASSERT_TRUE(attackers[i]->send_raw(cuts[i % cuts.size()]));
  for (auto& attacker : attackers) end_connection(*attacker);
}

TEST(HostileBytes, TruncatedFramesThenDisconnectFreeTheConnection) {
  ServerUnderAttack scene({"--max-message", "131072"});
  ASSERT_TRUE(scene.ready());
  send_cut_frames_then(scene, [](TestClient& client) { client.close_socket(); });
  EXPECT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  GroupReport report = scene.group.finish();
  expect_group_unharmed(report);
  EXPECT_EQ(report.other_messages, 0u);  // no cut frame was taken for a message
}

TEST(HostileBytes, ResetInTheMiddleOfAFrameFreesTheConnection) {
  ServerUnderAttack scene({"--max-message", "131072"});
  ASSERT_TRUE(scene.ready());
  send_cut_frames_then(scene, reset_connection);
  EXPECT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  GroupReport report = scene.group.finish();
  expect_group_unharmed(report);
  EXPECT_EQ(report.other_messages, 0u);
}

TEST(HostileBytes, ResetInTheMiddleOfARequestHeadFreesTheConnection) {
  ServerUnderAttack scene;
  ASSERT_TRUE(scene.ready());
  const std::string head =
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  std::vector<TestClient> attackers(100);
  for (size_t i = 0; i < attackers.size(); ++i) {
    ASSERT_TRUE(attackers[i].connect_tcp(scene.port()));
    ASSERT_TRUE(attackers[i].send_raw(head.substr(0, 1 + i * (head.size() - 2) / attackers.size())));
  }
  for (TestClient& attacker : attackers) reset_connection(attacker);
  EXPECT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  expect_group_unharmed(scene.group.finish());
}

TEST(HostileBytes, ResetWithOutputPendingFreesTheConnection) {
  // Echo clients that never read, under a cap high enough that the server is
  // still holding (and trying to write) their output when the reset comes.
  ServerUnderAttack scene({"--max-output", "67108864"});
  ASSERT_TRUE(scene.ready());
  std::vector<std::unique_ptr<TestClient>> attackers;
  ASSERT_TRUE(open_clients(scene.port(), 10, &attackers, "/echo"));
  const std::string message = encode_masked_frame(Opcode::Binary, std::string(60000, 'p'), kMask);
  std::string eight_mib;
  for (int i = 0; i < 140; ++i) eight_mib += message;
  for (auto& attacker : attackers) ASSERT_TRUE(attacker->send_raw(eight_mib));
  for (auto& attacker : attackers) reset_connection(*attacker);
  EXPECT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  expect_group_unharmed(scene.group.finish());
}

}  // namespace
