// address_limits.cpp: connection counts and message budgets per address.
// See address_limits.h.
#include "server/address_limits.h"

#include <cmath>
#include <random>

namespace {

// Long enough for an empty bucket to fill up again.
int64_t refill_ms(const AddressLimitOptions& options) {
  double ms = std::ceil(options.message_burst / options.message_rate * 1000.0);
  return ms < 1 ? 1 : static_cast<int64_t>(ms);
}

// Drawn once per process, so that nobody can prepare addresses that all land
// in one bucket of the table (an attacker with an IPv6 /48 has many).
uint64_t table_seed() {
  static const uint64_t seed = [] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }();
  return seed;
}

}  // namespace

AddressLimits::AddressLimits(const AddressLimitOptions& options) : options_(options), idle_(refill_ms(options)) {}

// FNV-1a over the 16 bytes from a random offset, as for names (chat_names.h).
size_t AddressLimits::KeyHash::operator()(const IpAddress& address) const noexcept {
  uint64_t hash = 14695981039346656037ull ^ table_seed();
  for (uint8_t byte : address.bytes) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  return static_cast<size_t>(hash);
}

IpAddress AddressLimits::key_of(const IpAddress& address) {
  if (address.is_ipv4()) return address;
  IpAddress prefix = address;
  for (size_t i = 8; i < 16; ++i) prefix.bytes[i] = 0;  // the /64
  return prefix;
}

AddressRecord* AddressLimits::add_connection(const IpAddress& address, int64_t now_ms) {
  (void)now_ms;
  IpAddress key = key_of(address);
  auto found = records_.find(key);
  if (found == records_.end()) {
    found = records_.emplace(key, AddressRecord{}).first;
    found->second.key = key;
  }
  AddressRecord& record = found->second;
  if (options_.max_connections > 0 && record.connections >= options_.max_connections) return nullptr;
  ++record.connections;
  cancel_deadline(&record);  // no longer idle
  return &record;
}

void AddressLimits::remove_connection(AddressRecord* record, int64_t now_ms) {
  if (record->connections == 0) return;
  if (--record->connections == 0) idle_.schedule(record, now_ms);
}

bool AddressLimits::take_message(AddressRecord* record, int64_t now_ms) {
  return record->messages.take(now_ms, options_.message_rate, options_.message_burst);
}

void AddressLimits::expire(int64_t now_ms) {
  while (DeadlineLink* link = idle_.first_expired(now_ms)) {
    auto* record = static_cast<AddressRecord*>(link);
    idle_.remove(record);
    records_.erase(record->key);  // destroys record
  }
  // Only records without connections are in the idle list, and every
  // record without connections is: add_connection() creates a record only
  // to count a connection in it, and refuses only addresses that have some.
}
