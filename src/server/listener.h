// listener.h: the listening socket: bind and listen on --host and --port
// (or take over the one systemd passed), then accept clients one at a time,
// already nonblocking and close-on-exec.
//
// Running out of descriptors is handled here, the way libuv and nginx do
// it: a spare descriptor is kept open, and when accept() fails with EMFILE
// the spare is closed, the client accepted and closed at once, and the spare
// opened again. Without that the client would wait in the backlog forever,
// and the level-triggered listener would wake the loop on every turn.
#pragma once

#include <string>

#include "server/client_address.h"

class Listener {
 public:
  Listener() = default;
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() { close(); }

  // Binds the first address host resolves to that accepts the port (0:
  // any free port). With reuse_port (worker processes), other sockets with
  // SO_REUSEPORT may listen on the same port, and the kernel spreads new
  // connections across them. On failure returns false with *error set.
  bool open(const std::string& host, int port, bool reuse_port, std::string* error);
  // Serves on a socket that is already listening, nonblocking and
  // close-on-exec (socket_activation.h: the one systemd passed). Under
  // --workers every worker adopts the same socket, inherited across fork:
  // the kernel queues each new client once, and whichever worker's accept()
  // comes first takes it (the others get EAGAIN; the cost is a wake-up each).
  void adopt(int fd);
  // Accepts one pending client: returns its descriptor and sets *peer, or
  // -1 when none is waiting (or accept failed; that is logged here).
  int accept_client(IpAddress* peer);
  // Stops listening (shutdown): new clients are refused by the kernel.
  void close();

  int fd() const { return fd_; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  int spare_fd_ = -1;  // released to accept-and-close when out of descriptors
};
