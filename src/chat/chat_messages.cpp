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

size_t newest_that_fit(const RoomHistory& history, size_t max_bytes) {
  size_t first = history.size();
  size_t bytes = 0;
  while (first > 0 && bytes + history.at(first - 1)->payload().size() <= max_bytes) {
    --first;
    bytes += history.at(first)->payload().size();
  }
  return first;
}

FrameRef ChatMessages::welcome(const ChatClient& client, const Room& room, size_t member_count,
                               const std::vector<RoomMember>* members, std::string_view epoch,
                               const WelcomeHistory& shown) {
  JsonWriter writer(start());
  writer.begin_object()
      .key("type").string("welcome")
      .key("id").number(client.id)
      .key("name").string(client.name)
      .key("room").string(room.name())
      .key("epoch").string(epoch)
      .key("member_count").number(count(member_count));
  if (members != nullptr) {
    writer.key("members").begin_array();
    for (const RoomMember& member : *members) {
      writer.begin_object().key("id").number(member.id).key("name").string(member.name).end_object();
    }
    writer.end_array();
  }
  // History entries are the payloads of the frames that were broadcast,
  // copied as they are: "exactly as they were broadcast", and no re-encoding.
  writer.key("history").begin_array();
  for (size_t i = shown.first; i < shown.history.size(); ++i) writer.raw(shown.history.at(i)->payload());
  writer.end_array();
  if (shown.recovered != WelcomeHistory::kNotAsked) {
    writer.key("recovered").boolean(shown.recovered == WelcomeHistory::kRecovered);
  }
  writer.end_object();
  return finish();
}

FrameRef ChatMessages::reset(const Room& room, std::string_view epoch) {
  JsonWriter(start())
      .begin_object()
      .key("type").string("reset")
      .key("room").string(room.name())
      .key("epoch").string(epoch)
      .end_object();
  return finish();
}

// The field order of each type is docs/protocol.md's, byte for byte.
FrameRef ChatMessages::room_event(const Room& room, const RoomEvent& event, uint64_t seq, size_t member_count) {
  write_room_event(room, event, seq, member_count, false);
  return finish();
}

bool ChatMessages::room_event_parts(const Room& room, const RoomEvent& event, std::string* before,
                                    std::string* after) {
  write_room_event(room, event, 0, 0, true);
  if (hole_at_ == std::string::npos) {
    before->assign(scratch_);
    after->clear();
    return false;
  }
  before->assign(scratch_, 0, hole_at_);
  after->assign(scratch_, hole_at_ + 1, std::string::npos);  // past the "0" standing in the hole
  return true;
}

// A number the room bus supplies: written, or (with_hole) a "0" whose place
// is remembered so room_event_parts can cut it out.
void ChatMessages::bus_number(JsonWriter& writer, uint64_t value, bool with_hole) {
  if (!with_hole) {
    writer.number(value);
    return;
  }
  writer.raw("");  // the separator, if any, goes before the hole
  hole_at_ = scratch_.size();
  scratch_.push_back('0');
}

void ChatMessages::write_room_event(const Room& room, const RoomEvent& event, uint64_t seq, size_t member_count,
                                    bool with_hole) {
  hole_at_ = std::string::npos;
  JsonWriter writer(start());
  writer.begin_object();
  switch (event.kind) {
    case RoomEventKind::Message:
      writer.key("type").string("message")
          .key("room").string(room.name())
          .key("seq");
      bus_number(writer, seq, with_hole);
      writer.key("from_id").number(event.member_id)
          .key("from").string(event.member_name)
          .key("text").string(event.text)
          .key("ts").number(event.ts_ms);
      break;
    case RoomEventKind::Joined:
      writer.key("type").string("joined")
          .key("room").string(room.name())
          .key("id").number(event.member_id)
          .key("name").string(event.member_name)
          .key("member_count");
      bus_number(writer, count(member_count), with_hole);
      break;
    case RoomEventKind::Left:
      writer.key("type").string("left")
          .key("room").string(room.name())
          .key("id").number(event.member_id)
          .key("name").string(event.member_name)
          .key("member_count");
      bus_number(writer, count(member_count), with_hole);
      writer.key("reason").string(leave_reason_name(event.reason));
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
          .key("member_count");
      bus_number(writer, count(member_count), with_hole);
      break;
  }
  writer.end_object();
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
