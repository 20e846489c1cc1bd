// listener.cpp: socket(2), bind(2), listen(2) and accept(2) for listener.h.
#include "server/listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/log.h"
#include "loop/descriptors.h"

namespace {

// accept() a client socket that is already nonblocking and close-on-exec.
// Linux's accept4 does it in one system call instead of four (accept, then
// fcntl to read, set O_NONBLOCK, and set FD_CLOEXEC): at 20,000 handshakes a
// second that is 60,000 system calls a second saved.
int accept_nonblocking(int listen_fd, sockaddr_storage* peer, socklen_t* peer_length) {
  sockaddr* address = reinterpret_cast<sockaddr*>(peer);
#if defined(__linux__)
  return accept4(listen_fd, address, peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
  int fd = accept(listen_fd, address, peer_length);
  if (fd >= 0 && !set_nonblocking(fd)) {
    int saved = errno;
    ::close(fd);
    errno = saved == EAGAIN ? EBADF : saved;  // do not look like "no more clients"
    return -1;
  }
  return fd;
#endif
}

// What to do about the two failures an operator meets first.
std::string listen_hint(int error_number, int port) {
  if (error_number == EACCES && port > 0 && port < 1024) {
    return " (ports below 1024 need root or CAP_NET_BIND_SERVICE: use a higher port behind a proxy, or let "
           "systemd open it: deploy/systemd/chatd.socket)";
  }
  if (error_number == EADDRINUSE) return " (another process listens there; --port 0 picks a free port)";
  return "";
}

}  // namespace

bool Listener::open(const std::string& host, int port, bool reuse_port, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  std::string port_text = std::to_string(port);
  int status = getaddrinfo(host.c_str(), port_text.c_str(), &hints, &addresses);
  if (status != 0) {
    *error = "cannot resolve " + host + ": " + gai_strerror(status);
    return false;
  }
  for (addrinfo* address = addresses; address && fd_ < 0; address = address->ai_next) {
    int fd = socket(address->ai_family, address->ai_socktype, address->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (reuse_port) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
    // A large backlog absorbs reconnect storms; the kernel caps it at somaxconn.
    if (bind(fd, address->ai_addr, address->ai_addrlen) == 0 && ::listen(fd, 4096) == 0 &&
        set_nonblocking(fd)) {
      fd_ = fd;
    } else {
      const int failure = errno;
      *error = "cannot listen on " + host + ":" + port_text + ": " + std::strerror(failure) + listen_hint(failure, port);
      ::close(fd);
    }
  }
  freeaddrinfo(addresses);
  if (fd_ < 0) return false;
  adopt(fd_);
  return true;
}

void Listener::adopt(int fd) {
  fd_ = fd;
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int Listener::accept_client(IpAddress* peer) {
  for (;;) {
    sockaddr_storage address{};
    socklen_t address_length = sizeof address;
    int fd = accept_nonblocking(fd_, &address, &address_length);
    if (fd >= 0) {
      *peer = IpAddress::from_socket_address(address);
      return fd;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
      // Out of descriptors: free the spare, accept the client and close it
      // at once, so it hears "no" instead of waiting in the backlog forever.
      ::close(spare_fd_);
      int refused = accept(fd_, nullptr, nullptr);
      if (refused >= 0) ::close(refused);
      spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      LOG_WARN("out of file descriptors; refused a connection");
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) LOG_WARN("accept failed: %s", std::strerror(errno));
    return -1;
  }
}

void Listener::close() {
  if (fd_ >= 0) ::close(fd_);
  if (spare_fd_ >= 0) ::close(spare_fd_);
  fd_ = -1;
  spare_fd_ = -1;
}
