// soak_checks.cpp: what the soak test's clients check in every frame they
// receive (see soak.h): the room's `seq` continues without a gap from the
// welcome's history (docs/protocol.md), each sender's messages arrive in
// order, pings are answered (RFC 6455 section 5.5.2), and at the end every
// client has its room's last message.
//
// Left out: checking message contents beyond the numbers (the unit and
// integration tests cover the chat protocol itself).
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "json/json.h"
#include "soak.h"

namespace {

// chatd writes "type" first (docs/protocol.md), and a quoted key cannot
// occur inside a string value, where quotes are escaped: so a message is
// checked without building a JSON tree, which matters at 40,000 a second.
bool starts_with(const char* payload, size_t length, std::string_view prefix) {
  return length >= prefix.size() && std::memcmp(payload, prefix.data(), prefix.size()) == 0;
}

// Where the value after needle starts, or nullptr.
const char* find_after(const char* payload, size_t length, std::string_view needle) {
  std::string_view haystack(payload, length);
  size_t at = haystack.find(needle);
  return at == std::string_view::npos ? nullptr : payload + at + needle.size();
}

}  // namespace
/* ===== Frames and checks ===== */

void SoakClients::handle_frame(SoakClient& client, uint8_t opcode, const char* payload, size_t length) {
  if (opcode == 0x9) {
    send_masked(client, 0xA, std::string(payload, length));
    ++totals_.pings_answered;
  } else if (opcode == 0x8) {
    uint16_t code = length >= 2 ? static_cast<uint16_t>((uint8_t(payload[0]) << 8) | uint8_t(payload[1])) : 1005;
    fail(client, "closed by the server with " + std::to_string(code));
  } else if (opcode != 0x1) {
    fail(client, "an unexpected opcode " + std::to_string(opcode));
  } else if (starts_with(payload, length, "{\"type\":\"message\"")) {
    if (client.phase == ClientPhase::InRoom) handle_message(client, payload, length);
  } else if (starts_with(payload, length, "{\"type\":\"welcome\"")) {
    if (client.phase == ClientPhase::Joining) handle_welcome(client, payload, length);
  } else if (starts_with(payload, length, "{\"type\":\"error\"")) {
    ++totals_.errors_received;
    problem("client " + std::to_string(client.index) + " got " + std::string(payload, length));
  }
}

void SoakClients::handle_welcome(SoakClient& client, const char* payload, size_t length) {
  JsonValue welcome;
  std::string error;
  JsonLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_values = 1 << 16;
  if (!parse_json(std::string_view(payload, length), &welcome, &error, limits)) {
    return fail(client, "unreadable welcome: " + error);
  }
  const std::string* room = welcome.find_string("room");
  if (!room || *room != client.room) return;  // the lobby's, before the join
  // The room's order continues right after the newest message of the history.
  const JsonValue* history = welcome.find("history");
  client.last_room_seq = 0;
  if (history && !history->items().empty()) {
    const JsonValue* seq = history->items().back().find("seq");
    if (seq) client.last_room_seq = static_cast<uint64_t>(seq->as_number());
  }
  client.phase = ClientPhase::InRoom;
  --connecting_;
}

void SoakClients::handle_message(SoakClient& client, const char* payload, size_t length) {
  ++totals_.delivered;
  const char* seq_text = find_after(payload, length, "\"seq\":");
  uint64_t seq = seq_text ? std::strtoull(seq_text, nullptr, 10) : 0;
  if (seq != client.last_room_seq + 1) {
    ++totals_.room_seq_gaps;
    problem("client " + std::to_string(client.index) + " in " + client.room + ": seq " + std::to_string(seq) +
            " after " + std::to_string(client.last_room_seq));
  }
  client.last_room_seq = seq;
  const char* text = find_after(payload, length, "\"text\":\"s ");
  if (!text) return;
  char* end = nullptr;
  size_t sender = std::strtoul(text, &end, 10);
  uint64_t sequence = std::strtoull(end, &end, 10);
  int64_t send_us = std::strtoll(end, &end, 10);
  if (sender >= options_.senders) return;
  totals_.latency.record(soak_now_us() - send_us);
  uint64_t& expected = client.next_from[sender];
  if (expected != 0 && sequence != expected) {
    ++totals_.sender_gaps;
    problem("client " + std::to_string(client.index) + ": sender " + std::to_string(sender) + " message " +
            std::to_string(sequence) + " where " + std::to_string(expected) + " was due");
  }
  expected = sequence + 1;
}

bool SoakClients::drained() const {
  if (connecting_ > 0) return false;
  for (const SoakClient* client : clients_) {
    if (client->phase == ClientPhase::InRoom && client->last_room_seq < room_messages_[client->index % options_.rooms]) {
      return false;
    }
  }
  return true;
}

void SoakClients::count_tail() {
  for (const SoakClient* client : clients_) {
    uint64_t last = room_messages_[client->index % options_.rooms];
    if (client->phase == ClientPhase::InRoom && client->last_room_seq < last) {
      totals_.tail_missing += last - client->last_room_seq;
      problem("client " + std::to_string(client->index) + " in " + client->room + " ended at seq " +
              std::to_string(client->last_room_seq) + " of " + std::to_string(last));
    }
  }
}

