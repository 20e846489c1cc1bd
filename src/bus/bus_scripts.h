// bus_scripts.h: the Lua scripts the Redis room bus runs (EVALSHA, with
// EVAL when Redis answers NOSCRIPT). A script runs atomically in Redis: no
// other command, from any node, runs in the middle of one. That is what
// makes a room's seq numbers, its history and its names agree for every
// node without any node locking anything. docs/09-the-bus.md walks through
// each; the key layout is there too:
//
//   PREFIX room:KEY            the room's channel (KEY: the folded name)
//   PREFIX room:KEY:meta       hash: epoch, seq
//   PREFIX room:KEY:history    list of payloads, newest first (bus_payload.h)
//   PREFIX room:KEY:members    hash: folded name -> "NODE ID NAME"
//   PREFIX room:KEY:nodes      sorted set: node number -> expiry (ms, Redis clock)
//   PREFIX node-counter        the last node number handed out
//   PREFIX node:N              who holds node number N (expires unless renewed)
//   PREFIX direct:N            node N's own channel: stranger mode (bus_payload.h)
//   PREFIX strangers:waiting   list of strangers waiting, oldest first: "NODE ID LAST TOKEN"
//
// Times come from Redis's own clock (TIME), so nodes whose clocks disagree
// still agree on when a node's presence has expired.
#pragma once

#include <string>

struct BusScript {
  const char* name;
  const char* body;
  std::string sha1_hex;  // what EVALSHA names it by
};

struct BusScripts {
  BusScripts();
  BusScript say;       // number a message, keep it in history, publish it
  BusScript notice;    // publish joined/left/renamed with the room's count
  BusScript presence;  // publish a room's count, at most once per interval over all nodes
  BusScript claim;     // take a name in a room, unless a live member holds it
  BusScript release;   // give a name back, if this member still holds it
  BusScript load;      // a room's epoch, seq, history and (small) member list
  BusScript refresh;   // renew this node's presence in a room; drop dead nodes' members
  BusScript purge;     // forget every member this node had in a room (before re-registering)
  BusScript enroll;    // register a batch of this node's members in a room
  BusScript node;      // claim (or renew) this process's node number
  BusScript seek;      // pair a stranger with one who waits, or make it wait
};
