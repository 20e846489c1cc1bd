// chat_errors_test.cpp: requests the chat layer refuses (docs/protocol.md,
// error), and the naming rule on its own (chat_names.h).
#include <string>

#include "chat_names.h"
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

TEST(ChatNames, CountsCodePointsNotBytes) {
  EXPECT_EQ(count_code_points(""), 0u);
  EXPECT_EQ(count_code_points("abc"), 3u);
  EXPECT_EQ(count_code_points("\xC3\xA9t\xC3\xA9"), 3u);     // "été"
  EXPECT_EQ(count_code_points("\xF0\x9F\x98\x80"), 1u);      // U+1F600
}

TEST(ChatNames, AcceptsOrdinaryNames) {
  EXPECT_TRUE(is_valid_name("a"));
  EXPECT_TRUE(is_valid_name("alice smith"));
  EXPECT_TRUE(is_valid_name(std::string(32, 'a')));
  EXPECT_TRUE(is_valid_name("\xC2\xA0nbsp"));  // U+00A0 is not a C1 control
}

TEST(ChatNames, RefusesEmptyAndTooLong) {
  EXPECT_FALSE(is_valid_name(""));
  EXPECT_FALSE(is_valid_name(std::string(33, 'a')));
}

TEST(ChatNames, RefusesSpaceAtEitherEnd) {
  EXPECT_FALSE(is_valid_name(" alice"));
  EXPECT_FALSE(is_valid_name("alice "));
  EXPECT_FALSE(is_valid_name(" "));
}

TEST(ChatNames, RefusesControlCharacters) {
  EXPECT_FALSE(is_valid_name(std::string("a\0b", 3)));  // C0
  EXPECT_FALSE(is_valid_name("a\tb"));                  // C0
  EXPECT_FALSE(is_valid_name("a\x7F"));                 // DEL
  EXPECT_FALSE(is_valid_name("a\xC2\x80"));             // U+0080, first C1
  EXPECT_FALSE(is_valid_name("a\xC2\x9F"));             // U+009F, last C1
}

TEST(ChatNames, GuestPrefixIgnoresAsciiCase) {
  EXPECT_TRUE(has_guest_prefix("guest-1"));
  EXPECT_TRUE(has_guest_prefix("GUEST-x"));
  EXPECT_FALSE(has_guest_prefix("guest"));
  EXPECT_FALSE(has_guest_prefix("guests"));
}

TEST(ChatNames, CaseInsensitiveNamesHashAlike) {
  EXPECT_TRUE(equal_ignoring_ascii_case("Alice", "aLICE"));
  EXPECT_FALSE(equal_ignoring_ascii_case("alice", "alicia"));
  EXPECT_EQ(hash_ignoring_ascii_case("Alice"), hash_ignoring_ascii_case("aLICE"));
  EXPECT_EQ(fold_ascii_case("RuSt \xC3\x89"), "rust \xC3\x89");  // non-ASCII unchanged
}
