// redis_room_bus.cpp: the Redis room bus's life: its two connections, what
// it does each time one comes back, its timers, and the rooms it keeps.
// What arrives on a room's channel is room_delivery.cpp; what Chat asks of
// the bus is room_requests.cpp. redis_room_bus.h has the design and
// docs/09-the-bus.md the walkthrough.
#include "bus/redis_room_bus.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <utility>

#include "base/clock.h"
#include "base/log.h"
#include "bus/bus_payload.h"
#include "chat/chat_names.h"
#include "json/json.h"
#include "json/json_string.h"

namespace {

// SUBSCRIBE takes any number of channels; a few hundred per command keeps
// each command, and Redis's time answering it, small after a reconnect.
constexpr size_t kChannelsPerSubscribe = 200;
constexpr size_t kMembersPerEnroll = 200;
const std::string_view kKeyCounts[] = {"0", "1", "2", "3"};

}  // namespace

RedisRoomBus::RedisRoomBus(EventLoop& loop, ChatTransport& transport, RedisBusSettings settings)
    : loop_(loop),
      transport_(transport),
      settings_(std::move(settings)),
      commands_(loop, RedisConnection::Role::Commands, settings_.redis, *this, "redis commands"),
      subscriber_(loop, RedisConnection::Role::Subscriber, settings_.redis, *this, "redis subscriber"),
      strangers_(*this) {
  std::random_device random;
  char suffix[20];
  std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
  identity_ = settings_.node_name + " " + suffix;
  history_length_text_ = std::to_string(settings_.history_length);
  threshold_text_ = std::to_string(settings_.presence_threshold);
  ttl_text_ = std::to_string(settings_.presence_ttl_ms);
  presence_interval_text_ = std::to_string(settings_.presence_interval_ms);
}

RedisRoomBus::~RedisRoomBus() = default;

bool RedisRoomBus::start(std::string* error) {
  LOG_INFO("bus: node %s, Redis at %s, prefix \"%s\"", settings_.node_name.c_str(),
           settings_.redis.url.redacted().c_str(), settings_.prefix.c_str());
  return commands_.start(error) && subscriber_.start(error);
}

bool RedisRoomBus::up() const { return node_ != 0 && commands_.ready() && subscriber_.ready(); }

std::string RedisRoomBus::down_reason() const {
  if (up()) return "";
  if (!commands_.ready()) {
    return commands_.last_error().empty() ? "connecting to Redis" : "Redis: " + commands_.last_error();
  }
  if (!subscriber_.ready()) {
    return subscriber_.last_error().empty() ? "subscribing" : "Redis subscriber: " + subscriber_.last_error();
  }
  return "claiming a node number";
}

void RedisRoomBus::flush_now() {
  commands_.flush();
  subscriber_.flush();
}

/* ===== Timers ===== */

int64_t RedisRoomBus::next_deadline_ms() const {
  int64_t earliest = -1;
  auto consider = [&earliest](int64_t deadline) {
    if (deadline >= 0 && (earliest < 0 || deadline < earliest)) earliest = deadline;
  };
  consider(commands_.next_deadline_ms());
  consider(subscriber_.next_deadline_ms());
  if (commands_.ready() && node_ != 0) consider(next_refresh_ms_);
  if (!emptied_.empty()) consider(emptied_.front().second + settings_.unsubscribe_after_ms);
  if (!says_in_doubt_.empty()) consider(monotonic_ms() + 250);  // settled within a quarter second of knowing
  if (!presence_retry_.empty()) consider(next_presence_retry_ms_);
  return earliest;
}

void RedisRoomBus::run_timers(int64_t now_ms) {
  commands_.run_timers(now_ms);
  subscriber_.run_timers(now_ms);
  if (commands_.ready() && node_ != 0 && now_ms >= next_refresh_ms_) {
    next_refresh_ms_ = now_ms + settings_.refresh_interval_ms;
    refresh_rooms(now_ms);
    strangers_.check_partner_nodes();
  }
  drop_closed_rooms(now_ms);
  if (!says_in_doubt_.empty()) settle_says_in_doubt(now_ms);
  retry_presence(now_ms);
}

// excerpt-begin: refresh_rooms
// Every refresh interval: renew the node number, and this node's presence
// in each room it has members in. The refresh script also drops the members
// of nodes whose presence expired, so a dead node leaves every room that
// any live node is in within ttl + interval.
void RedisRoomBus::refresh_rooms(int64_t) {
  claim_node_number();
  for (auto& entry : rooms_) {
    RoomBusData& data = *entry.second;
    if (data.room == nullptr) continue;
    words_.assign({data.nodes_key, data.members_key, data.channel, node_text_, ttl_text_, data.name_json,
                   threshold_text_});
    run_script(scripts_.refresh, 3, words_, {});
    // A load that failed (Redis went away mid-way) is tried again here.
    if (data.phase == RoomBusData::Phase::Loading && !data.load_in_flight) load(data);
  }
}
// excerpt-end: refresh_rooms

// The unsubscribe delay: a room empty here for unsubscribe_after_ms is
// forgotten, unless a member came back meanwhile.
void RedisRoomBus::drop_closed_rooms(int64_t now_ms) {
  while (!emptied_.empty() && emptied_.front().second + settings_.unsubscribe_after_ms <= now_ms) {
    auto [channel, emptied_at] = std::move(emptied_.front());
    emptied_.pop_front();
    auto found = rooms_.find(channel);
    if (found == rooms_.end()) continue;
    RoomBusData& data = *found->second;
    if (data.room != nullptr || data.emptied_at_ms != emptied_at) continue;
    if (subscriber_.ready()) subscriber_.subscribe({"UNSUBSCRIBE", channel});
    rooms_.erase(found);
  }
}

/* ===== Connections ===== */

void RedisRoomBus::on_redis_ready(RedisConnection& connection) {
  LOG_INFO("bus: %s ready", connection.name());
  if (connection.failures() > 0) ++stats_.reconnects;
  if (&connection == &subscriber_) {
    subscribe_all();
    return;
  }
  // Loaded on every new connection, ahead of everything else in the
  // pipeline: a Redis that restarted has forgotten them.
  for (const BusScript* script : {&scripts_.say, &scripts_.notice, &scripts_.presence, &scripts_.claim, &scripts_.release,
                                  &scripts_.load, &scripts_.refresh, &scripts_.purge, &scripts_.enroll,
                                  &scripts_.node, &scripts_.seek}) {
    commands_.command({"SCRIPT", "LOAD", script->body}, [name = script->name](RespValue& reply) {
      if (reply.is_error()) LOG_ERROR("bus: Redis refused the %s script: %s", name, reply.text.c_str());
    });
  }
  // A Redis that comes back empty must not be handed the epoch it had:
  // each room offers a new one from now on.
  for (auto& entry : rooms_) entry.second->fresh_epoch = new_epoch();
  reenroll_ = true;
  claim_node_number();
}

void RedisRoomBus::on_redis_down(RedisConnection& connection, const std::string& reason) {
  // One line when a connection is lost, then one per 20 failed attempts.
  ++stats_.errors;
  uint64_t failures = connection.failures();
  if (failures <= 1 || failures % 20 == 0 || was_up_[&connection == &subscriber_]) {
    LOG_WARN("bus: %s down (%llu failure(s)): %s; say and join answer unavailable until it is back",
             connection.name(), static_cast<unsigned long long>(failures), reason.c_str());
  }
  was_up_[&connection == &subscriber_] = false;
  if (&connection == &subscriber_) {
    // Nothing arrives on a lost subscription: each room waits for its new
    // one, then loads again to catch up (by seq, or with a reset).
    for (auto& entry : rooms_) entry.second->phase = RoomBusData::Phase::Subscribing;
    strangers_.on_deaf();
  }
}

void RedisRoomBus::subscribe_all() {
  was_up_[1] = true;
  std::vector<std::string> command{"SUBSCRIBE"};
  if (!strangers_.channel().empty()) command.push_back(strangers_.channel());
  for (auto& entry : rooms_) {
    entry.second->phase = RoomBusData::Phase::Subscribing;
    command.push_back(entry.first);
    if (command.size() > kChannelsPerSubscribe) {
      subscriber_.subscribe(command);
      command.resize(1);
    }
  }
  if (command.size() > 1) subscriber_.subscribe(command);
}

// Takes a node number, or renews the one held. Ids of new clients are built
// from it, and the server starts accepting only once it has one.
void RedisRoomBus::claim_node_number() {
  const std::string counter_key = settings_.prefix + "node-counter";
  const std::string node_prefix = settings_.prefix + "node:";
  const std::string ttl = std::to_string(2 * settings_.presence_ttl_ms);
  const std::string held = std::to_string(node_);
  words_.assign({counter_key, node_prefix, identity_, ttl, held});
  const int64_t asked_at = monotonic_ms();
  run_script(scripts_.node, 1, words_, [this, asked_at](RespValue& reply) {
    if (!reply.is_array() || reply.elements.size() != 2 || !reply.elements[0].is_integer() ||
        !reply.elements[1].is_integer() || reply.elements[0].integer <= 0) {
      LOG_ERROR("bus: cannot claim a node number: %s", reply.is_error() ? reply.text.c_str() : "none free");
      return;
    }
    // Redis's clock read somewhere between asking and now: taking the
    // moment we asked errs on the early side, which only shortens deadlines.
    redis_clock_offset_ms_ = reply.elements[1].integer - asked_at;
    uint32_t number = static_cast<uint32_t>(reply.elements[0].integer);
    if (number != node_) {
      if (node_ != 0) LOG_WARN("bus: node number %u was taken meanwhile; now %u", node_, number);
      if (!strangers_.channel().empty() && subscriber_.ready()) {
        subscriber_.subscribe({"UNSUBSCRIBE", strangers_.channel()});
      }
      node_ = number;
      node_text_ = std::to_string(number);
      LOG_INFO("bus: node number %u; client ids start at %llu", number,
               static_cast<unsigned long long>(static_cast<uint64_t>(number) << 32));
      strangers_.on_node_number();
      if (subscriber_.ready()) subscriber_.subscribe({"SUBSCRIBE", strangers_.channel()});
      if (on_node_number) on_node_number(number);
    }
    was_up_[0] = true;
    strangers_.send_kept_lines();
    strangers_.search_again_waiting();
    if (!reenroll_) return;
    reenroll_ = false;
    // Redis may have lost this node's members (a restart), or this node may
    // have left rooms while it could not say so: register them again.
    for (auto& entry : rooms_) {
      RoomBusData& data = *entry.second;
      if (data.room != nullptr) enroll_members(data);
      if (data.phase != RoomBusData::Phase::Subscribing) load(data);
    }
  });
}

void RedisRoomBus::enroll_members(RoomBusData& data) {
  words_.assign({data.members_key, node_text_});
  run_script(scripts_.purge, 1, words_, {});
  const std::vector<ChatClient*>& members = data.room->members();
  for (size_t first = 0; first < members.size(); first += kMembersPerEnroll) {
    std::vector<std::string> storage;
    size_t last = std::min(members.size(), first + kMembersPerEnroll);
    for (size_t i = first; i < last; ++i) {
      storage.push_back(fold_case(members[i]->name));
      storage.push_back(member_value(*members[i], members[i]->name));
    }
    words_.assign({data.members_key, data.nodes_key, node_text_, ttl_text_});
    for (const std::string& word : storage) words_.push_back(word);
    run_script(scripts_.enroll, 2, words_, {});
  }
}

bool RedisRoomBus::run_script(const BusScript& script, size_t key_count, const std::vector<std::string_view>& words,
                              RedisConnection::ReplyHandler handler, bool retry_with_eval) {
  if (!commands_.ready()) return false;
  command_.assign({"EVALSHA", script.sha1_hex, kKeyCounts[key_count]});
  command_.insert(command_.end(), words.begin(), words.end());
  if (!retry_with_eval) return commands_.command(command_, std::move(handler));
  // Keeps a copy of the words, for the one case they are needed again.
  std::vector<std::string> again{"EVAL", script.body, std::string(kKeyCounts[key_count])};
  again.insert(again.end(), words.begin(), words.end());
  return commands_.command(command_, [this, again = std::move(again), handler = std::move(handler)](RespValue& reply) {
    if (reply.is_error_starting("NOSCRIPT")) {
      if (commands_.command(again, handler)) return;
      reply.text = "CONNECTION LOST: while sending EVAL";
    }
    if (handler) handler(reply);
  });
}

/* ===== Rooms ===== */

std::string RedisRoomBus::room_key(std::string_view room_name) const {
  return settings_.prefix + "room:" + fold_case(room_name);
}

std::string RedisRoomBus::member_value(const ChatClient& client, std::string_view name) const {
  return node_text_ + " " + std::to_string(client.id) + " " + std::string(name);
}

std::string RedisRoomBus::new_epoch() {
  static std::minstd_rand random(std::random_device{}());
  char text[40];
  std::snprintf(text, sizeof text, "%llx-%08x", static_cast<unsigned long long>(wall_clock_ms()),
                static_cast<unsigned>(random()));
  return text;
}

RoomBusData& RedisRoomBus::data_for(const Room& room) {
  std::string channel = room_key(room.name());
  auto found = rooms_.find(channel);
  if (found != rooms_.end()) return *found->second;
  auto data = std::make_unique<RoomBusData>(settings_.history_length);
  data->channel = channel;
  data->meta_key = channel + ":meta";
  data->history_key = channel + ":history";
  data->members_key = channel + ":members";
  data->nodes_key = channel + ":nodes";
  data->presence_gate_key = channel + ":presence-gate";
  append_json_string(&data->name_json, room.name());
  data->fresh_epoch = new_epoch();
  RoomBusData& result = *data;
  rooms_.emplace(std::move(channel), std::move(data));
  if (subscriber_.ready()) subscriber_.subscribe({"SUBSCRIBE", result.channel});
  return result;
}

void RedisRoomBus::open(Room& room) {
  RoomBusData& data = data_for(room);
  data.room = &room;
  data.emptied_at_ms = -1;
  room.bus_data = &data;
}

void RedisRoomBus::close(Room& room) {
  RoomBusData& data = *room.bus_data;
  data.room = nullptr;
  data.awaiting_welcome.clear();
  data.emptied_at_ms = monotonic_ms();
  emptied_.emplace_back(data.channel, data.emptied_at_ms);
  room.bus_data = nullptr;
}
