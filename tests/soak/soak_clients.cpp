// soak_clients.cpp: the soak test's clients (see soak.h): non-blocking
// sockets on one epoll loop, each going through connect, the opening
// handshake (RFC 6455 section 4.1, Accept key checked), a join sent right
// behind the request head, and then the room's frames (section 5), which
// soak_checks.cpp checks.
//
// Left out: server frames split into fragments (chatd never sends them) and
// any chat command other than join and say.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "http/base64.h"
#include "http/handshake.h"
#include "soak.h"
#include "websocket/frame_writer.h"

namespace {

uint64_t event_tag(const SoakClient& client) { return (uint64_t{client.generation} << 32) | client.index; }

}  // namespace

int64_t soak_now_us() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * 1000000LL + now.tv_nsec / 1000;
}

/* ===== Setting up ===== */

SoakClients::SoakClients(const SoakOptions& options, int port)
    : options_(options), port_(port), epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
  for (size_t i = 0; i < options_.clients; ++i) {
    auto* client = new SoakClient();
    client->index = static_cast<uint32_t>(i);
    client->room = "soak-" + std::to_string(i % options_.rooms);
    client->next_from.assign(options_.senders, 1);  // in the room before the first message
    client->random.seed(static_cast<uint32_t>(i) + 1);
    clients_.push_back(client);
  }
  sent_by_.assign(options_.senders, 0);
  room_messages_.assign(options_.rooms, 0);
  int64_t now = soak_now_us(), period = static_cast<int64_t>(1e6 / options_.rate);
  for (size_t k = 0; k < options_.senders; ++k) next_send_us_.push_back(now + period * k / options_.senders);
}

SoakClients::~SoakClients() {
  for (SoakClient* client : clients_) {
    if (client->fd >= 0) close(client->fd);
    delete client;
  }
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

void SoakClients::start_connect(SoakClient& client) {
  client.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int yes = 1;
  setsockopt(client.fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port_));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  client.phase = ClientPhase::Connecting;
  client.inbound.clear();
  client.inbound_used = 0;
  client.outbound.clear();
  client.wants_writable = true;
  ++connecting_;
  if (connect(client.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 && errno != EINPROGRESS) {
    fail(client, std::string("connect: ") + std::strerror(errno));
    return;
  }
  epoll_event event{EPOLLIN | EPOLLOUT, {}};
  event.data.u64 = event_tag(client);
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, client.fd, &event);

  std::string key_bytes(16, '\0');
  for (char& byte : key_bytes) byte = static_cast<char>(client.random());
  std::string key = base64_encode(key_bytes);
  client.expected_accept = websocket_accept_key(key);
  client.outbound = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + "\r\n\r\n";
  // The join goes right behind the head; the server reads it after the upgrade.
  std::string join = "{\"type\":\"join\",\"name\":\"c" + std::to_string(client.index) + "g" +
                     std::to_string(client.generation) + "\",\"room\":\"" + client.room + "\"}";
  uint8_t mask[4];
  for (uint8_t& byte : mask) byte = static_cast<uint8_t>(client.random());
  client.outbound += encode_masked_frame(Opcode::Text, join, mask);
}

bool SoakClients::connect_all(double timeout_seconds) {
  const int64_t deadline = soak_now_us() + static_cast<int64_t>(timeout_seconds * 1e6);
  size_t next = 0;
  while (in_room() < clients_.size() && soak_now_us() < deadline && totals_.problems() == 0) {
    while (connecting_ < 256 && next < clients_.size()) start_connect(*clients_[next++]);
    turn(10, false, false);
  }
  return in_room() == clients_.size() && totals_.problems() == 0;
}

size_t SoakClients::in_room() const {
  size_t count = 0;
  for (const SoakClient* client : clients_) count += client->phase == ClientPhase::InRoom;
  return count;
}

/* ===== The loop ===== */

void SoakClients::turn(int max_wait_ms, bool sending, bool churning) {
  int64_t now = soak_now_us();
  if (sending) send_due(now);
  if (churning && options_.reconnects_per_second > 0 && options_.clients > options_.senders) {
    if (next_reconnect_us_ == 0) next_reconnect_us_ = now;
    while (now >= next_reconnect_us_) {
      next_reconnect_us_ += static_cast<int64_t>(1e6 / options_.reconnects_per_second);
      // Round-robin over the receivers; senders stay, so their streams are whole.
      SoakClient& victim = *clients_[options_.senders + next_victim_++ % (options_.clients - options_.senders)];
      if (victim.phase == ClientPhase::InRoom) drop_and_reconnect(victim);
    }
  }
  epoll_event events[1024];
  int ready = epoll_wait(epoll_fd_, events, 1024, max_wait_ms);
  for (int i = 0; i < ready; ++i) {
    SoakClient& client = *clients_[events[i].data.u64 & 0xffffffffu];
    if (client.generation != events[i].data.u64 >> 32 || client.fd < 0) continue;  // an old socket's event
    handle_events(client, events[i].events);
  }
}

void SoakClients::send_due(int64_t now_us) {
  const int64_t period = static_cast<int64_t>(1e6 / options_.rate);
  for (size_t k = 0; k < options_.senders; ++k) {
    if (now_us < next_send_us_[k]) continue;
    next_send_us_[k] += period;
    SoakClient& sender = *clients_[k];
    if (sender.phase != ClientPhase::InRoom) continue;
    std::string text = "s " + std::to_string(k) + " " + std::to_string(sent_by_[k] + 1) + " " + std::to_string(now_us) + " ";
    if (text.size() < options_.message_bytes) text.append(options_.message_bytes - text.size(), 'x');
    send_masked(sender, 0x1, text);  // plain text: a say (docs/protocol.md)
    ++sent_by_[k];
    ++room_messages_[k % options_.rooms];
    ++totals_.sent;
  }
}

void SoakClients::drop_and_reconnect(SoakClient& client) {
  // Half leave politely (a Close, not waiting for the answer), half just go.
  if (client.generation % 2 == 0) {
    uint8_t mask[4];
    for (uint8_t& byte : mask) byte = static_cast<uint8_t>(client.random());
    std::string close_frame = encode_masked_frame(Opcode::Close, encode_close_payload(close_code::kNormal, ""), mask);
    ssize_t ignored = send(client.fd, close_frame.data(), close_frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)ignored;
  }
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, client.fd, nullptr);
  close(client.fd);
  client.fd = -1;
  ++client.generation;
  client.next_from.assign(options_.senders, 0);  // joins mid-stream: no sender's start is known
  ++totals_.reconnects;
  start_connect(client);
}

void SoakClients::handle_events(SoakClient& client, uint32_t events) {
  if (client.phase == ClientPhase::Connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(client.fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      fail(client, std::string("connect: ") + std::strerror(error));
      return;
    }
    client.phase = ClientPhase::Upgrading;
  }
  if (events & EPOLLOUT) flush(client);
  if (client.fd >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) read_bytes(client);
}

void SoakClients::read_bytes(SoakClient& client) {
  char chunk[65536];
  for (;;) {
    ssize_t got = recv(client.fd, chunk, sizeof chunk, 0);
    if (got > 0) {
      client.inbound.append(chunk, static_cast<size_t>(got));
      continue;
    }
    if (got == 0) return fail(client, "the server closed the connection");
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return fail(client, std::string("recv: ") + std::strerror(errno));
    break;
  }
  if (client.phase == ClientPhase::Upgrading && !handle_handshake(client)) return;
  // Server frames: unmasked (RFC 6455 section 5.1), lengths in 7, 16 or 64 bits.
  while (client.fd >= 0) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(client.inbound.data() + client.inbound_used);
    size_t available = client.inbound.size() - client.inbound_used;
    if (available < 2) break;
    uint64_t length = bytes[1] & 0x7f;
    size_t header = length == 126 ? 4 : length == 127 ? 10 : 2;
    if (bytes[1] & 0x80) return fail(client, "a masked frame from the server");
    if (available < header) break;
    if (header > 2) {
      length = 0;
      for (size_t i = 2; i < header; ++i) length = (length << 8) | bytes[i];
    }
    if (available - header < length) break;
    client.inbound_used += header + length;
    handle_frame(client, bytes[0] & 0x0f, reinterpret_cast<const char*>(bytes + header), length);
  }
  if (client.inbound_used == client.inbound.size()) {
    client.inbound.clear();
    client.inbound_used = 0;
  } else if (client.inbound_used > 65536) {
    client.inbound.erase(0, client.inbound_used);
    client.inbound_used = 0;
  }
}

bool SoakClients::handle_handshake(SoakClient& client) {
  size_t end = client.inbound.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  std::string_view head(client.inbound.data(), end + 2);
  if (head.compare(0, 13, "HTTP/1.1 101 ") != 0 ||
      head.find("Sec-WebSocket-Accept: " + client.expected_accept + "\r\n") == std::string_view::npos) {
    fail(client, "handshake refused: " + std::string(head.substr(0, head.find('\r'))));
    return false;
  }
  client.inbound_used = end + 4;
  client.phase = ClientPhase::Joining;
  return true;
}

/* ===== Writing, failing ===== */

void SoakClients::send_masked(SoakClient& client, uint8_t opcode, const std::string& payload) {
  uint8_t mask[4];
  for (uint8_t& byte : mask) byte = static_cast<uint8_t>(client.random());
  client.outbound += encode_masked_frame(static_cast<Opcode>(opcode), payload, mask);
  flush(client);
}

void SoakClients::flush(SoakClient& client) {
  if (client.phase == ClientPhase::Connecting) return;  // sent once the connect completes
  while (!client.outbound.empty()) {
    ssize_t sent = send(client.fd, client.outbound.data(), client.outbound.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0) {
      client.outbound.erase(0, static_cast<size_t>(sent));
    } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else if (sent < 0 && errno != EINTR) {
      return fail(client, std::string("send: ") + std::strerror(errno));
    }
  }
  bool want = !client.outbound.empty();
  if (want != client.wants_writable) {
    client.wants_writable = want;
    epoll_event event{EPOLLIN | (want ? EPOLLOUT : 0u), {}};
    event.data.u64 = event_tag(client);
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, client.fd, &event);
  }
}

// The connection ended in a way the client did not choose: count it, and
// when it was in its room, come back as a new client so the run goes on (a
// client that cannot even connect stays down: retrying could loop forever).
void SoakClients::fail(SoakClient& client, const std::string& what) {
  bool connecting = client.phase != ClientPhase::InRoom;
  if (connecting) {
    ++totals_.connect_failures;
    --connecting_;
  } else {
    ++totals_.unexpected_closes;
  }
  problem("client " + std::to_string(client.index) + ": " + what);
  if (client.fd >= 0) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, client.fd, nullptr);
    close(client.fd);
  }
  client.fd = -1;
  client.phase = ClientPhase::Idle;
  ++client.generation;
  client.next_from.assign(options_.senders, 0);
  if (!connecting) start_connect(client);
}

void SoakClients::problem(const std::string& what) {
  if (totals_.first_problem.empty()) totals_.first_problem = what;
}
