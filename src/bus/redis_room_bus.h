// redis_room_bus.h: the room bus shared by every chatd node that names the
// same Redis (room_bus.h is the seam, LocalRoomBus the one-process kind).
// docs/09-the-bus.md is the walkthrough; this is the summary.
//
// Two connections (redis/redis_connection.h): one for commands and one
// subscribed, since RESP2 allows nothing else on a subscribed connection.
//
// Rooms. Each room has a channel, PREFIX room:KEY (KEY: the name folded as
// Chat folds it). A node subscribes when a room gets its first member here,
// waits for Redis to confirm, then reads the room's epoch, seq, history and
// (small) member list in one script (load); only then does it welcome the
// members who were waiting and deliver what arrived meanwhile. It
// unsubscribes once the room has been empty here for a second, so a member
// who leaves and comes straight back costs nothing.
//
// Events. Every event, this node's own too, goes through Redis and is
// delivered when it comes back on the channel, so every member on every
// node sees one room's events in Redis's one order. A message runs the say
// script: it numbers it, keeps it in the history list and publishes it, in
// one atomic step. The payload is the JSON members receive (bus_payload.h),
// so a node turns it into one frame and queues that frame for each member.
// A node delivers a message only if its seq is the next one: an older seq
// is a duplicate and dropped; a gap is filled from the history list before
// anything newer is delivered; another epoch means Redis lost the room, and
// the members get {"type":"reset"} before the new numbering starts.
//
// Names and presence. A room's members hash maps each folded name to its
// holder ("NODE ID NAME"), so a name is claimed atomically across nodes. Each
// node renews its presence in each of its rooms every refresh interval
// (5 s) with an expiry of presence ttl (15 s); a refresh also drops the
// members of any node whose presence has expired and tells the room they
// left. So a node that dies without a word leaves its rooms within
// ttl + interval = 20 seconds. Client ids are node * 2^32 + a count, with a
// node number claimed in Redis, so they are unique across nodes.
//
// When Redis is out of reach, available() is false: Chat refuses say and
// join with "unavailable" rather than deliver on one node only. When it is
// back: the scripts are loaded again, each room's members are registered
// again, each room is subscribed again (in batches of 200 channels) and
// reloaded, which fills gaps by seq, or resets the rooms whose epoch
// changed because Redis lost its data.
//
// Strangers. Stranger mode pairs across nodes through a waiting list in
// Redis and each node's own channel, PREFIX direct:N (redis_strangers.h).
//
// Deliberately left out: Redis Cluster and Sentinel. A name claimed while Redis had lost this node's
// registrations may be held twice until one of the two leaves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/histogram.h"
#include "bus/bus_payload.h"
#include "bus/bus_scripts.h"
#include "bus/redis_strangers.h"
#include "chat/chat_client.h"
#include "chat/chat_messages.h"
#include "chat/chat_room.h"
#include "chat/room_bus.h"
#include "loop/event_loop.h"
#include "redis/redis_connection.h"

struct RedisBusSettings {
  RedisSettings redis;               // the URL, and the connections' timeouts
  std::string prefix = "chatd:";     // before every key and channel
  std::string node_name;             // for logs, and part of the node's identity in Redis
  size_t history_length = 50;
  size_t presence_threshold = 100;
  int64_t presence_interval_ms = 5000;  // a room's count goes out at most this often, over all nodes
  int presence_ttl_ms = 15000;
  int refresh_interval_ms = 5000;
  int unsubscribe_after_ms = 1000;
};

// What the bus keeps for a room it is subscribed to (chat_room.h declares it).
struct RoomBusData {
  enum class Phase : uint8_t { Subscribing, Loading, Ready };

  explicit RoomBusData(size_t history_length) : history(history_length) {}

  std::string key;       // the folded name
  std::string name_json; // the name as a JSON string, for scripts that write notices
  std::string channel, meta_key, history_key, members_key, nodes_key, presence_gate_key;
  Room* room = nullptr;  // while it has members in this process
  Phase phase = Phase::Subscribing;
  bool load_in_flight = false;
  bool load_again = false;  // something asked for a load while one was out
  std::string epoch;
  std::string fresh_epoch;  // offered to the scripts, used only if Redis has no epoch for the room
  uint64_t last_seq = 0;    // the last message delivered
  RoomHistory history;
  size_t member_count = 0;  // every node's, as Redis last said
  // Every node's members (id -> name) while the room is small enough to list.
  std::unordered_map<uint64_t, std::string> members;
  // Members here who wait for their welcome until the room is loaded.
  std::vector<std::pair<uint64_t, RoomBus::Ready>> awaiting_welcome;
  // Payloads that arrived while loading, in order; bounded.
  std::vector<std::string> held_back;
  bool held_back_overflowed = false;
  int64_t emptied_at_ms = -1;  // when the last member here left
  int64_t loaded_at_ms = -1;   // when the last load's answer was applied
};

// What the bus counts, for the server's /metrics (server/server_metrics.h).
struct BusStats {
  BusStats() : lag_seconds({0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5}) {}
  uint64_t published = 0;   // events sent to Redis (says and notices)
  uint64_t received = 0;    // payloads that arrived on room channels
  uint64_t reconnects = 0;  // connections to Redis made again after a loss
  uint64_t errors = 0;      // connections lost or refused, says Redis refused
  uint64_t gaps = 0;        // seq gaps a node had to fill from the history
  // From a say published here to its delivery here: the round trip through
  // Redis that every message of this node's members makes.
  Histogram lag_seconds;
};

class RedisRoomBus : public RoomBus, private RedisObserver {
 public:
  // transport takes the frames for this process's members; loop runs both
  // connections. Both must outlive the bus.
  RedisRoomBus(EventLoop& loop, ChatTransport& transport, RedisBusSettings settings);
  ~RedisRoomBus() override;

  // Resolves Redis's host and starts connecting; false with *error if the
  // host does not resolve.
  bool start(std::string* error);
  // Called once this process has a node number (the first time Redis is
  // reached, and if it ever has to take another): ids are node * 2^32 + n.
  std::function<void(uint32_t node)> on_node_number;
  uint32_t node_number() const { return node_; }
  // Both connections ready and a node number held.
  bool up() const;
  // Why the bus is down, for /healthz and the log; empty when up.
  std::string down_reason() const;
  // Writes what is queued for Redis now (at shutdown, after the last turn).
  void flush_now();
  const BusStats& stats() const { return stats_; }

  int64_t next_deadline_ms() const;
  void run_timers(int64_t now_ms);

  // RoomBus.
  void attach(ChatClient& client) override { clients_[client.id] = &client; }
  void detach(ChatClient& client) override { clients_.erase(client.id); }
  bool available() const override { return up(); }
  bool spans_processes() const override { return true; }
  StrangerBus* strangers() override { return &strangers_; }
  void open(Room& room) override;
  void close(Room& room) override;
  void publish(Room& room, const RoomEvent& event) override;
  size_t member_count(const Room& room) const override;
  const RoomHistory& history(const Room& room) const override;
  void claim_name(ChatClient& client, std::string_view room_name, std::string_view name, ClaimDone done) override;
  void release_name(Room& room, const ChatClient& client, std::string_view name) override;
  void when_ready(Room& room, ChatClient& client, Ready ready) override;
  void list_members(const Room& room, std::vector<RoomMember>* out) const override;
  std::string_view epoch(const Room& room) const override;

 private:
  // Stranger mode is part of the bus: it shares its connections, scripts,
  // node number and client table (redis_strangers.h).
  friend class RedisStrangers;

  // RedisObserver.
  void on_redis_ready(RedisConnection& connection) override;
  void on_redis_down(RedisConnection& connection, const std::string& reason) override;
  void on_redis_push(RedisConnection& connection, RespValue& push) override;

  // Runs script with keys then arguments; a NOSCRIPT answer (Redis forgot
  // it) is retried once with EVAL when retry_with_eval is set. False if the
  // command connection is not ready.
  bool run_script(const BusScript& script, size_t key_count, const std::vector<std::string_view>& words,
                  RedisConnection::ReplyHandler handler, bool retry_with_eval = true);

  // The room's data, made (and subscribed) if this node has none.
  RoomBusData& data_for(const Room& room);
  std::string room_key(std::string_view room_name) const;  // PREFIX room:FOLDED
  std::string member_value(const ChatClient& client, std::string_view name) const;
  std::string new_epoch();

  // Rooms' life on the subscribed connection.
  void subscribe_all();
  void load(RoomBusData& data);
  void apply_load(RoomBusData& data, RespValue& reply);
  void receive(RoomBusData& data, std::string_view payload);
  void deliver_message(RoomBusData& data, const BusPayload& message, std::string_view payload);
  void measure_lag(std::string_view token);
  void publish_presence(RoomBusData& data);
  void retry_presence(int64_t now_ms);
  void deliver_notice(RoomBusData& data, std::string_view json);
  void reset(RoomBusData& data, std::string_view new_epoch);
  void welcome_waiting(RoomBusData& data);
  void send_to_members(RoomBusData& data, const FrameRef& frame, uint64_t except_id);
  void tell_unavailable(uint64_t client_id);
  // A say whose answer was lost with the connection: published or not?
  void settle_says_in_doubt(int64_t now_ms);

  // After the command connection comes back: scripts, node, members, rooms.
  void claim_node_number();
  void enroll_members(RoomBusData& data);
  void refresh_rooms(int64_t now_ms);
  void drop_closed_rooms(int64_t now_ms);

  EventLoop& loop_;
  ChatTransport& transport_;
  RedisBusSettings settings_;
  BusScripts scripts_;
  RedisConnection commands_;
  RedisConnection subscriber_;
  std::string identity_;     // node name and a random part: who holds our node number
  uint32_t node_ = 0;
  std::string node_text_ = "0";
  std::string history_length_text_, threshold_text_, ttl_text_;
  bool reenroll_ = false;    // register this node's members again once the node number is back
  bool was_up_[2] = {false, false};  // commands, subscriber: for the log
  int64_t next_refresh_ms_ = 0;
  int64_t redis_clock_offset_ms_ = 0;  // Redis's clock minus our monotonic clock

  std::unordered_map<std::string, std::unique_ptr<RoomBusData>> rooms_;  // by channel
  std::unordered_map<uint64_t, ChatClient*> clients_;                    // attached, by id
  // Says whose connection was lost before Redis answered, by token
  // (bus_payload.h). Each is settled when the message turns up on the
  // channel or in a load (delivered), or when a load made after its
  // deadline has not got it (it never will: the script refuses it late),
  // and then its sender is told "unavailable".
  struct SayInDoubt {
    uint64_t sender;
    int64_t deadline_ms;  // our monotonic clock
    std::string channel;
  };
  std::unordered_map<std::string, SayInDoubt> says_in_doubt_;
  uint64_t says_ = 0;
  // When each of the last kSayTimes says was published (by its count), so
  // its delivery can measure the lag; a slot reused by a later say is
  // simply not measured.
  static constexpr size_t kSayTimes = 1024;
  struct SayTime {
    uint64_t count = 0;
    int64_t published_us = 0;
  };
  SayTime say_times_[kSayTimes];
  // Rooms (by channel) whose count another node announced first: asked again at
  // next_presence_retry_ms_ (publish_presence).
  std::unordered_set<std::string> presence_retry_;
  int64_t next_presence_retry_ms_ = 0;
  std::string presence_interval_text_;
  BusStats stats_;
  std::deque<std::pair<std::string, int64_t>> emptied_;  // channel, when: for the unsubscribe delay
  ChatMessages messages_;
  std::string before_, after_;            // room_event_parts scratch
  std::vector<std::string_view> words_;    // a script's keys and arguments, reused
  std::vector<std::string_view> command_;  // EVALSHA, its script and words_, reused
  RedisStrangers strangers_;               // after messages_: it makes frames with them
};
