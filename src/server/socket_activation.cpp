// socket_activation.cpp: sd_listen_fds(3) by hand, for socket_activation.h.
#include "server/socket_activation.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/log.h"
#include "loop/descriptors.h"

namespace {

// A whole decimal number, nothing before or after it; false otherwise.
bool parse_whole_number(const char* text, long* value) {
  if (text == nullptr || *text < '0' || *text > '9') return false;
  errno = 0;
  char* end = nullptr;
  *value = std::strtol(text, &end, 10);
  return errno == 0 && *end == '\0';
}

}  // namespace

ListenFds parse_listen_fds(const char* listen_pid, const char* listen_fds, pid_t pid) {
  ListenFds result;
  long for_pid = 0;
  // Not for us (no variable, another PID, or a PID that does not parse, as
  // sd_listen_fds treats it): not socket-activated, and no complaint,
  // since a parent's variables may well have leaked into our environment.
  if (!parse_whole_number(listen_pid, &for_pid) || for_pid != static_cast<long>(pid)) return result;
  long count = 0;
  if (!parse_whole_number(listen_fds, &count)) {
    result.error = std::string("LISTEN_FDS is not a number: \"") + (listen_fds ? listen_fds : "") + "\"";
    return result;
  }
  if (count > 1) {
    result.error = "systemd passed " + std::to_string(count) +
                   " sockets (LISTEN_FDS); chatd supports one listening socket: give the .socket unit one ListenStream=";
    return result;
  }
  result.count = static_cast<int>(count);
  return result;
}

std::string unusable_listener_reason(int socket_type, int accepts_connections, int family) {
  if (socket_type != SOCK_STREAM) return "it is not a stream socket (use ListenStream=, not ListenDatagram=)";
  if (family != AF_INET && family != AF_INET6) {
    return "it is not a TCP socket (chatd's limits and logs are per IP address: ListenStream=ADDRESS:PORT)";
  }
  if (!accepts_connections) return "it is not listening (Accept=no is needed: chatd accepts its clients itself)";
  return "";
}

int take_activated_socket(std::string* error) {
  error->clear();
  const ListenFds passed = parse_listen_fds(getenv("LISTEN_PID"), getenv("LISTEN_FDS"), getpid());
  // Whatever they said, they said it to us only: a process chatd starts
  // must not think it was handed sockets too.
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  if (!passed.error.empty()) {
    *error = passed.error;
    return -1;
  }
  if (passed.count == 0) return -1;

  const int fd = kFirstListenFd;
  int type = 0, listening = 0, family = 0;
  socklen_t length = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0) {
    *error = "descriptor 3 from systemd is not a socket: " + std::string(std::strerror(errno));
    return -1;
  }
  length = sizeof listening;
  getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length);
  sockaddr_storage address{};
  socklen_t address_length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_length) == 0) family = address.ss_family;
  const std::string reason = unusable_listener_reason(type, listening, family);
  if (!reason.empty()) {
    *error = "the socket from systemd (descriptor 3) cannot be chatd's listener: " + reason;
    return -1;
  }
  // The manager may hand it over blocking; chatd's loop must never wait in
  // accept(). Close-on-exec too, like every socket chatd owns.
  if (!set_nonblocking(fd)) {
    *error = "cannot make the socket from systemd nonblocking: " + std::string(std::strerror(errno));
    return -1;
  }
  LOG_INFO("listening socket from systemd (LISTEN_FDS, descriptor 3): %s", listening_url(fd).c_str());
  return fd;
}

std::string listening_url(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "http://localhost";
  char text[INET6_ADDRSTRLEN] = "";
  int port = 0;
  std::string host;
  if (address.ss_family == AF_INET6) {
    const auto* ipv6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &ipv6->sin6_addr, text, sizeof text);
    port = ntohs(ipv6->sin6_port);
    host = IN6_IS_ADDR_UNSPECIFIED(&ipv6->sin6_addr) ? "localhost" : "[" + std::string(text) + "]";
  } else {
    const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof text);
    port = ntohs(ipv4->sin_port);
    host = ipv4->sin_addr.s_addr == htonl(INADDR_ANY) ? "localhost" : text;
  }
  return "http://" + host + ":" + std::to_string(port);
}
