// room_requests.cpp: what Chat asks of the Redis room bus (room_bus.h):
// publish an event, claim and release names, wait for a room to be ready,
// and the room's count, members, history and epoch; and the says whose
// answer Redis never gave (redis_room_bus.h).
#include <algorithm>
#include <string>

#include "base/clock.h"
#include "bus/redis_room_bus.h"
#include "chat/chat_names.h"

namespace {

// How much earlier than the reply timeout a message's deadline falls: more
// than a round trip on any network a node and its Redis would share.
constexpr int64_t kDeadlineMarginMs = 500;
// A say's fate is known this long after its deadline: more than the error
// in our reckoning of Redis's clock, which is at most a round trip.
constexpr int64_t kSettleAfterDeadlineMs = 1000;
constexpr int64_t kGiveUpOnDoubtMs = 10000;

}  // namespace

void RedisRoomBus::tell_unavailable(uint64_t client_id) {
  auto found = clients_.find(client_id);
  if (found == clients_.end()) return;
  transport_.send(*found->second,
                  messages_.error("unavailable",
                                  "the message bus failed before your message was numbered, so it was not "
                                  "delivered; try again in a few seconds"));
}

// excerpt-begin: publish
void RedisRoomBus::publish(Room& room, const RoomEvent& event) {
  RoomBusData& data = *room.bus_data;
  const bool has_number = messages_.room_event_parts(room, event, &before_, &after_);
  if (event.kind == RoomEventKind::Message) {
    // The script refuses to publish after a deadline: the reply timeout
    // from now, less a margin, on Redis's clock. Until then a say whose
    // answer is lost may still be published, so its sender is told only
    // once that is settled (settle_says_in_doubt): never both delivered
    // and refused.
    const int64_t deadline_ms = monotonic_ms() + settings_.redis.reply_timeout_ms - kDeadlineMarginMs;
    const std::string deadline = std::to_string(deadline_ms + redis_clock_offset_ms_);
    const uint64_t count = ++says_;
    const std::string token = node_text_ + "." + std::to_string(count);
    say_times_[count % kSayTimes] = SayTime{count, monotonic_us()};
    words_.assign({data.meta_key, data.history_key, data.channel, data.fresh_epoch, history_length_text_, before_,
                   after_, deadline, token});
    // No EVAL retry for a message: the sender is told instead (the scripts
    // are loaded again on every connection, so NOSCRIPT means SCRIPT FLUSH).
    const uint64_t sender = event.member_id;
    bool sent = run_script(scripts_.say, 3, words_, [this, sender, count, deadline_ms](RespValue& reply) {
      if (!reply.is_error()) return;
      auto found = clients_.find(sender);
      if (reply.is_error_starting("CONNECTION LOST") && found != clients_.end() && found->second->room != nullptr &&
          found->second->room->bus_data != nullptr) {
        says_in_doubt_[node_text_ + "." + std::to_string(count)] =
            SayInDoubt{sender, deadline_ms, found->second->room->bus_data->channel};
        return;
      }
      ++stats_.errors;
      tell_unavailable(sender);  // refused by Redis (LATE, out of memory, ...): never published
    }, false);
    if (sent) ++stats_.published;
    if (!sent) tell_unavailable(sender);
    return;
  }
  if (event.kind == RoomEventKind::Presence) {
    presence_retry_.erase(data.channel);  // asked anew: a retry would only repeat it
    publish_presence(data);
    return;
  }
  words_.assign({data.members_key, data.channel, before_, after_, has_number ? "1" : "0"});
  if (run_script(scripts_.notice, 2, words_, {})) ++stats_.published;
}
// excerpt-end: publish

// A count that another node announced within the interval may predate a
// change here, so a room whose gate was shut asks again one interval later
// (retry_presence): every change is announced within two intervals.
void RedisRoomBus::publish_presence(RoomBusData& data) {
  words_.assign({data.members_key, data.channel, data.presence_gate_key, before_, after_, presence_interval_text_});
  bool sent = run_script(scripts_.presence, 3, words_, [this, channel = data.channel](RespValue& reply) {
    if (reply.is_integer() && reply.integer == 1) {
      ++stats_.published;
    } else if (reply.is_integer()) {
      if (presence_retry_.empty()) next_presence_retry_ms_ = monotonic_ms() + settings_.presence_interval_ms;
      presence_retry_.insert(channel);
    }
  });
  (void)sent;  // Redis out of reach: the count goes out with the next change, or the refresh after
}

void RedisRoomBus::retry_presence(int64_t now_ms) {
  if (presence_retry_.empty() || now_ms < next_presence_retry_ms_) return;
  std::unordered_set<std::string> rooms;
  rooms.swap(presence_retry_);
  for (const std::string& channel : rooms) {
    auto found = rooms_.find(channel);
    if (found == rooms_.end() || found->second->room == nullptr) continue;  // no members here any more
    messages_.room_event_parts(*found->second->room, RoomEvent::presence(), &before_, &after_);
    publish_presence(*found->second);
  }
}

size_t RedisRoomBus::member_count(const Room& room) const {
  const RoomBusData* data = room.bus_data;
  return data == nullptr ? room.member_count() : std::max(data->member_count, room.member_count());
}

const RoomHistory& RedisRoomBus::history(const Room& room) const { return room.bus_data->history; }

std::string_view RedisRoomBus::epoch(const Room& room) const { return room.bus_data->epoch; }

void RedisRoomBus::list_members(const Room& room, std::vector<RoomMember>* out) const {
  for (const ChatClient* member : room.members()) out->push_back({member->id, member->name});
  if (room.bus_data == nullptr) return;
  for (const auto& [id, name] : room.bus_data->members) {
    if ((id >> 32) != node_) out->push_back({id, name});
  }
}

void RedisRoomBus::when_ready(Room& room, ChatClient& client, Ready ready) {
  RoomBusData& data = *room.bus_data;
  if (data.phase == RoomBusData::Phase::Ready) {
    ready(client);
  } else {
    data.awaiting_welcome.emplace_back(client.id, std::move(ready));
  }
}

// excerpt-begin: claim_name
void RedisRoomBus::claim_name(ChatClient& client, std::string_view room_name, std::string_view name,
                              ClaimDone done) {
  const std::string channel = room_key(room_name);
  const std::string members_key = channel + ":members";
  const std::string nodes_key = channel + ":nodes";
  const std::string field = fold_case(name);
  const std::string value = member_value(client, name);
  const std::string id = std::to_string(client.id);
  words_.assign({members_key, nodes_key, field, value, id, node_text_, ttl_text_});
  const uint64_t claimant = client.id;
  bool sent = run_script(scripts_.claim, 2, words_,
                         [this, claimant, channel, members_key, field, id, done = std::move(done)](RespValue& reply) {
    NameClaim result = NameClaim::Unavailable;
    if (reply.is_array() && reply.elements.size() == 2 && reply.elements[0].is_integer()) {
      result = reply.elements[0].integer == 1 ? NameClaim::Granted : NameClaim::Taken;
      auto room = rooms_.find(channel);
      if (room != rooms_.end() && reply.elements[1].is_integer()) {
        room->second->member_count = static_cast<size_t>(reply.elements[1].integer);
      }
    }
    auto found = clients_.find(claimant);
    if (found == clients_.end()) {
      // Gone while Redis decided: give back what it was granted.
      if (result == NameClaim::Granted) {
        words_.assign({members_key, field, id});
        run_script(scripts_.release, 1, words_, {});
      }
      return;
    }
    done(*found->second, result);
  });
  if (!sent) done(client, NameClaim::Unavailable);
}
// excerpt-end: claim_name

void RedisRoomBus::release_name(Room& room, const ChatClient& client, std::string_view name) {
  RoomBusData& data = *room.bus_data;
  const std::string field = fold_case(name);
  const std::string id = std::to_string(client.id);
  words_.assign({data.members_key, field, id});
  // If Redis is out of reach, the name is given back when this node
  // registers its members again on reconnecting (enroll_members).
  run_script(scripts_.release, 1, words_, {});
}

// excerpt-begin: settle_says_in_doubt
// A say in doubt was published if and only if Redis ran it before its
// deadline. Once the deadline has passed (plus a second for the clocks), a
// load of its room tells: the message is in the history (delivered, and
// settled as it was applied), or it never will be, and its sender hears
// "unavailable". If Redis stays away, the sender is told after ten seconds
// anyway: the message may then have reached some members before Redis died.
void RedisRoomBus::settle_says_in_doubt(int64_t now_ms) {
  for (auto entry = says_in_doubt_.begin(); entry != says_in_doubt_.end();) {
    const SayInDoubt& say = entry->second;
    const int64_t knowable_at = say.deadline_ms + kSettleAfterDeadlineMs;
    auto room = rooms_.find(say.channel);
    bool settled = now_ms >= knowable_at + kGiveUpOnDoubtMs || room == rooms_.end() ||
                   (now_ms >= knowable_at && room->second->loaded_at_ms > knowable_at);
    if (settled) {
      tell_unavailable(say.sender);
      entry = says_in_doubt_.erase(entry);
      continue;
    }
    if (now_ms >= knowable_at && up()) load(*room->second);  // one load at a time: load() coalesces
    ++entry;
  }
}
// excerpt-end: settle_says_in_doubt
