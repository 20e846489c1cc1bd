// chat_commands.cpp: what Chat does with each message a client sends:
// join, say, rename, rooms, stranger and next (docs/protocol.md, Client to
// server). Every mistake is answered with an error message and changes
// nothing: a client whose join fails stays where it was.
//
// What a request can cost is bounded. join, rooms, stranger and next share
// a per-client join rate (ChatOptions::join_rate_per_second and join_burst,
// on top of the server's message rate): each makes the server build a
// welcome or a rooms reply, or churn rooms and pairs. A rooms reply lists at
// most kMaxRoomsPerReply rooms, so its size does not grow with the server.
//
// Deliberately left out: unknown fields in a request are ignored rather
// than refused, so newer clients can talk to this server.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "chat/chat.h"
#include "chat/chat_names.h"
#include "json/json.h"

namespace {

constexpr std::string_view kLobby = "lobby";
constexpr size_t kMaxTextBytes = 4096;
// 100 entries, each a name of at most 32 characters (192 bytes even if every
// one is escaped as \u2028): a rooms reply stays under 25 KB however many
// rooms the server has.
constexpr size_t kMaxRoomsPerReply = 100;
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

// Reads the optional field key of request as a count: absent leaves *out
// as it is; a non-negative integer is stored (as a double: JSON numbers may
// be huge, and callers clamp); anything else is false.
bool read_count_field(const JsonValue& request, std::string_view key, double* out) {
  const JsonValue* field = request.find(key);
  if (field == nullptr) return true;
  if (!field->is_number()) return false;
  double value = field->as_number();
  if (!std::isfinite(value) || value < 0 || value != std::floor(value)) return false;
  *out = value;
  return true;
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
    if (within_join_rate(client, now_ms) && !held_for_pending_join(client, text)) handle_join(client, request);
  } else if (*type == "rename") {
    if (!held_for_pending_join(client, text)) handle_rename(client, request);
  } else if (*type == "rooms") {
    if (within_join_rate(client, now_ms)) handle_rooms(client, request);
  } else if (*type == "stranger" || *type == "next") {
    if (within_join_rate(client, now_ms) && !held_for_pending_join(client, text)) handle_stranger(client);
  } else {
    send_error(client, "unknown_type", "unknown type \"" + *type + "\"");
  }
}

// The join rate was charged when the request arrived; it is not charged again.
bool Chat::held_for_pending_join(ChatClient& client, std::string_view request_text) {
  if (!client.join_pending) return false;
  if (!held_requests_.try_emplace(client.id, request_text).second) {
    refused_while_claiming(client);  // one waits already
  }
  return true;
}

void Chat::run_held_request(ChatClient& client) {
  auto held = held_requests_.find(client.id);
  if (held == held_requests_.end()) return;
  const std::string text = std::move(held->second);
  held_requests_.erase(held);
  JsonValue request;
  std::string parse_error;
  if (!parse_json(text, &request, &parse_error)) return;  // dispatch parsed it once already
  const std::string* type = request.find_string("type");
  if (type == nullptr) return;
  if (*type == "join") {
    handle_join(client, request);
  } else if (*type == "rename") {
    handle_rename(client, request);
  } else {
    handle_stranger(client);
  }
}

// Taken before the request is validated, so a refused join costs a token
// too: otherwise a stream of almost-valid joins would be free.
bool Chat::within_join_rate(ChatClient& client, int64_t now_ms) {
  if (client.join_rate.take(now_ms, options_.join_rate_per_second, options_.join_burst)) return true;
  char message[160];
  std::snprintf(message, sizeof message,
                "too many joins; join, rooms, stranger and next share a limit of %g per second, %g at once",
                options_.join_rate_per_second, options_.join_burst);
  send_error(client, "rate_limited", message);
  return false;
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
  // Refused, not dropped: a message the bus cannot take now would reach
  // only some members, or none, without its sender knowing.
  if (!bus_.available()) {
    send_unavailable(client);
    return;
  }
  // No seq and no history here: the bus numbers and records what it delivers.
  publish_to_room(*client.room, RoomEvent::message(client, text, now_ms));
}

namespace {

// Reads since: {"epoch":E,"seq":S} (docs/protocol.md); false if malformed.
bool read_seen(const JsonValue& request, SeenUpTo* seen) {
  const JsonValue* since = request.find("since");
  if (since == nullptr) return true;
  if (!since->is_object()) return false;
  const std::string* epoch = since->find_string("epoch");
  double seq = -1;
  if (epoch == nullptr || epoch->size() > 64 || since->find("seq") == nullptr ||
      !read_count_field(*since, "seq", &seq) || seq > 9007199254740991.0) {
    return false;
  }
  seen->given = true;
  seen->epoch = *epoch;
  seen->seq = static_cast<uint64_t>(seq);
  return true;
}

}  // namespace

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
  SeenUpTo seen;
  if (!read_seen(request, &seen)) {
    send_error(client, "bad_request", "since must be {\"epoch\": a string, \"seq\": an integer of at least 0}");
    return;
  }
  if (refused_while_claiming(client)) return;

  Room* target = find_room(room_name);
  if (target != nullptr && target == client.room && name == client.name) {
    welcome_when_ready(client, seen);  // nothing to claim: a fresh welcome
    return;
  }
  if (target != nullptr) {
    ChatClient* holder = target->find_member(name);
    if (holder != nullptr && holder != &client) {
      send_name_taken(client, name, target->name());
      return;
    }
  }
  begin_join(client, room_name, name, std::move(seen));
}

void Chat::handle_rename(ChatClient& client, const JsonValue& request) {
  const std::string* name = request.find_string("name");
  if (name == nullptr) {
    send_error(client, "bad_name", "rename needs a \"name\" string");
    return;
  }
  if (!check_name(client, *name)) return;
  if (client.room == nullptr) {
    // Stranger mode shows no names; this one is used at the next join.
    client.name = *name;
    return;
  }
  if (*name == client.name) return;  // the same name exactly: nothing to announce
  if (refused_while_claiming(client)) return;
  ChatClient* holder = client.room->find_member(*name);
  if (holder != nullptr && holder != &client) {
    send_name_taken(client, *name, client.room->name());
    return;
  }
  if (!bus_.available()) {
    send_unavailable(client);
    return;
  }
  client.claim_pending = true;
  bus_.claim_name(client, client.room->name(), *name,
                  [this, wanted = *name](ChatClient& claimant, NameClaim result) {
                    claimant.claim_pending = false;
                    if (claimant.room == nullptr) {
                      // Left the room meanwhile: the claim is of no use now.
                      return;
                    }
                    if (result == NameClaim::Granted) {
                      rename_in_room(claimant, wanted);
                    } else if (result == NameClaim::Taken) {
                      send_name_taken(claimant, wanted, claimant.room->name());
                    } else {
                      send_unavailable(claimant);
                    }
                  });
}

// The rooms in a fixed order, largest first and ties by name (byte order),
// paged by offset and limit. Only the page is sorted: nth_element moves the
// rooms before the page out of the way in O(R), and partial_sort orders the
// page's at most 100 rooms in O(R log 100), so a server with 100,000 rooms
// never sorts all of them to answer one request.
void Chat::handle_rooms(ChatClient& client, const JsonValue& request) {
  double offset = 0;
  double limit = kMaxRoomsPerReply;
  if (!read_count_field(request, "offset", &offset) || !read_count_field(request, "limit", &limit) ||
      limit < 1) {
    send_error(client, "bad_request", "offset must be an integer of at least 0, and limit one of at least 1");
    return;
  }
  std::vector<const Room*> rooms;
  rooms.reserve(rooms_.size());
  for (const auto& entry : rooms_) rooms.push_back(entry.second.get());
  const size_t total = rooms.size();
  // Clamped while still doubles: offset may be 1e300, which no size_t holds.
  const size_t first = static_cast<size_t>(std::min(offset, static_cast<double>(total)));
  const size_t page_size = static_cast<size_t>(std::min(limit, static_cast<double>(kMaxRoomsPerReply)));
  const size_t last = first + std::min(page_size, total - first);
  auto larger_first = [](const Room* a, const Room* b) {
    if (a->member_count() != b->member_count()) return a->member_count() > b->member_count();
    return a->name() < b->name();
  };
  if (first > 0 && first < total) std::nth_element(rooms.begin(), rooms.begin() + first, rooms.end(), larger_first);
  std::partial_sort(rooms.begin() + first, rooms.begin() + last, rooms.end(), larger_first);
  rooms.erase(rooms.begin() + last, rooms.end());
  rooms.erase(rooms.begin(), rooms.begin() + first);
  transport_.send(client, messages_.rooms(rooms, total));
}

// "stranger" and "next" do the same: leave the room, the partner or the
// waiting slot, and look for someone new.
void Chat::handle_stranger(ChatClient& client) {
  if (refused_while_claiming(client)) return;
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

// Two claims in flight for one client would race each other (chat.cpp,
// begin_join), and so would a claim and a search for a stranger in Redis
// (bus/redis_strangers.cpp), so a join, rename, stranger or next waits for
// the first.
bool Chat::refused_while_claiming(ChatClient& client) {
  if (!client.claim_pending) return false;
  send_error(client, "busy", "the previous join, rename or stranger request is still being decided; try again when it is answered");
  return true;
}

void Chat::send_name_taken(ChatClient& client, std::string_view name, std::string_view room_name) {
  send_error(client, "name_taken",
             "the name " + std::string(name) + " is already used in room " + std::string(room_name));
}

void Chat::send_unavailable(ChatClient& client) {
  send_error(client, "unavailable",
             "the chat cannot reach its message bus right now, so nothing was sent; try again in a few seconds");
}

// A new spelling of one's own name ("alice" to "Alice") is allowed and
// keeps the claim; another name gives the old one back to the room.
void Chat::rename_in_room(ChatClient& client, std::string_view name) {
  if (name == client.name) return;
  Room& room = *client.room;
  std::string old_name = client.name;
  room.rename_member(client, std::string(name));
  if (!equal_ignoring_case(old_name, name)) bus_.release_name(room, client, old_name);
  publish_to_room(room, RoomEvent::renamed(client, old_name));
}
