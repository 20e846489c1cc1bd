// redis_connection.cpp: see redis_connection.h.
#include "redis/redis_connection.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "base/clock.h"
#include "base/log.h"
#include "loop/descriptors.h"
#include "redis/resp_writer.h"

namespace {

// An error reply made here, for commands whose connection went away.
RespValue local_error(const std::string& text) {
  RespValue value;
  value.type = RespValue::Type::Error;
  value.text = text;
  return value;
}

}  // namespace

RedisConnection::RedisConnection(EventLoop& loop, Role role, RedisSettings settings,
                                 RedisObserver& observer, const char* name)
    : loop_(loop),
      role_(role),
      settings_(std::move(settings)),
      observer_(observer),
      name_(name),
      reader_(settings_.limits),
      jitter_(static_cast<unsigned>(monotonic_ms()) ^ static_cast<unsigned>(getpid())) {
  loop_.add_before_sleep([this] { flush(); });
}

RedisConnection::~RedisConnection() {
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
  }
}

bool RedisConnection::start(std::string* error) {
  addrinfo hints{};
  hints.ai_family = settings_.url.host_is_ipv6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(settings_.url.port);
  const int status = getaddrinfo(settings_.url.host.c_str(), port.c_str(), &hints, &found);
  if (status != 0 || !found) {
    *error = "cannot resolve " + settings_.url.host + ": " + gai_strerror(status);
    return false;
  }
  std::memcpy(&address_, found->ai_addr, found->ai_addrlen);
  address_length_ = found->ai_addrlen;
  freeaddrinfo(found);
  begin_attempt(monotonic_ms());
  return true;
}

// ===== Connecting ============================================================

void RedisConnection::begin_attempt(int64_t now_ms) {
  state_since_ms_ = now_ms;
  fd_ = socket(address_.ss_family, SOCK_STREAM, 0);
  if (fd_ < 0 || !set_nonblocking(fd_)) {
    fail(std::string("socket: ") + std::strerror(errno));
    return;
  }
  const int result = connect(fd_, reinterpret_cast<const sockaddr*>(&address_), address_length_);
  if (result != 0 && errno != EINPROGRESS) {
    fail(std::string("connect: ") + std::strerror(errno));
    return;
  }
  state_ = State::Connecting;
  if (!loop_.add(fd_, this, nullptr, kPollReadable | kPollWritable)) {
    fail(std::string("cannot watch the socket: ") + std::strerror(errno));
    return;
  }
  if (result == 0) connected(now_ms);  // a loopback connect may finish at once
}

void RedisConnection::connected(int64_t now_ms) {
  state_ = State::Handshake;
  state_since_ms_ = now_ms;
  last_read_ms_ = now_ms;
  const RedisUrl& url = settings_.url;
  if (url.has_password) {
    if (url.user.empty()) {
      queue({"AUTH", url.password}, {}, true);
    } else {
      queue({"AUTH", url.user, url.password}, {}, true);
    }
  }
  if (url.db != 0) queue({"SELECT", std::to_string(url.db)}, {}, true);
  queue({"PING"}, {}, true);  // its PONG makes the connection ready (dispatch)
  flush();
}

// ===== Commands ==============================================================

void RedisConnection::queue(const std::vector<std::string_view>& arguments, ReplyHandler handler,
                            bool handshake) {
  append_command(output_, arguments);
  pending_.push_back({std::move(handler), monotonic_ms(), handshake});
}

bool RedisConnection::command(std::initializer_list<std::string_view> arguments, ReplyHandler handler) {
  if (!ready()) return false;
  queue(std::vector<std::string_view>(arguments), std::move(handler), false);
  return true;
}

bool RedisConnection::command(const std::vector<std::string>& arguments, ReplyHandler handler) {
  if (!ready()) return false;
  queue(std::vector<std::string_view>(arguments.begin(), arguments.end()), std::move(handler), false);
  return true;
}

bool RedisConnection::command(const std::vector<std::string_view>& arguments, ReplyHandler handler) {
  if (!ready()) return false;
  queue(arguments, std::move(handler), false);
  return true;
}

bool RedisConnection::subscribe(const std::vector<std::string>& arguments) {
  if (!ready() || role_ != Role::Subscriber) return false;
  append_command(output_, arguments);  // no Pending: each confirmation is a push
  return true;
}

void RedisConnection::flush() {
  if (fd_ < 0 || state_ < State::Handshake || output_sent_ == output_.size()) return;
  while (output_sent_ < output_.size()) {
    const ssize_t sent = send(fd_, output_.data() + output_sent_, output_.size() - output_sent_, MSG_NOSIGNAL);
    if (sent > 0) {
      output_sent_ += static_cast<size_t>(sent);
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!loop_.want_writable(fd_, true)) fail("cannot watch the socket for writing");
      return;
    }
    fail(std::string("send: ") + std::strerror(errno));
    return;
  }
  output_.clear();
  output_sent_ = 0;
  loop_.want_writable(fd_, false);
}

// ===== Reading ===============================================================

void RedisConnection::on_writable(int, void*) {
  if (state_ == State::Connecting) {
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    if (error != 0) {
      fail(std::string("connect: ") + std::strerror(error));
      return;
    }
    loop_.want_writable(fd_, false);
    connected(monotonic_ms());
    return;
  }
  flush();
}

void RedisConnection::on_readable(int fd, void* context) {
  if (state_ == State::Connecting) {  // a refused connect is reported as readable too
    on_writable(fd, context);
    if (state_ != State::Handshake) return;
  }
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t got = recv(fd_, buffer, sizeof buffer, 0);
    if (got == 0) {
      fail("closed by Redis");
      return;
    }
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      fail(std::string("recv: ") + std::strerror(errno));
      return;
    }
    last_read_ms_ = monotonic_ms();
    size_t used = 0;
    while (used < static_cast<size_t>(got)) {
      RespReader::Status status;
      used += reader_.parse(buffer + used, static_cast<size_t>(got) - used, &status);
      if (status == RespReader::Status::Error) {
        fail(std::string("bad reply from Redis: ") + reader_.error_reason());
        return;
      }
      if (status != RespReader::Status::Reply) break;
      RespValue reply = reader_.take_reply();
      const int descriptor = fd_;
      dispatch(reply);
      if (fd_ != descriptor) return;  // the reply's handler or a failure closed it
    }
    if (static_cast<size_t>(got) < sizeof buffer) return;  // a short read: nothing more for now
  }
}

bool RedisConnection::is_push(const RespValue& reply) const {
  if (role_ != Role::Subscriber || !reply.is_array() || reply.elements.empty()) return false;
  const RespValue& kind = reply.elements[0];
  return kind.is_string("message") || kind.is_string("pmessage") || kind.is_string("subscribe") ||
         kind.is_string("unsubscribe") || kind.is_string("psubscribe") || kind.is_string("punsubscribe");
}

void RedisConnection::dispatch(RespValue& reply) {
  if (is_push(reply)) {
    observer_.on_redis_push(*this, reply);
    return;
  }
  if (pending_.empty()) {
    fail("a reply that answers no command");
    return;
  }
  Pending oldest = std::move(pending_.front());
  pending_.pop_front();
  if (oldest.handshake) {
    if (reply.is_error()) {
      fail("refused during the handshake: " + reply.text);
      return;
    }
    if (pending_.empty() || !pending_.front().handshake) {  // that was the PING
      state_ = State::Ready;
      backoff_ms_ = 0;
      observer_.on_redis_ready(*this);
    }
    return;
  }
  if (oldest.handler) oldest.handler(reply);
}

// ===== Failures and timers ===================================================

void RedisConnection::fail(const std::string& reason) {
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  ++failures_;
  last_error_ = reason;
  state_ = State::Waiting;
  retry_at_ms_ = monotonic_ms() + next_backoff_ms();
  reader_.reset();
  output_.clear();
  output_sent_ = 0;
  // Handlers may queue commands again; they are refused (not ready), so the
  // list cannot grow while it is being emptied.
  std::deque<Pending> lost;
  lost.swap(pending_);
  for (Pending& pending : lost) {
    if (!pending.handler) continue;
    RespValue error = local_error("CONNECTION LOST: " + reason);
    pending.handler(error);
  }
  observer_.on_redis_down(*this, reason);
}

int RedisConnection::next_backoff_ms() {
  backoff_ms_ = backoff_ms_ == 0 ? settings_.backoff_min_ms : std::min(backoff_ms_ * 2, settings_.backoff_max_ms);
  return backoff_ms_ + static_cast<int>(jitter_() % static_cast<unsigned>(backoff_ms_ / 4 + 1));
}

int64_t RedisConnection::next_deadline_ms() const {
  switch (state_) {
    case State::Stopped: return -1;
    case State::Waiting: return retry_at_ms_;
    case State::Connecting: return state_since_ms_ + settings_.connect_timeout_ms;
    case State::Handshake:
    case State::Ready: break;
  }
  if (!pending_.empty()) return pending_.front().sent_ms + settings_.reply_timeout_ms;
  return last_read_ms_ + settings_.ping_interval_ms;
}

void RedisConnection::run_timers(int64_t now_ms) {
  if (state_ == State::Waiting) {
    if (now_ms >= retry_at_ms_) begin_attempt(now_ms);
    return;
  }
  if (state_ == State::Connecting) {
    if (now_ms >= state_since_ms_ + settings_.connect_timeout_ms) {
      fail("no connection within " + std::to_string(settings_.connect_timeout_ms) + " ms");
    }
    return;
  }
  if (state_ != State::Handshake && state_ != State::Ready) return;
  if (!pending_.empty()) {
    if (now_ms < pending_.front().sent_ms + settings_.reply_timeout_ms) return;
    // Late by this process's clock, but maybe not by Redis's: after a long
    // turn, or while the CPU ran other processes, the reply can be waiting
    // unread in the socket. Read what is there before blaming Redis; under
    // load, taking the bus down for our own stall refused every say and
    // join on the node (docs/benchmarks.md, "At scale").
    const int descriptor = fd_;
    on_readable(fd_, nullptr);
    if (fd_ != descriptor || (state_ != State::Handshake && state_ != State::Ready)) return;  // failed reading
    if (!pending_.empty() && now_ms >= pending_.front().sent_ms + settings_.reply_timeout_ms) {
      fail("no reply within " + std::to_string(settings_.reply_timeout_ms) + " ms");
    }
    return;
  }
  if (state_ == State::Ready && now_ms >= last_read_ms_ + settings_.ping_interval_ms) {
    // Written now rather than in the before-sleep phase: the owner may run
    // timers after that phase, and the probe must not wait a whole sleep.
    queue({"PING"}, {}, false);  // the reply timeout now watches it
    flush();
  }
}
