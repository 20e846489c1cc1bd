// chat.cpp: the chat layer's life cycle: clients arriving and leaving rooms,
// presence in large rooms, and the one route every room broadcast takes.
// The commands clients send are in chat_commands.cpp; docs/protocol.md is
// the behaviour both follow.
//
// Deliberately left out: sockets, the message rate limit and message size
// limits. The server owns those and hands Chat complete, valid UTF-8 text
// messages. The chat layer bounds only what its own commands cost: the join
// rate, the history in a welcome and the length of a rooms reply.
#include "chat/chat.h"

#include <utility>

#include "chat/chat_names.h"
#include "chat/local_room_bus.h"

namespace {

constexpr std::string_view kLobby = "lobby";

}  // namespace

/* ===== Life cycle ===== */

Chat::Chat(ChatTransport& transport, const ChatOptions& options)
    : transport_(transport),
      own_bus_(std::make_unique<LocalRoomBus>(transport)),
      bus_(*own_bus_),
      options_(options),
      strangers_(transport, messages_) {}

Chat::Chat(ChatTransport& transport, const ChatOptions& options, RoomBus& bus)
    : transport_(transport), bus_(bus), options_(options), strangers_(transport, messages_) {}

Chat::~Chat() = default;

// Names the client guest-<id> and puts it in the lobby. The guest- prefix is
// reserved (chat_names.h), so the name cannot already be taken.
void Chat::connect(ChatClient& client) {
  client.name = guest_name(client.id);
  enter_room(client, kLobby);
}

void Chat::receive_text(ChatClient& client, std::string_view text, int64_t now_ms) {
  dispatch(client, text, now_ms);
}

void Chat::disconnect(ChatClient& client, LeaveReason reason) { leave_current_place(client, reason); }

void Chat::send_error(ChatClient& client, std::string_view code, std::string_view message) {
  transport_.send(client, messages_.error(code, message));
}

/* ===== Rooms ===== */

Room* Chat::find_room(std::string_view name) {
  auto found = rooms_.find(fold_case(name));
  return found == rooms_.end() ? nullptr : found->second.get();
}

// Puts client (in no room and not in stranger mode) into the room called
// room_name, creating it if needed, under client.name, which the caller has
// checked is free there. The others hear of it through the bus (which
// leaves the newcomer out), the newcomer gets its welcome straight away:
// the bus may deliver later, and the welcome must not wait for it.
void Chat::enter_room(ChatClient& client, std::string_view room_name) {
  std::string key = fold_case(room_name);
  auto found = rooms_.find(key);
  if (found == rooms_.end()) {
    found = rooms_.emplace(std::move(key), std::make_unique<Room>(std::string(room_name), options_.history_length))
                .first;
    bus_.open(*found->second);
  }
  Room& room = *found->second;
  bool had_members = !room.empty();
  room.add_member(client);
  if (room.member_count() > options_.presence_threshold) {
    mark_presence_dirty(room);
  } else {
    if (had_members) publish_to_room(room, RoomEvent::joined(client));
    room.announced_count = room.member_count();
  }
  send_welcome(client);
}

void Chat::send_welcome(ChatClient& client) {
  Room& room = *client.room;
  bool list_members = room.member_count() <= options_.presence_threshold;
  transport_.send(client, messages_.welcome(client, room, bus_.member_count(room), list_members,
                                            bus_.history(room), options_.history_bytes));
}

// Takes client out of its room. The remaining members get "left", or, in a
// room that was large, the count waits for the presence timer. An empty room
// is destroyed, history and all.
void Chat::leave_room(ChatClient& client, LeaveReason reason) {
  Room& room = *client.room;
  bool was_large = room.member_count() > options_.presence_threshold;
  room.remove_member(client);
  if (room.empty()) {
    clear_presence_dirty(room);
    bus_.close(room);
    rooms_.erase(fold_case(room.name()));  // destroys room
    return;
  }
  if (was_large) {
    mark_presence_dirty(room);
  } else {
    publish_to_room(room, RoomEvent::left(client, reason));
    room.announced_count = room.member_count();
  }
}

void Chat::leave_current_place(ChatClient& client, LeaveReason reason) {
  if (client.room != nullptr) {
    leave_room(client, reason);
  } else {
    strangers_.leave(client);
  }
}

/* ===== Presence at scale ===== */

// In a room above the presence threshold, announcing each join to every
// member would cost N frames per join, N² for a reconnect storm. Instead the
// room goes on a list, and the timer tells it the count at most once per
// interval: O(N) frames per interval whatever the churn. The list means the
// timer touches only rooms that changed, never every room or member.
void Chat::mark_presence_dirty(Room& room) {
  if (room.presence_dirty_slot != Room::kNotDirty) return;
  room.presence_dirty_slot = presence_dirty_rooms_.size();
  presence_dirty_rooms_.push_back(&room);
}

void Chat::clear_presence_dirty(Room& room) {
  size_t slot = room.presence_dirty_slot;
  if (slot == Room::kNotDirty) return;
  Room* last = presence_dirty_rooms_.back();
  presence_dirty_rooms_[slot] = last;
  last->presence_dirty_slot = slot;
  presence_dirty_rooms_.pop_back();
  room.presence_dirty_slot = Room::kNotDirty;
}

int64_t Chat::next_timer_ms() const {
  return presence_dirty_rooms_.empty() ? -1 : next_presence_flush_ms_;
}

// Every dirty room hears its count, if it differs from the count the room
// was last told (a join and a leave in one interval cancel out). One flush
// for all rooms, at most once per interval, is what bounds each room to one
// presence message per interval.
void Chat::run_timers(int64_t now_ms) {
  if (presence_dirty_rooms_.empty() || now_ms < next_presence_flush_ms_) return;
  // Safe to walk the list while publishing: neither the bus nor the
  // transport calls back into Chat, so no room joins or leaves the list
  // meanwhile.
  for (Room* room : presence_dirty_rooms_) {
    room->presence_dirty_slot = Room::kNotDirty;
    if (room->member_count() == room->announced_count) continue;
    room->announced_count = room->member_count();
    publish_to_room(*room, RoomEvent::presence());
  }
  presence_dirty_rooms_.clear();
  next_presence_flush_ms_ = now_ms + options_.presence_interval_ms;
}

/* ===== The route of a room broadcast ===== */

// Every event in a room (message, joined, left, renamed, presence) goes out
// here, and only here, to the room bus (room_bus.h): Chat says what
// happened, the bus numbers it, records it, encodes it once and delivers it.
// Which bus it is (one process, or several sharing rooms) Chat never knows.
void Chat::publish_to_room(Room& room, const RoomEvent& event) { bus_.publish(room, event); }
