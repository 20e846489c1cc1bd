// websocket_test.cpp: RFC 6455 behaviour of a running chatd: close codes for
// bad frames, the echo endpoint, the closing handshake, idle pings, and
// shutdown on SIGTERM.
#include <gtest/gtest.h>
#include <unistd.h>
#include <poll.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include <string>
#include <vector>

#include "base/clock.h"
#include "harness.h"
#include "websocket/frame_writer.h"

namespace {

class WebSocket : public ::testing::Test {
 protected:
  ChatdProcess server_{{"--max-message", "1024"}};
  TestClient client_;
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    ASSERT_TRUE(client_.open(server_.port(), "/echo"));
  }
};

TEST_F(WebSocket, EchoReturnsTextAsText) {
  ASSERT_TRUE(client_.send_text("hello, echo"));
  ReceivedFrame frame;
  ASSERT_TRUE(client_.read_frame(&frame));
  EXPECT_EQ(frame.opcode, Opcode::Text);
  EXPECT_EQ(frame.payload, "hello, echo");
}

TEST_F(WebSocket, EchoReturnsBinaryAsBinary) {
  std::string bytes("\x00\xff\x10zz", 5);
  ASSERT_TRUE(client_.send_frame(Opcode::Binary, bytes));
  ReceivedFrame frame;
  ASSERT_TRUE(client_.read_frame(&frame));
  EXPECT_EQ(frame.opcode, Opcode::Binary);
  EXPECT_EQ(frame.payload, bytes);
}

TEST_F(WebSocket, EchoReassemblesFragmentsWithAPingBetween) {
  ASSERT_TRUE(client_.send_frame(Opcode::Text, "Hel", false));
  ASSERT_TRUE(client_.send_frame(Opcode::Ping, "are you there"));
  ASSERT_TRUE(client_.send_frame(Opcode::Continuation, "lo", true));
  ReceivedFrame pong, message;
  ASSERT_TRUE(client_.read_frame(&pong));
  EXPECT_EQ(pong.opcode, Opcode::Pong);  // section 5.5.3: same payload
  EXPECT_EQ(pong.payload, "are you there");
  ASSERT_TRUE(client_.read_frame(&message));
  EXPECT_EQ(message.payload, "Hello");
}

TEST_F(WebSocket, ClientCloseIsEchoedAndTheServerClosesTcp) {
  ASSERT_TRUE(client_.send_frame(Opcode::Close, std::string("\x03\xe8", 2) + "bye"));
  EXPECT_EQ(client_.read_close_code(), 1000);
  EXPECT_TRUE(client_.wait_for_eof());
}

// After the closing handshake the server waits for the client's end of the
// TCP stream (connection.h, Finishing). It must watch for it, not spin on
// it: the client's end is read as soon as it comes, the connection is gone
// long before --close-timeout, and the wait costs no CPU.
TEST(WebSocketClose, AClientThatClosesIsForgottenAtOnceAndTheWaitCostsNoCpu) {
  ChatdProcess server({"--close-timeout", "30"});
  ASSERT_TRUE(server.started());
  const int baseline = server.open_descriptors();
  TestClient client;
  ASSERT_TRUE(client.open(server.port(), "/echo"));
  ASSERT_TRUE(client.send_frame(Opcode::Close, std::string("\x03\xe8", 2)));
  EXPECT_EQ(client.read_close_code(), 1000);
  EXPECT_TRUE(client.wait_for_eof());
  const long cpu_before = server.cpu_ticks();
  client.close_socket();
  int descriptors = -1;
  for (int i = 0; i < 50 && (descriptors = server.open_descriptors()) != baseline; ++i) usleep(10 * 1000);
  EXPECT_EQ(descriptors, baseline) << "the connection should be gone within half a second, not at --close-timeout";
  usleep(500 * 1000);
  EXPECT_LT(server.cpu_ticks() - cpu_before, 10) << "CPU ticks (1/100 s) the server spent meanwhile";
}

TEST_F(WebSocket, OversizeMessageIsClosedWith1009) {
  ASSERT_TRUE(client_.send_text(std::string(2000, 'x')));
  EXPECT_EQ(client_.read_close_code(), 1009);
  EXPECT_TRUE(client_.wait_for_eof());
}

TEST_F(WebSocket, InvalidUtf8SplitAcrossFragmentsIsClosedWith1007) {
  ASSERT_TRUE(client_.send_frame(Opcode::Text, "ok \xce", false));
  ASSERT_TRUE(client_.send_frame(Opcode::Continuation, "\x41", true));  // 0xCE then 'A': not a continuation byte
  EXPECT_EQ(client_.read_close_code(), 1007);
}

TEST_F(WebSocket, UnmaskedFrameIsClosedWith1002) {
  ASSERT_TRUE(client_.send_raw(std::string("\x81\x02hi", 4)));
  EXPECT_EQ(client_.read_close_code(), 1002);
}

TEST_F(WebSocket, BadCloseCodeIsClosedWith1002) {
  ASSERT_TRUE(client_.send_frame(Opcode::Close, std::string("\x03\xed", 2)));  // 1005 may not be sent
  EXPECT_EQ(client_.read_close_code(), 1002);
}

TEST_F(WebSocket, ReservedBitsAreClosedWith1002) {
  ASSERT_TRUE(client_.send_frame(Opcode::Text, "x", true, 0x40));
  EXPECT_EQ(client_.read_close_code(), 1002);
}

TEST(WebSocketChatEndpoint, BinaryMessageIsClosedWith1003) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  TestClient client;
  ASSERT_TRUE(client.open(server.port()));
  ASSERT_TRUE(client.send_frame(Opcode::Binary, "\x01\x02"));
  EXPECT_EQ(client.read_close_code(), 1003);
}

TEST(WebSocketTimers, IdleClientThatAnswersPingsStays) {
  ChatdProcess server({"--idle-timeout", "0.2", "--pong-timeout", "0.3"});
  ASSERT_TRUE(server.started());
  TestClient client;
  ASSERT_TRUE(client.open(server.port(), "/echo"));
  ReceivedFrame frame;
  for (int pings = 0; pings < 3; ++pings) {
    ASSERT_TRUE(client.read_frame(&frame, 2000));
    ASSERT_EQ(frame.opcode, Opcode::Ping);
    ASSERT_TRUE(client.send_frame(Opcode::Pong, frame.payload));
  }
  ASSERT_TRUE(client.send_text("still here"));
  do {
    ASSERT_TRUE(client.read_frame(&frame, 2000));
  } while (frame.opcode == Opcode::Ping);
  EXPECT_EQ(frame.payload, "still here");
}

TEST(WebSocketTimers, IdleClientThatIgnoresPingsIsClosedWith1001) {
  ChatdProcess server({"--idle-timeout", "0.2", "--pong-timeout", "0.2"});
  ASSERT_TRUE(server.started());
  TestClient client;
  ASSERT_TRUE(client.open(server.port(), "/echo"));
  ReceivedFrame frame;
  ASSERT_TRUE(client.read_frame(&frame, 2000));
  EXPECT_EQ(frame.opcode, Opcode::Ping);
  EXPECT_EQ(client.read_close_code(2000), 1001);  // never answered
  EXPECT_TRUE(client.wait_for_eof());
}

// Reads frames for up to timeout_ms, answering every ping as a live client
// would; returns the code of the Close that arrives (0 if none), and in
// *after_ms how long it took.
uint16_t close_code_while_answering_pings(TestClient& client, int timeout_ms, int64_t* after_ms) {
  const int64_t start = monotonic_ms();
  ReceivedFrame frame;
  while (monotonic_ms() < start + timeout_ms) {
    if (!client.read_frame(&frame, static_cast<int>(start + timeout_ms - monotonic_ms()))) break;
    if (frame.opcode == Opcode::Ping) client.send_frame(Opcode::Pong, frame.payload);
    if (frame.opcode == Opcode::Close) {
      *after_ms = monotonic_ms() - start;
      return frame.close_code();
    }
  }
  *after_ms = monotonic_ms() - start;
  return 0;
}

TEST(WebSocketTimers, UnfinishedMessageIsClosedWith1008EvenIfThePeerAnswersPings) {
  ChatdProcess server({"--message-timeout", "1", "--idle-timeout", "0.2"});
  ASSERT_TRUE(server.started());
  TestClient client;
  ASSERT_TRUE(client.open(server.port(), "/echo"));
  ASSERT_TRUE(client.send_frame(Opcode::Text, "the first half", false));  // and never the rest
  int64_t after_ms = 0;
  EXPECT_EQ(close_code_while_answering_pings(client, 4000, &after_ms), 1008);
  EXPECT_GE(after_ms, 900);
  EXPECT_LT(after_ms, 2500);
}

TEST(WebSocketTimers, FrameDrippedSlowerThanTheMessageTimeoutIsClosedWith1008) {
  ChatdProcess server({"--message-timeout", "1"});
  ASSERT_TRUE(server.started());
  TestClient client;
  ASSERT_TRUE(client.open(server.port(), "/echo"));
  const uint8_t mask[4] = {1, 2, 3, 4};
  const std::string frame = encode_masked_frame(Opcode::Text, std::string(30, 'd'), mask, true);
  // One byte every 100 ms: the whole frame would take 3.6 s.
  uint16_t code = 0;
  const int64_t start = monotonic_ms();
  for (char byte : frame) {
    if (!client.send_raw(std::string_view(&byte, 1))) break;
    pollfd p{client.fd(), POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      code = client.read_close_code(1000);
      break;
    }
  }
  EXPECT_EQ(code, 1008);
  EXPECT_LT(monotonic_ms() - start, 2500);
}

TEST(WebSocketTimers, MessagesEachFinishedInTimeKeepTheConnection) {
  ChatdProcess server({"--message-timeout", "1"});
  ASSERT_TRUE(server.started());
  TestClient client;
  ASSERT_TRUE(client.open(server.port(), "/echo"));
  // Four messages of two fragments 600 ms apart: 2.4 s in all, each within 1 s.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(client.send_frame(Opcode::Text, "part one, ", false));
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    ASSERT_TRUE(client.send_frame(Opcode::Continuation, "part two " + std::to_string(i), true));
    ReceivedFrame echo;
    ASSERT_TRUE(client.read_frame(&echo, 2000)) << "message " << i;
    ASSERT_EQ(echo.opcode, Opcode::Text) << "message " << i;
    EXPECT_EQ(echo.payload, "part one, part two " + std::to_string(i));
  }
}

TEST(WebSocketShutdown, SigtermSends1001ToEveryClientAndExitsZero) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::vector<TestClient> clients(20);
  JsonValue welcome;
  for (auto& client : clients) {
    ASSERT_TRUE(client.open(server.port()));
    ASSERT_TRUE(client.read_until_type("welcome", &welcome));
  }
  kill(server.pid(), SIGTERM);
  for (auto& client : clients) {
    EXPECT_EQ(client.read_close_code(), 1001);
    client.send_frame(Opcode::Close, std::string("\x03\xe9", 2));  // answer, as a browser would
  }
  EXPECT_EQ(server.stop(0, 5000), 0);
}

TEST(WebSocketShutdown, SigintExitsZeroWithNoClients) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  EXPECT_EQ(server.stop(SIGINT, 5000), 0);
}

}  // namespace
