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

namespace {

constexpr std::string_view kLobby = "lobby";

}  // namespace

/* ===== Life cycle ===== */

Chat::Chat(ChatTransport& transport, const ChatOptions& options)
    : transport_(transport), options_(options), strangers_(transport, messages_) {}

Chat::~Chat() = default;

// Names the client guest-<id> and puts it in the lobby. The guest- prefix is
// reserved (chat_names.h), so the name cannot already be taken.
void Chat::connect(ChatClient& client, int64_t now_ms) {
  (void)now_ms;  // arrival itself carries no timestamp in the protocol
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
// checked is free there. The others hear of it first, then the newcomer gets
// its welcome.
void Chat::enter_room(ChatClient& client, std::string_view room_name) {
  std::string key = fold_case(room_name);
  auto found = rooms_.find(key);
  if (found == rooms_.end()) {
    found = rooms_.emplace(std::move(key), std::make_unique<Room>(std::string(room_name), options_.history_length))
                .first;
  }
  Room& room = *found->second;
  size_t count_after = room.member_count() + 1;
  if (count_after > options_.presence_threshold) {
    mark_presence_dirty(room);
  } else if (!room.empty()) {
    // Published before the newcomer is a member, so the one route to the
    // room reaches exactly the members who should hear of the join.
    publish_to_room(room, messages_.joined(room, client, count_after));
    room.announced_count = count_after;
  } else {
    room.announced_count = count_after;
  }
  room.add_member(client);
  send_welcome(client);
}

void Chat::send_welcome(ChatClient& client) {
  Room& room = *client.room;
  bool list_members = room.member_count() <= options_.presence_threshold;
  transport_.send(client, messages_.welcome(client, room, list_members, options_.history_bytes));
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
    rooms_.erase(fold_case(room.name()));  // destroys room
    return;
  }
  if (was_large) {
    mark_presence_dirty(room);
  } else {
    publish_to_room(room, messages_.left(room, client, reason));
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
  // Safe to walk the list while publishing: the transport never calls back
  // into Chat, so no room joins or leaves the list meanwhile.
  for (Room* room : presence_dirty_rooms_) {
    room->presence_dirty_slot = Room::kNotDirty;
    if (room->member_count() == room->announced_count) continue;
    room->announced_count = room->member_count();
    publish_to_room(*room, messages_.presence(*room));
  }
  presence_dirty_rooms_.clear();
  next_presence_flush_ms_ = now_ms + options_.presence_interval_ms;
}

/* ===== The route of a room broadcast ===== */

// Every message to a room (message, joined, left, renamed, presence) goes
// out here, and only here: one encoded frame, and a reference to it queued
// for each member, never a copy per member.
//
// This is where a message bus between several chatd processes would hook
// in: publish the frame's payload to the bus under the room's name, and let
// each process deliver what the bus hands back to its own local members.
// Sequence numbers would then have to come from the bus, not from Room.
void Chat::publish_to_room(Room& room, const FrameRef& frame) {
  for (ChatClient* member : room.members()) transport_.send(*member, frame);
}
