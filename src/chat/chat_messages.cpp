// chat_messages.cpp: the JSON of every server-to-client chat message. The
// field names and order follow docs/protocol.md (Server to client).
#include "chat/chat_messages.h"

#include "chat/chat_client.h"
#include "chat/chat_room.h"
#include "chat/room_bus.h"
#include "json/json.h"

namespace {

uint64_t count(size_t value) { return static_cast<uint64_t>(value); }

}  // namespace

std::string_view leave_reason_name(LeaveReason reason) {
  switch (reason) {
    case LeaveReason::Left:
      return "left";
    case LeaveReason::Disconnected:
      return "disconnected";
    case LeaveReason::Timeout:
      return "timeout";
  }
  return "left";
}

std::string* ChatMessages::start() {
  scratch_.clear();  // keeps the capacity: no allocation once warm
  return &scratch_;
}

FrameRef ChatMessages::only_type(std::string_view type) {
  JsonWriter(start()).begin_object().key("type").string(type).end_object();
  return finish();
}

FrameRef ChatMessages::welcome(const ChatClient& client, const Room& room, size_t member_count, bool list_members,
                               const RoomHistory& history, size_t max_history_bytes) {
  JsonWriter writer(start());
  writer.begin_object()
      .key("type").string("welcome")
      .key("id").number(client.id)
      .key("name").string(client.name)
      .key("room").string(room.name())
      .key("member_count").number(count(member_count));
  if (list_members) {
    writer.key("members").begin_array();
    for (const ChatClient* member : room.members()) {
      writer.begin_object().key("id").number(member->id).key("name").string(member->name).end_object();
    }
    writer.end_array();
  }
  // History entries are the payloads of the frames that were broadcast,
  // copied as they are: "exactly as they were broadcast", and no re-encoding.
  // Counted back from the newest; the first that does not fit ends the
  // history, so it never skips a message to show an older one.
  size_t first = history.size();
  size_t history_bytes = 0;
  while (first > 0 && history_bytes + history.at(first - 1)->payload().size() <= max_history_bytes) {
    --first;
    history_bytes += history.at(first)->payload().size();
  }
  writer.key("history").begin_array();
  for (size_t i = first; i < history.size(); ++i) writer.raw(history.at(i)->payload());
  writer.end_array().end_object();
  return finish();
}

// The field order of each type is docs/protocol.md's, byte for byte.
FrameRef ChatMessages::room_event(const Room& room, const RoomEvent& event, uint64_t seq, size_t member_count) {
  JsonWriter writer(start());
  writer.begin_object();
  switch (event.kind) {
    case RoomEventKind::Message:
      writer.key("type").string("message")
          .key("room").string(room.name())
          .key("seq").number(seq)
          .key("from_id").number(event.member_id)
          .key("from").string(event.member_name)
          .key("text").string(event.text)
          .key("ts").number(event.ts_ms);
      break;
    case RoomEventKind::Joined:
      writer.key("type").string("joined")
          .key("room").string(room.name())
          .key("id").number(event.member_id)
          .key("name").string(event.member_name)
          .key("member_count").number(count(member_count));
      break;
    case RoomEventKind::Left:
      writer.key("type").string("left")
          .key("room").string(room.name())
          .key("id").number(event.member_id)
          .key("name").string(event.member_name)
          .key("member_count").number(count(member_count))
          .key("reason").string(leave_reason_name(event.reason));
      break;
    case RoomEventKind::Renamed:
      writer.key("type").string("renamed")
          .key("room").string(room.name())
          .key("id").number(event.member_id)
          .key("old_name").string(event.text)
          .key("name").string(event.member_name);
      break;
    case RoomEventKind::Presence:
      writer.key("type").string("presence")
          .key("room").string(room.name())
          .key("member_count").number(count(member_count));
      break;
  }
  writer.end_object();
  return finish();
}

FrameRef ChatMessages::rooms(const std::vector<const Room*>& page, size_t total) {
  JsonWriter writer(start());
  writer.begin_object().key("type").string("rooms").key("total").number(count(total)).key("rooms").begin_array();
  for (const Room* room : page) {
    writer.begin_object()
        .key("name").string(room->name())
        .key("member_count").number(count(room->member_count()))
        .end_object();
  }
  writer.end_array().end_object();
  return finish();
}

FrameRef ChatMessages::error(std::string_view code, std::string_view message) {
  JsonWriter(start())
      .begin_object()
      .key("type").string("error")
      .key("code").string(code)
      .key("message").string(message)
      .end_object();
  return finish();
}

FrameRef ChatMessages::waiting() { return only_type("waiting"); }
FrameRef ChatMessages::paired() { return only_type("paired"); }
FrameRef ChatMessages::stranger_left() { return only_type("stranger_left"); }

FrameRef ChatMessages::stranger_message(bool from_you, std::string_view text, int64_t now_ms) {
  JsonWriter(start())
      .begin_object()
      .key("type").string("stranger_message")
      .key("from").string(from_you ? "you" : "stranger")
      .key("text").string(text)
      .key("ts").number(now_ms)
      .end_object();
  return finish();
}
