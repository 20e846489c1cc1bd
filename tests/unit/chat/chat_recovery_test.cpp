// chat_recovery_test.cpp: a client that rejoins says what it has seen
// ({"since":{"epoch":E,"seq":S}}) and gets exactly what it missed, or is
// told it cannot (docs/protocol.md, Reconnecting). On one process the epoch
// is the process's own and the room's: a restart, or a room that emptied
// and was made again, is a new epoch.
#include <string>

#include "chat_test_support.h"

namespace {

class ChatRecovery : public ChatFixture {
 protected:
  // The welcome's epoch for client's last welcome.
  std::string last_epoch(const ChatClient& client) {
    std::string epoch;
    for (const JsonValue& message : received(client)) {
      if (string_field(message, "type") == "welcome") epoch = string_field(message, "epoch");
    }
    return epoch;
  }
  void rejoin(ChatClient& client, std::string_view room, std::string_view epoch, uint64_t seq) {
    send(client, "{\"type\":\"join\",\"room\":\"" + std::string(room) + "\",\"since\":{\"epoch\":\"" +
                     std::string(epoch) + "\",\"seq\":" + std::to_string(seq) + "}}");
  }
  std::vector<long> history_seqs(const JsonValue& welcome) {
    std::vector<long> seqs;
    const JsonValue* history = welcome.find("history");
    if (history == nullptr || !history->is_array()) return seqs;
    for (const JsonValue& entry : history->items()) seqs.push_back(static_cast<long>(number_field(entry, "seq")));
    return seqs;
  }
  const JsonValue* recovered_field(const JsonValue& welcome) { return welcome.find("recovered"); }
};

}  // namespace

TEST_F(ChatRecovery, RejoinWithSinceGetsExactlyTheMissedMessagesAndRecoveredTrue) {
  ChatClient& alice = connect();
  ChatClient& bob = connect();
  join(alice, "alice", "rust");
  join(bob, "bob", "rust");
  std::string epoch = last_epoch(bob);
  for (int i = 1; i <= 5; ++i) send(alice, "m" + std::to_string(i));
  join(bob, "bob", "lobby");                 // bob leaves; alice goes on talking
  for (int i = 6; i <= 8; ++i) send(alice, "m" + std::to_string(i));
  forget_sent();
  rejoin(bob, "rust", epoch, 5);
  JsonValue welcome = only_message(bob);
  EXPECT_EQ(string_field(welcome, "type"), "welcome");
  EXPECT_EQ(history_seqs(welcome), (std::vector<long>{6, 7, 8}));
  ASSERT_NE(recovered_field(welcome), nullptr);
  EXPECT_TRUE(recovered_field(welcome)->as_bool());
}

TEST_F(ChatRecovery, NothingMissedIsAnEmptyHistoryAndRecoveredTrue) {
  ChatClient& alice = connect();
  join(alice, "alice", "rust");
  send(alice, "only");
  std::string epoch = last_epoch(alice);
  forget_sent();
  rejoin(alice, "rust", epoch, 1);
  JsonValue welcome = only_message(alice);
  EXPECT_TRUE(history_seqs(welcome).empty());
  EXPECT_TRUE(recovered_field(welcome)->as_bool());
}

TEST_F(ChatRecovery, AnotherEpochGetsTheNormalHistoryAndRecoveredFalse) {
  ChatClient& alice = connect();
  join(alice, "alice", "rust");
  for (int i = 1; i <= 3; ++i) send(alice, "m" + std::to_string(i));
  forget_sent();
  rejoin(alice, "rust", "an-epoch-of-another-run", 1);
  JsonValue welcome = only_message(alice);
  EXPECT_EQ(history_seqs(welcome), (std::vector<long>{1, 2, 3}));
  ASSERT_NE(recovered_field(welcome), nullptr);
  EXPECT_FALSE(recovered_field(welcome)->as_bool());
}

TEST_F(ChatRecovery, HistoryThatNoLongerReachesBackIsRecoveredFalse) {
  options.history_length = 3;
  ChatClient& alice = connect();
  join(alice, "alice", "rust");
  std::string epoch = last_epoch(alice);
  for (int i = 1; i <= 10; ++i) send(alice, "m" + std::to_string(i));
  forget_sent();
  rejoin(alice, "rust", epoch, 2);  // 3..7 are gone from a history of 3
  JsonValue welcome = only_message(alice);
  EXPECT_EQ(history_seqs(welcome), (std::vector<long>{8, 9, 10}));
  EXPECT_FALSE(recovered_field(welcome)->as_bool());
  // Having seen 7, it lacks 8, 9 and 10, which the history still holds.
  forget_sent();
  rejoin(alice, "rust", epoch, 7);
  EXPECT_TRUE(recovered_field(only_message(alice))->as_bool());
}

TEST_F(ChatRecovery, ARoomMadeAgainAfterEmptyingHasANewEpoch) {
  ChatClient& alice = connect();
  join(alice, "alice", "rust");
  std::string first = last_epoch(alice);
  join(alice, "alice", "lobby");  // rust is empty, so it is destroyed
  join(alice, "alice", "rust");
  EXPECT_NE(last_epoch(alice), first);
}

TEST_F(ChatRecovery, WelcomeWithoutSinceHasNoRecoveredField) {
  ChatClient& alice = connect();
  EXPECT_EQ(recovered_field(only_message(alice)), nullptr);
}

TEST_F(ChatRecovery, MalformedSinceIsABadRequestAndChangesNothing) {
  ChatClient& alice = connect();
  forget_sent();
  send(alice, R"({"type":"join","room":"rust","since":{"epoch":"e","seq":-1}})");
  send(alice, R"({"type":"join","room":"rust","since":{"seq":3}})");
  send(alice, R"({"type":"join","room":"rust","since":"yesterday"})");
  std::vector<JsonValue> messages = received(alice);
  ASSERT_EQ(messages.size(), 3u);
  for (const JsonValue& message : messages) EXPECT_EQ(string_field(message, "code"), "bad_request");
  EXPECT_EQ(alice.room->name(), "lobby");
}
