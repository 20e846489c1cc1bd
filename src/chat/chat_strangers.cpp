// chat_strangers.cpp: pairing and messaging in stranger mode, in one process.
// See chat_strangers.h.
#include "chat/chat_strangers.h"

#include "chat/chat_client.h"

LocalStrangers::LocalStrangers(ChatTransport& transport, ChatMessages& messages)
    : transport_(transport),
      messages_(messages),
      waiting_frame_(messages.waiting()),
      paired_frame_(messages.paired()),
      stranger_left_frame_(messages.stranger_left()) {}

namespace {

// a and b just left each other: "next" must bring someone new.
bool just_left_each_other(const ChatClient& a, const ChatClient& b) {
  return a.last_partner == b.id || b.last_partner == a.id;
}

}  // namespace

// excerpt-begin: seek_partner
void LocalStrangers::seek_partner(ChatClient& client) {
  for (ChatClient* other : waiting_) {
    if (other != nullptr && !just_left_each_other(client, *other)) {
      pair(client, *other);
      return;
    }
  }
  if (waiting_[1] != nullptr) {
    // Both slots hold clients this one just left: cannot happen (see the
    // header), but if it did, a third waiter would have no slot, so it is
    // paired with the longest waiting rather than forgotten.
    pair(client, *waiting_[0]);
    return;
  }
  waiting_[waiting_[0] == nullptr ? 0 : 1] = &client;
  transport_.send(client, waiting_frame_);
}
// excerpt-end: seek_partner

void LocalStrangers::pair(ChatClient& client, ChatClient& other) {
  remove_waiting(other);
  client.partner = &other;
  other.partner = &client;
  client.last_partner = other.id;
  other.last_partner = client.id;
  transport_.send(other, paired_frame_);
  transport_.send(client, paired_frame_);
}

void LocalStrangers::remove_waiting(ChatClient& client) {
  if (waiting_[0] == &client) {
    waiting_[0] = waiting_[1];
    waiting_[1] = nullptr;
  } else if (waiting_[1] == &client) {
    waiting_[1] = nullptr;
  }
}

void LocalStrangers::leave(ChatClient& client) {
  remove_waiting(client);
  if (ChatClient* partner = client.partner) {
    partner->partner = nullptr;
    client.partner = nullptr;
    transport_.send(*partner, stranger_left_frame_);
  }
}

bool LocalStrangers::say(ChatClient& client, std::string_view text, int64_t now_ms) {
  if (client.partner == nullptr) return false;
  // Two frames for two recipients: each side sees its own lines as "you",
  // and stranger mode shows no ids that would let one frame serve both.
  transport_.send(client, messages_.stranger_message(true, text, now_ms));
  transport_.send(*client.partner, messages_.stranger_message(false, text, now_ms));
  return true;
}
