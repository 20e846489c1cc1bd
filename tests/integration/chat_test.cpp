// chat_test.cpp: the chat protocol (docs/protocol.md) end to end through a
// real chatd process: many clients in one room, rename, stranger pairing,
// slow readers and floods, and the bounds on what one request can cost
// (history bytes in a welcome, the join rate, the length of a rooms reply).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "websocket/frame_writer.h"

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

/* ===== Bounds on what one request costs ===== */

// The types of the next count messages client receives, in order; shorter
// if the server stops sending.
std::vector<std::string> next_types(TestClient& client, size_t count, JsonValue* last = nullptr) {
  std::vector<std::string> types;
  JsonValue message;
  while (types.size() < count && client.read_json(&message)) {
    const std::string* type = message.find_string("type");
    types.push_back(type ? *type : "<no type>");
    if (last) *last = message;
  }
  return types;
}

TEST(Limits, WelcomeHistoryStaysWithinTheDefault32KiB) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string room = unique_name("room");
  auto talker = join(server.port(), "talker", room);
  ASSERT_TRUE(talker);
  // 20 messages of about 4.1 KB: 82 KB of history, of which 7 fit.
  JsonValue message;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(talker->send_json(say_request(std::to_string(i) + std::string(4000, 'h'))));
    ASSERT_TRUE(talker->read_until_type("message", &message));
  }
  TestClient newcomer;
  ReceivedFrame frame;
  ASSERT_TRUE(newcomer.open(server.port()));
  ASSERT_TRUE(newcomer.read_until_type("welcome", &message));  // the lobby's
  ASSERT_TRUE(newcomer.send_json(join_request("newcomer", room)));
  ASSERT_TRUE(newcomer.read_frame(&frame));
  EXPECT_LE(frame.payload.size(), size_t{32 * 1024} + 1024);
  JsonLimits wide;
  wide.max_bytes = 1024 * 1024;
  JsonValue welcome;
  std::string error;
  ASSERT_TRUE(parse_json(frame.payload, &welcome, &error, wide)) << error;
  const JsonValue* history = welcome.find("history");
  ASSERT_TRUE(history && history->is_array());
  ASSERT_EQ(history->items().size(), 7u);
  EXPECT_EQ(history->items().back().find("seq")->as_number(), 20);
}

TEST(Limits, HistoryBytesFlagSetsTheCap) {
  ChatdProcess server({"--history-bytes", "1000"});
  ASSERT_TRUE(server.started());
  std::string room = unique_name("room");
  auto talker = join(server.port(), "talker", room);
  ASSERT_TRUE(talker);
  JsonValue message;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(talker->send_json(say_request(std::string(300, 'a' + i))));  // about 410 bytes each
    ASSERT_TRUE(talker->read_until_type("message", &message));
  }
  auto newcomer = join(server.port(), "newcomer", room);
  ASSERT_TRUE(newcomer);
  // join() has read the welcome; ask for another by re-joining the room.
  ASSERT_TRUE(newcomer->send_json(join_request("newcomer", room)));
  ASSERT_TRUE(newcomer->read_until_type("welcome", &message));
  const JsonValue* history = message.find("history");
  ASSERT_TRUE(history && history->is_array());
  EXPECT_EQ(history->items().size(), 2u);
}

// A welcome must fit in the client's output limit with room to spare.
TEST(Limits, HistoryBytesMustBeAtMostHalfOfMaxOutput) {
  ChatdProcess fits({"--max-output", "65536", "--history-bytes", "32768"});
  EXPECT_TRUE(fits.started());
  ChatdProcess too_big({"--max-output", "65536", "--history-bytes", "40000"});
  EXPECT_FALSE(too_big.started());
}

TEST(Limits, SixQuickJoinsGiveFiveWelcomesAndOneRateLimitedError) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  TestClient client;
  JsonValue reply;
  ASSERT_TRUE(client.open(server.port()));
  ASSERT_TRUE(client.read_until_type("welcome", &reply));
  std::string prefix = unique_name("room");
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE(client.send_json(join_request("alice", prefix + std::to_string(i))));
  JsonValue last;
  EXPECT_EQ(next_types(client, 6, &last),
            (std::vector<std::string>{"welcome", "welcome", "welcome", "welcome", "welcome", "error"}));
  ASSERT_NE(last.find_string("code"), nullptr);
  EXPECT_EQ(*last.find_string("code"), "rate_limited");
  // Still in the fifth room: a say comes back from there.
  ASSERT_TRUE(client.send_json(say_request("where am I?")));
  ASSERT_TRUE(client.read_until_type("message", &reply));
  EXPECT_EQ(*reply.find_string("room"), prefix + "5");
}

TEST(Limits, JoinWorksAgainAfterASecond) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  TestClient client;
  JsonValue reply;
  ASSERT_TRUE(client.open(server.port()));
  ASSERT_TRUE(client.read_until_type("welcome", &reply));
  std::string prefix = unique_name("room");
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE(client.send_json(join_request("alice", prefix + std::to_string(i))));
  ASSERT_TRUE(client.read_until_type("error", &reply));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(client.send_json(join_request("alice", prefix + "later")));
  EXPECT_EQ(next_types(client, 1, &reply), std::vector<std::string>{"welcome"});
  EXPECT_EQ(*reply.find_string("room"), prefix + "later");
}

TEST(Limits, JoinBurstFlagSetsTheBurst) {
  ChatdProcess server({"--join-rate", "0.1", "--join-burst", "2"});
  ASSERT_TRUE(server.started());
  TestClient client;
  JsonValue reply;
  ASSERT_TRUE(client.open(server.port()));
  ASSERT_TRUE(client.read_until_type("welcome", &reply));
  ASSERT_TRUE(client.send_json(R"({"type":"rooms"})"));
  ASSERT_TRUE(client.send_json(R"({"type":"stranger"})"));
  ASSERT_TRUE(client.send_json(R"({"type":"rooms"})"));
  EXPECT_EQ(next_types(client, 3), (std::vector<std::string>{"rooms", "waiting", "error"}));
}

namespace {

// 150 rooms on server: room-000 to room-009 with 3 members, room-010 to
// room-029 with 2, room-030 to room-149 with 1, the last of them being the
// returned asker's.
std::vector<std::unique_ptr<TestClient>> make_150_rooms(int port, std::string* prefix) {
  *prefix = unique_name("r") + "-";
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 150; ++i) {
    char number[8];
    std::snprintf(number, sizeof number, "%03d", i);
    int members = i < 10 ? 3 : i < 30 ? 2 : 1;
    for (int m = 0; m < members; ++m) {
      clients.push_back(join(port, "m" + std::to_string(m), *prefix + number));
      if (!clients.back()) return {};
    }
  }
  return clients;
}

std::vector<std::string> room_names(const JsonValue& reply) {
  std::vector<std::string> names;
  const JsonValue* rooms = reply.find("rooms");
  if (!rooms || !rooms->is_array()) return {"<no rooms array>"};
  for (const JsonValue& room : rooms->items()) names.push_back(*room.find_string("name"));
  return names;
}

std::vector<std::string> numbered(const std::string& prefix, int first, int count) {
  std::vector<std::string> names;
  for (int i = first; i < first + count; ++i) {
    char number[8];
    std::snprintf(number, sizeof number, "%03d", i);
    names.push_back(prefix + number);
  }
  return names;
}

}  // namespace

TEST(Limits, RoomsReplyListsTheHundredLargestFirstWithTheTotal) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string prefix;
  auto clients = make_150_rooms(server.port(), &prefix);
  ASSERT_EQ(clients.size(), 190u);
  TestClient& asker = *clients.back();
  JsonValue reply;
  ASSERT_TRUE(asker.send_json(R"({"type":"rooms"})"));
  ASSERT_TRUE(asker.read_until_type("rooms", &reply));
  ASSERT_TRUE(reply.find("total") && reply.find("total")->is_number());
  EXPECT_EQ(reply.find("total")->as_number(), 150);
  EXPECT_EQ(room_names(reply), numbered(prefix, 0, 100));
}

TEST(Limits, RoomsReplyPagesWithOffsetAndLimit) {
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string prefix;
  auto clients = make_150_rooms(server.port(), &prefix);
  ASSERT_EQ(clients.size(), 190u);
  TestClient& asker = *clients.back();
  JsonValue reply;
  ASSERT_TRUE(asker.send_json(R"({"type":"rooms","offset":100,"limit":30})"));
  ASSERT_TRUE(asker.read_until_type("rooms", &reply));
  ASSERT_TRUE(reply.find("total") && reply.find("total")->is_number());
  EXPECT_EQ(reply.find("total")->as_number(), 150);
  EXPECT_EQ(room_names(reply), numbered(prefix, 100, 30));
  ASSERT_TRUE(asker.send_json(R"({"type":"rooms","offset":-3})"));
  ASSERT_TRUE(asker.read_until_type("error", &reply));
  EXPECT_EQ(*reply.find_string("code"), "bad_request");
}

}  // namespace
