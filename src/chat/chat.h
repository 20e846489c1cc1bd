// chat.h: the chat layer: rooms, names, history, presence and stranger
// pairing, on top of whole text messages. It never touches a socket: the
// server hands it each client's text messages and gives it a ChatTransport
// through which it queues frames. The protocol is in docs/protocol.md.
//
// (Public interface fixed by the server; the private parts and ChatClient's
// bookkeeping fields belong to the chat implementation.)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chat/chat_client.h"
#include "chat/chat_messages.h"
#include "chat/chat_room.h"
#include "chat/chat_strangers.h"
#include "chat/room_bus.h"
#include "chat/stranger_bus.h"
#include "websocket/shared_frame.h"

class JsonValue;

// What a rejoining client says it has seen: {"epoch":E,"seq":S} in a join.
struct SeenUpTo {
  bool given = false;
  std::string epoch;
  uint64_t seq = 0;
};

struct ChatOptions {
  size_t history_length = 50;
  size_t presence_threshold = 100;     // rooms above it get periodic counts, not joined/left
  int64_t presence_interval_ms = 5000;
  // The answers a small request can provoke are bounded (docs/protocol.md):
  size_t history_bytes = 32 * 1024;    // history in one welcome, whole messages only
  double join_rate_per_second = 1;     // join, rooms, stranger and next, per client
  double join_burst = 5;
};

class Chat {
 public:
  // Rooms on a LocalRoomBus of Chat's own: one process.
  Chat(ChatTransport& transport, const ChatOptions& options);
  // Rooms on bus (room_bus.h), which must outlive Chat.
  Chat(ChatTransport& transport, const ChatOptions& options, RoomBus& bus);
  ~Chat();

  // A new WebSocket client: placed in "lobby" as guest-<id>; gets a welcome.
  void connect(ChatClient& client);
  // One complete text message from client (valid UTF-8, size-checked).
  void receive_text(ChatClient& client, std::string_view text, int64_t now_ms);
  // The client is gone; tell its room or partner. No frames are sent to it.
  void disconnect(ChatClient& client, LeaveReason reason);
  // {"type":"error","code":code,"message":message} to one client.
  void send_error(ChatClient& client, std::string_view code, std::string_view message);

  // Presence updates for large rooms run on a timer: the server waits no
  // later than next_timer_ms() (-1 when nothing is scheduled) and then calls
  // run_timers(). Both are on the monotonic clock (base/clock.h), so a wall
  // clock stepped back cannot stall presence; the wall clock is only for the
  // timestamps passed to receive_text().
  int64_t next_timer_ms() const;
  void run_timers(int64_t now_ms);

  // For the server's metrics, when a scrape asks: rooms with members here,
  // their members here (visits each room once), clients waiting for a stranger.
  size_t room_count() const { return rooms_.size(); }
  size_t room_member_count() const;
  size_t strangers_waiting() const { return strangers_.waiting_count(); }

 private:
  // Commands (chat_commands.cpp).
  void dispatch(ChatClient& client, std::string_view text, int64_t now_ms);
  void handle_join(ChatClient& client, const JsonValue& request);
  void handle_say(ChatClient& client, std::string_view text, int64_t now_ms);
  void handle_rename(ChatClient& client, const JsonValue& request);
  void handle_rooms(ChatClient& client, const JsonValue& request);
  void handle_stranger(ChatClient& client);
  // Takes a token from client's join rate; when there is none, sends
  // rate_limited and returns false, and the request is dropped.
  bool within_join_rate(ChatClient& client, int64_t now_ms);
  // Checks a requested member name for client; sends bad_name and returns
  // false when it breaks the rule.
  bool check_name(ChatClient& client, std::string_view name);
  // Renames client within its room to a name the bus has granted it.
  void rename_in_room(ChatClient& client, std::string_view name);
  // Sends busy and returns true while a claim of client's is out.
  bool refused_while_claiming(ChatClient& client);
  // While a join's claim is out, one join, rename, stranger or next waits
  // for its answer instead of being refused: a client that sends its join
  // as soon as the socket opens must not lose it to the connect-time lobby
  // placement (with --redis, that claim takes a round trip to Redis).
  // Returns true when request_text was kept (or refused busy: one only).
  bool held_for_pending_join(ChatClient& client, std::string_view request_text);
  // Carries out the request kept for client, if any (its join's answer came).
  void run_held_request(ChatClient& client);
  // The refusals a join or rename can end with.
  void send_name_taken(ChatClient& client, std::string_view name, std::string_view room_name);
  void send_unavailable(ChatClient& client);

  // Rooms (chat.cpp).
  Room* find_room(std::string_view name);
  // Claims name in room_name through the bus, then moves client there (or
  // renames it, if it is in that room already) and welcomes it.
  void begin_join(ChatClient& client, std::string_view room_name, std::string_view name, SeenUpTo seen);
  void finish_join(ChatClient& client, const std::string& room_name, const std::string& name,
                   const SeenUpTo& seen, NameClaim result);
  void enter_room(ChatClient& client, std::string_view room_name, const SeenUpTo& seen);
  void leave_room(ChatClient& client, LeaveReason reason);
  // Leaves whatever the client is in (room or stranger mode).
  void leave_current_place(ChatClient& client, LeaveReason reason);
  // Asks the bus for the moment it can welcome client, then welcomes it.
  void welcome_when_ready(ChatClient& client, const SeenUpTo& seen);
  void send_welcome(ChatClient& client, const SeenUpTo& seen);
  // A join or leave that is not announced one by one in a large room.
  void mark_presence_dirty(Room& room);
  void clear_presence_dirty(Room& room);
  // The one route of every room broadcast (see chat.cpp).
  void publish_to_room(Room& room, const RoomEvent& event);

  ChatTransport& transport_;
  std::unique_ptr<RoomBus> own_bus_;  // set when Chat made its own LocalRoomBus
  RoomBus& bus_;
  ChatOptions options_;
  ChatMessages messages_;
  std::vector<RoomMember> member_scratch_;  // a welcome's member list, reused
  LocalStrangers local_strangers_;  // used unless the bus brings its own
  StrangerBus& strangers_;
  // Rooms by name folded to lower case; a room exists while it has members.
  std::unordered_map<std::string, std::unique_ptr<Room>> rooms_;
  // Rooms whose member count changed without a joined/left notice, so the
  // timer never has to scan every room to find them.
  std::vector<Room*> presence_dirty_rooms_;
  // The earliest time the next flush may run, on the monotonic clock. Only
  // run_timers() sets it, from its own now_ms, never from the wall-clock
  // timestamps passed to receive_text().
  int64_t next_presence_flush_ms_ = 0;
  // Requests waiting for a join's answer, by client id: at most one each,
  // and only while that join is out, so this stays as small as the joins in flight.
  std::unordered_map<uint64_t, std::string> held_requests_;
};
