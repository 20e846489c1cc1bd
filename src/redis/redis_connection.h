// redis_connection.h: one nonblocking connection to a Redis server, driven
// by the event loop (loop/event_loop.h), that never blocks it.
//
// What it does, in the order a connection lives:
//   connect   a nonblocking connect(); the loop says when the socket is
//             writable, and SO_ERROR says whether it worked. A connect that
//             takes longer than connect_timeout_ms is given up.
//   handshake AUTH (when the URL has a password), SELECT (when it names a
//             database other than 0), then PING. The PONG proves the peer
//             speaks RESP; only then is the connection ready. A refused
//             password or database is a clear reason in the log, not a hang.
//   ready     commands are pipelined: each is appended to one output buffer
//             and the whole buffer goes out in one write in the loop's
//             before-sleep phase (or when the socket is writable again), and
//             replies are matched to commands in the order they were sent.
//   down      on any failure (refused, reset, closed by Redis, a reply that
//             is not RESP2, no reply within reply_timeout_ms) every command
//             still waiting gets an error reply saying so, the observer is
//             told, and a new attempt is made after a backoff that doubles
//             from 250 ms to 5 s, plus up to a quarter more of random jitter
//             (so that many nodes do not reconnect in lockstep). It tries
//             forever; the backoff goes back to 250 ms once a connection is
//             ready.
//
// A quiet connection is probed: when nothing has been read for
// ping_interval_ms, a PING goes out, and the reply timeout applies to it like
// any command. That is how a Redis that keeps the TCP connection open but
// stopped answering (frozen, or a failover that left the socket half alive)
// is noticed within ping_interval_ms + reply_timeout_ms.
//
// Role::Subscriber is the other kind of connection RESP2 needs: once it has
// subscribed, Redis sends it pub/sub arrays ("subscribe", "unsubscribe",
// "message", and the pattern forms) at any time, and accepts only
// (P)(UN)SUBSCRIBE, PING and QUIT. Those arrays go to the observer's
// on_redis_push; SUBSCRIBE and UNSUBSCRIBE are sent with subscribe(), which
// expects no reply of its own (each channel's confirmation is a push); PING
// is answered with the array ["pong", ""] there, and matched like +PONG.
//
// Timers are the owner's: it calls run_timers() when next_deadline_ms()
// passes (the server's timeout source includes it). Host names are resolved
// once, in start(), before the loop runs; a reconnect reuses the address.
//
// Deliberately left out: TLS (rediss://), Sentinel and Cluster redirections,
// RESP3. Put a local TLS tunnel in front of a remote Redis if it needs one.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "loop/event_loop.h"
#include "redis/redis_url.h"
#include "redis/resp_reader.h"

struct RedisSettings {
  RedisUrl url;
  int connect_timeout_ms = 2000;
  int reply_timeout_ms = 3000;  // for the oldest command still waiting, PING included
  int ping_interval_ms = 1000;  // quiet this long: probe with PING
  int backoff_min_ms = 250;
  int backoff_max_ms = 5000;
  RespLimits limits;
};

class RedisConnection;

// What the owner hears about a connection. Called from inside the loop's
// handlers and from run_timers(); a callback may send commands.
class RedisObserver {
 public:
  virtual void on_redis_ready(RedisConnection& connection) = 0;
  // The connection was lost, or an attempt failed; reason says why. Called
  // once per failed attempt, so the owner can log the first and count the rest.
  virtual void on_redis_down(RedisConnection& connection, const std::string& reason) = 0;
  // Subscriber role: a pub/sub array ("message", "subscribe", ...).
  virtual void on_redis_push(RedisConnection& connection, RespValue& push) = 0;

 protected:
  ~RedisObserver() = default;
};

class RedisConnection : private EventHandler {
 public:
  enum class Role : uint8_t { Commands, Subscriber };
  enum class State : uint8_t { Stopped, Waiting, Connecting, Handshake, Ready };
  // Called with the reply, which may be an error reply (-ERR ...); when the
  // connection is lost first, with an error reply "CONNECTION LOST: reason".
  using ReplyHandler = std::function<void(RespValue& reply)>;

  // The connection registers a before-sleep phase with loop, so it must live
  // as long as the loop does (the server owns both).
  RedisConnection(EventLoop& loop, Role role, RedisSettings settings, RedisObserver& observer,
                  const char* name);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Resolves the URL's host (this may block: call it before the loop runs)
  // and starts the first attempt. False, with *error set, if the host does
  // not resolve.
  bool start(std::string* error);

  State state() const { return state_; }
  bool ready() const { return state_ == State::Ready; }
  const char* name() const { return name_; }
  Role role() const { return role_; }
  // Attempts that failed or connections that were lost since start().
  uint64_t failures() const { return failures_; }
  const std::string& last_error() const { return last_error_; }

  // Queues a command; false (and the handler is never called) when the
  // connection is not ready. handler may be empty: the reply is dropped.
  bool command(std::initializer_list<std::string_view> arguments, ReplyHandler handler);
  bool command(const std::vector<std::string>& arguments, ReplyHandler handler);
  bool command(const std::vector<std::string_view>& arguments, ReplyHandler handler);
  // Subscriber role: SUBSCRIBE or UNSUBSCRIBE (any of the four forms) with
  // its channels; the confirmations arrive as pushes. False when not ready.
  bool subscribe(const std::vector<std::string>& arguments);

  // Connect and reply timeouts, the PING probe, the next attempt.
  void run_timers(int64_t now_ms);
  // When run_timers() next has work, on the monotonic clock; -1 for never.
  int64_t next_deadline_ms() const;

  // Writes what is queued (the loop's before-sleep phase calls this).
  void flush();

 private:
  struct Pending {
    ReplyHandler handler;
    int64_t sent_ms;
    bool handshake;  // AUTH, SELECT, the first PING: a failure ends the attempt
  };

  void on_readable(int fd, void* context) override;
  void on_writable(int fd, void* context) override;

  void begin_attempt(int64_t now_ms);         // socket, connect, register
  void connected(int64_t now_ms);             // the connect worked: send the handshake
  void queue(const std::vector<std::string_view>& arguments, ReplyHandler handler, bool handshake);
  void dispatch(RespValue& reply);            // one reply: to a push, or the oldest command
  bool is_push(const RespValue& reply) const;
  void fail(const std::string& reason);       // down: close, fail the waiting commands, back off
  int next_backoff_ms();

  EventLoop& loop_;
  const Role role_;
  RedisSettings settings_;
  RedisObserver& observer_;
  const char* name_;

  sockaddr_storage address_{};
  socklen_t address_length_ = 0;
  int fd_ = -1;
  State state_ = State::Stopped;
  int64_t state_since_ms_ = 0;   // Connecting: when connect() began
  int64_t retry_at_ms_ = 0;      // Waiting: when the next attempt starts
  int64_t last_read_ms_ = 0;     // for the PING probe
  int backoff_ms_ = 0;
  uint64_t failures_ = 0;
  std::string last_error_;

  RespReader reader_;
  std::deque<Pending> pending_;
  std::string output_;
  size_t output_sent_ = 0;
  std::minstd_rand jitter_;
};
