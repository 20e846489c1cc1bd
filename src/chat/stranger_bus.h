// stranger_bus.h: the stranger-mode seam, the twin of room_bus.h for
// rooms. Chat decides when a client looks for a stranger, leaves one or
// says something to one; a StrangerBus does the pairing and carries the
// lines. docs/protocol.md (Stranger mode) is what the clients see.
//
// Two kinds: LocalStrangers (chat_strangers.h), everyone in one process,
// pairing at once; and RedisStrangers (bus/redis_strangers.h), whose waiting
// list lives in Redis so that two strangers on different nodes are paired,
// and whose lines travel through the nodes' own channels. A RoomBus that
// spans processes hands Chat its StrangerBus (RoomBus::strangers()); Chat
// uses its own LocalStrangers otherwise.
//
// The rule both keep: a client is paired with at most one stranger at a
// time, never with the one it has just left, and a partner that goes (next,
// join, disconnect) is announced with stranger_left.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

struct ChatClient;

class StrangerBus {
 public:
  virtual ~StrangerBus() = default;
  // client is in no room, has no partner and is not waiting: pairs it with a
  // waiting client that is not its last partner (both get "paired"), or
  // makes it wait ("waiting"); now or, on a shared bus, a little later.
  virtual void seek_partner(ChatClient& client) = 0;
  // client leaves stranger mode: it stops waiting, or its partner gets
  // "stranger_left" and is left unpaired. Sends nothing to client.
  virtual void leave(ChatClient& client) = 0;
  // Sends text to client's partner as "stranger" and back to client as
  // "you". Returns false, sending nothing, when client has no partner.
  virtual bool say(ChatClient& client, std::string_view text, int64_t now_ms) = 0;
  // Clients of this process waiting for a stranger (for the metrics).
  virtual size_t waiting_count() const = 0;
};
