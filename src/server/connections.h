// connections.h: the life of every client connection: opening it, queueing
// its output, closing it (the closing handshake of RFC 6455 section 7, or at
// once), its timers, and the one write per turn that flushes its output.
//
// Every way a connection ends goes through here: send_close() when we have
// something to say first, destroy() when the socket is done. A connection is
// freed only at the end of the turn it was destroyed in (free_closed),
// because the inbound queue and the flush list may still point at it: the
// trap Redis's ae.c comments warn about.
//
// The timers: one DeadlineList per timeout kind (deadline_list.h), so each
// list is sorted by construction and both finding the next deadline and
// expiring timers look only at list heads. A connection is in at most one
// list at a time, the one for what we are waiting for from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "chat/chat.h"
#include "loop/deadline_list.h"
#include "loop/event_loop.h"
#include "server/address_admission.h"
#include "server/connection.h"
#include "server/server_metrics.h"
#include "server/server_options.h"
#include "server/split_heads.h"
#include "websocket/shared_frame.h"

struct ConnectionTimers {
  explicit ConnectionTimers(const ServerOptions& options)
      : handshake(options.handshake_timeout_ms), idle(options.idle_timeout_ms), pong(options.pong_timeout_ms),
        closing(options.close_timeout_ms), message(options.message_timeout_ms) {}
  DeadlineList handshake;  // accepted, no complete request head yet: then 408
  DeadlineList idle;       // open and quiet: then a ping
  DeadlineList pong;       // pinged: then closed with 1001
  DeadlineList closing;    // our Close or last response sent: then closed
  DeadlineList message;    // a message or frame begun and not finished: then 1008
};

class Connections {
 public:
  // Clients are registered with loop under client_handler, with the
  // Connection as context.
  Connections(const ServerOptions& options, EventLoop& loop, EventHandler& client_handler, Chat& chat,
              AddressAdmission& admission, SplitHeads& split_heads);
  Connections(const Connections&) = delete;
  Connections& operator=(const Connections&) = delete;
  ~Connections();

  // The monotonic time of this turn, read once when the loop wakes.
  void set_now(int64_t now_ms) { now_ms_ = now_ms; }
  int64_t now_ms() const { return now_ms_; }
  size_t count() const { return count_; }
  // Connections in a phase (Closing and Finishing are both "closing" to a scrape).
  size_t count_in(ConnectionPhase phase) const { return phase_counts_[static_cast<size_t>(phase)]; }
  // The server's counters (server_metrics.h): most are counted here, where
  // connections open, write and close.
  ServerMetrics& metrics() { return metrics_; }
  const ServerMetrics& metrics() const { return metrics_; }
  // "conn 12 203.0.113.9": the id and the client's address (the one behind
  // a trusted proxy once the request has named it), for log lines.
  std::string describe(const Connection* connection) const;
  // Budget for the info lines a crowd of bad clients could repeat: refused
  // requests and upgrades, and closes for a fault (log.h).
  LogBudget& fault_log_budget() { return fault_log_budget_; }
  // Records why connection will end, unless a reason was recorded already.
  void note_close_reason(Connection* connection, CloseReason why) {
    if (connection->close_reason == CloseReason::Unset) connection->close_reason = why;
  }
  // Moves connection to phase, keeping the counts by phase.
  void set_phase(Connection* connection, ConnectionPhase phase) {
    --phase_counts_[static_cast<size_t>(connection->phase)];
    ++phase_counts_[static_cast<size_t>(phase)];
    connection->phase = phase;
  }
  // Ids of new connections are base + a count (the count goes on): with
  // --redis, base is the node number * 2^32, so ids are unique across nodes.
  void set_id_base(uint64_t base) { next_id_ = base | (next_id_ & 0xffffffffu); }
  ConnectionTimers& timers() { return timers_; }

  // Takes an accepted socket into the loop, waiting for its request head;
  // null (socket closed) if the loop cannot watch it.
  Connection* open(int fd);
  // excerpt-begin: queue_frame
  // Queues a frame for an open WebSocket; a no-op once it is closing.
  void queue_frame(Connection* connection, SharedFrame* frame) {
    if (connection->closed || connection->phase != ConnectionPhase::Open) return;
    // The --max-output check happens after this turn's write (flush).
    connection->output.push(frame);
    mark_for_flush(connection);
  }
  // Puts the connection on this turn's flush list (once).
  void mark_for_flush(Connection* connection) {
    if (connection->in_flush_list) return;
    connection->in_flush_list = true;
    flush_list_.push_back(connection);
  }
  // excerpt-end: queue_frame
  // Sends an HTTP response as the connection's last word.
  void respond_and_finish(Connection* connection, const FrameRef& response);
  void respond_and_finish(Connection* connection, std::string_view response) {
    respond_and_finish(connection, FrameRef(SharedFrame::raw(response)));
  }
  // Sends Close with code and reason; with wait_for_reply, waits for the
  // client's Close (section 7.1.2), else shuts down after the flush.
  void send_close(Connection* connection, uint16_t code, std::string_view reason, bool wait_for_reply);
  // Tells the chat layer the client left, if it was in the chat.
  void leave_chat(Connection* connection, LeaveReason reason);
  // Closes the socket now; the Connection is freed at the end of the turn.
  void destroy(Connection* connection, const char* why);

  // The turn's phases: expire timers, write, free.
  void expire_timers();
  void flush();
  void free_closed();
  // The earliest timer, -1 if none; 0 if output queued after the flush waits.
  int64_t next_deadline_ms() const;

 private:
  // After a last word: wait briefly for the peer's EOF (connection.h).
  void finish(Connection* connection);
  // The info line for a close chatd makes because of a fault.
  void log_fault_close(Connection* connection, uint16_t code, std::string_view reason);

  const ServerOptions& options_;
  EventLoop& loop_;
  EventHandler& client_handler_;
  Chat& chat_;
  AddressAdmission& admission_;
  SplitHeads& split_heads_;
  ConnectionTimers timers_;
  int64_t now_ms_ = 0;
  uint64_t next_id_ = 1;
  size_t count_ = 0;
  size_t phase_counts_[4] = {0, 0, 0, 0};
  ServerMetrics metrics_;
  FrameRef ping_frame_;
  LogBudget fault_log_budget_{20};

  std::vector<Connection*> flush_list_;
  struct Casualty {
    Connection* connection;
    bool write_failed;  // else: over --max-output after the write
  };
  std::vector<Casualty> flush_casualties_;  // closed after the flush loop
  std::vector<Connection*> closed_this_turn_;
};
