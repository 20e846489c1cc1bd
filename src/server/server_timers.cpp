// server_timers.cpp: the time-driven half of the loop: how long the poller
// may sleep, what happens when a handshake, idle, pong or close timer
// expires, and the graceful shutdown after SIGINT or SIGTERM.
//
// Timers live in DeadlineLists (deadline_list.h): one list per timeout kind,
// sorted by construction, so both finding the next deadline and expiring
// timers only ever look at list heads.
#include <unistd.h>

#include <algorithm>

#include "base/clock.h"
#include "base/log.h"
#include "server/server.h"

int Server::wait_timeout_ms() const {
  // Frames queued after this turn's flush (by a client dropped during it)
  // go out at once.
  if (!flush_list_.empty()) return 0;
  int64_t earliest = -1;
  auto consider = [&earliest](int64_t deadline) {
    if (deadline >= 0 && (earliest < 0 || deadline < earliest)) earliest = deadline;
  };
  consider(handshake_timers_.next_deadline_ms());
  consider(idle_timers_.next_deadline_ms());
  consider(pong_timers_.next_deadline_ms());
  consider(closing_timers_.next_deadline_ms());
  consider(message_timers_.next_deadline_ms());
  consider(address_limits_.next_deadline_ms());
  if (shutting_down_) consider(shutdown_deadline_ms_);
  consider(chat_.next_timer_ms());  // on the monotonic clock, like every timer here
  if (earliest < 0) return -1;  // nothing scheduled: sleep until a socket is ready
  return static_cast<int>(std::clamp<int64_t>(earliest - monotonic_ms(), 0, 60 * 60 * 1000));
}

void Server::run_timers() {
  while (DeadlineLink* link = handshake_timers_.first_expired(now_ms_)) {
    auto* connection = static_cast<Connection*>(link);
    LOG_INFO("conn %llu: no complete request in time; sending 408", static_cast<unsigned long long>(connection->id));
    respond_and_finish(connection, http_error_response(408, "the request head did not arrive in time"));
  }
  while (DeadlineLink* link = idle_timers_.first_expired(now_ms_)) {
    auto* connection = static_cast<Connection*>(link);
    // Silent for a whole idle period: ask whether it is still there.
    pong_timers_.schedule(connection, now_ms_);
    queue_frame(connection, ping_frame_.get());
  }
  while (DeadlineLink* link = pong_timers_.first_expired(now_ms_)) {
    auto* connection = static_cast<Connection*>(link);
    LOG_INFO("conn %llu: no pong in time", static_cast<unsigned long long>(connection->id));
    leave_chat(connection, LeaveReason::Timeout);
    send_close(connection, close_code::kGoingAway, "ping timeout", false);
  }
  while (DeadlineLink* link = closing_timers_.first_expired(now_ms_)) {
    destroy(static_cast<Connection*>(link), "close timed out");
  }
  while (DeadlineLink* link = message_timers_.first_expired(now_ms_)) {
    auto* connection = static_cast<Connection*>(link);
    LOG_INFO("conn %llu: message not completed in time", static_cast<unsigned long long>(connection->id));
    cancel_deadline(connection);  // send_close moves it to the closing list; this makes sure
    send_close(connection, close_code::kPolicyViolation, "message not completed in time", false);
  }
  address_limits_.expire(now_ms_);
  int64_t chat_deadline = chat_.next_timer_ms();
  if (chat_deadline >= 0 && chat_deadline <= now_ms_) chat_.run_timers(now_ms_);
}

void Server::begin_shutdown() {
  LOG_INFO("shutting down: closing %zu connection(s)", connection_count_);
  shutting_down_ = true;
  shutdown_deadline_ms_ = now_ms_ + options_.shutdown_grace_ms;
  loop_.remove(listen_fd_);
  ::close(listen_fd_);
  listen_fd_ = -1;
  // The one place that visits every connection: once, at shutdown.
  loop_.for_each(&client_handler_, [this](int, void* context) {
    auto* connection = static_cast<Connection*>(context);
    if (connection->closed) return;
    if (connection->phase == ConnectionPhase::Open) {
      send_close(connection, close_code::kGoingAway, "server shutting down", true);
    } else if (connection->phase == ConnectionPhase::Http) {
      destroy(connection, "server shutting down");
    }
  });
}

