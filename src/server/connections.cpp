// connections.cpp: see connections.h. The slow-consumer policy is in flush().
#include "server/connections.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/log.h"
#include "http/http_responses.h"
#include "websocket/frame_writer.h"

Connections::Connections(const ServerOptions& options, EventLoop& loop, EventHandler& client_handler, Chat& chat,
                         AddressAdmission& admission, SplitHeads& split_heads)
    : options_(options),
      loop_(loop),
      client_handler_(client_handler),
      chat_(chat),
      admission_(admission),
      split_heads_(split_heads),
      timers_(options),
      ping_frame_(SharedFrame::encode(Opcode::Ping, "")) {}

Connections::~Connections() {
  loop_.for_each(&client_handler_, [](int fd, void* context) {
    ::close(fd);
    delete static_cast<Connection*>(context);
  });
  free_closed();
}

Connection* Connections::open(int fd) {
  int yes = 1;
  // Chat messages are small and latency-sensitive: do not let Nagle hold them.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  auto* connection = new Connection();
  connection->fd = fd;
  connection->id = next_id_++;
  connection->reader.set_max_message_bytes(options_.max_message_bytes);
  if (!loop_.add(fd, &client_handler_, connection, kPollReadable)) {
    LOG_WARN("cannot watch a new connection: %s", std::strerror(errno));
    ::close(fd);
    delete connection;
    return nullptr;
  }
  ++count_;
  ++phase_counts_[static_cast<size_t>(ConnectionPhase::Http)];
  ++metrics_.connections_accepted;
  timers_.handshake.schedule(connection, now_ms_);
  return connection;
}

void Connections::respond_and_finish(Connection* connection, const FrameRef& response) {
  // Every response starts "HTTP/1.1 NNN": counted by its status.
  std::string_view head(response->data(), response->size());
  if (head.size() > 12 && head.compare(0, 9, "HTTP/1.1 ") == 0) {
    int code = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
    if (code >= 100 && code < 600) ++metrics_.http_responses[code];
    connection->close_code = static_cast<uint16_t>(code);
  }
  note_close_reason(connection, CloseReason::HttpResponse);
  split_heads_.drop(connection);
  connection->output.push(response);
  mark_for_flush(connection);
  finish(connection);
}

void Connections::send_close(Connection* connection, uint16_t code, std::string_view reason, bool wait_for_reply) {
  if (connection->closed || connection->phase != ConnectionPhase::Open) return;
  connection->close_code = code;
  log_fault_close(connection, code, reason);
  leave_chat(connection, LeaveReason::Disconnected);
  connection->output.push(FrameRef(SharedFrame::raw(encode_close_frame(code, reason))));
  mark_for_flush(connection);
  if (wait_for_reply) {
    set_phase(connection, ConnectionPhase::Closing);
    timers_.closing.schedule(connection, now_ms_);
  } else {
    finish(connection);
  }
}

void Connections::finish(Connection* connection) {
  set_phase(connection, ConnectionPhase::Finishing);
  timers_.closing.schedule(connection, now_ms_);
}

// Calls into the chat layer never re-enter it: Server::send only queues a
// frame, and a client that cannot keep up is closed later, in flush(),
// outside any chat call. So a departure can go straight to the chat layer.
// The client's own messages are never still waiting when it leaves: its end
// takes the same road as they do, behind them (InboundQueue::push_end).
void Connections::leave_chat(Connection* connection, LeaveReason reason) {
  if (!connection->in_chat) return;
  connection->in_chat = false;
  chat_.disconnect(*connection, reason);
}

void Connections::destroy(Connection* connection, const char* why) {
  if (connection->closed) return;
  leave_chat(connection, LeaveReason::Disconnected);
  const CloseReason reason =
      connection->close_reason == CloseReason::Unset ? CloseReason::Client : connection->close_reason;
  ++metrics_.connections_closed[static_cast<size_t>(reason)];
  --phase_counts_[static_cast<size_t>(connection->phase)];
  if (log_enabled(LogLevel::Debug)) {
    char code[12] = "";
    if (connection->close_code != 0) std::snprintf(code, sizeof code, " %u", connection->close_code);
    LOG_DEBUG("%s closed: %s%s (%s)", describe(connection).c_str(), close_reason_name(reason), code, why);
  }
  admission_.release(connection, now_ms_);
  split_heads_.drop(connection);
  cancel_deadline(connection);
  // Clearing the slot before close() is what makes a later event for this
  // descriptor in the same batch harmless: the loop skips it.
  loop_.remove(connection->fd);
  ::close(connection->fd);
  connection->closed = true;
  connection->output.clear();
  --count_;
  // Freed at the end of the turn: the inbound queue and the flush list may
  // still point at it (the trap Redis's ae.c comments warn about).
  closed_this_turn_.push_back(connection);
}

void Connections::expire_timers() {
  while (DeadlineLink* link = timers_.handshake.first_expired(now_ms_)) {
    auto* connection = static_cast<Connection*>(link);
    // A browser opens spare connections it may never use: their 408 is
    // routine, and at info it would fill the log of every busy site.
    if (log_enabled(LogLevel::Debug)) {
      LOG_DEBUG("%s: no complete request in time; sending 408", describe(connection).c_str());
    }
    note_close_reason(connection, CloseReason::HandshakeTimeout);
    respond_and_finish(connection, http_error_response(408, "the request head did not arrive in time"));
  }
  while (DeadlineLink* link = timers_.idle.first_expired(now_ms_)) {
    auto* connection = static_cast<Connection*>(link);
    // Silent for a whole idle period: ask whether it is still there.
    timers_.pong.schedule(connection, now_ms_);
    queue_frame(connection, ping_frame_.get());
  }
  while (DeadlineLink* link = timers_.pong.first_expired(now_ms_)) {
    auto* connection = static_cast<Connection*>(link);
    note_close_reason(connection, CloseReason::PongTimeout);
    leave_chat(connection, LeaveReason::Timeout);
    send_close(connection, close_code::kGoingAway, "ping timeout", false);
  }
  while (DeadlineLink* link = timers_.closing.first_expired(now_ms_)) {
    destroy(static_cast<Connection*>(link), "close timed out");
  }
  while (DeadlineLink* link = timers_.message.first_expired(now_ms_)) {
    auto* connection = static_cast<Connection*>(link);
    note_close_reason(connection, CloseReason::MessageTimeout);
    cancel_deadline(connection);  // send_close moves it to the closing list; this makes sure
    send_close(connection, close_code::kPolicyViolation, "message not completed in time", false);
  }
}

int64_t Connections::next_deadline_ms() const {
  // Frames queued after this turn's flush (by a client dropped during it)
  // go out at once: a deadline long past.
  if (!flush_list_.empty()) return 0;
  int64_t earliest = -1;
  for (const DeadlineList* list : {&timers_.handshake, &timers_.idle, &timers_.pong, &timers_.closing,
                                   &timers_.message}) {
    int64_t deadline = list->next_deadline_ms();
    if (deadline >= 0 && (earliest < 0 || deadline < earliest)) earliest = deadline;
  }
  return earliest;
}

void Connections::flush() {
  // Closing a connection here would tell its room it left, queueing frames
  // for connections this loop may already have written; so failed and slow
  // connections are dealt with after the loop, and what that queues goes out
  // next turn. Each connection gets at most one write per turn.
  for (Connection* connection : flush_list_) {
    connection->in_flush_list = false;
    if (connection->closed) continue;
    long written = connection->output.write_to(connection->fd);
    if (written < 0) {
      flush_casualties_.push_back({connection, true});
      continue;
    }
    metrics_.sent_bytes += static_cast<uint64_t>(written);
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
      note_close_reason(connection, CloseReason::WriteError);
      destroy(connection, "write failed");
      continue;
    }
    // A client that cannot keep up loses its connection, not everyone else
    // their speed: nobody waits for it and its backlog is bounded.
    connection->output.drop_unsent();
    note_close_reason(connection, CloseReason::SlowConsumer);
    send_close(connection, close_code::kPolicyViolation, "client too slow: output buffer full", false);
  }
  flush_casualties_.clear();
}

void Connections::free_closed() {
  if (closed_this_turn_.empty()) return;
  // Frames queued after the flush leave connections on the flush list for
  // the next turn; a closed one must not stay there.
  if (!flush_list_.empty()) {
    flush_list_.erase(std::remove_if(flush_list_.begin(), flush_list_.end(),
                                     [](Connection* connection) { return connection->closed; }),
                      flush_list_.end());
  }
  for (Connection* connection : closed_this_turn_) delete connection;
  closed_this_turn_.clear();
}

std::string Connections::describe(const Connection* connection) const {
  std::string text = "conn " + std::to_string(connection->id) + " ";
  if (connection->address != nullptr) {
    text += connection->address->key.to_string();
    if (!connection->address->key.is_ipv4()) text += "/64";  // limits count an IPv6 client by its /64
    return text;
  }
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  if (getpeername(connection->fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0) {
    text += IpAddress::from_socket_address(peer).to_string();
  } else {
    text += "?";
  }
  return text;
}

// One line at info when chatd ends a connection for a fault: the reason's
// name (as in chatd_connections_closed_total), the close code, and what the
// limit was, so an operator can tell a slow network from a low limit:
//   conn 12 203.0.113.9: closing: slow_consumer 1008 (client too slow: output
//   buffer full; more than --max-output 1048576 bytes waiting)
// A client that leaves, and a shutdown, are routine: debug only. A crowd
// of bad clients is held to the fault budget; the summary counts them all.
void Connections::log_fault_close(Connection* connection, uint16_t code, std::string_view reason) {
  const CloseReason why = connection->close_reason;
  if (why == CloseReason::Unset || why == CloseReason::Client || why == CloseReason::Shutdown) return;
  if (!log_enabled(LogLevel::Info)) return;
  uint64_t skipped = 0;
  if (!fault_log_budget_.allow(now_ms_, &skipped)) return;
  char limit[96] = "";
  switch (why) {
    case CloseReason::SlowConsumer:
      std::snprintf(limit, sizeof limit, "; more than --max-output %zu bytes waiting", options_.max_output_bytes);
      break;
    case CloseReason::PongTimeout:
      std::snprintf(limit, sizeof limit, "; no pong within --pong-timeout %.3g s",
                    static_cast<double>(options_.pong_timeout_ms) / 1000);
      break;
    case CloseReason::MessageTimeout:
      std::snprintf(limit, sizeof limit, "; --message-timeout %.3g s",
                    static_cast<double>(options_.message_timeout_ms) / 1000);
      break;
    case CloseReason::TooBig:
      std::snprintf(limit, sizeof limit, "; --max-message %zu bytes", options_.max_message_bytes);
      break;
    case CloseReason::RateLimited:
      std::snprintf(limit, sizeof limit, "; --rate %g per second", options_.rate_per_second);
      break;
    default:
      break;
  }
  char more[64] = "";
  if (skipped > 0) std::snprintf(more, sizeof more, " [%llu similar lines left out]", static_cast<unsigned long long>(skipped));
  LOG_INFO("%s: closing: %s %u (%s%s)%s", describe(connection).c_str(), close_reason_name(why), code,
           log_safe(reason).c_str(), limit, more);
}
