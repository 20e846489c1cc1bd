// chat_commands.cpp: what Chat does with each message a client sends:
// join, say, rename, rooms, stranger and next (docs/protocol.md, Client to
// server). Every mistake is answered with an error message and changes
// nothing: a client whose join fails stays where it was.
//
// Deliberately left out: unknown fields in a request are ignored rather
// than refused, so newer clients can talk to this server.
#include <algorithm>
#include <string>

#include "chat.h"
#include "chat_names.h"
#include "json.h"

namespace {

constexpr std::string_view kLobby = "lobby";
constexpr size_t kMaxTextBytes = 4096;
// The naming rule (chat_names.h) in one sentence, for bad_name and bad_room.
constexpr char kNameRuleSummary[] =
    "is 1 to 32 characters, without control, format, invisible, private-use or unassigned characters, "
    "without spaces at either end, not starting with a combining mark, and with at most 4 marks in a row";

// JSON whitespace (RFC 8259 section 2).
constexpr std::string_view kJsonWhitespace = " \t\r\n";

// A frame is a JSON request only if it looks like one; anything else is
// plain text typed by a person, and taken as a say.
bool looks_like_json(std::string_view text) {
  size_t first = text.find_first_not_of(kJsonWhitespace);
  return first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
}

}  // namespace

/* ===== Dispatch ===== */

void Chat::dispatch(ChatClient& client, std::string_view text, int64_t now_ms) {
  if (!looks_like_json(text)) {
    handle_say(client, text, now_ms);
    return;
  }
  JsonValue request;
  std::string parse_error;
  if (!parse_json(text, &request, &parse_error)) {
    send_error(client, "bad_json", parse_error);
    return;
  }
  if (!request.is_object()) {
    send_error(client, "bad_json", "a request must be a JSON object");
    return;
  }
  const std::string* type = request.find_string("type");
  if (type == nullptr) {
    send_error(client, "unknown_type", "a request needs a \"type\" string");
  } else if (*type == "say") {
    const std::string* said = request.find_string("text");
    if (said == nullptr) {
      send_error(client, "bad_text", "say needs a \"text\" string");
    } else {
      handle_say(client, *said, now_ms);
    }
  } else if (*type == "join") {
    handle_join(client, request);
  } else if (*type == "rename") {
    handle_rename(client, request);
  } else if (*type == "rooms") {
    handle_rooms(client);
  } else if (*type == "stranger" || *type == "next") {
    handle_stranger(client);
  } else {
    send_error(client, "unknown_type", "unknown type \"" + *type + "\"");
  }
}

/* ===== Commands ===== */

// To the room, or to the stranger the client is paired with.
void Chat::handle_say(ChatClient& client, std::string_view text, int64_t now_ms) {
  if (text.empty() || text.size() > kMaxTextBytes) {
    send_error(client, "bad_text", "text must be 1 to 4096 bytes");
    return;
  }
  if (client.room == nullptr) {
    if (!strangers_.say(client, text, now_ms)) {
      send_error(client, "not_paired", "no stranger to talk to yet; send next to find one");
    }
    return;
  }
  Room& room = *client.room;
  FrameRef message = messages_.room_message(room, room.next_sequence(), client, text, now_ms);
  room.remember(message);
  publish_to_room(room, message);
}

// Validates everything before leaving anything, so a refused join leaves the
// client in its room or stranger pair. A join to the room the client is
// already in is a rename (if the name differs) and a fresh welcome: leaving
// first would destroy a room whose only member is rejoining it.
void Chat::handle_join(ChatClient& client, const JsonValue& request) {
  std::string_view name = client.name;
  if (const JsonValue* requested = request.find("name")) {
    if (!requested->is_string()) {
      send_error(client, "bad_name", "\"name\" must be a string");
      return;
    }
    name = requested->as_string();
    if (!check_name(client, name)) return;
  }
  std::string_view room_name = kLobby;
  if (const JsonValue* requested = request.find("room")) {
    if (!requested->is_string() || !is_valid_name(requested->as_string())) {
      send_error(client, "bad_room", std::string("a room name ") + kNameRuleSummary);
      return;
    }
    room_name = requested->as_string();
  }

  Room* target = find_room(room_name);
  if (target != nullptr && target == client.room) {
    if (rename_in_room(client, name)) send_welcome(client);
    return;
  }
  if (target != nullptr && target->find_member(name) != nullptr) {
    send_error(client, "name_taken",
               "the name " + std::string(name) + " is already used in room " + target->name());
    return;
  }
  std::string new_name(name);  // name may view client.name
  leave_current_place(client, LeaveReason::Left);
  client.name = std::move(new_name);
  enter_room(client, room_name);
}

void Chat::handle_rename(ChatClient& client, const JsonValue& request) {
  const std::string* name = request.find_string("name");
  if (name == nullptr) {
    send_error(client, "bad_name", "rename needs a \"name\" string");
    return;
  }
  if (!check_name(client, *name)) return;
  if (client.room != nullptr) {
    rename_in_room(client, *name);
  } else {
    // Stranger mode shows no names; this one is used at the next join.
    client.name = *name;
  }
}

void Chat::handle_rooms(ChatClient& client) {
  std::vector<const Room*> rooms;
  rooms.reserve(rooms_.size());
  for (const auto& entry : rooms_) rooms.push_back(entry.second.get());
  // Sorted so the list reads the same from one request to the next.
  std::sort(rooms.begin(), rooms.end(), [](const Room* a, const Room* b) { return a->name() < b->name(); });
  transport_.send(client, messages_.rooms(rooms));
}

// "stranger" and "next" do the same: leave the room, the partner or the
// waiting slot, and look for someone new.
void Chat::handle_stranger(ChatClient& client) {
  leave_current_place(client, LeaveReason::Left);
  strangers_.seek_partner(client);
}

/* ===== Names ===== */

bool Chat::check_name(ChatClient& client, std::string_view name) {
  if (!is_valid_name(name)) {
    send_error(client, "bad_name", std::string("a name ") + kNameRuleSummary);
    return false;
  }
  if (has_guest_prefix(name) && !equal_ignoring_case(name, guest_name(client.id))) {
    send_error(client, "bad_name", "names starting with guest- are reserved for guests");
    return false;
  }
  return true;
}

// A new spelling of one's own name ("alice" to "Alice") is allowed; the
// same name exactly changes nothing and announces nothing.
bool Chat::rename_in_room(ChatClient& client, std::string_view name) {
  if (name == client.name) return true;
  Room& room = *client.room;
  ChatClient* holder = room.find_member(name);
  if (holder != nullptr && holder != &client) {
    send_error(client, "name_taken", "the name " + std::string(name) + " is already used in room " + room.name());
    return false;
  }
  std::string old_name = client.name;
  room.rename_member(client, std::string(name));
  publish_to_room(room, messages_.renamed(room, client, old_name));
  return true;
}
