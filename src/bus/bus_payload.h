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
//
// A node's own channel, PREFIX direct:NODE, carries stranger mode across
// nodes (redis_strangers.h), one line per event for one client here:
//
//   P <target> <token> <partner> <partner-node>   paired: target, looking
//                                                 under token, with partner
//   L <target> <partner>                          partner has left target
//   S <target> <partner> <partner-node> <ts> <text>   partner says text
//
// Ids are decimal client ids, ts the sender's wall clock in ms, and text
// the rest of the line as the client sent it (it may hold spaces).
#pragma once

#include <cstdint>
#include <string>
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

struct DirectPayload {
  enum class Kind { Paired, Left, Said };
  Kind kind = Kind::Left;
  uint64_t target = 0;       // the client on this node it is for
  uint64_t partner = 0;      // the stranger it comes from
  uint32_t partner_node = 0; // Paired, Said: where to answer the partner
  std::string_view token;    // Paired: which search of target's it answers
  int64_t ts_ms = 0;         // Said
  std::string_view text;     // Said
};

// Splits payload into *out (views into payload); false if it is none of
// the three forms, and then it is ignored.
bool parse_direct_payload(std::string_view payload, DirectPayload* out);
// The L and S lines (the seek script writes the P lines itself).
std::string direct_left(uint64_t target, uint64_t partner);
std::string direct_said(uint64_t target, uint64_t partner, uint32_t partner_node, int64_t ts_ms,
                        std::string_view text);
