// bus_payload.h: what travels on a room's Redis channel and sits in its
// history list (docs/09-the-bus.md, "What a node publishes"). Each payload
// is one line of header and the JSON every member receives, byte for byte:
//
//   M <epoch> <seq> <token> <json>   a message, numbered by the room's script
//   N <json>                         a notice: joined, left, renamed, presence
//
// The header is there so a node can order, deduplicate and check the epoch
// of a message without parsing its JSON; the JSON after it is sent to the
// members as it is, so no node encodes a broadcast again. The token
// ("NODE.COUNT") names the say that produced the message, so its node can
// tell whether a message it lost track of (Redis failed before answering)
// was delivered after all.
#pragma once

#include <cstdint>
#include <string_view>

struct BusPayload {
  enum class Kind { Message, Notice };
  Kind kind = Kind::Notice;
  std::string_view epoch;  // Message only
  uint64_t seq = 0;        // Message only
  std::string_view token;  // Message only
  std::string_view json;
};

// Splits payload into *out (views into payload); false if it is neither
// form: a payload from something else on the channel, which is ignored.
bool parse_bus_payload(std::string_view payload, BusPayload* out);
