// chat_room.cpp: a room's members, names and history. See chat_room.h for
// why each operation is O(1).
#include "chat/chat_room.h"

#include <utility>

#include "chat/chat_client.h"
#include "chat/chat_names.h"

size_t Room::NameHash::operator()(const ChatClient* client) const noexcept {
  return hash_ignoring_case(client->name);
}

bool Room::NameEqual::operator()(const ChatClient* a, const ChatClient* b) const noexcept {
  return equal_ignoring_case(a->name, b->name);
}

Room::Room(std::string name, size_t history_length) : history(history_length), name_(std::move(name)) {}

ChatClient* Room::find_member(std::string_view name) const {
  // C++17's unordered_set cannot look up by a key of another type, so the
  // lookup goes through a stand-in client that carries only the name.
  ChatClient probe;
  probe.name.assign(name.data(), name.size());
  auto found = members_by_name_.find(&probe);
  return found == members_by_name_.end() ? nullptr : *found;
}

void Room::add_member(ChatClient& client) {
  client.room = this;
  client.room_index = static_cast<uint32_t>(members_.size());
  members_.push_back(&client);
  members_by_name_.insert(&client);
}

void Room::remove_member(ChatClient& client) {
  members_by_name_.erase(&client);
  // Swap the last member into the leaver's slot: O(1), at the price of order.
  ChatClient* last = members_.back();
  members_[client.room_index] = last;
  last->room_index = client.room_index;
  members_.pop_back();
  client.room = nullptr;
  client.room_index = 0;
}

void Room::rename_member(ChatClient& client, std::string new_name) {
  // The set hashes the name, so the entry must not be in it while the name
  // changes.
  members_by_name_.erase(&client);
  client.name = std::move(new_name);
  members_by_name_.insert(&client);
}

void RoomHistory::remember(const FrameRef& frame, uint64_t seq) {
  if (capacity_ == 0) return;
  if (entries_.size() < capacity_) {
    entries_.push_back({frame, seq});
    return;
  }
  entries_[oldest_] = {frame, seq};
  oldest_ = (oldest_ + 1) % capacity_;
}

void RoomHistory::clear() {
  entries_.clear();
  oldest_ = 0;
}
