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
      local_strangers_(transport, messages_),
      strangers_(local_strangers_) {}

Chat::Chat(ChatTransport& transport, const ChatOptions& options, RoomBus& bus)
    : transport_(transport),
      bus_(bus),
      options_(options),
      local_strangers_(transport, messages_),
      strangers_(bus.strangers() != nullptr ? *bus.strangers() : local_strangers_) {}

Chat::~Chat() = default;

size_t Chat::room_member_count() const {
  size_t members = 0;
  for (const auto& entry : rooms_) members += entry.second->member_count();
  return members;
}

// Names the client guest-<id> and puts it in the lobby. The guest- prefix is
// reserved (chat_names.h) and ids are unique across nodes, so the name
// cannot already be taken; the claim only registers it with the bus.
void Chat::connect(ChatClient& client) {
  bus_.attach(client);
  begin_join(client, kLobby, guest_name(client.id), SeenUpTo{});
}

void Chat::receive_text(ChatClient& client, std::string_view text, int64_t now_ms) {
  dispatch(client, text, now_ms);
}

void Chat::disconnect(ChatClient& client, LeaveReason reason) {
  held_requests_.erase(client.id);
  leave_current_place(client, reason);
  bus_.detach(client);
}

void Chat::send_error(ChatClient& client, std::string_view code, std::string_view message) {
  transport_.send(client, messages_.error(code, message));
}

/* ===== Rooms ===== */

Room* Chat::find_room(std::string_view name) {
  auto found = rooms_.find(fold_case(name));
  return found == rooms_.end() ? nullptr : found->second.get();
}

// excerpt-begin: begin_join
// A join in two steps, because on a shared bus only Redis knows whether a
// name is free on every node: the claim goes out here, and the client stays
// where it is until the answer comes back (finish_join). Meanwhile it may
// talk in its old room; one more join, rename, stranger or next waits for
// the answer (run_held_request), and any beyond that is refused as busy.
void Chat::begin_join(ChatClient& client, std::string_view room_name, std::string_view name, SeenUpTo seen) {
  if (!bus_.available()) {
    send_unavailable(client);
    return;
  }
  client.claim_pending = true;
  client.join_pending = true;
  bus_.claim_name(client, room_name, name,
                  [this, room = std::string(room_name), wanted = std::string(name), seen = std::move(seen)](
                      ChatClient& claimant, NameClaim result) {
                    claimant.claim_pending = false;
                    claimant.join_pending = false;
                    finish_join(claimant, room, wanted, seen, result);
                    run_held_request(claimant);
                  });
}
// excerpt-end: begin_join

void Chat::finish_join(ChatClient& client, const std::string& room_name, const std::string& name,
                       const SeenUpTo& seen, NameClaim result) {
  Room* target = find_room(room_name);
  if (result == NameClaim::Granted && target != nullptr) {
    // A local member may have taken the name while the claim was out, when
    // the bus had lost its record of this node's members (Redis restarted).
    ChatClient* holder = target->find_member(name);
    if (holder != nullptr && holder != &client) {
      bus_.release_name(*target, client, name);
      result = NameClaim::Taken;
    }
  }
  if (result == NameClaim::Taken) {
    send_name_taken(client, name, target != nullptr ? std::string_view(target->name()) : room_name);
    return;
  }
  if (result == NameClaim::Unavailable) {
    send_unavailable(client);
    return;
  }
  if (target != nullptr && target == client.room) {
    rename_in_room(client, name);
    welcome_when_ready(client, seen);
    return;
  }
  leave_current_place(client, LeaveReason::Left);
  client.name = name;
  enter_room(client, room_name, seen);
}

// Puts client (in no room and not in stranger mode) into the room called
// room_name, creating it if needed, under client.name, which the bus has
// granted it. The others hear of it through the bus (which leaves the
// newcomer out), the newcomer gets its welcome once the bus can give it.
void Chat::enter_room(ChatClient& client, std::string_view room_name, const SeenUpTo& seen) {
  std::string key = fold_case(room_name);
  auto found = rooms_.find(key);
  if (found == rooms_.end()) {
    found = rooms_.emplace(std::move(key), std::make_unique<Room>(std::string(room_name), options_.history_length))
                .first;
    bus_.open(*found->second);
  }
  Room& room = *found->second;
  bool had_members = !room.empty() || bus_.spans_processes();
  room.add_member(client);
  if (bus_.member_count(room) > options_.presence_threshold) {
    mark_presence_dirty(room);
  } else {
    if (had_members) publish_to_room(room, RoomEvent::joined(client));
    room.announced_count = bus_.member_count(room);
  }
  welcome_when_ready(client, seen);
}

void Chat::welcome_when_ready(ChatClient& client, const SeenUpTo& seen) {
  bus_.when_ready(*client.room, client, [this, seen](ChatClient& member) { send_welcome(member, seen); });
}

// excerpt-begin: send_welcome
// The history a welcome carries: normally the newest messages that fit in
// history_bytes. A client that says what it has seen (since) gets exactly
// the messages after that, with recovered:true, if this run of the room's
// numbering (the epoch) is the one it saw and the history still reaches
// back to the first message it missed, and they fit; otherwise the normal
// history and recovered:false, so it knows to show a gap.
void Chat::send_welcome(ChatClient& client, const SeenUpTo& seen) {
  Room& room = *client.room;
  const RoomHistory& history = bus_.history(room);
  const size_t member_count = bus_.member_count(room);
  const bool list_members = member_count <= options_.presence_threshold;
  member_scratch_.clear();
  if (list_members) bus_.list_members(room, &member_scratch_);
  WelcomeHistory shown{history, history.size(), WelcomeHistory::kNotAsked};
  if (seen.given) {
    shown.recovered = WelcomeHistory::kNotRecovered;
    if (seen.epoch == bus_.epoch(room)) {
      size_t first = history.size();
      while (first > 0 && history.seq_at(first - 1) > seen.seq) --first;
      bool reaches_back = history.size() == 0 ? seen.seq == 0
                          : first > 0         ? true  // the history holds seq S itself or older
                                              : history.seq_at(0) == seen.seq + 1;
      size_t bytes = 0;
      for (size_t i = first; i < history.size(); ++i) bytes += history.at(i)->payload().size();
      if (reaches_back && bytes <= options_.history_bytes) {
        shown.first = first;
        shown.recovered = WelcomeHistory::kRecovered;
      }
    }
  }
  if (shown.recovered != WelcomeHistory::kRecovered) shown.first = newest_that_fit(history, options_.history_bytes);
  transport_.send(client, messages_.welcome(client, room, member_count, list_members ? &member_scratch_ : nullptr,
                                            bus_.epoch(room), shown));
}
// excerpt-end: send_welcome

// Takes client out of its room. The remaining members get "left", or, in a
// room that was large, the count waits for the presence timer. An empty room
// is destroyed, history and all.
void Chat::leave_room(ChatClient& client, LeaveReason reason) {
  Room& room = *client.room;
  bool was_large = bus_.member_count(room) > options_.presence_threshold;
  room.remove_member(client);
  bus_.release_name(room, client, client.name);
  // Members on other nodes hear of the leave even when none is left here.
  bool anyone_to_tell = !room.empty() || bus_.spans_processes();
  if (anyone_to_tell && !was_large) publish_to_room(room, RoomEvent::left(client, reason));
  if (room.empty()) {
    clear_presence_dirty(room);
    bus_.close(room);
    rooms_.erase(fold_case(room.name()));  // destroys room
    return;
  }
  if (was_large) {
    mark_presence_dirty(room);
  } else {
    room.announced_count = bus_.member_count(room);
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
    if (bus_.member_count(*room) == room->announced_count && !bus_.spans_processes()) continue;
    room->announced_count = bus_.member_count(*room);
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
