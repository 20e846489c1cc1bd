// chat_strangers.h: stranger mode: pairing two anonymous clients and passing
// lines between them. docs/protocol.md (Stranger mode) is the behaviour.
//
// The waiting "queue" is a single slot, and that is not a shortcut: a client
// only waits when nobody else is waiting (otherwise it is paired at once),
// so at most one client is ever waiting. Enqueue, dequeue and removal on
// disconnect are therefore O(1) with nothing to search.
//
// Deliberately left out: remembering past partners. With few people in
// stranger mode, "next" may pair you with the stranger you just left.
#pragma once

#include <cstdint>
#include <string_view>

#include "chat/chat_messages.h"
#include "websocket/shared_frame.h"

struct ChatClient;
class ChatTransport;

class Strangers {
 public:
  Strangers(ChatTransport& transport, ChatMessages& messages);

  // client is in no room, has no partner and is not waiting: pairs it with
  // the waiting client (both get "paired"), or makes it the one waiting
  // ("waiting").
  void seek_partner(ChatClient& client);
  // client leaves stranger mode: it stops waiting, or its partner gets
  // "stranger_left" and is left unpaired. Sends nothing to client.
  void leave(ChatClient& client);
  // Sends text to client's partner as "stranger" and back to client as
  // "you". Returns false, sending nothing, when client has no partner.
  bool say(ChatClient& client, std::string_view text, int64_t now_ms);

 private:
  ChatTransport& transport_;
  ChatMessages& messages_;
  ChatClient* waiting_ = nullptr;
  // The messages without variable fields, encoded once for the process.
  FrameRef waiting_frame_;
  FrameRef paired_frame_;
  FrameRef stranger_left_frame_;
};
