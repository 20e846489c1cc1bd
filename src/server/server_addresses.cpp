// server_addresses.cpp: which client address a connection counts against
// (address_limits.h), and the client address behind a trusted proxy
// (client_address.h).
//
// A connection from an ordinary peer is counted at accept, so a client over
// its limit is refused before it costs a parser. A connection from a trusted
// proxy (--trusted-proxy) carries many clients' requests over one address;
// its client is known only once the request head, with its X-Forwarded-For,
// has arrived, so it is counted then. Either way the refusal is an HTTP 429
// with a reason, through the ordinary response path (RFC 6585 section 4).
#include <sys/socket.h>

#include "base/log.h"
#include "server/server.h"

namespace {

bool exempt(const ServerOptions& options, const IpAddress& client) {
  return options.exempt_loopback && client.is_loopback();
}

}  // namespace

// Counts connection against peer's address; false when that address already
// holds --max-connections-per-ip connections.
bool Server::admit_peer(Connection* connection, const IpAddress& peer) {
  if (in_any_range(options_.trusted_proxies, peer)) {
    connection->behind_proxy = true;  // counted by admit_forwarded_client
    return true;
  }
  if (exempt(options_, peer)) return true;
  connection->address = address_limits_.add_connection(peer, now_ms_);
  return connection->address != nullptr;
}

// For a connection from a trusted proxy, once its request head is complete:
// logs who the client is and counts it; false when it is over its limit.
bool Server::admit_forwarded_client(Connection* connection, const HttpRequest& request) {
  if (!connection->behind_proxy) return true;
  connection->behind_proxy = false;
  sockaddr_storage peer{};
  socklen_t peer_length = sizeof peer;
  if (getpeername(connection->fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) return true;
  const IpAddress proxy = IpAddress::from_socket_address(peer);
  const ForwardedClient client = forwarded_client(request, proxy, options_.trusted_proxies);
  if (log_enabled(LogLevel::Info)) {
    LOG_INFO("conn %llu: client %s via proxy %s%s", static_cast<unsigned long long>(connection->id),
             client.address.to_string().c_str(), proxy.to_string().c_str(),
             client.malformed ? " (X-Forwarded-For has an entry that is not an address)" : "");
  }
  if (exempt(options_, client.address)) return true;
  connection->address = address_limits_.add_connection(client.address, now_ms_);
  if (connection->address != nullptr) return true;
  refuse_over_address_limit(connection, client.address);
  return false;
}

void Server::refuse_over_address_limit(Connection* connection, const IpAddress& client) {
  LOG_INFO("conn %llu: %s already has %zu connections; answered 429", static_cast<unsigned long long>(connection->id),
           client.to_string().c_str(), options_.max_connections_per_ip);
  respond_and_finish(connection, http_error_response(429, "too many connections from your address",
                                                     "Retry-After: 10\r\n"));
}

void Server::release_address(Connection* connection) {
  if (connection->address == nullptr) return;
  address_limits_.remove_connection(connection->address, now_ms_);
  connection->address = nullptr;
}
