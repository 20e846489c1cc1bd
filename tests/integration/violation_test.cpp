// violation_test.cpp: what a client said before it broke the protocol still
// counts (RFC 6455 section 7.1.7, "fail the WebSocket connection": the bytes
// before the failure were valid and are not undone).
//
// Each test sends one or more valid messages and then a violation, in one
// write, byte by byte, or with several messages first. On /echo the client
// must get its echoes and then the close code; in a room the other member
// must get the messages, and the sender the close code. The violations are
// the ones the frame and message layers refuse: reserved bits and opcodes,
// a continuation with nothing to continue (1002), invalid UTF-8 (1007) and a
// message over --max-message (1009).
#include <gtest/gtest.h>

#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "websocket/frame_writer.h"

namespace {

struct Violation {
  const char* name;
  std::string bytes;  // a whole masked frame (or its header) that breaks a rule
  uint16_t close_code;
};

std::string masked(Opcode opcode, std::string_view payload, bool fin = true, uint8_t rsv = 0) {
  static std::mt19937 random(4242);
  uint8_t mask[4];
  for (uint8_t& byte : mask) byte = static_cast<uint8_t>(random());
  return encode_masked_frame(opcode, payload, mask, fin, rsv);
}

// A frame whose first byte (FIN, RSV and opcode) is given as is.
std::string frame_with_first_byte(uint8_t first_byte, std::string_view payload) {
  std::string frame = masked(Opcode::Text, payload);
  frame[0] = static_cast<char>(first_byte);
  return frame;
}

// gtest prints a parameter that fails; the name says enough.
void PrintTo(const Violation& violation, std::ostream* out) { *out << violation.name; }

std::vector<Violation> all_violations() {
  std::vector<Violation> list;
  list.push_back({"Rsv1", frame_with_first_byte(0x80 | 0x40 | 0x1, "x"), 1002});
  list.push_back({"Rsv2", frame_with_first_byte(0x80 | 0x20 | 0x1, "x"), 1002});
  list.push_back({"Rsv3", frame_with_first_byte(0x80 | 0x10 | 0x1, "x"), 1002});
  for (int opcode : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    list.push_back({"", frame_with_first_byte(static_cast<uint8_t>(0x80 | opcode), "x"), 1002});
  }
  list.push_back({"OrphanContinuation", masked(Opcode::Continuation, "x"), 1002});
  list.push_back({"InvalidUtf8", masked(Opcode::Text, "bad \xff byte"), 1007});
  list.push_back({"TooBig", masked(Opcode::Text, std::string(2000, 'z')), 1009});
  return list;
}

std::string name_of(const Violation& violation, size_t index) {
  if (violation.name[0] != '\0') return violation.name;
  return "ReservedOpcode" + std::to_string(static_cast<uint8_t>(violation.bytes[0]) & 0x0F) + "_" +
         std::to_string(index);
}

// How the bytes go out: all in one write, or one byte per write.
enum class Delivery { OneWrite, ByteByByte };

// Sends the messages' bytes and then the violation's. Byte by byte, the
// server may close before the violation's last bytes are out (a 1009 is
// decided on the header alone), so only the messages must go out.
bool send_bytes(TestClient& client, const std::string& bytes, size_t message_bytes, Delivery delivery) {
  if (delivery == Delivery::OneWrite) return client.send_raw(bytes);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (!client.send_raw(std::string_view(&bytes[i], 1))) return i >= message_bytes;
  }
  return true;
}

const std::vector<std::string> kOneMessage = {"before the violation"};
const std::vector<std::string> kThreeMessages = {"first", "second", "third"};

std::string messages(const std::vector<std::string>& texts) {
  std::string bytes;
  for (const std::string& text : texts) bytes += masked(Opcode::Text, text);
  return bytes;
}

bool send_messages_then(TestClient& client, const std::vector<std::string>& texts, const Violation& violation,
                        Delivery delivery) {
  std::string bytes = messages(texts);
  return send_bytes(client, bytes + violation.bytes, bytes.size(), delivery);
}

/* ===== /echo ===== */

// Every message is echoed, in order, and then the close code arrives.
void expect_echoes_then_close(int port, const std::vector<std::string>& texts, const Violation& violation,
                              Delivery delivery) {
  TestClient client;
  ASSERT_TRUE(client.open(port, "/echo"));
  ASSERT_TRUE(send_messages_then(client, texts, violation, delivery));
  for (const std::string& text : texts) {
    ReceivedFrame frame;
    ASSERT_TRUE(client.read_frame(&frame)) << "no echo of \"" << text << "\"";
    ASSERT_EQ(frame.opcode, Opcode::Text) << "expected the echo of \"" << text << "\", got a frame of opcode "
                                          << static_cast<int>(frame.opcode);
    EXPECT_EQ(frame.payload, text);
  }
  EXPECT_EQ(client.read_close_code(), violation.close_code);
  EXPECT_TRUE(client.wait_for_eof());
}

/* ===== A room ===== */

// The other member receives every message, in order; the sender is closed
// with the violation's code.
void expect_room_gets_messages_then_sender_closed(int port, const std::vector<std::string>& texts,
                                                  const Violation& violation, Delivery delivery) {
  TestClient sender, listener;
  JsonValue value;
  ASSERT_TRUE(sender.open(port));
  ASSERT_TRUE(sender.read_until_type("welcome", &value));
  ASSERT_TRUE(listener.open(port));
  ASSERT_TRUE(listener.read_until_type("welcome", &value));
  ASSERT_TRUE(sender.read_until_type("joined", &value));  // the listener, in the lobby

  ASSERT_TRUE(send_messages_then(sender, texts, violation, delivery));
  for (const std::string& text : texts) {
    ASSERT_TRUE(listener.read_until_type("message", &value)) << "the room never got \"" << text << "\"";
    const std::string* got = value.find_string("text");
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(*got, text);
  }
  EXPECT_EQ(sender.read_close_code(), violation.close_code);
  // And the room hears that the sender is gone, after its messages.
  ASSERT_TRUE(listener.read_until_type("left", &value));
}

class MessagesBeforeAViolation : public ::testing::TestWithParam<Violation> {
 protected:
  ChatdProcess server_{{"--max-message", "1024"}};
  void SetUp() override { ASSERT_TRUE(server_.started()); }
};

TEST_P(MessagesBeforeAViolation, AreEchoedBeforeTheCloseWhenSentInOneWrite) {
  expect_echoes_then_close(server_.port(), kOneMessage, GetParam(), Delivery::OneWrite);
}

TEST_P(MessagesBeforeAViolation, AreEchoedBeforeTheCloseWhenSentByteByByte) {
  expect_echoes_then_close(server_.port(), kOneMessage, GetParam(), Delivery::ByteByByte);
}

TEST_P(MessagesBeforeAViolation, AreAllEchoedInOrderWhenSeveralComeFirst) {
  expect_echoes_then_close(server_.port(), kThreeMessages, GetParam(), Delivery::OneWrite);
}

TEST_P(MessagesBeforeAViolation, ReachTheRoomWhenSentInOneWrite) {
  expect_room_gets_messages_then_sender_closed(server_.port(), kOneMessage, GetParam(), Delivery::OneWrite);
}

TEST_P(MessagesBeforeAViolation, ReachTheRoomWhenSentByteByByte) {
  expect_room_gets_messages_then_sender_closed(server_.port(), kOneMessage, GetParam(), Delivery::ByteByByte);
}

TEST_P(MessagesBeforeAViolation, AllReachTheRoomInOrderWhenSeveralComeFirst) {
  expect_room_gets_messages_then_sender_closed(server_.port(), kThreeMessages, GetParam(), Delivery::OneWrite);
}

INSTANTIATE_TEST_SUITE_P(EveryViolation, MessagesBeforeAViolation, ::testing::ValuesIn(all_violations()),
                         [](const ::testing::TestParamInfo<Violation>& info) {
                           return name_of(info.param, info.index);
                         });

// A message and the peer's Close in one write: the echo comes before the
// answering Close (section 5.5.1: data sent before a Close was sent while
// the connection was open).
TEST(MessagesBeforeAClose, AreEchoedBeforeTheAnsweringClose) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  TestClient client;
  ASSERT_TRUE(client.open(server.port(), "/echo"));
  ASSERT_TRUE(client.send_raw(masked(Opcode::Text, "last words") + masked(Opcode::Close, std::string("\x03\xe8", 2))));
  ReceivedFrame frame;
  ASSERT_TRUE(client.read_frame(&frame));
  ASSERT_EQ(frame.opcode, Opcode::Text);
  EXPECT_EQ(frame.payload, "last words");
  EXPECT_EQ(client.read_close_code(), 1000);
}

}  // namespace
