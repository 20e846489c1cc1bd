// chat_errors_test.cpp: requests the chat layer refuses (docs/protocol.md,
// error). The naming rule on its own is in chat_names_test.cpp.
#include <string>

#include "chat_test_support.h"

namespace {

class ChatErrors : public ChatFixture {};

}  // namespace

TEST_F(ChatErrors, MalformedJsonIsBadJson) {
  ChatClient& client = connect();
  forget_sent();
  send(client, R"({"type":"say","text":"hi")");
  JsonValue error = only_message(client);
  EXPECT_EQ(string_field(error, "type"), "error");
  EXPECT_EQ(string_field(error, "code"), "bad_json");
}

TEST_F(ChatErrors, JsonThatIsNotAnObjectIsBadJson) {
  ChatClient& client = connect();
  forget_sent();
  send(client, R"(  ["say","hi"])");
  EXPECT_EQ(received_payloads(client),
            std::vector<std::string>{
                "{\"type\":\"error\",\"code\":\"bad_json\",\"message\":\"a request must be a JSON object\"}"});
}

TEST_F(ChatErrors, MissingTypeIsUnknownType) {
  ChatClient& client = connect();
  forget_sent();
  send(client, R"({"text":"hi"})");
  EXPECT_EQ(string_field(only_message(client), "code"), "unknown_type");
}

TEST_F(ChatErrors, TypeThatIsNotAStringIsUnknownType) {
  ChatClient& client = connect();
  forget_sent();
  send(client, R"({"type":1})");
  EXPECT_EQ(string_field(only_message(client), "code"), "unknown_type");
}

TEST_F(ChatErrors, UnlistedTypeIsUnknownType) {
  ChatClient& client = connect();
  forget_sent();
  send(client, R"({"type":"dance"})");
  EXPECT_EQ(received_payloads(client),
            std::vector<std::string>{
                "{\"type\":\"error\",\"code\":\"unknown_type\",\"message\":\"unknown type \\\"dance\\\"\"}"});
}

TEST_F(ChatErrors, ErrorGoesOnlyToTheSender) {
  ChatClient& client = connect();
  ChatClient& other = connect();
  forget_sent();
  send(client, "{oops");
  EXPECT_TRUE(received(other).empty());
}

TEST_F(ChatErrors, UnknownFieldsAreIgnored) {
  ChatClient& client = connect();
  forget_sent();
  send(client, R"({"type":"say","text":"hi","colour":"blue"})");
  EXPECT_EQ(string_field(only_message(client), "type"), "message");
}

TEST_F(ChatErrors, SendErrorWritesCodeAndMessage) {
  ChatClient& client = connect();
  forget_sent();
  chat().send_error(client, "rate_limited", "slow down");
  EXPECT_EQ(received_payloads(client),
            std::vector<std::string>{"{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"slow down\"}"});
}
