// chat_strangers.cpp: pairing and messaging in stranger mode. See chat_strangers.h.
#include "chat/chat_strangers.h"

#include "chat/chat_client.h"

Strangers::Strangers(ChatTransport& transport, ChatMessages& messages)
    : transport_(transport),
      messages_(messages),
      waiting_frame_(messages.waiting()),
      paired_frame_(messages.paired()),
      stranger_left_frame_(messages.stranger_left()) {}

void Strangers::seek_partner(ChatClient& client) {
  if (waiting_ == nullptr) {
    waiting_ = &client;
    transport_.send(client, waiting_frame_);
    return;
  }
  ChatClient& other = *waiting_;
  waiting_ = nullptr;
  client.partner = &other;
  other.partner = &client;
  transport_.send(other, paired_frame_);
  transport_.send(client, paired_frame_);
}

void Strangers::leave(ChatClient& client) {
  if (waiting_ == &client) waiting_ = nullptr;
  if (ChatClient* partner = client.partner) {
    partner->partner = nullptr;
    client.partner = nullptr;
    transport_.send(*partner, stranger_left_frame_);
  }
}

bool Strangers::say(ChatClient& client, std::string_view text, int64_t now_ms) {
  if (client.partner == nullptr) return false;
  // Two frames for two recipients: each side sees its own lines as "you",
  // and stranger mode shows no ids that would let one frame serve both.
  transport_.send(client, messages_.stranger_message(true, text, now_ms));
  transport_.send(*client.partner, messages_.stranger_message(false, text, now_ms));
  return true;
}
