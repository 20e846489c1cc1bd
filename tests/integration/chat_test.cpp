// chat_test.cpp: the chat protocol (docs/protocol.md) end to end through a
// real chatd process: many clients in one room, rename, stranger pairing,
// slow readers and floods.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "frame_writer.h"
#include "harness.h"

namespace {

std::string join_request(const std::string& name, const std::string& room) {
  std::string out;
  JsonWriter writer(&out);
  writer.begin_object().key("type").string("join").key("name").string(name).key("room").string(room).end_object();
  return out;
}

std::string say_request(const std::string& text) {
  std::string out;
  JsonWriter(&out).begin_object().key("type").string("say").key("text").string(text).end_object();
  return out;
}

// Opens a client, waits for its guest welcome, joins room as name, and waits
// for that welcome.
std::unique_ptr<TestClient> join(int port, const std::string& name, const std::string& room) {
  auto client = std::make_unique<TestClient>();
  JsonValue welcome;
  if (!client->open(port) || !client->read_until_type("welcome", &welcome)) return nullptr;
  client->send_json(join_request(name, room));
  if (!client->read_until_type("welcome", &welcome)) return nullptr;
  const std::string* joined_room = welcome.find_string("room");
  if (!joined_room || *joined_room != room) return nullptr;
  return client;
}

TEST(ChatRoom, FiftyClientsEachReceiveEveryMessageInOneOrder) {
  ChatdProcess server({"--presence-threshold", "1000"});
  ASSERT_TRUE(server.started());
  const int kClients = 50;
  std::string room = unique_name("room");
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(join(server.port(), "user" + std::to_string(i), room));
    ASSERT_NE(clients.back(), nullptr) << "client " << i;
  }
  // Every client says two things, interleaved.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kClients; ++i) {
      ASSERT_TRUE(clients[i]->send_json(say_request("m" + std::to_string(i) + "-" + std::to_string(round))));
    }
  }
  // Each client must see all 100 messages, and all clients the same sequence.
  std::vector<std::string> first_order;
  for (int i = 0; i < kClients; ++i) {
    std::vector<std::string> order;
    double last_seq = 0;
    JsonValue message;
    while (order.size() < 2 * kClients) {
      ASSERT_TRUE(clients[i]->read_until_type("message", &message, 5000)) << "client " << i << " got " << order.size();
      double seq = message.find("seq")->as_number();
      EXPECT_EQ(seq, last_seq == 0 ? seq : last_seq + 1) << "sequence gap at client " << i;
      last_seq = seq;
      order.push_back(*message.find_string("text"));
    }
    if (i == 0) first_order = order;
    EXPECT_EQ(order, first_order) << "client " << i << " saw another order";
  }
}

TEST(ChatRoom, RenameIsAnnouncedToTheRoom) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string room = unique_name("room");
  auto alice = join(server.port(), "alice", room);
  auto bob = join(server.port(), "bob", room);
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(alice->send_json(R"({"type":"rename","name":"alicia"})"));
  JsonValue renamed;
  ASSERT_TRUE(bob->read_until_type("renamed", &renamed));
  EXPECT_EQ(*renamed.find_string("old_name"), "alice");
  EXPECT_EQ(*renamed.find_string("name"), "alicia");
}

TEST(ChatRoom, TakenNameGetsAnErrorAndTheConnectionStaysOpen) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string room = unique_name("room");
  auto alice = join(server.port(), "alice", room);
  ASSERT_TRUE(alice);
  TestClient other;
  JsonValue reply;
  ASSERT_TRUE(other.open(server.port()));
  ASSERT_TRUE(other.send_json(join_request("ALICE", room)));
  ASSERT_TRUE(other.read_until_type("error", &reply));
  EXPECT_EQ(*reply.find_string("code"), "name_taken");
  ASSERT_TRUE(other.send_json(R"({"type":"rooms"})"));
  EXPECT_TRUE(other.read_until_type("rooms", &reply));
}

// The names go over the wire as raw UTF-8 (JsonWriter does not escape
// letters beyond ASCII), so this is the whole path: frame, UTF-8 check,
// JSON, folding.
TEST(ChatRoom, NameTakenIgnoringUnicodeCaseGetsAnError) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string room = unique_name("room");
  auto first = join(server.port(), "\u00C4LICE", room);  // ÄLICE
  ASSERT_TRUE(first);
  TestClient other;
  JsonValue reply;
  ASSERT_TRUE(other.open(server.port()));
  ASSERT_TRUE(other.send_json(join_request("\u00E4lice", room)));  // älice
  ASSERT_TRUE(other.read_until_type("error", &reply));
  EXPECT_EQ(*reply.find_string("code"), "name_taken");
}

TEST(ChatRoom, NameWithZeroWidthSpaceGetsBadName) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string room = unique_name("room");
  auto alice = join(server.port(), "alice", room);
  ASSERT_TRUE(alice);
  TestClient other;
  JsonValue reply;
  ASSERT_TRUE(other.open(server.port()));
  ASSERT_TRUE(other.send_json(join_request("alice\u200B", room)));
  ASSERT_TRUE(other.read_until_type("error", &reply));
  EXPECT_EQ(*reply.find_string("code"), "bad_name");
}

TEST(ChatRoom, PlainTextIsASayInTheLobby) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  TestClient first, second;
  JsonValue message;
  ASSERT_TRUE(first.open(server.port()));
  ASSERT_TRUE(second.open(server.port()));
  ASSERT_TRUE(second.read_until_type("welcome", &message));
  ASSERT_TRUE(first.send_text("hi"));  // what a browser console user types
  ASSERT_TRUE(second.read_until_type("message", &message));
  EXPECT_EQ(*message.find_string("text"), "hi");
  EXPECT_EQ(message.find_string("from")->rfind("guest-", 0), 0u);
}

TEST(ChatRoom, MessageSentJustBeforeCloseIsStillDelivered) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string room = unique_name("room");
  auto stays = join(server.port(), "stays", room);
  auto leaves = join(server.port(), "leaves", room);
  ASSERT_TRUE(stays && leaves);
  // ws.send('bye'); ws.close(): both frames in one segment, so the server
  // reads them in the same turn.
  uint8_t mask[4] = {1, 2, 3, 4};
  ASSERT_TRUE(leaves->send_raw(encode_masked_frame(Opcode::Text, say_request("bye"), mask) +
                               encode_masked_frame(Opcode::Close, std::string("\x03\xe8", 2), mask)));
  JsonValue reply;
  ASSERT_TRUE(stays->read_until_type("message", &reply));
  EXPECT_EQ(*reply.find_string("text"), "bye");
  ASSERT_TRUE(stays->read_until_type("left", &reply));
  EXPECT_EQ(*reply.find_string("name"), "leaves");
}

TEST(ChatRoom, MessageSentJustBeforeDisconnectIsStillDelivered) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string room = unique_name("room");
  auto stays = join(server.port(), "stays", room);
  auto leaves = join(server.port(), "leaves", room);
  ASSERT_TRUE(stays && leaves);
  ASSERT_TRUE(leaves->send_text(say_request("last words")));
  leaves->close_socket();  // FIN right behind the message
  JsonValue reply;
  ASSERT_TRUE(stays->read_until_type("message", &reply));
  EXPECT_EQ(*reply.find_string("text"), "last words");
}

TEST(Stranger, TwoWaitingClientsArePairedAndTalkOnlyToEachOther) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  TestClient a, b, c;
  JsonValue reply;
  for (TestClient* client : {&a, &b, &c}) {
    ASSERT_TRUE(client->open(server.port()));
    ASSERT_TRUE(client->read_until_type("welcome", &reply));
  }
  ASSERT_TRUE(a.send_json(R"({"type":"stranger"})"));
  ASSERT_TRUE(a.read_until_type("waiting", &reply));
  ASSERT_TRUE(b.send_json(R"({"type":"stranger"})"));
  ASSERT_TRUE(a.read_until_type("paired", &reply));
  ASSERT_TRUE(b.read_until_type("paired", &reply));

  ASSERT_TRUE(a.send_json(say_request("psst")));
  ASSERT_TRUE(b.read_until_type("stranger_message", &reply));
  EXPECT_EQ(*reply.find_string("text"), "psst");
  EXPECT_EQ(*reply.find_string("from"), "stranger");
  ASSERT_TRUE(a.read_until_type("stranger_message", &reply));
  EXPECT_EQ(*reply.find_string("from"), "you");
  // c is still in the lobby and must not see it.
  EXPECT_FALSE(c.read_until_type("stranger_message", &reply, 300));

  // next: b is told, a waits again and is paired with c.
  ASSERT_TRUE(a.send_json(R"({"type":"next"})"));
  ASSERT_TRUE(b.read_until_type("stranger_left", &reply));
  ASSERT_TRUE(c.send_json(R"({"type":"stranger"})"));
  ASSERT_TRUE(a.read_until_type("paired", &reply));
  ASSERT_TRUE(c.read_until_type("paired", &reply));
  // And a disconnect is a stranger_left for the partner.
  c.close_socket();
  EXPECT_TRUE(a.read_until_type("stranger_left", &reply));
}

TEST(Backpressure, SlowReaderIsClosedWith1008WhileOthersGetEverything) {
  ChatdProcess server({"--max-output", "65536", "--rate", "100000", "--burst", "100000"});
  ASSERT_TRUE(server.started());
  std::string room = unique_name("room");
  auto sender = join(server.port(), "sender", room);
  auto reader = join(server.port(), "reader", room);
  ASSERT_TRUE(sender && reader);
  auto slow = std::make_unique<TestClient>();
  slow->set_small_receive_buffer();
  JsonValue reply;
  ASSERT_TRUE(slow->open(server.port()));
  ASSERT_TRUE(slow->send_json(join_request("slow", room)));
  ASSERT_TRUE(slow->read_until_type("welcome", &reply));
  // slow now stops reading. Send far more than its socket buffers plus the
  // 64 KiB output cap can hold, while sender and reader keep up.
  const int kMessages = 4000;
  std::string text(1000, 'z');
  int received_by_reader = 0, received_by_sender = 0;
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_TRUE(sender->send_json(say_request(text + std::to_string(i))));
    while (received_by_sender <= i - 20 && sender->read_until_type("message", &reply)) ++received_by_sender;
    while (received_by_reader <= i - 20 && reader->read_until_type("message", &reply)) ++received_by_reader;
  }
  while (received_by_reader < kMessages && reader->read_until_type("message", &reply, 5000)) ++received_by_reader;
  EXPECT_EQ(received_by_reader, kMessages);
  // The slow client's stream ends with a 1008 Close after what it could hold.
  EXPECT_EQ(slow->read_close_code(5000), 1008);
}

TEST(RateLimit, FloodGetsAnErrorThenA1008Close) {
  ChatdProcess server({"--rate", "5", "--burst", "5"});
  ASSERT_TRUE(server.started());
  TestClient flooder;
  JsonValue reply;
  ASSERT_TRUE(flooder.open(server.port()));
  ASSERT_TRUE(flooder.read_until_type("welcome", &reply));
  for (int i = 0; i < 100; ++i) flooder.send_text("spam");
  ASSERT_TRUE(flooder.read_until_type("error", &reply));
  EXPECT_EQ(*reply.find_string("code"), "rate_limited");
  EXPECT_EQ(flooder.read_close_code(), 1008);
}

}  // namespace
