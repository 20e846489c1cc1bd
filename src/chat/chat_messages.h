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
  FrameRef welcome(const ChatClient& client, const Room& room, bool list_members, size_t max_history_bytes);
  // A say in room, as broadcast and as kept in the room's history.
  FrameRef room_message(const Room& room, uint64_t seq, const ChatClient& from, std::string_view text,
                        int64_t now_ms);
  // member_count is passed because the notice goes out before the newcomer
  // is added (see Chat::enter_room).
  FrameRef joined(const Room& room, const ChatClient& client, size_t member_count);
  FrameRef left(const Room& room, const ChatClient& client, LeaveReason reason);
  FrameRef renamed(const Room& room, const ChatClient& client, std::string_view old_name);
  FrameRef presence(const Room& room);
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
