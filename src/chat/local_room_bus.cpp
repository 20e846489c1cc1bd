// local_room_bus.cpp: number, record, encode once, fan out. See
// local_room_bus.h and the promises in room_bus.h.
#include "chat/local_room_bus.h"

#include <cstdio>
#include <random>

LocalRoomBus::LocalRoomBus(ChatTransport& transport) : transport_(transport) {
  std::random_device random;
  char text[20];
  std::snprintf(text, sizeof text, "%08x%08x", random(), random());
  process_epoch_ = text;
}

void LocalRoomBus::open(Room& room) { room.epoch = process_epoch_ + "-" + std::to_string(++rooms_made_); }

// excerpt-begin: LocalRoomBus::publish
// The whole broadcast: one encoded frame, and a reference to it queued for
// each member, never a copy per member. Delivery is immediate, so one
// room's events reach every member in the order they were published.
void LocalRoomBus::publish(Room& room, const RoomEvent& event) {
  bool is_message = event.kind == RoomEventKind::Message;
  uint64_t seq = is_message ? ++room.last_sequence : 0;
  FrameRef frame = messages_.room_event(room, event, seq, room.member_count());
  if (is_message) room.history.remember(frame, seq);
  if (event.kind == RoomEventKind::Joined) {
    // The newcomer is already a member; it hears of itself in its welcome.
    for (ChatClient* member : room.members()) {
      if (member->id != event.member_id) transport_.send(*member, frame);
    }
    transport_.count_broadcast(room.member_count() - 1);
    return;
  }
  for (ChatClient* member : room.members()) transport_.send(*member, frame);
  transport_.count_broadcast(room.member_count());
}
// excerpt-end: LocalRoomBus::publish

void LocalRoomBus::list_members(const Room& room, std::vector<RoomMember>* out) const {
  for (const ChatClient* member : room.members()) out->push_back({member->id, member->name});
}
