// chat_strangers.h: stranger mode in one process: pairing two anonymous
// clients and passing lines between them (the StrangerBus of stranger_bus.h
// that Chat uses unless its room bus spans processes). docs/protocol.md
// (Stranger mode) is the behaviour.
//
// A seeker is never paired with the stranger it was last paired with (after
// "next" you want someone new); it is paired with whoever waits, else it
// waits. So the waiting "queue" holds at most two clients, and that is not
// a shortcut: a client waits only when nobody is waiting but, at most, its
// last partner, and a third seeker's last partner is at most one of two
// waiting clients, so it is always paired with the other. Enqueue, dequeue
// and removal on disconnect are O(1) with nothing to search.
//
// Deliberately left out: remembering more than the last partner.
#pragma once

#include <cstdint>
#include <string_view>

#include "chat/chat_messages.h"
#include "chat/stranger_bus.h"
#include "websocket/shared_frame.h"

struct ChatClient;
class ChatTransport;

class LocalStrangers : public StrangerBus {
 public:
  LocalStrangers(ChatTransport& transport, ChatMessages& messages);

  // StrangerBus; seek_partner pairs with the longest-waiting client that
  // is not the last partner, at once.
  void seek_partner(ChatClient& client) override;
  void leave(ChatClient& client) override;
  bool say(ChatClient& client, std::string_view text, int64_t now_ms) override;
  size_t waiting_count() const override { return (waiting_[0] != nullptr) + (waiting_[1] != nullptr); }

 private:
  void pair(ChatClient& client, ChatClient& other);  // other is waiting
  void remove_waiting(ChatClient& client);

  ChatTransport& transport_;
  ChatMessages& messages_;
  // Who waits, oldest first: two slots, the second used only by two
  // clients that were each other's last partner.
  ChatClient* waiting_[2] = {nullptr, nullptr};
  // The messages without variable fields, encoded once for the process.
  FrameRef waiting_frame_;
  FrameRef paired_frame_;
  FrameRef stranger_left_frame_;
};
