// local_room_bus.h: the room bus of a single process (room_bus.h). Every
// event is delivered at once, in the order it is published, to the room's
// members in this process; the sequence number, the history and the epoch
// live in the Room itself. Each claim, welcome and member list is answered
// at once from the Room, because this process holds every member.
//
// The epoch is this process's random start-up value plus a count of the
// rooms it has made, so a restart, and a room that emptied and was made
// again, each start a new run of seq numbers under a new epoch.
//
// Deliberately left out: anything beyond one process. Two chatd processes
// with a LocalRoomBus each have two rooms called "lobby" that never meet;
// the Redis bus (src/bus/) is the one for that.
#pragma once

#include <cstdint>
#include <string>

#include "chat/chat_client.h"
#include "chat/chat_messages.h"
#include "chat/chat_room.h"
#include "chat/room_bus.h"

class LocalRoomBus : public RoomBus {
 public:
  explicit LocalRoomBus(ChatTransport& transport);

  void open(Room& room) override;
  void close(Room&) override {}
  void publish(Room& room, const RoomEvent& event) override;
  size_t member_count(const Room& room) const override { return room.member_count(); }
  const RoomHistory& history(const Room& room) const override { return room.history; }
  void claim_name(ChatClient& client, std::string_view, std::string_view, ClaimDone done) override {
    done(client, NameClaim::Granted);  // Chat checked the members, and they are all here
  }
  void release_name(Room&, const ChatClient&, std::string_view) override {}
  void when_ready(Room&, ChatClient& client, Ready ready) override { ready(client); }
  void list_members(const Room& room, std::vector<RoomMember>* out) const override;
  std::string_view epoch(const Room& room) const override { return room.epoch; }

 private:
  ChatTransport& transport_;
  ChatMessages messages_;  // its own scratch string: encoding is the bus's job
  std::string process_epoch_;
  uint64_t rooms_made_ = 0;
};
