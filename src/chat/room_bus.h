// room_bus.h: the room-event seam. Chat decides what happened in a room (a
// message, a join, a leave, a rename, a new member count) and publishes it
// as a RoomEvent; a RoomBus turns events into what members see: it numbers
// messages (seq), records the history, encodes each event once and queues
// the frame for the room's members in this process. docs/07-chat.md walks
// through it; docs/protocol.md is what members see.
//
// Today's bus is LocalRoomBus (local_room_bus.h): one process, delivery at
// once. The interface is written for a second kind as well: a bus shared by
// several processes through Redis pub/sub, where a node publishes every event
// to Redis, its own too, and delivers what comes back, numbered by Redis.
// Either plugs into Chat's constructor; Chat does not change.
//
// Deliberately left out: how a distributed bus names members. A member id is
// unique per process today; across processes it would need the node's id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chat/chat_client.h"

class Room;
class RoomHistory;

// excerpt-begin: room-event
// What happened in a room, as the chat logic saw it. It carries only what the
// event itself says; everything that is true of one process or of one
// moment in the room's life (the seq, the history, the member count) is
// the bus's to add.
enum class RoomEventKind { Message, Joined, Left, Renamed, Presence };

struct RoomEvent {
  RoomEventKind kind;
  uint64_t member_id = 0;        // who said, joined, left or was renamed (not Presence)
  std::string_view member_name;  // their name; for Renamed the new one
  std::string_view text;         // Message: what was said; Renamed: the old name
  int64_t ts_ms = 0;             // Message: when it was said, wall clock
  LeaveReason reason = LeaveReason::Left;  // Left: why

  static RoomEvent message(const ChatClient& from, std::string_view text, int64_t ts_ms) {
    return {RoomEventKind::Message, from.id, from.name, text, ts_ms, LeaveReason::Left};
  }
  static RoomEvent joined(const ChatClient& who) {
    return {RoomEventKind::Joined, who.id, who.name, {}, 0, LeaveReason::Left};
  }
  static RoomEvent left(const ChatClient& who, LeaveReason why) {
    return {RoomEventKind::Left, who.id, who.name, {}, 0, why};
  }
  static RoomEvent renamed(const ChatClient& who, std::string_view old_name) {
    return {RoomEventKind::Renamed, who.id, who.name, old_name, 0, LeaveReason::Left};
  }
  static RoomEvent presence() { return {RoomEventKind::Presence, 0, {}, {}, 0, LeaveReason::Left}; }
};
// excerpt-end: room-event

// excerpt-begin: room-bus
class RoomBus {
 public:
  virtual ~RoomBus() = default;

  // Room has its first member in this process (open) or has lost its last
  // one and is about to be destroyed (close). A distributed bus subscribes
  // and unsubscribes here, and must drop anything it still holds for room:
  // an event that arrives after close is not delivered in this process.
  virtual void open(Room& room) = 0;
  virtual void close(Room& room) = 0;

  // Delivers event to room's members in this process. Promises:
  //  - Order: every member sees one room's events in one order, the same
  //    for all members on all nodes, and seq rises by one per message in it.
  //  - Own messages: the sender sees its message when it comes through the
  //    bus, like everyone else, never earlier; Chat sends it no copy.
  //  - Joined reaches every member but the one who joined (who gets a
  //    welcome from Chat instead), whenever the delivery happens.
  //  - History: the bus records each message it delivers (history below).
  //  - Encoding: one frame per event, the same frame queued for every member.
  // Delivery may be later than the call (a remote bus delivers what comes
  // back from Redis), so Chat assumes nothing about what members have seen
  // when publish returns. event's strings are valid only during the call.
  // Like ChatTransport::send, publish never calls back into Chat.
  virtual void publish(Room& room, const RoomEvent& event) = 0;

  // The room's member count as welcome, joined, left and presence report it.
  // LocalRoomBus counts the local members; a distributed bus may count the
  // members on every node.
  virtual size_t member_count(const Room& room) const = 0;
  // The messages the bus delivered to room, oldest first, for a welcome.
  virtual const RoomHistory& history(const Room& room) const = 0;
};
// excerpt-end: room-bus
