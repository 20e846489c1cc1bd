// redis_strangers.h: stranger mode across nodes, the StrangerBus
// (chat/stranger_bus.h) of the Redis room bus. docs/09-the-bus.md
// ("Strangers on many nodes") is the walkthrough.
//
// Pairing. The strangers who wait are a list in Redis, PREFIX
// strangers:waiting, and one script (seek, bus_scripts.cpp) either takes
// the oldest one the seeker may be paired with or appends the seeker, in
// one atomic step: two seekers on two nodes can never take the same waiter.
// The script tells both nodes of a new pair on their own channels (below);
// a node learns that a client of its own is paired only from that line,
// "P target token partner node", which must name the search the client is
// still in (its token). A line for a search that has ended (the client
// left, or looks again under a new token) is answered "L": the partner is
// told its stranger left, so nobody is ever paired with two at once.
//
// Lines. Each node listens on PREFIX direct:N (N its node number) for
// lines to its own clients: "S" (a stranger says something), "L" (a
// stranger left). A line for a client that is not, or no longer, paired
// with the sender is answered with "L" too, so a stranger who is gone is
// always found out; "L" itself is never answered. A node echoes a line to
// its sender as "you" when Redis has taken it; if no node listens where
// the partner was, the partner's node is gone and the sender gets
// stranger_left instead.
//
// Failures. A node whose direct channel is lost (its subscriber
// connection) cannot know which lines it missed, so it ends its pairs
// (stranger_left to its clients, "L" to their partners) and, once
// subscribed again, puts its waiting clients back in the list. Every
// refresh interval it asks Redis which partners' nodes still listen
// (PUBSUB NUMSUB); a node silent twice in a row has gone, and its pairs
// end. A line or a search while Redis is out of reach is answered
// "unavailable".
//
// Deliberately left out: remembering more than the last partner; the
// order of the two echoes when both strangers speak at the same instant
// (each sees its own line when Redis has taken it); and settling a line
// whose PUBLISH reply was lost with the connection, as says in rooms are
// settled: its sender is told "unavailable", though it may have arrived.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bus/bus_payload.h"
#include "chat/chat_client.h"
#include "redis/resp_reader.h"
#include "chat/stranger_bus.h"
#include "websocket/shared_frame.h"

class RedisRoomBus;

class RedisStrangers : public StrangerBus {
 public:
  explicit RedisStrangers(RedisRoomBus& bus);

  // StrangerBus.
  void seek_partner(ChatClient& client) override;
  void leave(ChatClient& client) override;
  bool say(ChatClient& client, std::string_view text, int64_t now_ms) override;

  // From the bus. The node's direct channel, once it has a number
  // (empty before), and the moment the number is given or changes: pairs
  // made under the old number end (its channel is not ours any more).
  const std::string& channel() const { return channel_; }
  void on_node_number();
  // Redis confirmed the subscription: searches may start, and the clients
  // who waited before a loss wait again.
  void on_listening();
  // The subscription is gone (or the node number changed): pairs end.
  void on_deaf();
  // A line arrived on the direct channel.
  void receive(std::string_view payload);
  // Every refresh interval: are the partners' nodes still there?
  void check_partner_nodes();
  // Redis is reachable again: send the "L" lines kept meanwhile.
  void send_kept_lines();
  // The bus holds its node number again (called at every renewal): if the
  // channel was lost since the last time, the clients who waited then
  // wait anew, once both the channel and the commands are back.
  void search_again_waiting();

  bool listening() const { return listening_; }
  size_t waiting_count() const override { return looking_.size(); }

 private:
  struct Partner {
    uint64_t id;
    uint32_t node;
  };
  // Runs the seek script for client; old_entry is removed from the list
  // first. announce: send "waiting" if it waits (not when it waited already).
  void search(ChatClient& client, const std::string& old_entry, bool announce);
  void search_answered(uint64_t client_id, const std::string& entry, uint64_t deafness, bool announce,
                       const RespValue& reply);
  void unpair(uint64_t client_id);
  // Ends every pair with a partner on node (or on any node, for 0).
  void end_pairs_with(uint32_t node);
  // Sends line to node's direct channel; keep_until_sent: if Redis is out
  // of reach, keep it until it is back (an "L" must not be lost).
  void send_line(uint32_t node, std::string line, bool keep_until_sent);
  void send_unavailable(ChatClient& client);
  ChatClient* find(uint64_t client_id) const;

  RedisRoomBus& bus_;
  std::string channel_;
  bool listening_ = false;
  bool waiting_lost_ = false;  // the channel was lost: the waiting clients' entries may be gone
  uint64_t deafness_ = 0;  // how many times the direct channel was lost
  uint64_t searches_ = 0;  // makes each search's token
  // Clients whose search is out or who wait: their entry in the list
  // ("NODE ID LAST TOKEN"); ChatClient::claim_pending says which are out.
  std::unordered_map<uint64_t, std::string> looking_;
  std::unordered_map<uint64_t, Partner> partners_;   // paired clients here
  std::unordered_map<uint32_t, size_t> pairs_by_node_;  // partners on other nodes
  std::unordered_map<uint32_t, int> silent_checks_;     // consecutive NUMSUB answers of 0
  std::vector<std::pair<uint32_t, std::string>> kept_lines_;  // "L" lines waiting for Redis
  FrameRef waiting_frame_, paired_frame_, stranger_left_frame_;
};
