// address_admission.cpp: see address_admission.h.
#include "server/address_admission.h"

#include <sys/socket.h>

#include "base/log.h"

AddressAdmission::AddressAdmission(const ServerOptions& options)
    : options_(options),
      limits_(AddressLimitOptions{options.max_connections_per_ip, options.ip_rate_per_second, options.ip_burst}) {}

bool AddressAdmission::admit_peer(Connection* connection, const IpAddress& peer, int64_t now_ms) {
  if (in_any_range(options_.trusted_proxies, peer)) {
    connection->behind_proxy = true;  // counted by admit_forwarded_client
    return true;
  }
  if (exempt(peer)) return true;
  connection->address = limits_.add_connection(peer, now_ms);
  return connection->address != nullptr;
}

bool AddressAdmission::admit_forwarded_client(Connection* connection, const HttpRequest& request, int64_t now_ms,
                                              IpAddress* client) {
  if (!connection->behind_proxy) return true;
  connection->behind_proxy = false;
  sockaddr_storage peer{};
  socklen_t peer_length = sizeof peer;
  if (getpeername(connection->fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) return true;
  const IpAddress proxy = IpAddress::from_socket_address(peer);
  const ForwardedClient forwarded = forwarded_client(request, proxy, options_.trusted_proxies);
  if (log_enabled(LogLevel::Debug)) {
    LOG_DEBUG("conn %llu: client %s via proxy %s%s", static_cast<unsigned long long>(connection->id),
             forwarded.address.to_string().c_str(), proxy.to_string().c_str(),
             forwarded.malformed ? " (X-Forwarded-For has an entry that is not an address)" : "");
  }
  if (exempt(forwarded.address)) return true;
  connection->address = limits_.add_connection(forwarded.address, now_ms);
  *client = forwarded.address;
  return connection->address != nullptr;
}

void AddressAdmission::release(Connection* connection, int64_t now_ms) {
  if (connection->address == nullptr) return;
  limits_.remove_connection(connection->address, now_ms);
  connection->address = nullptr;
}
