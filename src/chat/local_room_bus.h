// local_room_bus.h: the room bus of a single process (room_bus.h). Every
// event is delivered at once, in the order it is published, to the room's
// members in this process; the sequence number and the history live in the
// Room itself.
//
// Deliberately left out: anything beyond one process. Two chatd processes
// with a LocalRoomBus each have two rooms called "lobby" that never meet.
#pragma once

#include "chat/chat_client.h"
#include "chat/chat_messages.h"
#include "chat/chat_room.h"
#include "chat/room_bus.h"

class LocalRoomBus : public RoomBus {
 public:
  explicit LocalRoomBus(ChatTransport& transport) : transport_(transport) {}

  void open(Room&) override {}
  void close(Room&) override {}
  void publish(Room& room, const RoomEvent& event) override;
  size_t member_count(const Room& room) const override { return room.member_count(); }
  const RoomHistory& history(const Room& room) const override { return room.history; }

 private:
  ChatTransport& transport_;
  ChatMessages messages_;  // its own scratch string: encoding is the bus's job
};
