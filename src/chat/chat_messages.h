// chat_messages.h: every message the chat server sends, built as JSON and
// encoded once into a WebSocket text frame (RFC 6455 section 5.6). The
// formats are in docs/protocol.md (Server to client); this file is the only
// place that knows them.
//
// Each builder returns a FrameRef that any number of clients can be sent.
// The JSON is written into one scratch string that is reused, so once it has
// grown to the largest message, building a message costs one allocation:
// the frame itself.
//
// Deliberately left out: parsing. Client requests are read in
// chat_commands.cpp with the JSON reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "websocket/shared_frame.h"

class JsonWriter;
class Room;
class RoomHistory;
struct RoomEvent;
struct RoomMember;
struct ChatClient;
enum class LeaveReason;

// Which part of a room's history a welcome shows: entries first.. to the
// newest, and whether the welcome answers a since (docs/protocol.md).
struct WelcomeHistory {
  enum Recovered { kNotAsked, kNotRecovered, kRecovered };
  const RoomHistory& history;
  size_t first;
  Recovered recovered;
};

// The first entry of the newest whole messages whose payloads fit together
// in max_bytes: it never skips a message to show an older one.
size_t newest_that_fit(const RoomHistory& history, size_t max_bytes);

class ChatMessages {
 public:
  // To client on arrival in room; the member list only when members is set.
  // The history shown is capped by the caller (ChatOptions::history_bytes,
  // see newest_that_fit): escaping can make a 4096-byte text six times
  // longer on the wire (a control character becomes \u0001), so 50 hostile
  // messages would make a welcome of over a megabyte, more than a client's
  // output limit, and a 34-byte re-join could pull a quarter of a megabyte.
  // member_count, members, epoch and history are the room bus's (room_bus.h).
  FrameRef welcome(const ChatClient& client, const Room& room, size_t member_count,
                   const std::vector<RoomMember>* members, std::string_view epoch, const WelcomeHistory& shown);
  // {"type":"reset","room":...,"epoch":...}: the room's numbering started
  // over (a shared bus whose Redis lost the room); history seen is gone.
  FrameRef reset(const Room& room, std::string_view epoch);
  // A room event as broadcast (message, joined, left, renamed or presence);
  // seq (messages only) and member_count (all but message and renamed) are
  // supplied by the room bus that delivers it.
  FrameRef room_event(const Room& room, const RoomEvent& event, uint64_t seq, size_t member_count);
  // The same JSON for a bus that numbers events elsewhere (Redis): the one
  // number it fills in (a message's seq, or the member count of joined,
  // left and presence) is cut out, so *before + number + *after is the
  // message. False for renamed, which has no such number (*before is all).
  bool room_event_parts(const Room& room, const RoomEvent& event, std::string* before, std::string* after);
  // One page of the rooms list, in the order given; total counts every room.
  FrameRef rooms(const std::vector<const Room*>& page, size_t total);
  FrameRef error(std::string_view code, std::string_view message);

  FrameRef waiting();
  FrameRef paired();
  FrameRef stranger_left();
  // from_you: the copy for the sender ("you"), else for the partner ("stranger").
  FrameRef stranger_message(bool from_you, std::string_view text, int64_t now_ms);

 private:
  // Empties the scratch string for a new message and returns it.
  std::string* start();
  FrameRef finish() { return FrameRef::text(scratch_); }
  FrameRef only_type(std::string_view type);
  void write_room_event(const Room& room, const RoomEvent& event, uint64_t seq, size_t member_count,
                        bool with_hole);
  void bus_number(JsonWriter& writer, uint64_t value, bool with_hole);

  std::string scratch_;
  size_t hole_at_ = std::string::npos;  // where room_event_parts cuts
};

// "left", "disconnected" or "timeout".
std::string_view leave_reason_name(LeaveReason reason);
