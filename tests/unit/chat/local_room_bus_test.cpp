// local_room_bus_test.cpp: the promises of room_bus.h as LocalRoomBus keeps
// them in one process: seq rises by one per message per room, the history
// holds what was delivered and no more than its length, and each local
// member gets each event once, as one shared frame, in publish order.
#include <string>
#include <vector>

#include "chat/local_room_bus.h"
#include "chat_test_support.h"

namespace {

class LocalRoomBusTest : public ::testing::Test {
 protected:
  // A client with the next id (1, 2, 3, ...), named guest-<id>, in room.
  ChatClient& member_of(Room& room) {
    clients_.emplace_back();
    ChatClient& client = clients_.back();
    client.id = clients_.size();
    client.name = "guest-" + std::to_string(client.id);
    room.add_member(client);
    return client;
  }
  std::vector<std::string> payloads_to(const ChatClient& client) const {
    std::vector<std::string> payloads;
    for (const SentFrame& sent : transport.sent) {
      if (sent.client_id == client.id) payloads.push_back(sent.payload);
    }
    return payloads;
  }

  FakeTransport transport;
  LocalRoomBus bus{transport};
  Room lobby{"lobby", 3};
  Room rust{"rust", 3};

 private:
  std::deque<ChatClient> clients_;
};

}  // namespace

TEST_F(LocalRoomBusTest, SeqRisesByOnePerMessageInEachRoomSeparately) {
  ChatClient& alice = member_of(lobby);
  ChatClient& bob = member_of(rust);
  bus.publish(lobby, RoomEvent::message(alice, "a1", 0));
  bus.publish(rust, RoomEvent::message(bob, "b1", 0));
  bus.publish(lobby, RoomEvent::message(alice, "a2", 0));
  bus.publish(lobby, RoomEvent::joined(alice));  // not a message: takes no seq
  bus.publish(lobby, RoomEvent::message(alice, "a3", 0));
  std::vector<double> lobby_seqs;
  for (const std::string& payload : payloads_to(alice)) {
    JsonValue event = parse_payload(payload);
    if (string_field(event, "type") == "message") lobby_seqs.push_back(number_field(event, "seq"));
  }
  EXPECT_EQ(lobby_seqs, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(number_field(parse_payload(payloads_to(bob)[0]), "seq"), 1);
}

TEST_F(LocalRoomBusTest, MessageIsEncodedAsTheProtocolSays) {
  ChatClient& alice = member_of(lobby);
  bus.publish(lobby, RoomEvent::message(alice, "hello, room", 1763700000123));
  EXPECT_EQ(payloads_to(alice),
            std::vector<std::string>{"{\"type\":\"message\",\"room\":\"lobby\",\"seq\":1,\"from_id\":1,"
                                     "\"from\":\"guest-1\",\"text\":\"hello, room\",\"ts\":1763700000123}"});
}

TEST_F(LocalRoomBusTest, HistoryKeepsTheNewestDeliveredMessagesUpToItsLength) {
  ChatClient& alice = member_of(lobby);
  for (int i = 1; i <= 5; ++i) bus.publish(lobby, RoomEvent::message(alice, std::to_string(i), 0));
  const RoomHistory& history = bus.history(lobby);
  ASSERT_EQ(history.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    // Oldest first, and the very frames that were delivered.
    EXPECT_EQ(string_field(parse_payload(std::string(history.at(i)->payload())), "text"), std::to_string(i + 3));
  }
  EXPECT_EQ(history.at(2).get(), transport.sent.back().frame.get());
}

TEST_F(LocalRoomBusTest, OnlyMessagesGoIntoTheHistory) {
  ChatClient& alice = member_of(lobby);
  ChatClient& bob = member_of(lobby);
  bus.publish(lobby, RoomEvent::joined(bob));
  bus.publish(lobby, RoomEvent::renamed(alice, "old"));
  bus.publish(lobby, RoomEvent::presence());
  bus.publish(lobby, RoomEvent::left(bob, LeaveReason::Left));
  EXPECT_EQ(bus.history(lobby).size(), 0u);
}

TEST_F(LocalRoomBusTest, EveryLocalMemberReceivesOneSharedFrameOnce) {
  ChatClient& alice = member_of(lobby);
  member_of(lobby);
  member_of(lobby);
  bus.publish(lobby, RoomEvent::message(alice, "hi", 0));
  ASSERT_EQ(transport.sent.size(), 3u);
  EXPECT_EQ(transport.sent[0].client_id + transport.sent[1].client_id + transport.sent[2].client_id, 1u + 2u + 3u);
  for (const SentFrame& sent : transport.sent) EXPECT_EQ(sent.frame.get(), transport.sent.front().frame.get());
}

TEST_F(LocalRoomBusTest, JoinedReachesEveryMemberButTheNewcomer) {
  ChatClient& alice = member_of(lobby);
  ChatClient& bob = member_of(lobby);
  bus.publish(lobby, RoomEvent::joined(bob));
  EXPECT_TRUE(payloads_to(bob).empty());
  EXPECT_EQ(payloads_to(alice),
            std::vector<std::string>{
                "{\"type\":\"joined\",\"room\":\"lobby\",\"id\":2,\"name\":\"guest-2\",\"member_count\":2}"});
}

TEST_F(LocalRoomBusTest, MemberCountIsTheLocalRoomsAtDelivery) {
  ChatClient& alice = member_of(lobby);
  member_of(lobby);
  EXPECT_EQ(bus.member_count(lobby), 2u);
  bus.publish(lobby, RoomEvent::presence());
  EXPECT_EQ(payloads_to(alice).back(), "{\"type\":\"presence\",\"room\":\"lobby\",\"member_count\":2}");
}

TEST_F(LocalRoomBusTest, EveryMemberSeesOneRoomsEventsInPublishOrder) {
  ChatClient& alice = member_of(lobby);
  ChatClient& bob = member_of(lobby);
  bus.publish(lobby, RoomEvent::message(alice, "first", 0));
  bus.publish(lobby, RoomEvent::renamed(bob, "guest-2"));
  bus.publish(lobby, RoomEvent::message(bob, "second", 0));
  auto types_to = [this](const ChatClient& client) {
    std::vector<std::string> types;
    for (const std::string& payload : payloads_to(client)) types.push_back(string_field(parse_payload(payload), "type"));
    return types;
  };
  std::vector<std::string> types_for_alice = types_to(alice);
  std::vector<std::string> types_for_bob = types_to(bob);
  EXPECT_EQ(types_for_alice, (std::vector<std::string>{"message", "renamed", "message"}));
  EXPECT_EQ(types_for_bob, types_for_alice);
}
