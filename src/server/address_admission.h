// address_admission.h: which client address a connection counts against
// (address_limits.h), including the client behind a trusted proxy
// (client_address.h).
//
// A connection from an ordinary peer is counted at accept, so a client over
// its limit is refused before it costs a parser. A connection from a trusted
// proxy (--trusted-proxy) carries many clients' requests over one address;
// its client is known only once the request head, with its X-Forwarded-For,
// has arrived, so it is counted then. Either way the caller refuses a client
// over its limit with HTTP 429 (RFC 6585 section 4), through the ordinary
// response path (HttpSession::refuse_over_address_limit).
#pragma once

#include <cstdint>

#include "http/http_request.h"
#include "server/address_limits.h"
#include "server/connection.h"
#include "server/server_options.h"

class AddressAdmission {
 public:
  explicit AddressAdmission(const ServerOptions& options);

  // At accept: counts the connection against peer's address; false when
  // that address already holds --max-connections-per-ip connections.
  bool admit_peer(Connection* connection, const IpAddress& peer, int64_t now_ms);
  // For a connection from a trusted proxy, once its request head is
  // complete: logs who the client is and counts it; false (with *client
  // set) when it is over its limit.
  bool admit_forwarded_client(Connection* connection, const HttpRequest& request, int64_t now_ms,
                              IpAddress* client);
  // Takes one chat message from the address's budget, which reconnecting
  // does not refill; true for an exempt connection.
  bool take_message(Connection* connection, int64_t now_ms) {
    return connection->address == nullptr || limits_.take_message(connection->address, now_ms);
  }
  // The connection has ended: its address holds one connection fewer.
  void release(Connection* connection, int64_t now_ms);

  void expire(int64_t now_ms) { limits_.expire(now_ms); }
  int64_t next_deadline_ms() const { return limits_.next_deadline_ms(); }

 private:
  // True when client is not limited at all (--exempt-loopback).
  bool exempt(const IpAddress& client) const { return options_.exempt_loopback && client.is_loopback(); }

  const ServerOptions& options_;
  AddressLimits limits_;
};
