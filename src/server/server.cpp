// server.cpp: chatd's loop: the handlers of the listener, the wake pipe and
// the clients, the turn's phases, reading clients, the inbound queue's
// delivery, and shutdown. See server.h for the shape of one turn.
#include "server/server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/clock.h"
#include "base/log.h"
#include "base/version.h"
#include "chat/local_room_bus.h"
#include "loop/descriptors.h"
#include "server/socket_activation.h"
#include "websocket/shared_frame.h"

namespace {

constexpr char kServiceUnavailable[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 33\r\nConnection: close\r\nRetry-After: 5\r\n\r\n"
    "server is at its connection limit\n";
// A client that floods us gets at most this much reading per turn, so it
// cannot starve the others; level-triggered readiness brings it back next turn.
constexpr size_t kReadBudgetPerTurn = 256 * 1024;

}  // namespace

Server::Server(const ServerOptions& options)
    : options_(options),
      loop_(raise_open_file_limit()),
      bus_(make_bus()),
      chat_(*this,
            ChatOptions{options.history_length, options.presence_threshold, options.presence_interval_ms,
                        options.history_bytes, options.join_rate_per_second, options.join_burst},
            *bus_),
      admission_(options_),
      connections_(options_, loop_, client_handler_, chat_, admission_, split_heads_),
      websocket_(options_, connections_, inbound_, chat_, admission_),
      http_(options_, connections_, split_heads_, admission_, inbound_, websocket_) {
  const size_t file_limit = loop_.max_descriptors();
  // Keep a few descriptors for the listener, the poller, the wake pipe and
  // the spare descriptor.
  max_connections_ = std::min(options_.max_connections, file_limit > 16 ? file_limit - 16 : 1);
  // An operator who asked for more than the process can hold should hear it
  // at start-up, not from a 503 at the busiest hour.
  if (options_.max_connections_given && max_connections_ < options_.max_connections) {
    LOG_WARN("--max-connections %zu is more than the open-file limit of %zu allows; holding at most %zu. Raise the "
             "limit (ulimit -n up to ulimit -Hn, or LimitNOFILE= in the systemd unit)",
             options_.max_connections, file_limit, max_connections_);
  }
  connections_.set_now(monotonic_ms());
  if (options_.log_summary_ms > 0 && log_enabled(LogLevel::Info)) {
    summary_baseline_ = std::make_unique<ServerMetrics>(connections_.metrics());
    next_summary_ms_ = connections_.now_ms() + options_.log_summary_ms;
  }
  if (redis_bus_ != nullptr) http_.set_bus(redis_bus_);
  start_time_seconds_ = static_cast<double>(wall_clock_ms()) / 1000.0;
  http_.set_metrics_source([this](std::string* out) { write_metrics_text(out); });
}

Server::~Server() = default;

std::unique_ptr<RoomBus> Server::make_bus() {
  ChatTransport& transport = *this;
  if (!options_.use_redis) return std::make_unique<LocalRoomBus>(transport);
  RedisBusSettings settings;
  settings.redis.url = options_.redis;
  settings.prefix = options_.redis_prefix;
  settings.node_name = options_.node_name;
  if (settings.node_name.empty()) {
    char host[256] = "chatd";
    gethostname(host, sizeof host - 1);
    settings.node_name = std::string(host) + "-" + std::to_string(getpid());
  }
  settings.history_length = options_.history_length;
  settings.presence_threshold = options_.presence_threshold;
  settings.presence_interval_ms = options_.presence_interval_ms;
  auto bus = std::make_unique<RedisRoomBus>(loop_, transport, std::move(settings));
  bus->on_node_number = [this](uint32_t node) { on_node_number(node); };
  redis_bus_ = bus.get();
  return bus;
}

// excerpt-begin: on_node_number
// Every id a node hands out from now on carries the node number Redis gave
// it, so no two nodes ever give out the same id. Chat clients are welcome
// only from then on: HttpSession refuses an upgrade with 503 until the node
// has a number, and for a connection accepted before it had one.
void Server::on_node_number(uint32_t node) { connections_.set_id_base(static_cast<uint64_t>(node) << 32); }
// excerpt-end: on_node_number

bool Server::listen(std::string* error) {
  if (options_.listen_fd >= 0) {
    listener_.adopt(options_.listen_fd);
  } else if (!listener_.open(options_.host, options_.port, options_.worker_index > 0, error)) {
    return false;
  }
  if (!loop_.ok() || !wake_pipe_.open()) {
    *error = std::string("cannot set up the poller: ") + std::strerror(errno);
    return false;
  }
  // Both before any client: a shutdown request is seen, and new clients are
  // accepted, before the turn's first client is read.
  loop_.add(wake_pipe_.read_fd(), &wake_handler_, nullptr, kPollReadable, EventPriority::First);
  loop_.add(listener_.fd(), &listener_handler_, nullptr, kPollReadable, EventPriority::First);
  if (options_.metrics_port > 0) {
    const int port = options_.metrics_port + (options_.worker_index > 0 ? options_.worker_index - 1 : 0);
    if (!metrics_listener_.open(options_.host, port, false, error)) {
      *error = "--metrics-port: " + *error;
      return false;
    }
    loop_.add(metrics_listener_.fd(), &metrics_listener_handler_, nullptr, kPollReadable, EventPriority::First);
    LOG_INFO("metrics on port %d", port);
  }
  if (options_.supervisor_fd >= 0) {
    loop_.add(options_.supervisor_fd, &supervisor_handler_, nullptr, kPollReadable, EventPriority::First);
  }
  // Resolving Redis's host may block, so it happens now, before the loop.
  return redis_bus_ == nullptr || redis_bus_->start(error);
}

std::string Server::url() const {
  // A socket from systemd: its own address, whatever --host says.
  if (options_.listen_fd >= 0) return listening_url(options_.listen_fd);
  std::string host = options_.host;
  if (host == "0.0.0.0" || host == "::") host = "localhost";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port());
}

// excerpt-begin: handlers
void Server::WakeHandler::on_readable(int, void*) {
  server_.wake_pipe_.drain();
  if (!server_.shutting_down_) server_.begin_shutdown();
}

void Server::SupervisorHandler::on_readable(int fd, void*) {
  server_.loop_.remove(fd);
  close(fd);
  LOG_WARN("the supervisor is gone; shutting down");
  if (!server_.shutting_down_) server_.begin_shutdown();
}

void Server::tell_supervisor_ready(int ready_fd) {
  if (ready_fd < 0) return;
  char byte = 1;
  ssize_t ignored = write(ready_fd, &byte, 1);
  (void)ignored;
  close(ready_fd);
}

void Server::ListenerHandler::on_readable(int, void*) {
  if (!server_.shutting_down_) server_.accept_clients(server_.listener_, false);
}

void Server::MetricsListenerHandler::on_readable(int, void*) {
  if (!server_.shutting_down_) server_.accept_clients(server_.metrics_listener_, true);
}

// The loop skips a client removed earlier in the turn (its slot is empty),
// so the context is a live Connection here.
void Server::ClientHandler::on_readable(int, void* context) {
  server_.read_client(static_cast<Connection*>(context));
}

void Server::ClientHandler::on_writable(int, void* context) {
  auto* connection = static_cast<Connection*>(context);
  if (!connection->closed) server_.connections_.mark_for_flush(connection);
}
// excerpt-end: handlers

int Server::run() {
  // One turn: wait (as long as the timers allow), read the clock, handle
  // the ready descriptors, then these phases in this order.
  loop_.set_timeout_source([this] { return wait_timeout_ms(); });
  loop_.set_after_wake([this] {
    turn_started_us_ = monotonic_us();
    connections_.set_now(turn_started_us_ / 1000);
  });
  loop_.add_before_sleep([this] {
    if (inbound_.empty()) return;
    const int64_t now_wall_ms = wall_clock_ms();
    inbound_.drain([this, now_wall_ms](const InboundEvent& event) { deliver(event, now_wall_ms); });
  });
  loop_.add_before_sleep([this] { run_timers(); });
  // What the chat layer asked of Redis this turn goes out in this turn's
  // write, not after the next wake-up (the connections' own flush phase
  // runs before the inbound queue is processed).
  if (redis_bus_ != nullptr) loop_.add_before_sleep([this] { redis_bus_->flush_now(); });
  loop_.add_before_sleep([this] { connections_.flush(); });
  loop_.add_before_sleep([this] { connections_.free_closed(); });
  loop_.add_before_sleep([this] {
    connections_.metrics().loop_turn_seconds.observe(static_cast<double>(monotonic_us() - turn_started_us_) / 1e6);
  });
  loop_.add_before_sleep([this] {
    if (shutting_down_ && (connections_.count() == 0 || connections_.now_ms() >= shutdown_deadline_ms_)) {
      loop_.stop();
    }
  });
  if (loop_.run() < 0) {
    LOG_ERROR("poller wait failed: %s", std::strerror(errno));
    return 1;
  }
  // The last turn's leaves (names given back, left notices) go to Redis
  // before the process ends, or other nodes would wait for this node's
  // presence to expire.
  if (redis_bus_ != nullptr) redis_bus_->flush_now();
  LOG_INFO("shut down with %zu connection(s) still open", connections_.count());
  return 0;
}

void Server::accept_clients(Listener& listener, bool metrics_port) {
  IpAddress peer;
  for (int fd; (fd = listener.accept_client(&peer)) >= 0;) {
    if (connections_.count() >= max_connections_ || static_cast<size_t>(fd) >= loop_.max_descriptors()) {
      // Best effort: the response is tiny and the socket buffer is empty.
      ssize_t ignored = ::send(fd, kServiceUnavailable, sizeof kServiceUnavailable - 1, 0);
      (void)ignored;
      ::close(fd);
      ++connections_.metrics().http_responses[503];
      uint64_t skipped = 0;
      if (log_enabled(LogLevel::Warn) && limit_log_budget_.allow(connections_.now_ms(), &skipped)) {
        LOG_WARN("connection limit (%zu) reached; answered 503%s", max_connections_,
                 skipped > 0 ? (" [" + std::to_string(skipped) + " more since]").c_str() : "");
      }
      continue;
    }
    Connection* connection = connections_.open(fd);
    if (connection == nullptr) continue;
    connection->on_metrics_port = metrics_port;
    if (log_enabled(LogLevel::Debug)) {
      LOG_DEBUG("conn %llu accepted from %s (fd %d)", static_cast<unsigned long long>(connection->id),
               peer.to_string().c_str(), fd);
    }
    if (!admission_.admit_peer(connection, peer, connections_.now_ms())) {
      http_.refuse_over_address_limit(connection, peer);
    }
  }
}

void Server::read_client(Connection* connection) {
  size_t budget = kReadBudgetPerTurn;
  while (budget > 0 && !connection->closed && !connection->close_queued) {
    // A client whose answers already fill its output, or whose messages
    // already fill its share of the queue, waits for the next turn: the
    // unread bytes stay in the kernel, and level-triggered readiness brings
    // the client back once this turn's flush has had its say.
    if (connection->queued_messages >= InboundQueue::kMaxPerClient ||
        connection->output.held_bytes() > options_.max_output_bytes) {
      return;
    }
    ssize_t received = recv(connection->fd, read_buffer_, sizeof read_buffer_, 0);
    if (received > 0) {
      size_t length = static_cast<size_t>(received);
      connections_.metrics().received_bytes += length;
      budget = length >= budget ? 0 : budget - length;
      switch (connection->phase) {
        case ConnectionPhase::Http:
          http_.handle_bytes(connection, read_buffer_, length);
          break;
        case ConnectionPhase::Open:
        case ConnectionPhase::Closing:
          websocket_.handle_bytes(connection, read_buffer_, length);
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
        connections_.destroy(connection, "closed");
      } else {
        inbound_.push_end(connection, InboundKind::Disconnect, 0, "peer closed the connection");
      }
      return;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      LOG_DEBUG("conn %llu: recv: %s", static_cast<unsigned long long>(connection->id), std::strerror(errno));
      inbound_.push_end(connection, InboundKind::Disconnect, 0, "receive failed");
    }
    return;
  }
}

void Server::deliver(const InboundEvent& event, int64_t now_wall_ms) {
  Connection* connection = event.connection;
  if (connection->closed) return;
  switch (event.kind) {
    case InboundKind::Connect:
      if (connection->phase == ConnectionPhase::Open) {
        connection->in_chat = true;
        chat_.connect(*connection);
      }
      return;
    case InboundKind::Close:
      // Its end has come out of the queue: from here on, reading is only
      // for the client's end of the stream (Finishing), which must be read
      // when it comes. Left set, the descriptor would stay readable and
      // unread, and a level-triggered loop would spin on it until the close
      // timeout.
      connection->close_queued = false;
      connections_.send_close(connection, event.close_code, event.reason, false);
      return;
    case InboundKind::Disconnect:
      connections_.destroy(connection, event.reason);
      return;
    case InboundKind::Message:
      break;
  }
  if (connection->phase != ConnectionPhase::Open) return;
  ++connections_.metrics().messages_received;
  std::string_view payload = inbound_.payload(event);
  if (connection->endpoint == Endpoint::Echo) {
    connections_.queue_frame(connection, FrameRef(SharedFrame::encode(event.opcode, payload)).get());
    return;
  }
  chat_.receive_text(*connection, payload, now_wall_ms);
}

void Server::run_timers() {
  connections_.expire_timers();
  if (next_summary_ms_ >= 0 && connections_.now_ms() >= next_summary_ms_) log_summary();
  admission_.expire(connections_.now_ms());
  int64_t chat_deadline = chat_.next_timer_ms();
  if (chat_deadline >= 0 && chat_deadline <= connections_.now_ms()) chat_.run_timers(connections_.now_ms());
  if (redis_bus_ != nullptr) {
    int64_t bus_deadline = redis_bus_->next_deadline_ms();
    if (bus_deadline >= 0 && bus_deadline <= connections_.now_ms()) redis_bus_->run_timers(connections_.now_ms());
  }
}

// One line at info per --log-summary period with what happened in it
// (summary_line), so a busy server's log stays readable while the
// per-connection lines are at debug.
void Server::log_summary() {
  next_summary_ms_ += options_.log_summary_ms;
  if (next_summary_ms_ <= connections_.now_ms()) next_summary_ms_ = connections_.now_ms() + options_.log_summary_ms;
  const std::string line = summary_line(*summary_baseline_, connections_.metrics(), connections_.count());
  if (!line.empty()) LOG_INFO("%s", line.c_str());
  *summary_baseline_ = connections_.metrics();
}

int Server::wait_timeout_ms() const {
  int64_t earliest = -1;
  auto consider = [&earliest](int64_t deadline) {
    if (deadline >= 0 && (earliest < 0 || deadline < earliest)) earliest = deadline;
  };
  consider(connections_.next_deadline_ms());
  consider(next_summary_ms_);
  consider(admission_.next_deadline_ms());
  consider(chat_.next_timer_ms());  // on the monotonic clock, like every timer here
  if (redis_bus_ != nullptr) consider(redis_bus_->next_deadline_ms());
  if (shutting_down_) consider(shutdown_deadline_ms_);
  if (earliest < 0) return -1;  // nothing scheduled: sleep until a socket is ready
  return static_cast<int>(std::clamp<int64_t>(earliest - monotonic_ms(), 0, 60 * 60 * 1000));
}

void Server::begin_shutdown() {
  LOG_INFO("shutting down: closing %zu connection(s)", connections_.count());
  shutting_down_ = true;
  shutdown_deadline_ms_ = connections_.now_ms() + options_.shutdown_grace_ms;
  loop_.remove(listener_.fd());
  listener_.close();
  if (metrics_listener_.fd() >= 0) {
    loop_.remove(metrics_listener_.fd());
    metrics_listener_.close();
  }
  // The one place that visits every connection: once, at shutdown.
  loop_.for_each(&client_handler_, [this](int, void* context) {
    auto* connection = static_cast<Connection*>(context);
    if (connection->closed) return;
    connections_.note_close_reason(connection, CloseReason::Shutdown);
    if (connection->phase == ConnectionPhase::Open) {
      connections_.send_close(connection, close_code::kGoingAway, "server shutting down", true);
    } else if (connection->phase == ConnectionPhase::Http) {
      connections_.destroy(connection, "server shutting down");
    }
  });
}

/* ===== Metrics ===== */

// excerpt-begin: write_metrics_text
// The counters are kept as things happen; the gauges are read here, at the
// scrape. The bytes queued are the one figure that visits every connection:
// a scrape comes every few seconds at most, never once per turn.
void Server::write_metrics_text(std::string* out) {
  MetricsGauges gauges;
  gauges.connections_handshake = connections_.count_in(ConnectionPhase::Http);
  gauges.connections_open = connections_.count_in(ConnectionPhase::Open);
  gauges.connections_closing =
      connections_.count_in(ConnectionPhase::Closing) + connections_.count_in(ConnectionPhase::Finishing);
  gauges.rooms = chat_.room_count();
  gauges.room_members = chat_.room_member_count();
  gauges.strangers_waiting = chat_.strangers_waiting();
  loop_.for_each(&client_handler_, [&gauges](int, void* context) {
    gauges.output_queued_bytes += static_cast<Connection*>(context)->output.held_bytes();
  });
  gauges.version = kChatdVersion;
  gauges.has_bus = redis_bus_ != nullptr;
  gauges.bus_up = redis_bus_ != nullptr && redis_bus_->up();
  if (redis_bus_ != nullptr) gauges.bus = &redis_bus_->stats();
  read_process_gauges(&gauges, start_time_seconds_);
  write_metrics(connections_.metrics(), gauges, out);
}
// excerpt-end: write_metrics_text
