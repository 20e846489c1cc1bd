// server.cpp: chatd's loop: the listening socket, the wake pipe, readiness,
// accepting, reading and flushing clients, and freeing closed ones. Timers
// and shutdown live in server_timers.cpp. See server.h for the shape of one
// turn.
#include "server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/clock.h"
#include "base/log.h"

namespace {

// The write end of a pipe the signal handler writes to, so that a signal
// wakes the poller instead of being noticed only at the next event.
int wake_write_fd = -1;
int wake_read_fd = -1;

bool set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 &&
         fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

// Raises the soft open-file limit to the hard one; returns the result.
size_t raise_open_file_limit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur == RLIM_INFINITY ? 1 << 20 : static_cast<size_t>(limit.rlim_cur);
}

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

constexpr char kServiceUnavailable[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 33\r\nConnection: close\r\nRetry-After: 5\r\n\r\n"
    "server is at its connection limit\n";
// A client that floods us gets at most this much reading per turn, so it
// cannot starve the others; level-triggered readiness brings it back next turn.
constexpr size_t kReadBudgetPerTurn = 256 * 1024;

}  // namespace

extern const char kDemoPage[];
extern const unsigned long kDemoPage_size;

Server::Server(const ServerOptions& options)
    : options_(options),
      origins_(options.allowed_origins),
      loop_(raise_open_file_limit()),
      chat_(*this, ChatOptions{options.history_length, options.presence_threshold, options.presence_interval_ms,
                               options.history_bytes, options.join_rate_per_second, options.join_burst}),
      handshake_timers_(options.handshake_timeout_ms),
      idle_timers_(options.idle_timeout_ms),
      pong_timers_(options.pong_timeout_ms),
      closing_timers_(options.close_timeout_ms),
      message_timers_(options.message_timeout_ms),
      address_limits_(AddressLimitOptions{options.max_connections_per_ip, options.ip_rate_per_second,
                                          options.ip_burst}) {
  const size_t file_limit = loop_.max_descriptors();
  // Keep a few descriptors for the listener, the poller, the wake pipe and
  // the spare descriptor.
  max_connections_ = std::min(options_.max_connections, file_limit > 16 ? file_limit - 16 : 1);
  std::string page = http_ok_response("text/html; charset=utf-8", std::string_view(kDemoPage, kDemoPage_size));
  std::string health = http_ok_response("text/plain; charset=utf-8", "ok\n");
  page_response_ = FrameRef(SharedFrame::raw(page));
  page_head_response_ = FrameRef(SharedFrame::raw(http_response_head(page)));
  health_response_ = FrameRef(SharedFrame::raw(health));
  health_head_response_ = FrameRef(SharedFrame::raw(http_response_head(health)));
  ping_frame_ = FrameRef(SharedFrame::encode(Opcode::Ping, ""));
  now_ms_ = monotonic_ms();
}

Server::~Server() {
  loop_.for_each(&client_handler_, [](int fd, void* context) {
    ::close(fd);
    delete static_cast<Connection*>(context);
  });
  free_closed_connections();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (spare_fd_ >= 0) ::close(spare_fd_);
}

bool Server::listen(std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  std::string port_text = std::to_string(options_.port);
  int status = getaddrinfo(options_.host.c_str(), port_text.c_str(), &hints, &addresses);
  if (status != 0) {
    *error = "cannot resolve " + options_.host + ": " + gai_strerror(status);
    return false;
  }
  for (addrinfo* address = addresses; address && listen_fd_ < 0; address = address->ai_next) {
    int fd = socket(address->ai_family, address->ai_socktype, address->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    // A large backlog absorbs reconnect storms; the kernel caps it at somaxconn.
    if (bind(fd, address->ai_addr, address->ai_addrlen) == 0 && ::listen(fd, 4096) == 0 &&
        set_nonblocking(fd)) {
      listen_fd_ = fd;
    } else {
      *error = "cannot listen on " + options_.host + ":" + port_text + ": " + std::strerror(errno);
      ::close(fd);
    }
  }
  freeaddrinfo(addresses);
  if (listen_fd_ < 0) return false;

  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

  int pipe_fds[2];
  if (!loop_.ok() || pipe(pipe_fds) != 0) {
    *error = std::string("cannot set up the poller: ") + std::strerror(errno);
    return false;
  }
  wake_read_fd = pipe_fds[0];
  wake_write_fd = pipe_fds[1];
  set_nonblocking(wake_read_fd);
  set_nonblocking(wake_write_fd);
  spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  // Both before any client: a shutdown request is seen, and new clients are
  // accepted, before the turn's first client is read.
  loop_.add(wake_read_fd, &wake_handler_, nullptr, kPollReadable, EventPriority::First);
  loop_.add(listen_fd_, &listener_handler_, nullptr, kPollReadable, EventPriority::First);
  return true;
}

std::string Server::url() const {
  std::string host = options_.host;
  if (host == "0.0.0.0" || host == "::") host = "localhost";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port_);
}

void Server::request_shutdown_from_signal() {
  int saved = errno;
  if (wake_write_fd >= 0) {
    char byte = 1;
    ssize_t ignored = write(wake_write_fd, &byte, 1);
    (void)ignored;
  }
  errno = saved;
}


// excerpt-begin: handlers
void Server::WakeHandler::on_readable(int fd, void*) {
  char drain[64];
  while (read(fd, drain, sizeof drain) > 0) {
  }
  if (!server_.shutting_down_) server_.begin_shutdown();
}

void Server::ListenerHandler::on_readable(int, void*) {
  if (!server_.shutting_down_) server_.accept_clients();
}

// The loop skips a client removed earlier in the turn (its slot is empty),
// so the context is a live Connection here.
void Server::ClientHandler::on_readable(int, void* context) {
  server_.read_client(static_cast<Connection*>(context));
}

void Server::ClientHandler::on_writable(int, void* context) {
  auto* connection = static_cast<Connection*>(context);
  if (!connection->closed) server_.mark_for_flush(connection);
}
// excerpt-end: handlers

int Server::run() {
  // One turn: wait (as long as the timers allow), read the clock, handle
  // the ready descriptors, then these phases in this order.
  loop_.set_timeout_source([this] { return wait_timeout_ms(); });
  loop_.set_after_wake([this] { now_ms_ = monotonic_ms(); });
  loop_.add_before_sleep([this] { process_inbound(); });
  loop_.add_before_sleep([this] { run_timers(); });
  loop_.add_before_sleep([this] { flush_output(); });
  loop_.add_before_sleep([this] { free_closed_connections(); });
  loop_.add_before_sleep([this] {
    if (shutting_down_ && (connection_count_ == 0 || now_ms_ >= shutdown_deadline_ms_)) loop_.stop();
  });
  if (loop_.run() < 0) {
    LOG_ERROR("poller wait failed: %s", std::strerror(errno));
    return 1;
  }
  LOG_INFO("shut down with %zu connection(s) still open", connection_count_);
  return 0;
}

void Server::accept_clients() {
  for (;;) {
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof peer;
    int fd = accept_nonblocking(listen_fd_, &peer, &peer_length);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
        // Out of descriptors: free the spare, accept the client and close it
        // at once, so it hears "no" instead of waiting in the backlog forever.
        ::close(spare_fd_);
        int refused = accept(listen_fd_, nullptr, nullptr);
        if (refused >= 0) ::close(refused);
        spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
        LOG_WARN("out of file descriptors; refused a connection");
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) LOG_WARN("accept failed: %s", std::strerror(errno));
      return;
    }
    if (connection_count_ >= max_connections_ || static_cast<size_t>(fd) >= loop_.max_descriptors()) {
      // Best effort: the response is tiny and the socket buffer is empty.
      ssize_t ignored = ::send(fd, kServiceUnavailable, sizeof kServiceUnavailable - 1, 0);
      (void)ignored;
      ::close(fd);
      LOG_WARN("connection limit (%zu) reached; answered 503", max_connections_);
      continue;
    }
    int yes = 1;
    // Chat messages are small and latency-sensitive: do not let Nagle hold them.
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    auto* connection = new Connection();
    connection->fd = fd;
    connection->id = next_connection_id_++;
    connection->reader.set_max_message_bytes(options_.max_message_bytes);
    if (!loop_.add(fd, &client_handler_, connection, kPollReadable)) {
      LOG_WARN("cannot watch a new connection: %s", std::strerror(errno));
      ::close(fd);
      delete connection;
      continue;
    }
    ++connection_count_;
    handshake_timers_.schedule(connection, now_ms_);
    IpAddress peer_address = IpAddress::from_socket_address(peer);
    if (log_enabled(LogLevel::Info)) {
      LOG_INFO("conn %llu accepted from %s (fd %d)", static_cast<unsigned long long>(connection->id),
               peer_address.to_string().c_str(), fd);
    }
    if (!admit_peer(connection, peer_address)) refuse_over_address_limit(connection, peer_address);
  }
}

void Server::read_client(Connection* connection) {
  size_t budget = kReadBudgetPerTurn;
  while (budget > 0 && !connection->closed && !connection->close_queued) {
    // A client whose answers already fill its output, or whose messages
    // already fill its share of the queue, waits for the next turn: the
    // unread bytes stay in the kernel, and level-triggered readiness brings
    // the client back once this turn's flush has had its say.
    if (connection->queued_messages >= kMaxQueuedMessagesPerTurn ||
        connection->output.held_bytes() > options_.max_output_bytes) {
      return;
    }
    ssize_t received = recv(connection->fd, read_buffer_, sizeof read_buffer_, 0);
    if (received > 0) {
      size_t length = static_cast<size_t>(received);
      budget = length >= budget ? 0 : budget - length;
      switch (connection->phase) {
        case ConnectionPhase::Http:
          handle_http_bytes(connection, read_buffer_, length);
          break;
        case ConnectionPhase::Open:
        case ConnectionPhase::Closing:
          handle_websocket_bytes(connection, read_buffer_, length);
          break;
        case ConnectionPhase::Finishing:
          break;  // we said our last word; only waiting for the peer's EOF
      }
      // A read that did not fill the buffer emptied the socket's receive
      // queue. Reading again would only return EAGAIN: one wasted system
      // call per message. Level-triggered readiness (poller.h) reports the
      // socket again if more arrives, so nothing is left behind.
      if (length < sizeof read_buffer_) return;
      continue;
    }
    if (received == 0) {
      // Messages it sent just before are still delivered (ws.send(); then
      // the tab closes): the end waits behind them in the inbound queue.
      if (connection->phase == ConnectionPhase::Finishing) {
        destroy(connection, "closed");
      } else {
        queue_end(connection, InboundKind::Disconnect, 0, "peer closed the connection");
      }
      return;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      LOG_DEBUG("conn %llu: recv: %s", static_cast<unsigned long long>(connection->id), std::strerror(errno));
      queue_end(connection, InboundKind::Disconnect, 0, "receive failed");
    }
    return;
  }
}

void Server::mark_for_flush(Connection* connection) {
  if (connection->in_flush_list) return;
  connection->in_flush_list = true;
  flush_list_.push_back(connection);
}

void Server::flush_output() {
  // Closing a connection here would tell its room it left, queueing frames
  // for connections this loop may already have written; so failed and slow
  // connections are dealt with after the loop, and what that queues goes out
  // next turn. Each connection gets at most one write per turn.
  for (Connection* connection : flush_list_) {
    connection->in_flush_list = false;
    if (connection->closed) continue;
    if (connection->output.write_to(connection->fd) < 0) {
      flush_casualties_.push_back({connection, true});
      continue;
    }
    // A client is too slow when, after the kernel took all it would, more
    // than --max-output is still waiting. Checking here rather than when a
    // frame is queued matters: one busy turn may queue more than the cap for
    // a client that reads everything, and that client must not be dropped.
    // (Queued bytes cost little until then: the frames are shared.)
    if (connection->phase == ConnectionPhase::Open &&
        connection->output.held_bytes() > options_.max_output_bytes) {
      flush_casualties_.push_back({connection, false});
    }
    bool drained = connection->output.empty();
    // Ask for writability only while output is stuck, so an idle connection
    // never wakes the loop; the loop calls the poller only when that changes.
    loop_.want_writable(connection->fd, !drained);
    if (drained && connection->phase == ConnectionPhase::Finishing && !connection->write_side_shut) {
      connection->write_side_shut = true;
      shutdown(connection->fd, SHUT_WR);
    }
  }
  flush_list_.clear();

  for (const Casualty& casualty : flush_casualties_) {
    Connection* connection = casualty.connection;
    if (connection->closed) continue;
    if (casualty.write_failed) {
      destroy(connection, "write failed");
      continue;
    }
    // A client that cannot keep up loses its connection, not everyone else
    // their speed: nobody waits for it and its backlog is bounded.
    LOG_INFO("conn %llu: output over %zu bytes; closing", static_cast<unsigned long long>(connection->id),
             options_.max_output_bytes);
    connection->output.drop_unsent();
    send_close(connection, close_code::kPolicyViolation, "client too slow: output buffer full", false);
  }
  flush_casualties_.clear();
}

void Server::destroy(Connection* connection, const char* why) {
  if (connection->closed) return;
  leave_chat(connection, LeaveReason::Disconnected);
  LOG_INFO("conn %llu closed: %s", static_cast<unsigned long long>(connection->id), why);
  release_address(connection);
  drop_split_head(connection);
  cancel_deadline(connection);
  // Clearing the slot before close() is what makes a later event for this
  // descriptor in the same batch harmless: the loop skips it.
  loop_.remove(connection->fd);
  ::close(connection->fd);
  connection->closed = true;
  connection->output.clear();
  --connection_count_;
  // Freed at the end of the turn: the inbound queue and the flush list may
  // still point at it (the trap Redis's ae.c comments warn about).
  closed_this_turn_.push_back(connection);
}

void Server::free_closed_connections() {
  if (closed_this_turn_.empty()) return;
  // Frames queued after the flush (see flush_output) leave connections on
  // the flush list for the next turn; a closed one must not stay there.
  if (!flush_list_.empty()) {
    flush_list_.erase(std::remove_if(flush_list_.begin(), flush_list_.end(),
                                     [](Connection* connection) { return connection->closed; }),
                      flush_list_.end());
  }
  for (Connection* connection : closed_this_turn_) delete connection;
  closed_this_turn_.clear();
}
