// chat_room.h: one chat room: its members, their names, and the message
// sequence and recent history its bus keeps for it (room_bus.h).
// docs/protocol.md describes what members see; this file is only the
// bookkeeping, and sends nothing.
//
// Every operation is O(1) (amortised) however large the room, because a
// room may hold 20,000 members during a reconnect storm:
//  - members live in a vector; each client stores its own position in it, so
//    removal swaps the last member into the hole instead of searching;
//  - names are looked up in a hash set that ignores case (Unicode simple
//    case folding, chat_names.h), so checking that a name is free is not a
//    scan over the members;
//  - history is a ring of the encoded frames that were broadcast, so the
//    welcome copies their payloads as they are, without encoding them again.
//
// Deliberately left out: member order. Removal reorders the vector, so the
// welcome's member list has no particular order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "websocket/shared_frame.h"

struct ChatClient;

// The newest broadcast messages of a room, as the encoded frames that were
// delivered with their seq numbers, at most a fixed number of them.
class RoomHistory {
 public:
  explicit RoomHistory(size_t capacity) : capacity_(capacity) {}
  // Keeps frame (message number seq), dropping the oldest once the history
  // is full.
  void remember(const FrameRef& frame, uint64_t seq);
  void clear();
  size_t size() const { return entries_.size(); }
  // The i-th remembered message and its seq, oldest first (i < size()).
  const FrameRef& at(size_t i) const { return entries_[index(i)].frame; }
  uint64_t seq_at(size_t i) const { return entries_[index(i)].seq; }

 private:
  struct Entry {
    FrameRef frame;
    uint64_t seq;
  };
  size_t index(size_t i) const { return (oldest_ + i) % entries_.size(); }
  size_t capacity_;
  std::vector<Entry> entries_;  // grows to capacity_, then wraps
  size_t oldest_ = 0;
};

struct RoomBusData;  // whatever a room's bus keeps per room (room_bus.h)

class Room {
 public:
  Room(std::string name, size_t history_length);
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  // The spelling of whoever created the room.
  const std::string& name() const { return name_; }
  size_t member_count() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  const std::vector<ChatClient*>& members() const { return members_; }

  // The member whose name equals name ignoring case, or nullptr.
  ChatClient* find_member(std::string_view name) const;
  // Adds client under client.name, which the caller has checked is free.
  // Sets client.room and client.room_index.
  void add_member(ChatClient& client);
  // Removes client (a member) and clears client.room.
  void remove_member(ChatClient& client);
  // Gives member client a new name, keeping the name index in step.
  void rename_member(ChatClient& client, std::string new_name);

  // Kept by the room's bus (room_bus.h), never by Chat. LocalRoomBus keeps
  // the seq of the last message it numbered, the messages it delivered and
  // the epoch here; a shared bus keeps its own in bus_data instead, which
  // outlives the Room when the room empties in this process.
  uint64_t last_sequence = 0;
  RoomHistory history;
  std::string epoch;
  RoomBusData* bus_data = nullptr;

  // Presence bookkeeping, kept by Chat (see chat.cpp): the member count the
  // room was last told, and the room's slot in Chat's list of rooms whose
  // count changed quietly (kNotDirty when it is not in that list).
  static constexpr size_t kNotDirty = SIZE_MAX;
  size_t announced_count = 0;
  size_t presence_dirty_slot = kNotDirty;

 private:
  // Hash and equality on a member's name, ignoring case.
  struct NameHash {
    size_t operator()(const ChatClient* client) const noexcept;
  };
  struct NameEqual {
    bool operator()(const ChatClient* a, const ChatClient* b) const noexcept;
  };

  std::string name_;
  std::vector<ChatClient*> members_;
  // The same members, indexed by name. A set of pointers rather than a map
  // from name to member: the name already lives in the client, and each
  // entry stays a 16-byte node (libstdc++ stores no hash in the node when
  // the hasher is noexcept).
  std::unordered_set<ChatClient*, NameHash, NameEqual> members_by_name_;
};
