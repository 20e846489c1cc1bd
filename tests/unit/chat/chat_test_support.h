// chat_test_support.h: a fake transport and a fixture for the chat layer's
// tests (chat_*_test.cpp). The fake records every frame Chat queues: the
// recipient's id, the frame itself (to prove one broadcast is one frame) and
// its payload, which the tests read back with the JSON reader.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chat/chat.h"
#include "json/json.h"

namespace {

struct SentFrame {
  uint64_t client_id;
  FrameRef frame;  // held, so no frame's address is reused during a test
  std::string payload;
};

class FakeTransport : public ChatTransport {
 public:
  void send(ChatClient& client, const FrameRef& frame) override {
    sent.push_back({client.id, frame, std::string(frame->payload())});
  }
  std::vector<SentFrame> sent;
};

inline JsonValue parse_payload(const std::string& payload) {
  // The server's own messages may exceed the limits meant for client input
  // (a welcome with a long history), so the tests read them with wider ones.
  JsonLimits limits;
  limits.max_bytes = 4 * 1024 * 1024;
  limits.max_values = 1024 * 1024;
  JsonValue value;
  std::string error;
  if (!parse_json(payload, &value, &error, limits)) ADD_FAILURE() << "server sent bad JSON (" << error << "): " << payload;
  return value;
}

inline std::string string_field(const JsonValue& value, std::string_view key) {
  const std::string* field = value.find_string(key);
  return field ? *field : "<missing " + std::string(key) + ">";
}

// -1 when the field is missing or not a number.
inline double number_field(const JsonValue& value, std::string_view key) {
  const JsonValue* field = value.find(key);
  return field && field->is_number() ? field->as_number() : -1;
}

// Items in the array field key; -1 when it is missing or not an array.
inline long array_size(const JsonValue& value, std::string_view key) {
  const JsonValue* field = value.find(key);
  return field && field->is_array() ? static_cast<long>(field->items().size()) : -1;
}

class ChatFixture : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1763700000000;

  // Built on first use, so a test can change options first.
  Chat& chat() {
    if (!chat_) chat_ = std::make_unique<Chat>(transport, options);
    return *chat_;
  }

  // A new client with the next id (1, 2, 3, ...), connected.
  ChatClient& connect() {
    clients_.emplace_back();
    ChatClient& client = clients_.back();
    client.id = clients_.size();
    chat().connect(client);
    return client;
  }
  void send(ChatClient& client, std::string_view text) { chat().receive_text(client, text, kNow); }
  void join(ChatClient& client, std::string_view name, std::string_view room) {
    send(client, "{\"type\":\"join\",\"name\":\"" + std::string(name) + "\",\"room\":\"" + std::string(room) + "\"}");
  }
  void forget_sent() { transport.sent.clear(); }

  // Everything sent to client so far, parsed, oldest first.
  std::vector<JsonValue> received(const ChatClient& client) const {
    std::vector<JsonValue> messages;
    for (const SentFrame& sent : transport.sent) {
      if (sent.client_id == client.id) messages.push_back(parse_payload(sent.payload));
    }
    return messages;
  }
  std::vector<std::string> received_payloads(const ChatClient& client) const {
    std::vector<std::string> payloads;
    for (const SentFrame& sent : transport.sent) {
      if (sent.client_id == client.id) payloads.push_back(sent.payload);
    }
    return payloads;
  }
  std::vector<std::string> received_types(const ChatClient& client) const {
    std::vector<std::string> types;
    for (const JsonValue& message : received(client)) types.push_back(string_field(message, "type"));
    return types;
  }
  // The only message client received; a failure unless there was exactly one.
  JsonValue only_message(const ChatClient& client) const {
    std::vector<JsonValue> messages = received(client);
    EXPECT_EQ(messages.size(), 1u) << "to client " << client.id;
    return messages.empty() ? JsonValue() : messages.back();
  }

  ChatOptions options;
  FakeTransport transport;

 private:
  std::unique_ptr<Chat> chat_;
  std::deque<ChatClient> clients_;  // a deque: clients never move
};

}  // namespace
