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
// A shared bus answers later than the call, so the seam has three
// asynchronous steps besides publish: a name is claimed (claim_name) before
// Chat puts a client into a room under it, a welcome waits until the bus
// has the room's history (when_ready), and every answer that comes back
// finds its client through attach/detach, never through a pointer that may
// have been freed meanwhile. LocalRoomBus answers each of them at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/chat_client.h"

class Room;
class RoomHistory;
class StrangerBus;

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

// How a name claim ended (RoomBus::claim_name).
enum class NameClaim { Granted, Taken, Unavailable };

// One entry of a welcome's member list.
struct RoomMember {
  uint64_t id;
  std::string_view name;
};

// excerpt-begin: room-bus
class RoomBus {
 public:
  virtual ~RoomBus() = default;

  // A client arrives in or leaves the chat. An answer that comes later than
  // the request (a claim, a refused publish) reaches a client only while it
  // is attached: one that has gone meanwhile is skipped, not touched.
  virtual void attach(ChatClient&) {}
  virtual void detach(ChatClient&) {}
  // Whether the bus can take events now; while it cannot, Chat answers
  // say and join with the error "unavailable" instead of losing them.
  virtual bool available() const { return true; }
  // Whether other processes may have members in a room this process has
  // none in, so a leave is announced even when the room is empty here.
  virtual bool spans_processes() const { return false; }
  // The stranger pairing that goes with this bus (stranger_bus.h): one
  // that spans processes pairs strangers across them too. nullptr: Chat
  // pairs in this process (LocalStrangers).
  virtual StrangerBus* strangers() { return nullptr; }

  // Claims name in the room called room_name (any spelling; the claim is
  // on the folded name) for client, before Chat puts the client there or
  // renames it. Chat has checked the local members already; a distributed
  // bus asks the one place that sees every node's members. done is called
  // once, later or at once, and only if client is still attached; a claim
  // granted to a client that has gone is released by the bus itself.
  using ClaimDone = std::function<void(ChatClient& client, NameClaim result)>;
  virtual void claim_name(ChatClient& client, std::string_view room_name, std::string_view name,
                          ClaimDone done) = 0;
  // client no longer holds name in room (it left, or was renamed from it).
  virtual void release_name(Room& room, const ChatClient& client, std::string_view name) = 0;

  // Calls ready(client) once the bus can give client, a member of room, its
  // welcome (it knows the room's history): at once, or when the history
  // has been read. Called only if client is still attached and in room.
  using Ready = std::function<void(ChatClient& client)>;
  virtual void when_ready(Room& room, ChatClient& client, Ready ready) = 0;

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
  // The members for a welcome's list: this process's and, for a shared
  // bus, the other nodes'. Appends to *out; names stay valid until the next
  // call into Chat or the bus.
  virtual void list_members(const Room& room, std::vector<RoomMember>* out) const = 0;
  // The room's epoch: a name for one unbroken run of its seq numbers. It
  // changes when the numbering starts again (the room was empty and made
  // anew, the process restarted, Redis lost the room), so that a client
  // that asks for what came after seq S of epoch E is never given the
  // messages of another run that happen to carry the same numbers.
  virtual std::string_view epoch(const Room& room) const = 0;
};
// excerpt-end: room-bus
