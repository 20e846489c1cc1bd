// redis_strangers.cpp: stranger mode across nodes (redis_strangers.h): the
// search through the seek script, the lines on the nodes' own channels, and
// what a lost channel or a silent node ends.
#include "bus/redis_strangers.h"

#include <utility>

#include "base/log.h"
#include "bus/redis_room_bus.h"

namespace {

// The token of a waiting entry "NODE ID LAST TOKEN": its last word.
std::string_view entry_token(std::string_view entry) {
  size_t space = entry.rfind(' ');
  return space == std::string_view::npos ? std::string_view() : entry.substr(space + 1);
}

}  // namespace

RedisStrangers::RedisStrangers(RedisRoomBus& bus)
    : bus_(bus),
      waiting_frame_(bus.messages_.waiting()),
      paired_frame_(bus.messages_.paired()),
      stranger_left_frame_(bus.messages_.stranger_left()) {}

void RedisStrangers::on_node_number() {
  if (!channel_.empty()) on_deaf();
  channel_ = bus_.settings_.prefix + "direct:" + bus_.node_text_;
}

ChatClient* RedisStrangers::find(uint64_t client_id) const {
  auto found = bus_.clients_.find(client_id);
  return found == bus_.clients_.end() ? nullptr : found->second;
}

void RedisStrangers::send_unavailable(ChatClient& client) {
  bus_.transport_.send(client, bus_.messages_.error("unavailable",
                                                    "the message bus is out of reach, so no stranger can be found "
                                                    "or told anything now; try again in a few seconds"));
}

/* ===== What Chat asks ===== */

void RedisStrangers::seek_partner(ChatClient& client) {
  // Before the node listens on its channel, a pair made for it would be
  // told to nobody (and the script would take it for a dead node).
  if (!bus_.up() || !listening_) {
    send_unavailable(client);
    return;
  }
  search(client, "", true);
}

// excerpt-begin: search
void RedisStrangers::search(ChatClient& client, const std::string& old_entry, bool announce) {
  const std::string id = std::to_string(client.id);
  const std::string token = std::to_string(++searches_);
  std::string entry = bus_.node_text_ + " " + id + " " + std::to_string(client.last_partner) + " " + token;
  const std::string waiting_key = bus_.settings_.prefix + "strangers:waiting";
  const std::string direct_prefix = bus_.settings_.prefix + "direct:";
  const std::string last = std::to_string(client.last_partner);
  bus_.words_.assign({waiting_key, direct_prefix, bus_.node_text_, id, last, token, old_entry});
  // The entry is known before the answer: the line that pairs the client
  // comes on the subscribed connection and may overtake the script's reply.
  looking_[client.id] = entry;
  client.claim_pending = true;
  bool sent = bus_.run_script(bus_.scripts_.seek, 1, bus_.words_,
                              [this, client_id = client.id, entry, deafness = deafness_, announce](RespValue& reply) {
                                search_answered(client_id, entry, deafness, announce, reply);
                              });
  if (!sent) {
    client.claim_pending = false;
    looking_.erase(client.id);
    send_unavailable(client);
  }
}
// excerpt-end: search

void RedisStrangers::search_answered(uint64_t client_id, const std::string& entry, uint64_t deafness, bool announce,
                                     const RespValue& reply) {
  ChatClient* client = find(client_id);
  if (client == nullptr) return;  // gone: leave() removed its entry after the script
  client->claim_pending = false;
  auto found = looking_.find(client_id);
  const bool still_this_search = found != looking_.end() && found->second == entry;
  if (reply.is_integer() && reply.integer == 1) return;  // paired: the "P" line says so
  if (reply.is_integer() && reply.integer == 0) {
    if (!still_this_search) return;  // paired meanwhile by someone else's search
    if (deafness != deafness_) {
      // The channel was lost while the script ran: the entry may have been
      // dropped by a seeker that found nobody listening here. Wait again.
      if (listening_) search(*client, entry, false);
      return;
    }
    if (announce) bus_.transport_.send(*client, waiting_frame_);
    return;
  }
  if (reply.is_error()) LOG_WARN("bus: stranger search failed: %s", reply.text.c_str());
  if (still_this_search) looking_.erase(found);
  send_unavailable(*client);
}

void RedisStrangers::leave(ChatClient& client) {
  auto looking = looking_.find(client.id);
  if (looking != looking_.end()) {
    // After a search still out, this runs after its script on the same
    // connection: the entry it may have appended is removed all the same.
    // If Redis is out of reach, a seeker may take the entry later; its
    // "P" line then finds no search here and is answered "L".
    if (bus_.commands_.ready()) {
      bus_.commands_.command({"LREM", bus_.settings_.prefix + "strangers:waiting", "0", looking->second}, {});
    }
    looking_.erase(looking);
  }
  auto paired = partners_.find(client.id);
  if (paired != partners_.end()) {
    Partner partner = paired->second;
    unpair(client.id);
    send_line(partner.node, direct_left(partner.id, client.id), true);
  }
}

bool RedisStrangers::say(ChatClient& client, std::string_view text, int64_t now_ms) {
  auto paired = partners_.find(client.id);
  if (paired == partners_.end()) return false;
  const Partner partner = paired->second;
  if (!bus_.commands_.ready()) {
    send_unavailable(client);
    return true;
  }
  std::string line = direct_said(partner.id, client.id, bus_.node_, now_ms, text);
  // The echo waits for Redis, so "you" means the line is on its way.
  bus_.commands_.command(
      {"PUBLISH", bus_.settings_.prefix + "direct:" + std::to_string(partner.node), line},
      [this, client_id = client.id, partner_id = partner.id, text = std::string(text), now_ms](RespValue& reply) {
        ChatClient* sender = find(client_id);
        if (sender == nullptr) return;
        auto still = partners_.find(client_id);
        if (still == partners_.end() || still->second.id != partner_id) return;  // moved on meanwhile
        if (reply.is_integer() && reply.integer > 0) {
          bus_.transport_.send(*sender, bus_.messages_.stranger_message(true, text, now_ms));
        } else if (reply.is_integer()) {
          // Nobody listens where the partner was: its node is gone.
          unpair(client_id);
          bus_.transport_.send(*sender, stranger_left_frame_);
        } else {
          send_unavailable(*sender);
        }
      });
  return true;
}

/* ===== What arrives on the direct channel ===== */

// excerpt-begin: receive-direct
void RedisStrangers::receive(std::string_view payload) {
  DirectPayload line;
  if (!parse_direct_payload(payload, &line)) return;
  ChatClient* client = find(line.target);
  auto paired = partners_.find(line.target);
  const bool from_partner = paired != partners_.end() && paired->second.id == line.partner;
  switch (line.kind) {
    case DirectPayload::Kind::Paired: {
      auto looking = looking_.find(line.target);
      if (client == nullptr || looking == looking_.end() || entry_token(looking->second) != line.token) {
        // That search has ended: the partner must not wait for us.
        send_line(line.partner_node, direct_left(line.partner, line.target), false);
        return;
      }
      looking_.erase(looking);
      partners_[line.target] = Partner{line.partner, line.partner_node};
      if (line.partner_node != bus_.node_) ++pairs_by_node_[line.partner_node];
      client->last_partner = line.partner;
      bus_.transport_.send(*client, paired_frame_);
      return;
    }
    case DirectPayload::Kind::Left:
      if (client == nullptr || !from_partner) return;  // never answered, or it would echo forever
      unpair(line.target);
      bus_.transport_.send(*client, stranger_left_frame_);
      return;
    case DirectPayload::Kind::Said:
      if (client == nullptr || !from_partner) {
        send_line(line.partner_node, direct_left(line.partner, line.target), false);
        return;
      }
      bus_.transport_.send(*client, bus_.messages_.stranger_message(false, line.text, line.ts_ms));
      return;
  }
}
// excerpt-end: receive-direct

void RedisStrangers::unpair(uint64_t client_id) {
  auto paired = partners_.find(client_id);
  if (paired == partners_.end()) return;
  uint32_t node = paired->second.node;
  partners_.erase(paired);
  auto count = pairs_by_node_.find(node);
  if (count != pairs_by_node_.end() && --count->second == 0) {
    pairs_by_node_.erase(count);
    silent_checks_.erase(node);
  }
}

void RedisStrangers::send_line(uint32_t node, std::string line, bool keep_until_sent) {
  std::string to = bus_.settings_.prefix + "direct:" + std::to_string(node);
  if (bus_.commands_.ready()) {
    bus_.commands_.command({"PUBLISH", to, line}, {});
  } else if (keep_until_sent) {
    kept_lines_.emplace_back(node, std::move(line));
  }
}

void RedisStrangers::send_kept_lines() {
  if (!bus_.commands_.ready()) return;
  std::vector<std::pair<uint32_t, std::string>> lines;
  lines.swap(kept_lines_);
  for (auto& [node, line] : lines) send_line(node, std::move(line), true);
}

/* ===== Losing and finding the channel, and other nodes ===== */

void RedisStrangers::on_listening() {
  listening_ = true;
  send_kept_lines();
  search_again_waiting();
}

// Clients that waited while the channel was lost: their entries may have
// been dropped (a seeker found nobody listening here), or Redis may have
// restarted empty, so they wait anew. Not before the bus is up: the
// subscription can come back before the commands connection and the node
// number, and a search that cannot be sent would tell a client who asked
// nothing just now that strangers are unavailable.
void RedisStrangers::search_again_waiting() {
  if (!waiting_lost_ || !listening_ || !bus_.up()) return;
  waiting_lost_ = false;
  std::vector<uint64_t> waiting;
  for (auto& [id, entry] : looking_) waiting.push_back(id);
  for (uint64_t id : waiting) {
    ChatClient* client = find(id);
    if (client == nullptr || client->claim_pending) continue;  // an answer to come handles it
    search(*client, looking_[id], false);
  }
}

void RedisStrangers::on_deaf() {
  if (listening_ && !partners_.empty()) {
    LOG_WARN("bus: direct channel lost; the %zu stranger pair(s) here end", partners_.size());
  }
  listening_ = false;
  waiting_lost_ = true;
  ++deafness_;
  end_pairs_with(0);
}

void RedisStrangers::end_pairs_with(uint32_t node) {
  std::vector<std::pair<uint64_t, Partner>> ending;
  for (auto& [id, partner] : partners_) {
    if (node == 0 || partner.node == node) ending.emplace_back(id, partner);
  }
  for (auto& [id, partner] : ending) {
    unpair(id);
    if (ChatClient* client = find(id)) bus_.transport_.send(*client, stranger_left_frame_);
    // A node found gone hears nothing; one that is there must not wait.
    if (node == 0) send_line(partner.node, direct_left(partner.id, id), true);
  }
}

void RedisStrangers::check_partner_nodes() {
  if (pairs_by_node_.empty() || !bus_.commands_.ready()) return;
  std::vector<std::string> command{"PUBSUB", "NUMSUB"};
  std::vector<uint32_t> nodes;
  for (auto& [node, count] : pairs_by_node_) {
    nodes.push_back(node);
    command.push_back(bus_.settings_.prefix + "direct:" + std::to_string(node));
  }
  bus_.commands_.command(command, [this, nodes](RespValue& reply) {
    if (!reply.is_array() || reply.elements.size() != 2 * nodes.size()) return;
    for (size_t i = 0; i < nodes.size(); ++i) {
      const RespValue& count = reply.elements[2 * i + 1];
      if (!count.is_integer() || count.integer > 0) {
        silent_checks_.erase(nodes[i]);
        continue;
      }
      // Twice in a row, so a node that is only resubscribing is spared.
      if (++silent_checks_[nodes[i]] < 2) continue;
      LOG_INFO("bus: node %u no longer listens; its stranger pairs with this node end", nodes[i]);
      end_pairs_with(nodes[i]);
    }
  });
}
