// chat_client.h: the bottom of the chat layer: what every chat file needs to
// know about a client (ChatClient), the road out to the client's socket
// (ChatTransport) and why a client left a room (LeaveReason). It includes
// nothing of the chat layer, so the rooms, messages and strangers files
// include this instead of chat.h, the layer's top file, which includes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/token_bucket.h"
#include "websocket/shared_frame.h"

class Room;

// Per-connection chat state. The server's Connection derives from it, so the
// server turns a ChatClient& back into its connection without a lookup.
struct ChatClient {
  uint64_t id = 0;  // set by the server before Chat::connect(); unique per process
  // Chat bookkeeping follows (defined by the chat implementation). A client
  // is in exactly one place: a room (room set), a stranger pair (partner
  // set), the stranger waiting slot (see chat_strangers.h), or stranger mode with
  // no partner. Kept small: every idle connection carries these bytes.
  std::string name;               // display name; guest-<id> until changed
  Room* room = nullptr;           // the room the client is in, if any
  ChatClient* partner = nullptr;  // the paired stranger, if any
  uint64_t last_partner = 0;      // the id of the last stranger it was paired with (0: none)
  uint32_t room_index = 0;        // position in room->members(), for O(1) removal
  bool claim_pending = false;     // a join, rename or stranger search waits for the bus's answer
  bool join_pending = false;      // that claim is a join's: one request meanwhile waits for it (chat.h)
  TokenBucket join_rate;          // join, rooms, stranger and next (ChatOptions)
};

class ChatTransport {
 public:
  virtual ~ChatTransport() = default;
  // Queues frame for sending to client. Must not call back into Chat.
  virtual void send(ChatClient& client, const FrameRef& frame) = 0;
  // One room event has been sent to recipients members here (for the
  // server's metrics; a bus calls it once per broadcast, after the sends).
  virtual void count_broadcast(size_t recipients) { (void)recipients; }
};

enum class LeaveReason { Left, Disconnected, Timeout };
