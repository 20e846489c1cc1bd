// room_delivery.cpp: what arrives on a room's channel, and the loads that
// fill in around it: held back until the room is loaded, then delivered in
// seq order, a gap filled from the history, a new epoch announced as a
// reset (redis_room_bus.h).
#include <algorithm>
#include <utility>

#include "base/clock.h"
#include "base/log.h"
#include "bus/bus_payload.h"
#include "bus/redis_room_bus.h"
#include "json/json.h"

namespace {

// What a room may hold back while it loads: a load takes one round trip,
// so this is far more than arrives meanwhile; past it, the room loads again.
constexpr size_t kMaxHeldBack = 10000;

// "NODE ID NAME" from a members hash: the id and the name.
bool parse_member_value(std::string_view value, uint64_t* id, std::string_view* name) {
  size_t first = value.find(' ');
  if (first == std::string_view::npos) return false;
  size_t second = value.find(' ', first + 1);
  if (second == std::string_view::npos) return false;
  uint64_t number = 0;
  for (size_t i = first + 1; i < second; ++i) {
    char c = value[i];
    if (c < '0' || c > '9') return false;
    number = number * 10 + static_cast<uint64_t>(c - '0');
  }
  *id = number;
  *name = value.substr(second + 1);
  return true;
}

uint64_t parse_count(std::string_view text) {
  uint64_t number = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    number = number * 10 + static_cast<uint64_t>(c - '0');
  }
  return number;
}

}  // namespace

void RedisRoomBus::on_redis_push(RedisConnection&, RespValue& push) {
  if (!push.is_array() || push.elements.size() < 3) return;
  const std::string& channel = push.elements[1].text;
  if (channel == strangers_.channel() && !channel.empty()) {
    if (push.elements[0].is_string("message")) {
      strangers_.receive(push.elements[2].text);
    } else if (push.elements[0].is_string("subscribe")) {
      strangers_.on_listening();
    }
    return;
  }
  auto found = rooms_.find(channel);
  if (found == rooms_.end()) return;  // a room forgotten since; its last words are moot
  RoomBusData& data = *found->second;
  if (push.elements[0].is_string("message")) {
    ++stats_.received;
    receive(data, push.elements[2].text);
  } else if (push.elements[0].is_string("subscribe") && data.phase == RoomBusData::Phase::Subscribing) {
    // Confirmed: from here on nothing published to the room is missed, so
    // what load reads and what arrives after it leave no gap between them.
    data.phase = RoomBusData::Phase::Loading;
    load(data);
  }
}

void RedisRoomBus::load(RoomBusData& data) {
  if (data.load_in_flight) {
    data.load_again = true;
    return;
  }
  words_.assign({data.meta_key, data.history_key, data.members_key, data.fresh_epoch, history_length_text_,
                 threshold_text_});
  bool sent = run_script(scripts_.load, 3, words_, [this, channel = data.channel](RespValue& reply) {
    auto found = rooms_.find(channel);
    if (found == rooms_.end()) return;
    RoomBusData& loaded = *found->second;
    loaded.load_in_flight = false;
    if (!reply.is_array() || reply.elements.size() < 5) {
      LOG_WARN("bus: cannot load room %s: %s", channel.c_str(), reply.is_error() ? reply.text.c_str() : "bad reply");
      return;  // the refresh timer tries again
    }
    apply_load(loaded, reply);
    if (loaded.load_again) {
      loaded.load_again = false;
      load(loaded);
    }
  });
  data.load_in_flight = sent;
}

// excerpt-begin: apply_load
// The room as Redis has it: its epoch, its seq, its history (newest first)
// and, if small, its members. The first load after a subscription only
// records the history, which the waiting members then see in their
// welcome; a later one (a gap, a new subscription after Redis came back)
// delivers each message the members have not had, in order.
void RedisRoomBus::apply_load(RoomBusData& data, RespValue& reply) {
  std::vector<RespValue>& parts = reply.elements;
  const bool first = data.phase == RoomBusData::Phase::Loading && data.epoch.empty();
  const bool deliver = data.phase == RoomBusData::Phase::Ready || !first;
  if (parts[0].text != data.epoch) {
    if (data.epoch.empty()) {
      data.epoch = parts[0].text;
    } else {
      reset(data, parts[0].text);
    }
  }
  std::vector<RespValue>& history = parts[2].elements;
  for (size_t i = history.size(); i-- > 0;) {
    BusPayload payload;
    if (!parse_bus_payload(history[i].text, &payload) || payload.kind != BusPayload::Kind::Message) continue;
    if (payload.epoch != data.epoch || payload.seq <= data.last_seq) continue;
    FrameRef frame = FrameRef::text(payload.json);
    data.history.remember(frame, payload.seq);
    data.last_seq = payload.seq;
    if (!says_in_doubt_.empty()) says_in_doubt_.erase(std::string(payload.token));
    if (deliver) send_to_members(data, frame, 0);
  }
  // Messages older than the history are gone for good; go on from the seq.
  data.last_seq = std::max<uint64_t>(data.last_seq, parse_count(parts[1].text));
  data.member_count = parts[4].is_integer() ? static_cast<size_t>(parts[4].integer) : data.member_count;
  data.members.clear();
  for (const RespValue& value : parts[3].elements) {
    uint64_t id;
    std::string_view name;
    if (parse_member_value(value.text, &id, &name)) data.members[id] = std::string(name);
  }
  data.phase = RoomBusData::Phase::Ready;
  data.loaded_at_ms = monotonic_ms();
  welcome_waiting(data);
  std::vector<std::string> held_back = std::move(data.held_back);
  bool overflowed = data.held_back_overflowed;
  data.held_back.clear();
  data.held_back_overflowed = false;
  for (const std::string& payload : held_back) receive(data, payload);
  if (overflowed) load(data);
}
// excerpt-end: apply_load

// excerpt-begin: receive
void RedisRoomBus::receive(RoomBusData& data, std::string_view payload) {
  BusPayload parsed;
  if (!parse_bus_payload(payload, &parsed)) return;  // not ours: ignored
  if (data.phase != RoomBusData::Phase::Ready || data.load_in_flight) {
    // Held back in order until the room is loaded, so nothing is delivered
    // ahead of the history it follows.
    if (data.held_back.size() < kMaxHeldBack) {
      data.held_back.emplace_back(payload);
    } else {
      data.held_back_overflowed = true;
    }
    return;
  }
  if (parsed.kind == BusPayload::Kind::Message) {
    deliver_message(data, parsed, payload);
  } else {
    deliver_notice(data, parsed.json);
  }
}

void RedisRoomBus::deliver_message(RoomBusData& data, const BusPayload& message, std::string_view payload) {
  if (message.epoch != data.epoch) reset(data, message.epoch);  // Redis lost the room: a new numbering
  if (message.seq <= data.last_seq) return;                      // seen already
  if (message.seq != data.last_seq + 1) {
    // A gap: some messages did not reach this node (its subscription was
    // lost and remade). Fill it from the history before going on.
    ++stats_.gaps;
    data.held_back.emplace_back(payload);
    load(data);
    return;
  }
  measure_lag(message.token);
  FrameRef frame = FrameRef::text(message.json);
  data.history.remember(frame, message.seq);
  data.last_seq = message.seq;
  if (!says_in_doubt_.empty()) says_in_doubt_.erase(std::string(message.token));  // delivered after all
  send_to_members(data, frame, 0);
}
// excerpt-end: receive

// A message this node published ("NODE.COUNT" with our node) whose send
// time is still in the ring: the lag is now minus then.
void RedisRoomBus::measure_lag(std::string_view token) {
  if (token.size() <= node_text_.size() + 1 || token.compare(0, node_text_.size(), node_text_) != 0 ||
      token[node_text_.size()] != '.') {
    return;
  }
  uint64_t count = 0;
  for (char c : token.substr(node_text_.size() + 1)) {
    if (c < '0' || c > '9') return;
    count = count * 10 + static_cast<uint64_t>(c - '0');
  }
  const SayTime& sent = say_times_[count % kSayTimes];
  if (sent.count != count) return;
  stats_.lag_seconds.observe(static_cast<double>(monotonic_us() - sent.published_us) / 1e6);
}

// joined, left, renamed and presence: delivered as they are, and used to
// keep the member count and list. A list that no longer adds up to the
// count (the room was large for a while, and nobody announced joins) is
// read again.
void RedisRoomBus::deliver_notice(RoomBusData& data, std::string_view json) {
  JsonValue notice;
  std::string error;
  if (!parse_json(json, &notice, &error) || !notice.is_object()) return;
  const std::string* type = notice.find_string("type");
  if (type == nullptr) return;
  const JsonValue* id_field = notice.find("id");
  const uint64_t id = id_field != nullptr && id_field->is_number() ? static_cast<uint64_t>(id_field->as_number()) : 0;
  const std::string* name = notice.find_string("name");
  if (const JsonValue* count = notice.find("member_count"); count != nullptr && count->is_number()) {
    data.member_count = static_cast<size_t>(count->as_number());
  }
  uint64_t except = 0;
  if (*type == "joined" || *type == "renamed") {
    if (name != nullptr) data.members[id] = *name;
    if (*type == "joined") except = id;  // the newcomer had its welcome instead
  } else if (*type == "left") {
    data.members.erase(id);
  }
  send_to_members(data, FrameRef::text(json), except);
  if (data.member_count <= settings_.presence_threshold && data.members.size() != data.member_count) {
    load(data);
  }
}

void RedisRoomBus::reset(RoomBusData& data, std::string_view new_epoch) {
  LOG_WARN("bus: room %s starts again under epoch %.*s (Redis lost its data)", data.channel.c_str(),
           static_cast<int>(new_epoch.size()), new_epoch.data());
  data.epoch = std::string(new_epoch);
  data.history.clear();
  data.last_seq = 0;
  if (data.room != nullptr) send_to_members(data, messages_.reset(*data.room, data.epoch), 0);
}

void RedisRoomBus::welcome_waiting(RoomBusData& data) {
  std::vector<std::pair<uint64_t, Ready>> waiting = std::move(data.awaiting_welcome);
  data.awaiting_welcome.clear();
  for (auto& [id, ready] : waiting) {
    auto found = clients_.find(id);
    if (found != clients_.end() && data.room != nullptr && found->second->room == data.room) ready(*found->second);
  }
}

void RedisRoomBus::send_to_members(RoomBusData& data, const FrameRef& frame, uint64_t except_id) {
  if (data.room == nullptr) return;
  size_t recipients = 0;
  for (ChatClient* member : data.room->members()) {
    if (member->id != except_id) {
      transport_.send(*member, frame);
      ++recipients;
    }
  }
  transport_.count_broadcast(recipients);
}
