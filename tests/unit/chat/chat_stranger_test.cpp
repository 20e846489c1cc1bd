// chat_stranger_test.cpp: stranger mode as docs/protocol.md (Stranger mode)
// describes it: waiting, pairing, anonymous lines, next and departures.
#include <string>

#include "chat_test_support.h"

namespace {

class ChatStranger : public ChatFixture {
 protected:
  void ask_for_stranger(ChatClient& client) { send(client, R"({"type":"stranger"})"); }
  void next(ChatClient& client) { send(client, R"({"type":"next"})"); }
};

}  // namespace

TEST_F(ChatStranger, StrangerLeavesRoomAndWaits) {
  ChatClient& seeker = connect();
  ChatClient& stays = connect();
  forget_sent();
  ask_for_stranger(seeker);
  EXPECT_EQ(received_payloads(seeker), std::vector<std::string>{"{\"type\":\"waiting\"}"});
  EXPECT_EQ(string_field(only_message(stays), "reason"), "left");
  EXPECT_EQ(seeker.room, nullptr);
}

TEST_F(ChatStranger, SecondSeekerIsPairedWithTheWaitingOne) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  ask_for_stranger(first);
  forget_sent();
  ask_for_stranger(second);
  EXPECT_EQ(received_payloads(first), std::vector<std::string>{"{\"type\":\"paired\"}"});
  EXPECT_EQ(received_payloads(second), std::vector<std::string>{"{\"type\":\"paired\"}"});
}

TEST_F(ChatStranger, LinesReachOnlyThePartnerAndComeBackAsYou) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  ChatClient& bystander = connect();
  ask_for_stranger(first);
  ask_for_stranger(second);
  forget_sent();
  send(first, R"({"type":"say","text":"hi there"})");
  EXPECT_EQ(received_payloads(first),
            std::vector<std::string>{
                "{\"type\":\"stranger_message\",\"from\":\"you\",\"text\":\"hi there\",\"ts\":1763700000000}"});
  EXPECT_EQ(received_payloads(second),
            std::vector<std::string>{
                "{\"type\":\"stranger_message\",\"from\":\"stranger\",\"text\":\"hi there\",\"ts\":1763700000000}"});
  EXPECT_TRUE(received(bystander).empty());
}

TEST_F(ChatStranger, PlainTextGoesToThePartner) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  ask_for_stranger(first);
  ask_for_stranger(second);
  forget_sent();
  send(second, "hello!");
  EXPECT_EQ(string_field(only_message(first), "text"), "hello!");
}

TEST_F(ChatStranger, NextTellsPartnerAndWaitsAgain) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  ask_for_stranger(first);
  ask_for_stranger(second);
  forget_sent();
  next(first);
  EXPECT_EQ(received_payloads(second), std::vector<std::string>{"{\"type\":\"stranger_left\"}"});
  EXPECT_EQ(received_payloads(first), std::vector<std::string>{"{\"type\":\"waiting\"}"});
}

TEST_F(ChatStranger, NextPairsWithAnotherWaitingClient) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  ChatClient& third = connect();
  ask_for_stranger(first);
  ask_for_stranger(second);
  ask_for_stranger(third);  // waits: the only other seekers are paired
  forget_sent();
  next(first);
  EXPECT_EQ(received_types(first), std::vector<std::string>{"paired"});
  EXPECT_EQ(received_types(third), std::vector<std::string>{"paired"});
  EXPECT_EQ(received_types(second), std::vector<std::string>{"stranger_left"});
  forget_sent();
  send(first, "new friend");
  EXPECT_EQ(string_field(only_message(third), "text"), "new friend");
  EXPECT_TRUE(received(second).empty());
}

TEST_F(ChatStranger, PartnerDisconnectSendsStrangerLeft) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  ask_for_stranger(first);
  ask_for_stranger(second);
  forget_sent();
  chat().disconnect(second, LeaveReason::Disconnected);
  EXPECT_EQ(received_payloads(first), std::vector<std::string>{"{\"type\":\"stranger_left\"}"});
  EXPECT_TRUE(received(second).empty());
}

TEST_F(ChatStranger, SayWhileWaitingIsNotPaired) {
  ChatClient& client = connect();
  ask_for_stranger(client);
  forget_sent();
  send(client, "anyone?");
  EXPECT_EQ(string_field(only_message(client), "code"), "not_paired");
}

TEST_F(ChatStranger, SayAfterPartnerLeftIsNotPaired) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  ask_for_stranger(first);
  ask_for_stranger(second);
  next(second);
  forget_sent();
  send(first, "still there?");
  EXPECT_EQ(string_field(only_message(first), "code"), "not_paired");
  EXPECT_TRUE(received(second).empty());
}

TEST_F(ChatStranger, DisconnectWhileWaitingFreesTheWaitingSlot) {
  ChatClient& ghost = connect();
  ChatClient& seeker = connect();
  ask_for_stranger(ghost);
  chat().disconnect(ghost, LeaveReason::Disconnected);
  forget_sent();
  ask_for_stranger(seeker);
  EXPECT_EQ(received_payloads(seeker), std::vector<std::string>{"{\"type\":\"waiting\"}"});
  EXPECT_TRUE(received(ghost).empty());
}

TEST_F(ChatStranger, AskingAgainWhileWaitingKeepsWaiting) {
  ChatClient& client = connect();
  ask_for_stranger(client);
  forget_sent();
  ask_for_stranger(client);
  EXPECT_EQ(received_payloads(client), std::vector<std::string>{"{\"type\":\"waiting\"}"});
}

TEST_F(ChatStranger, JoinFromStrangerModeTellsPartner) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  ask_for_stranger(first);
  ask_for_stranger(second);
  forget_sent();
  join(first, "alice", "lobby");
  EXPECT_EQ(received_types(second), std::vector<std::string>{"stranger_left"});
  EXPECT_EQ(received_types(first), std::vector<std::string>{"welcome"});
}

TEST_F(ChatStranger, RefusedJoinKeepsThePair) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  ChatClient& alice = connect();
  join(alice, "alice", "rust");
  ask_for_stranger(first);
  ask_for_stranger(second);
  forget_sent();
  join(first, "alice", "rust");
  EXPECT_EQ(string_field(only_message(first), "code"), "name_taken");
  EXPECT_TRUE(received(second).empty());
  forget_sent();
  send(first, "still here");
  EXPECT_EQ(string_field(only_message(second), "from"), "stranger");
}

TEST_F(ChatStranger, RenameInStrangerModeTakesEffectAtNextJoin) {
  ChatClient& client = connect();
  ask_for_stranger(client);
  forget_sent();
  send(client, R"({"type":"rename","name":"zed"})");
  EXPECT_TRUE(transport.sent.empty());
  send(client, R"({"type":"join","room":"lobby"})");
  EXPECT_EQ(string_field(only_message(client), "name"), "zed");
}

// "next" brings someone new: never the stranger just left, as long as
// anyone else is there; until then both wait.
TEST_F(ChatStranger, NextNeverPairsAgainWithTheStrangerJustLeft) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  ask_for_stranger(first);
  ask_for_stranger(second);  // first and second are paired
  next(first);               // first waits; second is alone
  forget_sent();
  next(second);              // the only one waiting is the one it just left
  EXPECT_EQ(received_types(second), std::vector<std::string>{"waiting"});
  EXPECT_TRUE(received(first).empty()) << "first keeps waiting, unpaired";
  ChatClient& third = connect();
  forget_sent();
  ask_for_stranger(third);   // paired with the longest waiting: first
  EXPECT_EQ(received_types(first), std::vector<std::string>{"paired"});
  EXPECT_EQ(received_types(third), std::vector<std::string>{"paired"});
  EXPECT_TRUE(received(second).empty());
  ChatClient& fourth = connect();
  forget_sent();
  ask_for_stranger(fourth);  // and second with the next newcomer
  EXPECT_EQ(received_types(second), std::vector<std::string>{"paired"});
  EXPECT_EQ(received_types(fourth), std::vector<std::string>{"paired"});
}

TEST_F(ChatStranger, AWaitingClientThatDisconnectsLeavesTheOtherWaiting) {
  ChatClient& first = connect();
  ChatClient& second = connect();
  ask_for_stranger(first);
  ask_for_stranger(second);
  next(first);
  next(second);  // both wait, for someone new
  chat().disconnect(first, LeaveReason::Disconnected);
  ChatClient& third = connect();
  forget_sent();
  ask_for_stranger(third);
  EXPECT_EQ(received_types(second), std::vector<std::string>{"paired"});
  EXPECT_EQ(received_types(third), std::vector<std::string>{"paired"});
}
