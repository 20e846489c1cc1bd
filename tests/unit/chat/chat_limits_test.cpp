// chat_limits_test.cpp: the bounds on what a small request can make the
// server send or do (docs/protocol.md): the history bytes in a welcome, the
// join rate shared by join, rooms, stranger and next, and the size and
// paging of a rooms reply.
#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "chat_test_support.h"

namespace {

class ChatLimits : public ChatFixture {
 protected:
  void send_at(ChatClient& client, std::string_view text, int64_t now_ms) {
    chat().receive_text(client, text, now_ms);
  }
  // A talker in the lobby says count messages of text_bytes bytes each;
  // returns the payloads it received for them (seq 1..count).
  std::vector<std::string> fill_history(int count, size_t text_bytes) {
    ChatClient& talker = connect();
    forget_sent();
    for (int i = 0; i < count; ++i) send(talker, std::string(text_bytes - 1, 'a' + i % 26) + "!");
    return received_payloads(talker);
  }
};

// The seqs of the history in a welcome payload, oldest first.
std::vector<double> history_seqs(const JsonValue& welcome) {
  std::vector<double> seqs;
  const JsonValue* history = welcome.find("history");
  if (history == nullptr || !history->is_array()) return {-1};
  for (const JsonValue& entry : history->items()) seqs.push_back(number_field(entry, "seq"));
  return seqs;
}

// The (name, member_count) pairs of a rooms reply, in order.
std::vector<std::pair<std::string, int>> listed_rooms(const JsonValue& reply) {
  std::vector<std::pair<std::string, int>> rooms;
  const JsonValue* list = reply.find("rooms");
  if (list == nullptr || !list->is_array()) return {{"<no rooms array>", -1}};
  for (const JsonValue& room : list->items()) {
    rooms.emplace_back(string_field(room, "name"), static_cast<int>(number_field(room, "member_count")));
  }
  return rooms;
}

}  // namespace

/* ===== History bytes in a welcome ===== */

TEST_F(ChatLimits, WelcomeHistoryStaysWithinDefaultOf32KiBKeepingTheNewestWholeMessages) {
  // 50 messages of about 4.2 KB: 210 KB of history, of which 7 fit in 32 KiB.
  std::vector<std::string> broadcast = fill_history(50, 4096);
  ASSERT_EQ(broadcast.size(), 50u);
  size_t message_bytes = broadcast.back().size();
  ChatClient& newcomer = connect();
  std::string payload = received_payloads(newcomer).front();
  JsonValue welcome = parse_payload(payload);
  std::vector<double> seqs = history_seqs(welcome);
  size_t fits = size_t{32 * 1024} / message_bytes;
  ASSERT_EQ(seqs.size(), fits);
  EXPECT_EQ(seqs.front(), 50.0 - fits + 1);
  EXPECT_EQ(seqs.back(), 50);
  // Whole messages, byte for byte as broadcast, and nothing beyond the cap.
  std::string expected_history = "\"history\":[";
  for (size_t seq = 50 - fits + 1; seq <= 50; ++seq) {
    expected_history += (seq > 50 - fits + 1 ? "," : "") + broadcast[seq - 1];
  }
  expected_history += "]}";
  EXPECT_EQ(payload.substr(payload.size() - expected_history.size()), expected_history);
  EXPECT_LE(expected_history.size(), size_t{32 * 1024} + 64);
}

TEST_F(ChatLimits, HistoryBytesOptionSetsTheCap) {
  options.history_bytes = 1000;
  std::vector<std::string> broadcast = fill_history(10, 300);  // about 420 bytes each
  size_t message_bytes = broadcast.back().size();
  ASSERT_GT(message_bytes, 333u);
  ASSERT_LT(message_bytes, 500u);
  ChatClient& newcomer = connect();
  EXPECT_EQ(history_seqs(only_message(newcomer)), (std::vector<double>{9, 10}));
}

TEST_F(ChatLimits, MessageLargerThanHistoryBytesIsLeftOutNotCut) {
  options.history_bytes = 1000;
  ChatClient& talker = connect();
  send(talker, "short and early");
  send(talker, std::string(2000, 'x'));
  ChatClient& newcomer = connect();
  // The newest message alone is over the cap, so the history stops there:
  // an older message is never shown without the newer ones after it.
  EXPECT_EQ(array_size(only_message(newcomer), "history"), 0);
}

TEST_F(ChatLimits, ZeroHistoryBytesSendsNoHistory) {
  options.history_bytes = 0;
  ChatClient& talker = connect();
  send(talker, "hi");
  ChatClient& newcomer = connect();
  EXPECT_EQ(array_size(only_message(newcomer), "history"), 0);
}

/* ===== The join rate ===== */

TEST_F(ChatLimits, SixQuickJoinsGiveFiveWelcomesAndOneRateLimitedError) {
  ChatClient& client = connect();
  forget_sent();
  for (int i = 1; i <= 6; ++i) join(client, "alice", "room" + std::to_string(i));
  EXPECT_EQ(received_types(client),
            (std::vector<std::string>{"welcome", "welcome", "welcome", "welcome", "welcome", "error"}));
  JsonValue error = received(client).back();
  EXPECT_EQ(string_field(error, "code"), "rate_limited");
  EXPECT_EQ(string_field(error, "message").rfind("too many joins", 0), 0u) << string_field(error, "message");
  ASSERT_NE(client.room, nullptr);
  EXPECT_EQ(client.room->name(), "room5");
}

TEST_F(ChatLimits, RefusedJoinIsNotAnnouncedAnywhere) {
  ChatClient& client = connect();
  ChatClient& in_room5 = connect();
  ChatClient& in_room6 = connect();
  join(in_room6, "bob", "room6");
  for (int i = 1; i <= 5; ++i) join(client, "alice", "room" + std::to_string(i));
  join(in_room5, "carol", "room5");
  forget_sent();
  join(client, "alice", "room6");
  EXPECT_EQ(received_types(client), std::vector<std::string>{"error"});
  EXPECT_TRUE(received(in_room5).empty());
  EXPECT_TRUE(received(in_room6).empty());
  EXPECT_EQ(in_room6.room->member_count(), 1u);
}

TEST_F(ChatLimits, JoinWorksAgainASecondLater) {
  ChatClient& client = connect();
  for (int i = 1; i <= 6; ++i) join(client, "alice", "room" + std::to_string(i));
  forget_sent();
  send_at(client, R"({"type":"join","room":"later"})", kNow + 1000);
  EXPECT_EQ(string_field(only_message(client), "type"), "welcome");
  ASSERT_NE(client.room, nullptr);
  EXPECT_EQ(client.room->name(), "later");
  // One token came back in that second, and it is spent again.
  send_at(client, R"({"type":"join","room":"again"})", kNow + 1000);
  EXPECT_EQ(string_field(received(client).back(), "code"), "rate_limited");
}

TEST_F(ChatLimits, ConnectingTakesNoJoinToken) {
  ChatClient& client = connect();
  forget_sent();
  for (int i = 1; i <= 5; ++i) join(client, "alice", "room" + std::to_string(i));
  EXPECT_EQ(received_types(client), std::vector<std::string>(5, "welcome"));
}

TEST_F(ChatLimits, RoomsStrangerAndNextShareTheJoinRate) {
  ChatClient& client = connect();
  forget_sent();
  send(client, R"({"type":"rooms"})");
  send(client, R"({"type":"stranger"})");
  send(client, R"({"type":"next"})");
  join(client, "alice", "rust");
  send(client, R"({"type":"rooms"})");
  send(client, R"({"type":"next"})");
  send(client, R"({"type":"rooms"})");
  EXPECT_EQ(received_types(client),
            (std::vector<std::string>{"rooms", "waiting", "waiting", "welcome", "rooms", "error", "error"}));
  ASSERT_NE(client.room, nullptr) << "the refused next must leave the client in its room";
  EXPECT_EQ(client.room->name(), "rust");
}

TEST_F(ChatLimits, SayAndRenameDoNotTakeJoinTokens) {
  ChatClient& client = connect();
  for (int i = 0; i < 10; ++i) send(client, "hello " + std::to_string(i));
  send(client, R"({"type":"rename","name":"alice"})");
  forget_sent();
  join(client, "alice", "rust");
  EXPECT_EQ(string_field(only_message(client), "type"), "welcome");
}

TEST_F(ChatLimits, JoinRateAndBurstAreOptions) {
  options.join_rate_per_second = 10;
  options.join_burst = 2;
  ChatClient& client = connect();
  forget_sent();
  join(client, "alice", "a");
  join(client, "alice", "b");
  join(client, "alice", "c");
  EXPECT_EQ(received_types(client), (std::vector<std::string>{"welcome", "welcome", "error"}));
  send_at(client, R"({"type":"join","room":"d"})", kNow + 100);  // 10 per second: one token per 100 ms
  EXPECT_EQ(string_field(received(client).back(), "type"), "welcome");
}

TEST_F(ChatLimits, EachClientHasItsOwnJoinRate) {
  ChatClient& busy = connect();
  ChatClient& calm = connect();
  for (int i = 1; i <= 6; ++i) join(busy, "busy", "room" + std::to_string(i));
  forget_sent();
  join(calm, "calm", "rust");
  EXPECT_EQ(string_field(only_message(calm), "type"), "welcome");
}

/* ===== The rooms reply ===== */

namespace {

// Rooms room-000 to room-148, where room-i has 1 + (i * 7) % 11
// members, and the asker is the one member of "zz-asker": 150 rooms.
// expected_ holds them in the order the reply must follow: largest first,
// ties by name.
class ChatRoomsList : public ChatLimits {
 protected:
  void SetUp() override {
    // These tests are about the reply, not the rate: the asker may ask often.
    options.join_burst = 100;
    asker_ = &connect();
    join(*asker_, "asker", "zz-asker");
    expected_.emplace_back("zz-asker", 1);
    for (int i = 0; i < 149; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "room-%03d", i);
      int members = 1 + (i * 7) % 11;
      for (int m = 0; m < members; ++m) join(connect(), "m" + std::to_string(m), name);
      expected_.emplace_back(name, members);
    }
    std::sort(expected_.begin(), expected_.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    forget_sent();
  }
  JsonValue ask(std::string_view request) {
    forget_sent();
    send(*asker_, request);
    return only_message(*asker_);
  }
  std::vector<std::pair<std::string, int>> expected(size_t offset, size_t count) const {
    offset = std::min(offset, expected_.size());
    count = std::min(count, expected_.size() - offset);
    return {expected_.begin() + offset, expected_.begin() + offset + count};
  }

  ChatClient* asker_ = nullptr;
  std::vector<std::pair<std::string, int>> expected_;
};

}  // namespace

TEST_F(ChatRoomsList, ReplyListsTheHundredLargestRoomsFirstWithTheTotal) {
  ASSERT_EQ(expected_.size(), 150u);
  JsonValue reply = ask(R"({"type":"rooms"})");
  EXPECT_EQ(string_field(reply, "type"), "rooms");
  EXPECT_EQ(number_field(reply, "total"), 150);
  EXPECT_EQ(listed_rooms(reply), expected(0, 100));
}

TEST_F(ChatRoomsList, OffsetAndLimitPageThroughTheSameOrder) {
  JsonValue page = ask(R"({"type":"rooms","offset":95,"limit":10})");
  EXPECT_EQ(number_field(page, "total"), 150);
  EXPECT_EQ(listed_rooms(page), expected(95, 10));
  EXPECT_EQ(listed_rooms(ask(R"({"type":"rooms","offset":100})")), expected(100, 50));
}

TEST_F(ChatRoomsList, OffsetAtOrBeyondTheTotalGivesAnEmptyPage) {
  JsonValue reply = ask(R"({"type":"rooms","offset":150})");
  EXPECT_EQ(number_field(reply, "total"), 150);
  EXPECT_EQ(array_size(reply, "rooms"), 0);
  EXPECT_EQ(array_size(ask(R"({"type":"rooms","offset":1e300})"), "rooms"), 0);
}

TEST_F(ChatRoomsList, LimitAboveAHundredIsTakenAsAHundred) {
  EXPECT_EQ(listed_rooms(ask(R"({"type":"rooms","limit":1000000})")), expected(0, 100));
}

TEST_F(ChatRoomsList, BadOffsetOrLimitIsBadRequest) {
  for (std::string_view request : {R"({"type":"rooms","offset":-1})", R"({"type":"rooms","offset":1.5})",
                                   R"({"type":"rooms","offset":"10"})", R"({"type":"rooms","limit":0})",
                                   R"({"type":"rooms","limit":-5})", R"({"type":"rooms","limit":2.5})",
                                   R"({"type":"rooms","limit":null})", R"({"type":"rooms","offset":[1]})"}) {
    JsonValue reply = ask(request);
    EXPECT_EQ(string_field(reply, "type"), "error") << request;
    EXPECT_EQ(string_field(reply, "code"), "bad_request") << request;
  }
}
