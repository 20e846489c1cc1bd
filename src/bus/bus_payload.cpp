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

// A decimal number of at most max_digits digits, all of word (19 digits
// always fit in 64 bits).
bool parse_number(std::string_view word, size_t max_digits, uint64_t* out) {
  if (word.empty() || word.size() > max_digits) return false;
  uint64_t number = 0;
  for (char c : word) {
    if (c < '0' || c > '9') return false;
    number = number * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = number;
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
  // Lua prints numbers exactly up to 10^15.
  uint64_t seq = 0;
  if (!parse_number(digits, 15, &seq)) return false;
  if (seq == 0) return false;
  *out = BusPayload{BusPayload::Kind::Message, epoch, seq, token, rest};
  return true;
}

// excerpt-begin: parse_direct_payload
bool parse_direct_payload(std::string_view payload, DirectPayload* out) {
  if (payload.size() < 3 || payload[1] != ' ') return false;
  const char kind = payload[0];
  std::string_view rest = payload.substr(2);
  std::string_view target, partner, word;
  DirectPayload parsed;
  uint64_t number = 0;
  if (kind == 'L') {
    // The last word has no space after it.
    size_t space = rest.find(' ');
    if (space == std::string_view::npos) return false;
    target = rest.substr(0, space);
    partner = rest.substr(space + 1);
    parsed.kind = DirectPayload::Kind::Left;
  } else if (kind == 'P' || kind == 'S') {
    if (!take_word(&rest, &target)) return false;
    if (kind == 'P' && !take_word(&rest, &parsed.token)) return false;
    if (!take_word(&rest, &partner)) return false;
    // P ends with the partner's node; S goes on to the time and the text.
    if (kind == 'P') {
      word = rest;
    } else if (!take_word(&rest, &word)) {
      return false;
    }
    if (!parse_number(word, 7, &number) || number == 0 || number >= (1u << 21)) return false;
    parsed.partner_node = static_cast<uint32_t>(number);
    if (kind == 'S') {
      std::string_view ts;
      size_t space = rest.find(' ');
      if (space == std::string_view::npos) return false;
      ts = rest.substr(0, space);
      if (!parse_number(ts, 15, &number)) return false;
      parsed.ts_ms = static_cast<int64_t>(number);
      parsed.text = rest.substr(space + 1);
    }
    parsed.kind = kind == 'P' ? DirectPayload::Kind::Paired : DirectPayload::Kind::Said;
  } else {
    return false;
  }
  if (!parse_number(target, 19, &parsed.target) || !parse_number(partner, 19, &parsed.partner)) return false;
  if (parsed.target == 0 || parsed.partner == 0) return false;
  *out = parsed;
  return true;
}
// excerpt-end: parse_direct_payload

std::string direct_left(uint64_t target, uint64_t partner) {
  return "L " + std::to_string(target) + " " + std::to_string(partner);
}

std::string direct_said(uint64_t target, uint64_t partner, uint32_t partner_node, int64_t ts_ms,
                        std::string_view text) {
  std::string line = "S " + std::to_string(target) + " " + std::to_string(partner) + " " +
                     std::to_string(partner_node) + " " + std::to_string(ts_ms) + " ";
  line.append(text);
  return line;
}
