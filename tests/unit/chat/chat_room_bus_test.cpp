// chat_room_bus_test.cpp: Chat on a bus it does not own (room_bus.h). A
// recording bus that delivers nothing shows what Chat hands over: events
// that say who did what, with no seq, no history and no member count of
// Chat's own, and that Chat sends members nothing of a room's events itself.
#include <string>
#include <vector>

#include "chat/chat_room.h"
#include "chat_test_support.h"

namespace {

struct PublishedEvent {
  RoomEventKind kind;
  std::string room;
  uint64_t member_id;
  std::string member_name;
  std::string text;
  int64_t ts_ms;
  LeaveReason reason;
};

// Records every call; delivers nothing, as a remote bus that has not yet
// heard back from Redis.
class RecordingBus : public RoomBus {
 public:
  void open(Room& room) override { opened.push_back(room.name()); }
  void close(Room& room) override { closed.push_back(room.name()); }
  void publish(Room& room, const RoomEvent& event) override {
    published.push_back({event.kind, room.name(), event.member_id, std::string(event.member_name),
                         std::string(event.text), event.ts_ms, event.reason});
  }
  size_t member_count(const Room&) const override { return global_member_count; }
  const RoomHistory& history(const Room&) const override { return remote_history; }
  void claim_name(ChatClient& client, std::string_view room, std::string_view name, ClaimDone done) override {
    claims.push_back(std::string(room) + "/" + std::string(name));
    if (answer_claims_at_once) {
      done(client, claim_answer);
    } else {
      held_claims.push_back({&client, std::move(done)});
    }
  }
  void release_name(Room& room, const ChatClient&, std::string_view name) override {
    released.push_back(room.name() + "/" + std::string(name));
  }
  void when_ready(Room&, ChatClient& client, Ready ready) override { ready(client); }
  void list_members(const Room& room, std::vector<RoomMember>* out) const override {
    for (const ChatClient* member : room.members()) out->push_back({member->id, member->name});
  }
  std::string_view epoch(const Room&) const override { return "e1"; }
  bool available() const override { return up; }

  std::vector<std::string> opened, closed, claims, released;
  bool answer_claims_at_once = true;
  NameClaim claim_answer = NameClaim::Granted;
  std::vector<std::pair<ChatClient*, ClaimDone>> held_claims;
  bool up = true;
  std::vector<PublishedEvent> published;
  size_t global_member_count = 3;
  RoomHistory remote_history{50};
};

class ChatOnABus : public ::testing::Test {
 protected:
  ChatClient& connect() {
    clients_.emplace_back();
    ChatClient& client = clients_.back();
    client.id = clients_.size();
    chat.connect(client);
    return client;
  }
  std::vector<JsonValue> received(const ChatClient& client) const {
    std::vector<JsonValue> messages;
    for (const SentFrame& sent : transport.sent) {
      if (sent.client_id == client.id) messages.push_back(parse_payload(sent.payload));
    }
    return messages;
  }

  FakeTransport transport;
  RecordingBus bus;
  Chat chat{transport, ChatOptions{}, bus};

 private:
  std::deque<ChatClient> clients_;
};

}  // namespace

TEST_F(ChatOnABus, SayIsHandedToTheBusAsWhoSaidWhatAndWhen) {
  ChatClient& alice = connect();
  transport.sent.clear();
  chat.receive_text(alice, "hello, room", 1763700000123);
  ASSERT_EQ(bus.published.size(), 1u);
  const PublishedEvent& said = bus.published[0];
  EXPECT_EQ(said.kind, RoomEventKind::Message);
  EXPECT_EQ(said.room, "lobby");
  EXPECT_EQ(said.member_id, 1u);
  EXPECT_EQ(said.member_name, "guest-1");
  EXPECT_EQ(said.text, "hello, room");
  EXPECT_EQ(said.ts_ms, 1763700000123);
}

TEST_F(ChatOnABus, SenderGetsNoCopyOfItsMessageExceptThroughTheBus) {
  ChatClient& alice = connect();
  connect();
  transport.sent.clear();
  chat.receive_text(alice, "hello", 0);
  EXPECT_TRUE(transport.sent.empty());
}

TEST_F(ChatOnABus, ChatNumbersNoMessageAndRecordsNoHistory) {
  ChatClient& alice = connect();
  chat.receive_text(alice, "one", 0);
  chat.receive_text(alice, "two", 0);
  EXPECT_EQ(alice.room->last_sequence, 0u);
  EXPECT_EQ(alice.room->history.size(), 0u);
}

TEST_F(ChatOnABus, WelcomeTakesMemberCountAndHistoryFromTheBus) {
  bus.remote_history.remember(FrameRef::text("{\"type\":\"message\",\"seq\":41}"), 41);
  bus.global_member_count = 1234;
  ChatClient& alice = connect();
  std::vector<JsonValue> messages = received(alice);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(string_field(messages[0], "type"), "welcome");
  EXPECT_EQ(number_field(messages[0], "member_count"), 1234);
  const JsonValue* history = messages[0].find("history");
  ASSERT_TRUE(history != nullptr && history->is_array());
  ASSERT_EQ(history->items().size(), 1u);
  EXPECT_EQ(number_field(history->items()[0], "seq"), 41);
}

TEST_F(ChatOnABus, JoinIsPublishedWhileTheNewcomerIsWelcomedDirectly) {
  connect();
  bus.published.clear();
  transport.sent.clear();
  ChatClient& bob = connect();
  ASSERT_EQ(bus.published.size(), 1u);
  EXPECT_EQ(bus.published[0].kind, RoomEventKind::Joined);
  EXPECT_EQ(bus.published[0].member_id, bob.id);
  // The welcome does not wait for the bus, which here never delivers.
  ASSERT_EQ(received(bob).size(), 1u);
  EXPECT_EQ(string_field(received(bob)[0], "type"), "welcome");
}

TEST_F(ChatOnABus, LeaveAndRenameArePublishedWithReasonAndOldName) {
  ChatClient& alice = connect();
  ChatClient& bob = connect();
  bus.published.clear();
  chat.receive_text(alice, R"({"type":"rename","name":"alice"})", 0);
  chat.disconnect(bob, LeaveReason::Timeout);
  ASSERT_EQ(bus.published.size(), 2u);
  EXPECT_EQ(bus.published[0].kind, RoomEventKind::Renamed);
  EXPECT_EQ(bus.published[0].member_name, "alice");
  EXPECT_EQ(bus.published[0].text, "guest-1");
  EXPECT_EQ(bus.published[1].kind, RoomEventKind::Left);
  EXPECT_EQ(bus.published[1].member_id, bob.id);
  EXPECT_EQ(bus.published[1].reason, LeaveReason::Timeout);
}

TEST_F(ChatOnABus, BusHearsWhenARoomOpensAndCloses) {
  ChatClient& alice = connect();
  chat.receive_text(alice, R"({"type":"join","room":"rust"})", 0);
  EXPECT_EQ(bus.opened, (std::vector<std::string>{"lobby", "rust"}));
  EXPECT_EQ(bus.closed, (std::vector<std::string>{"lobby"}));
}

TEST_F(ChatOnABus, JoinWaitsForTheClaimAndTheClientStaysWhereItIsMeanwhile) {
  ChatClient& alice = connect();
  bus.answer_claims_at_once = false;
  transport.sent.clear();
  chat.receive_text(alice, R"({"type":"join","room":"rust","name":"alice"})", 0);
  EXPECT_EQ(bus.claims.back(), "rust/alice");
  EXPECT_EQ(alice.room->name(), "lobby");
  EXPECT_TRUE(transport.sent.empty());
  ASSERT_EQ(bus.held_claims.size(), 1u);
  bus.held_claims[0].second(alice, NameClaim::Granted);
  EXPECT_EQ(alice.room->name(), "rust");
  EXPECT_EQ(alice.name, "alice");
  EXPECT_EQ(string_field(received(alice).back(), "type"), "welcome");
}

TEST_F(ChatOnABus, ARequestSentWhileAJoinIsDecidedWaitsForItAndASecondIsBusy) {
  ChatClient& alice = connect();
  bus.answer_claims_at_once = false;
  transport.sent.clear();
  chat.receive_text(alice, R"({"type":"join","room":"rust","name":"alice"})", 0);
  chat.receive_text(alice, R"({"type":"join","room":"go"})", 0);
  EXPECT_TRUE(received(alice).empty()) << "the second join waits, unanswered";
  EXPECT_EQ(bus.claims.size(), 2u) << "no claim for go yet: lobby and rust only";
  chat.receive_text(alice, R"({"type":"join","room":"zig"})", 0);
  ASSERT_EQ(received(alice).size(), 1u);
  EXPECT_EQ(string_field(received(alice)[0], "code"), "busy") << "only one request waits";
  bus.held_claims[0].second(alice, NameClaim::Granted);
  EXPECT_EQ(alice.room->name(), "rust");
  ASSERT_EQ(bus.claims.size(), 3u);
  EXPECT_EQ(bus.claims.back(), "go/alice") << "the waiting join goes out once rust is answered";
  ASSERT_EQ(bus.held_claims.size(), 2u);
  bus.held_claims[1].second(alice, NameClaim::Granted);
  EXPECT_EQ(alice.room->name(), "go");
}

TEST_F(ChatOnABus, AJoinSentBeforeTheLobbyPlacementIsAnsweredIsCarriedOut) {
  // A client that sends its join as soon as the socket opens, as the demo
  // page does after a reconnect: the lobby's claim is still out.
  bus.answer_claims_at_once = false;
  ChatClient& alice = connect();
  chat.receive_text(alice, R"({"type":"join","room":"rust","name":"alice"})", 0);
  ASSERT_EQ(bus.held_claims.size(), 1u);
  bus.held_claims[0].second(alice, NameClaim::Granted);
  EXPECT_EQ(alice.room->name(), "lobby");
  ASSERT_EQ(bus.held_claims.size(), 2u);
  EXPECT_EQ(bus.claims.back(), "rust/alice");
  bus.held_claims[1].second(alice, NameClaim::Granted);
  EXPECT_EQ(alice.room->name(), "rust");
  std::vector<JsonValue> messages = received(alice);
  for (const JsonValue& message : messages) EXPECT_NE(string_field(message, "type"), "error");
  EXPECT_EQ(string_field(messages.back(), "room"), "rust");
}

TEST_F(ChatOnABus, ARenameOrStrangerWhileARenameIsDecidedIsStillBusy) {
  ChatClient& alice = connect();
  bus.answer_claims_at_once = false;
  transport.sent.clear();
  chat.receive_text(alice, R"({"type":"rename","name":"alice"})", 0);
  chat.receive_text(alice, R"({"type":"rename","name":"alicia"})", 0);
  ASSERT_EQ(received(alice).size(), 1u);
  EXPECT_EQ(string_field(received(alice)[0], "code"), "busy");
}

TEST_F(ChatOnABus, ClaimTakenElsewhereIsNameTakenAndTheClientStays) {
  ChatClient& alice = connect();
  bus.claim_answer = NameClaim::Taken;
  transport.sent.clear();
  chat.receive_text(alice, R"({"type":"join","room":"rust","name":"bob"})", 0);
  EXPECT_EQ(alice.room->name(), "lobby");
  ASSERT_EQ(received(alice).size(), 1u);
  EXPECT_EQ(string_field(received(alice)[0], "code"), "name_taken");
}

TEST_F(ChatOnABus, BusThatIsDownRefusesSayAndJoinWithUnavailable) {
  ChatClient& alice = connect();
  bus.up = false;
  bus.published.clear();
  transport.sent.clear();
  chat.receive_text(alice, "hello", 0);
  chat.receive_text(alice, R"({"type":"join","room":"rust"})", 0);
  EXPECT_TRUE(bus.published.empty());
  std::vector<JsonValue> messages = received(alice);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(string_field(messages[0], "code"), "unavailable");
  EXPECT_EQ(string_field(messages[1], "code"), "unavailable");
  EXPECT_EQ(alice.room->name(), "lobby");
}

TEST_F(ChatOnABus, LeavingAndRenamingGiveTheOldNameBack) {
  ChatClient& alice = connect();
  chat.receive_text(alice, R"({"type":"rename","name":"alice"})", 0);
  chat.receive_text(alice, R"({"type":"rename","name":"Alice"})", 0);  // a new spelling keeps the claim
  chat.receive_text(alice, R"({"type":"join","room":"rust"})", 0);
  EXPECT_EQ(bus.released, (std::vector<std::string>{"lobby/guest-1", "lobby/Alice"}));
}

TEST_F(ChatOnABus, WelcomeCarriesTheBusEpoch) {
  ChatClient& alice = connect();
  EXPECT_EQ(string_field(received(alice)[0], "epoch"), "e1");
}
