// local_room_bus.cpp: number, record, encode once, fan out. See
// local_room_bus.h and the promises in room_bus.h.
#include "chat/local_room_bus.h"

// excerpt-begin: LocalRoomBus::publish
// The whole broadcast: one encoded frame, and a reference to it queued for
// each member, never a copy per member. Delivery is immediate, so one
// room's events reach every member in the order they were published.
void LocalRoomBus::publish(Room& room, const RoomEvent& event) {
  bool is_message = event.kind == RoomEventKind::Message;
  uint64_t seq = is_message ? ++room.last_sequence : 0;
  FrameRef frame = messages_.room_event(room, event, seq, room.member_count());
  if (is_message) room.history.remember(frame);
  if (event.kind == RoomEventKind::Joined) {
    // The newcomer is already a member; it hears of itself in its welcome.
    for (ChatClient* member : room.members()) {
      if (member->id != event.member_id) transport_.send(*member, frame);
    }
    return;
  }
  for (ChatClient* member : room.members()) transport_.send(*member, frame);
}
// excerpt-end: LocalRoomBus::publish
