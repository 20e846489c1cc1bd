// chat_presence_test.cpp: presence at scale (docs/protocol.md, presence):
// above the threshold, joins and leaves are counted, not announced, and the
// timer sends each changed room one presence message per interval.
#include <string>

#include "chat_test_support.h"

namespace {

class ChatPresence : public ChatFixture {
 protected:
  void SetUp() override {
    options.presence_threshold = 3;
    options.presence_interval_ms = 5000;
  }
  size_t count_of_type(std::string_view type) const {
    size_t count = 0;
    for (const SentFrame& sent : transport.sent) {
      if (string_field(parse_payload(sent.payload), "type") == type) ++count;
    }
    return count;
  }
};

}  // namespace

TEST_F(ChatPresence, JoinsUpToThresholdAreAnnounced) {
  ChatClient& first = connect();
  connect();
  connect();
  EXPECT_EQ(received_types(first), (std::vector<std::string>{"welcome", "joined", "joined"}));
}

TEST_F(ChatPresence, JoinsBeyondThresholdAreNotAnnounced) {
  for (int i = 0; i < 3; ++i) connect();
  forget_sent();
  connect();
  connect();
  EXPECT_EQ(count_of_type("joined"), 0u);
  EXPECT_EQ(count_of_type("welcome"), 2u);
  EXPECT_EQ(transport.sent.size(), 2u);
}

TEST_F(ChatPresence, WelcomeInLargeRoomCarriesCountButNoMembers) {
  for (int i = 0; i < 3; ++i) connect();
  forget_sent();
  ChatClient& fourth = connect();
  JsonValue welcome = only_message(fourth);
  EXPECT_EQ(number_field(welcome, "member_count"), 4);
  EXPECT_EQ(welcome.find("members"), nullptr);
}

TEST_F(ChatPresence, WelcomeAtThresholdStillListsMembers) {
  connect();
  connect();
  forget_sent();
  ChatClient& third = connect();
  EXPECT_EQ(array_size(only_message(third), "members"), 3);
}

TEST_F(ChatPresence, TimerSendsOnePresencePerMemberAsOneFrame) {
  std::vector<ChatClient*> members;
  for (int i = 0; i < 5; ++i) members.push_back(&connect());
  forget_sent();
  chat().run_timers(kNow);
  ASSERT_EQ(transport.sent.size(), 5u);
  for (ChatClient* member : members) {
    EXPECT_EQ(received_payloads(*member),
              std::vector<std::string>{"{\"type\":\"presence\",\"room\":\"lobby\",\"member_count\":5}"});
  }
  for (const SentFrame& sent : transport.sent) EXPECT_EQ(sent.frame.get(), transport.sent.front().frame.get());
}

TEST_F(ChatPresence, NoTimerWhileNothingChangedQuietly) {
  for (int i = 0; i < 3; ++i) connect();
  EXPECT_EQ(chat().next_timer_ms(), -1);
}

TEST_F(ChatPresence, PresenceIsSentAtMostOncePerInterval) {
  for (int i = 0; i < 4; ++i) connect();
  chat().run_timers(kNow);
  connect();
  EXPECT_EQ(chat().next_timer_ms(), kNow + 5000);
  forget_sent();
  chat().run_timers(kNow + 4999);
  EXPECT_TRUE(transport.sent.empty());
  chat().run_timers(kNow + 5000);
  EXPECT_EQ(count_of_type("presence"), 5u);
  EXPECT_EQ(chat().next_timer_ms(), -1);
}

TEST_F(ChatPresence, LeavesFromLargeRoomAreNotAnnounced) {
  std::vector<ChatClient*> members;
  for (int i = 0; i < 5; ++i) members.push_back(&connect());
  chat().run_timers(kNow);
  forget_sent();
  chat().disconnect(*members.back(), LeaveReason::Disconnected);
  EXPECT_TRUE(transport.sent.empty());
  chat().run_timers(kNow + 5000);
  EXPECT_EQ(string_field(only_message(*members.front()), "type"), "presence");
  EXPECT_EQ(number_field(only_message(*members.front()), "member_count"), 4);
}

TEST_F(ChatPresence, UnchangedCountSendsNoPresence) {
  std::vector<ChatClient*> members;
  for (int i = 0; i < 4; ++i) members.push_back(&connect());
  chat().run_timers(kNow);
  ChatClient& visitor = connect();
  chat().disconnect(visitor, LeaveReason::Disconnected);
  forget_sent();
  chat().run_timers(kNow + 5000);
  EXPECT_TRUE(transport.sent.empty());
}

TEST_F(ChatPresence, RoomEmptiedWhileWaitingForTimerIsForgotten) {
  options.presence_threshold = 0;  // every join is quiet
  ChatClient& client = connect();
  join(client, "alice", "rust");  // lobby empties and is destroyed
  chat().disconnect(client, LeaveReason::Disconnected);
  forget_sent();
  chat().run_timers(kNow);
  EXPECT_TRUE(transport.sent.empty());
  EXPECT_EQ(chat().next_timer_ms(), -1);
}

TEST_F(ChatPresence, JoinStormOfTwentyThousandCostsLinearFrames) {
  // With threshold 100: 20,000 welcomes plus the joined notices of the first
  // 100 (about 5,000). Announcing every join would be 200 million frames.
  options.presence_threshold = 100;
  constexpr size_t kClients = 20000;
  size_t frames = 0;
  for (size_t i = 0; i < kClients; ++i) {
    connect();
    frames += transport.sent.size();
    forget_sent();  // checked as it goes, so a quadratic cost fails fast instead of exhausting memory
    ASSERT_LT(frames, 3 * kClients) << "after " << i + 1 << " joins";
  }
  chat().run_timers(kNow);
  EXPECT_EQ(transport.sent.size(), kClients);
}
