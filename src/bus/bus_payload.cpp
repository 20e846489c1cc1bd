// bus_payload.cpp: the header of a room payload (bus_payload.h).
#include "bus/bus_payload.h"

namespace {

// The next space-terminated word of *rest, which then starts after the space.
bool take_word(std::string_view* rest, std::string_view* word) {
  size_t space = rest->find(' ');
  if (space == std::string_view::npos || space == 0) return false;
  *word = rest->substr(0, space);
  rest->remove_prefix(space + 1);
  return true;
}

}  // namespace

bool parse_bus_payload(std::string_view payload, BusPayload* out) {
  if (payload.size() < 3 || payload[1] != ' ') return false;
  std::string_view rest = payload.substr(2);
  if (payload[0] == 'N') {
    if (rest.empty() || rest[0] != '{') return false;
    *out = BusPayload{BusPayload::Kind::Notice, {}, 0, {}, rest};
    return true;
  }
  if (payload[0] != 'M') return false;
  std::string_view epoch, digits, token;
  if (!take_word(&rest, &epoch) || !take_word(&rest, &digits) || !take_word(&rest, &token) || rest.empty() ||
      rest[0] != '{') {
    return false;
  }
  if (digits.size() > 15) return false;  // Lua prints numbers exactly up to 10^15
  uint64_t seq = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  if (seq == 0) return false;
  *out = BusPayload{BusPayload::Kind::Message, epoch, seq, token, rest};
  return true;
}
