// hostile_protocol_test.cpp: each rule a client can break, and the exact
// status or close code it earns, with twenty offenders at once while a group
// chats in the lobby (hostile_support.h): oversize heads (431, RFC 6585
// section 5), oversize messages (1009), invalid UTF-8 split across fragments
// (1007, RFC 6455 section 8.1), unmasked frames (1002, section 5.1) and bad
// close codes (1002, section 7.4). The single-client versions of some of
// these live in http_endpoints_test.cpp and websocket_test.cpp; here the
// point is that the answer stays exact under load and harms no one else.
//
// Left out: rules the parsers' unit tests cover byte by byte (RSV bits,
// opcodes, control frame sizes), which need no load to be interesting.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "hostile_support.h"
#include "websocket/frame_writer.h"

namespace {

const uint8_t kMask[4] = {0x0f, 0xf0, 0x5a, 0xa5};
const int kOffenders = 20;

std::string masked(Opcode opcode, std::string_view payload, bool fin = true) {
  return encode_masked_frame(opcode, payload, kMask, fin);
}

// Opens one chat client per offence (each offence repeated until there are
// kOffenders clients), sends all of them their bytes, and returns the close
// code each one received (0: none), in order. Every offender must also see
// the server close the TCP connection.
std::vector<uint16_t> close_codes_for(int port, const std::vector<std::string>& offences) {
  std::vector<std::unique_ptr<TestClient>> offenders;
  if (!open_clients(port, kOffenders, &offenders)) return {};
  for (size_t i = 0; i < offenders.size(); ++i) offenders[i]->send_raw(offences[i % offences.size()]);
  std::vector<uint16_t> codes;
  for (auto& offender : offenders) {
    codes.push_back(offender->read_close_code(3000));
    EXPECT_TRUE(offender->wait_for_eof(3000));
  }
  return codes;
}

// The HTTP status each of kOffenders raw connections gets for request.
std::vector<int> statuses_for(int port, const std::string& request) {
  std::vector<TestClient> offenders(kOffenders);
  for (TestClient& offender : offenders) {
    if (!offender.connect_tcp(port)) return {};
    offender.send_raw(request);
  }
  std::vector<int> statuses;
  for (TestClient& offender : offenders) statuses.push_back(TestClient::status_of(offender.read_http_response(3000)));
  return statuses;
}

const std::string kUpgradeHead =
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

void expect_clean_finish(ServerUnderAttack& scene) {
  EXPECT_EQ(wait_for_descriptors(scene.server, scene.baseline_descriptors, 5000), scene.baseline_descriptors);
  expect_group_unharmed(scene.group.finish());
}

TEST(HostileProtocol, OversizeRequestHeadIsAnswered431) {
  ServerUnderAttack scene;
  ASSERT_TRUE(scene.ready());
  std::string request = kUpgradeHead + "X-Filler: " + std::string(9000, 'a') + "\r\n\r\n";  // over 8 KiB
  EXPECT_EQ(statuses_for(scene.port(), request), std::vector<int>(kOffenders, 431));
  expect_clean_finish(scene);
}

TEST(HostileProtocol, TooManyHeaderFieldsAreAnswered431) {
  ServerUnderAttack scene;
  ASSERT_TRUE(scene.ready());
  std::string request = kUpgradeHead;
  for (int i = 0; i < 70; ++i) request += "X-" + std::to_string(i) + ": 1\r\n";  // over 64 fields
  EXPECT_EQ(statuses_for(scene.port(), request + "\r\n"), std::vector<int>(kOffenders, 431));
  expect_clean_finish(scene);
}

TEST(HostileProtocol, OversizeFrameIsClosedWith1009) {
  ServerUnderAttack scene({"--max-message", "4096"});
  ASSERT_TRUE(scene.ready());
  EXPECT_EQ(close_codes_for(scene.port(), {masked(Opcode::Text, std::string(4097, 'x'))}),
            std::vector<uint16_t>(kOffenders, close_code::kMessageTooBig));
  expect_clean_finish(scene);
}

TEST(HostileProtocol, OversizeFragmentedMessageIsClosedWith1009) {
  // Every fragment is small; the message they add up to is not.
  ServerUnderAttack scene({"--max-message", "4096"});
  ASSERT_TRUE(scene.ready());
  std::string fragments = masked(Opcode::Text, std::string(2000, 'x'), false) +
                          masked(Opcode::Continuation, std::string(2000, 'x'), false) +
                          masked(Opcode::Continuation, std::string(2000, 'x'), true);
  EXPECT_EQ(close_codes_for(scene.port(), {fragments}), std::vector<uint16_t>(kOffenders, close_code::kMessageTooBig));
  expect_clean_finish(scene);
}

TEST(HostileProtocol, HugeDeclaredLengthIsClosedWith1009BeforeAnyPayload) {
  // A header that promises 1 TiB (64-bit length form, section 5.2) and no
  // payload: the server must refuse it on the header alone.
  ServerUnderAttack scene({"--max-message", "4096"});
  ASSERT_TRUE(scene.ready());
  EXPECT_EQ(close_codes_for(scene.port(), {masked_frame_header(0x81, uint64_t{1} << 40, kMask)}),
            std::vector<uint16_t>(kOffenders, close_code::kMessageTooBig));
  expect_clean_finish(scene);
}

TEST(HostileProtocol, InvalidUtf8SplitAcrossFragmentsIsClosedWith1007) {
  ServerUnderAttack scene;
  ASSERT_TRUE(scene.ready());
  const std::vector<std::string> offences = {
      // 0xCE opens a 2-byte sequence; 'A' in the next fragment cannot continue it.
      masked(Opcode::Text, "ok \xce", false) + masked(Opcode::Continuation, "A"),
      // A 4-byte sequence cut over three fragments, then broken.
      masked(Opcode::Text, "\xf0\x9f", false) + masked(Opcode::Continuation, "\x98", false) +
          masked(Opcode::Continuation, "A"),
      // An encoded surrogate (U+D800), split after its first byte.
      masked(Opcode::Text, "\xed", false) + masked(Opcode::Continuation, "\xa0\x80"),
      // An overlong encoding of '/', split in the middle.
      masked(Opcode::Text, "\xc0", false) + masked(Opcode::Continuation, "\xaf"),
      // Valid fragments, but the message ends inside a code point.
      masked(Opcode::Text, "euro \xe2", false) + masked(Opcode::Continuation, "\x82"),
  };
  EXPECT_EQ(close_codes_for(scene.port(), offences), std::vector<uint16_t>(kOffenders, close_code::kInvalidPayload));
  expect_clean_finish(scene);
}

TEST(HostileProtocol, ValidUtf8SplitAcrossFragmentsReachesTheRoom) {
  // The counterpart of the test above: a code point split over fragments is
  // fine, and the message goes out whole.
  ServerUnderAttack scene;
  ASSERT_TRUE(scene.ready());
  TestClient sender;
  JsonValue message;
  ASSERT_TRUE(sender.open(scene.port()));
  ASSERT_TRUE(sender.read_until_type("welcome", &message));
  ASSERT_TRUE(sender.send_raw(masked(Opcode::Text, "price: \xe2", false) + masked(Opcode::Continuation, "\x82", false) +
                              masked(Opcode::Continuation, "\xac 5")));
  bool found = false;
  while (!found && sender.read_until_type("message", &message)) found = *message.find_string("text") == "price: \u20ac 5";
  EXPECT_TRUE(found);
  sender.close_socket();
  EXPECT_TRUE(scene.group.wait_for_rounds(2));
  GroupReport report = scene.group.finish();
  expect_group_unharmed(report);
  EXPECT_EQ(report.other_messages, static_cast<uint64_t>(ChattingGroup::kMembers));  // each member saw it once
}

TEST(HostileProtocol, UnmaskedFramesAreClosedWith1002) {
  ServerUnderAttack scene;
  ASSERT_TRUE(scene.ready());
  const std::vector<std::string> offences = {
      encode_frame(Opcode::Text, "hi"),
      encode_frame(Opcode::Ping, "anyone?"),
      encode_frame(Opcode::Close, encode_close_payload(close_code::kNormal, "")),
      masked(Opcode::Text, "first", false) + encode_frame(Opcode::Continuation, "second"),
  };
  EXPECT_EQ(close_codes_for(scene.port(), offences), std::vector<uint16_t>(kOffenders, close_code::kProtocolError));
  expect_clean_finish(scene);
}

TEST(HostileProtocol, BadCloseCodesAreClosedWith1002) {
  ServerUnderAttack scene;
  ASSERT_TRUE(scene.ready());
  std::vector<std::string> offences;
  // Section 7.4: below 1000, reserved (1004), never on the wire (1005, 1006,
  // 1015), unassigned by the RFC (1016-2999) and beyond 4999.
  for (uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    offences.push_back(masked(Opcode::Close, encode_close_payload(code, "")));
  }
  offences.push_back(masked(Opcode::Close, std::string(1, '\x03')));  // a code cut to one byte (5.5.1)
  EXPECT_EQ(close_codes_for(scene.port(), offences), std::vector<uint16_t>(kOffenders, close_code::kProtocolError));
  expect_clean_finish(scene);
}

}  // namespace
