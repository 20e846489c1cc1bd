// socket_activation.h: the listening socket systemd hands over, by the
// protocol of sd_listen_fds(3), implemented here by hand so that chatd needs
// no libsystemd.
//
// systemd (or systemd-socket-activate, or any other manager speaking the
// protocol) opens the socket itself, then starts chatd with it as
// descriptor 3 (SD_LISTEN_FDS_START) and two variables in the environment:
// LISTEN_FDS, how many descriptors it passed from 3 on, and LISTEN_PID, the
// process they are meant for. The PID check is what stops a child from
// taking its parent's sockets: the variables would be inherited, the
// descriptors (close-on-exec here) not.
//
// What it leaves out: more than one socket (chatd serves one port; a second
// is refused with a message saying so), LISTEN_FDNAMES (with one socket its
// name says nothing), and sockets that are not TCP listeners (a UNIX socket
// or a datagram socket is refused: chatd's limits and logs are per IP address).
#pragma once

#include <sys/types.h>

#include <string>

// The first descriptor a manager passes (sd_listen_fds(3)).
constexpr int kFirstListenFd = 3;

// What the environment says, before any descriptor is looked at.
struct ListenFds {
  int count = 0;      // descriptors passed to this process; 0: not socket-activated
  std::string error;  // not empty: the variables are meant for us but wrong
};

// Pure: reads LISTEN_PID and LISTEN_FDS (either may be null, as getenv
// returns) for the process pid. Variables meant for another process, or
// absent, mean count 0 without an error, as sd_listen_fds(3) does.
ListenFds parse_listen_fds(const char* listen_pid, const char* listen_fds, pid_t pid);

// Pure: why the descriptor cannot serve as chatd's listener, from what
// getsockopt said of it, or "" when it can: a stream socket
// (SO_TYPE), listening (SO_ACCEPTCONN), of the IPv4 or IPv6 family (SO_DOMAIN).
std::string unusable_listener_reason(int socket_type, int accepts_connections, int family);

// Takes the socket this process was started with, if any: parses the
// environment, removes LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES from it (so
// nothing chatd starts sees them), checks descriptor 3, and makes it
// nonblocking and close-on-exec. Returns the descriptor; -1 when chatd was
// not socket-activated (error empty) or when the socket cannot be used
// (*error says why).
int take_activated_socket(std::string* error);

// "http://127.0.0.1:8080" for the socket's own address (getsockname), with
// "localhost" for an unspecified address (0.0.0.0 or ::), as chatd prints it.
std::string listening_url(int fd);
