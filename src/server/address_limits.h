// address_limits.h: limits per client address, on top of the limits per
// connection: how many connections one address may hold
// (--max-connections-per-ip) and how many chat messages it may send
// (--ip-rate, --ip-burst), however many connections it spreads them over.
// Without the second, a flooder that reconnects gets a fresh per-connection
// bucket every time: ten flooders reconnecting one after another delivered
// 390 messages in 10 ms.
//
// An IPv6 client usually has a whole /64 to itself and can pick a new
// address from it for every connection, so IPv6 addresses are counted by
// their /64; IPv4 addresses one by one.
//
// A record lives while its address has connections, and then until its
// message bucket would have refilled (burst / rate seconds): dropping it
// sooner would hand a reconnecting flooder a full bucket. The idle records
// wait in a DeadlineList (deadline_list.h), so expiring them looks only at
// list heads. Memory is therefore bounded by the connections plus the
// addresses seen in the last few seconds, about 100 bytes each.
//
// Deliberately left out: limits on whole networks (an IPv4 /24) and any
// memory of addresses beyond the refill time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "base/token_bucket.h"
#include "loop/deadline_list.h"
#include "server/client_address.h"

struct AddressLimitOptions {
  size_t max_connections = 64;  // per address; 0: no limit
  double message_rate = 50;     // chat messages per second per address
  double message_burst = 100;
};

// What one address has: a DeadlineLink so that it can wait in the idle list.
struct AddressRecord : DeadlineLink {
  IpAddress key;  // the address, or its /64 for IPv6
  uint32_t connections = 0;
  TokenBucket messages;
};

class AddressLimits {
 public:
  explicit AddressLimits(const AddressLimitOptions& options);
  AddressLimits(const AddressLimits&) = delete;
  AddressLimits& operator=(const AddressLimits&) = delete;

  // Counts one more connection from address and returns its record, or
  // returns nullptr (counting nothing) when the address already has the
  // most connections allowed.
  AddressRecord* add_connection(const IpAddress& address, int64_t now_ms);
  // The connection that add_connection() counted has ended.
  void remove_connection(AddressRecord* record, int64_t now_ms);
  // Takes one message from the address's budget; false when it is spent.
  bool take_message(AddressRecord* record, int64_t now_ms);

  // Forgets records idle long enough for their bucket to be full again.
  void expire(int64_t now_ms);
  int64_t next_deadline_ms() const { return idle_.next_deadline_ms(); }
  size_t record_count() const { return records_.size(); }

 private:
  struct KeyHash {
    size_t operator()(const IpAddress& address) const noexcept;
  };
  static IpAddress key_of(const IpAddress& address);

  AddressLimitOptions options_;
  std::unordered_map<IpAddress, AddressRecord, KeyHash> records_;
  DeadlineList idle_;  // records with no connection, oldest first
};
