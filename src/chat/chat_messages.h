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

class Room;
class RoomHistory;
struct RoomEvent;
struct ChatClient;
enum class LeaveReason;

class ChatMessages {
 public:
  // To client on arrival in room; the member list only when list_members.
  // The history is the newest whole messages whose payloads fit together in
  // max_history_bytes (ChatOptions::history_bytes): escaping can make a
  // 4096-byte text six times longer on the wire (a control character becomes
  // \u0001), so 50 hostile messages would make a welcome of over a megabyte,
  // more than a client's output limit, and a 34-byte re-join could pull a
  // quarter of a megabyte. The cap bounds both.
  // member_count and history are the room bus's (room_bus.h).
  FrameRef welcome(const ChatClient& client, const Room& room, size_t member_count, bool list_members,
                   const RoomHistory& history, size_t max_history_bytes);
  // A room event as broadcast (message, joined, left, renamed or presence);
  // seq (messages only) and member_count (all but message and renamed) are
  // supplied by the room bus that delivers it.
  FrameRef room_event(const Room& room, const RoomEvent& event, uint64_t seq, size_t member_count);
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

  std::string scratch_;
};

// "left", "disconnected" or "timeout".
std::string_view leave_reason_name(LeaveReason reason);
