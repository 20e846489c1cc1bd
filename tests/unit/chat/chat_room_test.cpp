// chat_room_test.cpp: life inside a room: say, rename, the rooms list and
// leaving, as docs/protocol.md (Server to client) describes them.
#include <string>

#include "chat_test_support.h"

namespace {

class ChatRoom : public ChatFixture {};

}  // namespace

TEST_F(ChatRoom, SayReachesEveryMemberIncludingSenderAsOneSharedFrame) {
  ChatClient& alice = connect();
  connect();
  connect();
  forget_sent();
  send(alice, R"({"type":"say","text":"hello, room"})");
  ASSERT_EQ(transport.sent.size(), 3u);
  for (const SentFrame& sent : transport.sent) {
    // The same SharedFrame object for everyone: encoded once, never copied.
    EXPECT_EQ(sent.frame.get(), transport.sent.front().frame.get());
    EXPECT_EQ(sent.payload,
              "{\"type\":\"message\",\"room\":\"lobby\",\"seq\":1,\"from_id\":1,\"from\":\"guest-1\","
              "\"text\":\"hello, room\",\"ts\":1763700000000}");
  }
  EXPECT_EQ(transport.sent[0].client_id + transport.sent[1].client_id + transport.sent[2].client_id, 1u + 2u + 3u);
}

TEST_F(ChatRoom, SeqIncreasesByOnePerRoomMessage) {
  ChatClient& alice = connect();
  ChatClient& bob = connect();
  forget_sent();
  send(alice, "one");
  send(bob, "two");
  send(alice, "three");
  std::vector<double> seqs;
  for (const JsonValue& message : received(bob)) seqs.push_back(number_field(message, "seq"));
  EXPECT_EQ(seqs, (std::vector<double>{1, 2, 3}));
}

TEST_F(ChatRoom, PlainTextIsTakenAsSay) {
  ChatClient& client = connect();
  forget_sent();
  send(client, " hello there");
  JsonValue message = only_message(client);
  EXPECT_EQ(string_field(message, "type"), "message");
  EXPECT_EQ(string_field(message, "text"), " hello there");
}

TEST_F(ChatRoom, SayStaysInItsRoom) {
  ChatClient& alice = connect();
  ChatClient& elsewhere = connect();
  join(elsewhere, "bob", "rust");
  forget_sent();
  send(alice, "hi");
  EXPECT_TRUE(received(elsewhere).empty());
}

TEST_F(ChatRoom, TextOf4096BytesIsAccepted) {
  ChatClient& client = connect();
  forget_sent();
  send(client, std::string(4096, 'x'));
  EXPECT_EQ(string_field(only_message(client), "text"), std::string(4096, 'x'));
}

TEST_F(ChatRoom, TextOf4097BytesIsBadText) {
  ChatClient& client = connect();
  forget_sent();
  send(client, std::string(4097, 'x'));
  EXPECT_EQ(string_field(only_message(client), "code"), "bad_text");
}

TEST_F(ChatRoom, EmptyTextIsBadText) {
  ChatClient& client = connect();
  forget_sent();
  send(client, R"({"type":"say","text":""})");
  EXPECT_EQ(string_field(only_message(client), "code"), "bad_text");
}

TEST_F(ChatRoom, EmptyFrameIsBadText) {
  ChatClient& client = connect();
  forget_sent();
  send(client, "");
  EXPECT_EQ(string_field(only_message(client), "code"), "bad_text");
}

TEST_F(ChatRoom, TextThatIsNotAStringIsBadText) {
  ChatClient& client = connect();
  forget_sent();
  send(client, R"({"type":"say","text":42})");
  EXPECT_EQ(string_field(only_message(client), "code"), "bad_text");
}

TEST_F(ChatRoom, RenameIsAnnouncedToEveryMemberIncludingRenamer) {
  ChatClient& carol = connect();
  ChatClient& other = connect();
  forget_sent();
  send(carol, R"({"type":"rename","name":"caz"})");
  std::string expected =
      "{\"type\":\"renamed\",\"room\":\"lobby\",\"id\":1,\"old_name\":\"guest-1\",\"name\":\"caz\"}";
  EXPECT_EQ(received_payloads(carol), std::vector<std::string>{expected});
  EXPECT_EQ(received_payloads(other), std::vector<std::string>{expected});
}

TEST_F(ChatRoom, RenameToNameTakenIgnoringCaseIsNameTaken) {
  ChatClient& alice = connect();
  ChatClient& bob = connect();
  send(alice, R"({"type":"rename","name":"alice"})");
  forget_sent();
  send(bob, R"({"type":"rename","name":"Alice"})");
  EXPECT_EQ(string_field(only_message(bob), "code"), "name_taken");
  EXPECT_EQ(bob.name, "guest-2");
}

// U+212A KELVIN SIGN folds to "k", so "\u212Aelvin" is the name "kelvin".
TEST_F(ChatRoom, RenameToNameTakenIgnoringUnicodeCaseIsNameTaken) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  send(first, R"({"type":"rename","name":"kelvin"})");
  forget_sent();
  send(second, R"({"type":"rename","name":"\u212Aelvin"})");
  EXPECT_EQ(string_field(only_message(second), "code"), "name_taken");
  EXPECT_EQ(second.name, "guest-2");
}

TEST_F(ChatRoom, RenameChangingOnlyCaseOfOwnNameIsAllowed) {
  ChatClient& alice = connect();
  send(alice, R"({"type":"rename","name":"alice"})");
  forget_sent();
  send(alice, R"({"type":"rename","name":"Alice"})");
  EXPECT_EQ(string_field(only_message(alice), "name"), "Alice");
}

TEST_F(ChatRoom, RenamedNameIsFreedForOthers) {
  ChatClient& alice = connect();
  ChatClient& bob = connect();
  send(alice, R"({"type":"rename","name":"alice"})");
  send(alice, R"({"type":"rename","name":"alicia"})");
  forget_sent();
  send(bob, R"({"type":"rename","name":"alice"})");
  EXPECT_EQ(string_field(only_message(bob), "type"), "renamed");
}

TEST_F(ChatRoom, RenameToSameNameSendsNothing) {
  ChatClient& client = connect();
  forget_sent();
  send(client, R"({"type":"rename","name":"guest-1"})");
  EXPECT_TRUE(transport.sent.empty());
}

TEST_F(ChatRoom, RenameBreakingTheRuleIsBadName) {
  ChatClient& client = connect();
  forget_sent();
  send(client, R"({"type":"rename","name":"trailing "})");
  EXPECT_EQ(string_field(only_message(client), "code"), "bad_name");
}

// Rooms of equal size are listed by name; the order by size is in
// chat_limits_test.cpp.
TEST_F(ChatRoom, RoomsListsEveryRoomWithItsCountSortedByName) {
  ChatClient& asker = connect();
  ChatClient& alice = connect();
  ChatClient& bob = connect();
  join(alice, "alice", "rust");
  join(bob, "bob", "go");
  forget_sent();
  send(asker, R"({"type":"rooms"})");
  EXPECT_EQ(received_payloads(asker),
            std::vector<std::string>{"{\"type\":\"rooms\",\"total\":3,\"rooms\":[{\"name\":\"go\",\"member_count\":1},"
                                     "{\"name\":\"lobby\",\"member_count\":1},"
                                     "{\"name\":\"rust\",\"member_count\":1}]}"});
}

TEST_F(ChatRoom, EmptyRoomDisappearsFromTheList) {
  ChatClient& client = connect();
  join(client, "alice", "rust");
  join(client, "alice", "lobby");
  forget_sent();
  send(client, R"({"type":"rooms"})");
  EXPECT_EQ(received_payloads(client),
            std::vector<std::string>{"{\"type\":\"rooms\",\"total\":1,\"rooms\":[{\"name\":\"lobby\",\"member_count\":1}]}"});
}

TEST_F(ChatRoom, EmptiedRoomStartsAgainWithoutHistory) {
  ChatClient& client = connect();
  join(client, "alice", "rust");
  send(client, "old news");
  join(client, "alice", "lobby");
  forget_sent();
  join(client, "alice", "rust");
  EXPECT_EQ(array_size(only_message(client), "history"), 0);
}

TEST_F(ChatRoom, DisconnectIsAnnouncedWithReasonDisconnected) {
  ChatClient& stays = connect();
  ChatClient& goes = connect();
  forget_sent();
  chat().disconnect(goes, LeaveReason::Disconnected);
  EXPECT_EQ(received_payloads(stays),
            std::vector<std::string>{"{\"type\":\"left\",\"room\":\"lobby\",\"id\":2,\"name\":\"guest-2\","
                                     "\"member_count\":1,\"reason\":\"disconnected\"}"});
  EXPECT_TRUE(received(goes).empty());
}

TEST_F(ChatRoom, TimeoutIsAnnouncedWithReasonTimeout) {
  ChatClient& stays = connect();
  ChatClient& goes = connect();
  forget_sent();
  chat().disconnect(goes, LeaveReason::Timeout);
  EXPECT_EQ(string_field(only_message(stays), "reason"), "timeout");
}

TEST_F(ChatRoom, DisconnectedClientReceivesNoLaterMessages) {
  ChatClient& stays = connect();
  ChatClient& goes = connect();
  chat().disconnect(goes, LeaveReason::Disconnected);
  forget_sent();
  send(stays, "anyone?");
  EXPECT_TRUE(received(goes).empty());
  EXPECT_EQ(received(stays).size(), 1u);
}

TEST_F(ChatRoom, MemberMovedByRemovalIsStillRemovable) {
  // Removal swaps the last member into the hole; the moved member must know
  // its new place, or its own removal would take out someone else.
  ChatClient& first = connect();
  ChatClient& second = connect();
  ChatClient& third = connect();
  chat().disconnect(first, LeaveReason::Disconnected);  // third moves into slot 0
  chat().disconnect(third, LeaveReason::Disconnected);
  forget_sent();
  send(second, R"({"type":"rooms"})");
  EXPECT_EQ(received_payloads(second),
            std::vector<std::string>{"{\"type\":\"rooms\",\"total\":1,\"rooms\":[{\"name\":\"lobby\",\"member_count\":1}]}"});
  ASSERT_EQ(second.room->members().size(), 1u);
  EXPECT_EQ(second.room->members().front(), &second);
}
