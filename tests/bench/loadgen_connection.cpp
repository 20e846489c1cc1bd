// loadgen_connection.cpp: one worker's connections at the byte level: the
// client's opening handshake (RFC 6455 4.1) with the Accept key checked,
// server frames in (5.2), masked frames out (5.3), a Pong for every Ping
// (5.5.3) and a Close echoed back (5.5.1).
//
// Each connection binds to one of several loopback source addresses before
// connecting. A TCP connection is named by its four addresses and ports, and
// one source address towards one server port has only the ~28,000 ephemeral
// ports; IP_BIND_ADDRESS_NO_PORT lets the kernel choose the port at connect
// time, per destination, rather than at bind time.
//
// Deliberately left out: reconnecting. A connection that fails or is closed
// is counted and stays closed, so its missing messages show in the result.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "http/base64.h"
#include "http/handshake.h"
#include "loadgen_worker.h"
#include "websocket/frame_writer.h"

namespace loadgen {

/* ===== Connect phase ===== */

// Starts handshakes until `concurrency_` are in progress. Opening all
// 10,000 at once would overflow the server's listen backlog, and each SYN
// dropped there costs a one-second retransmission.
void Worker::open_more() {
  // A connection that fails at once calls back in here; the outer call goes on.
  if (opening_) return;
  opening_ = true;
  while (handshakes_in_progress_ < concurrency_ && next_to_open_ < connections_.size()) {
    open_connection(connections_[next_to_open_++]);
  }
  opening_ = false;
}

void Worker::open_connection(Connection& c) {
  ++handshakes_in_progress_;
  c.stage = Stage::Connecting;
  c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) return fail_handshake(c, std::strerror(errno));
  int one = 1;
  setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl(0x7F000000u + static_cast<uint32_t>(options_.first_source_address +
                                                                      c.id % options_.source_addresses));
  if (bind(c.fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
    return fail_handshake(c, std::strerror(errno));
  }
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<uint16_t>(port_for_connection(options_, c.id)));
  inet_pton(AF_INET, options_.host.c_str(), &server.sin_addr);
  if (connect(c.fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0 && errno != EINPROGRESS) {
    return fail_handshake(c, std::strerror(errno));
  }
  epoll_event event{};
  event.events = EPOLLOUT;
  event.data.u64 = static_cast<uint64_t>(&c - connections_.data());
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &event);
}

// The TCP connection is up (or failed): send the upgrade request.
void Worker::on_connected(Connection& c) {
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) return fail_handshake(c, std::strerror(error));
  uint8_t key[16];
  for (size_t i = 0; i < sizeof key; i += 4) {
    uint32_t word = random32();
    std::memcpy(key + i, &word, 4);
  }
  std::string key_text = base64_encode(key, sizeof key);
  c.expected_accept = websocket_accept_key(key_text);
  c.stage = Stage::Handshaking;
  c.output = build_handshake_request(options_.host, port_for_connection(options_, c.id), options_.path, key_text);
  flush(c);
}

void Worker::on_handshake_done(Connection& c, uint64_t now) {
  c.stage = Stage::Open;
  std::string().swap(c.expected_accept);
  if (options_.room_size > 0) {
    // Connected once in its room: on_text finishes this. The join waits for
    // the lobby's welcome: with --redis, a join sent while the lobby's name
    // claim is still out is refused as busy.
    c.joining = true;
    return;
  }
  finish_connecting(c, now);
}

void Worker::finish_connecting(Connection&, uint64_t now) {
  ++report_.connected;
  report_.connect_end_us = now;
  --handshakes_in_progress_;
  open_more();
}

void Worker::fail_handshake(Connection& c, const char* reason) {
  if (failures_logged_++ < 3) std::fprintf(stderr, "loadgen: connection %u failed: %s\n", c.id, reason);
  ++report_.failed;
  --handshakes_in_progress_;
  c.joining = false;
  if (c.fd >= 0) close(c.fd);
  c.fd = -1;
  c.stage = Stage::Closed;
  if (phase_ == Phase::Connecting) open_more();
}

/* ===== Bytes in ===== */

void Worker::on_event(Connection& c, uint32_t events) {
  if (c.stage == Stage::Connecting) return on_connected(c);
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_from(c);
  if ((events & EPOLLOUT) && c.stage != Stage::Closed) flush(c);
}

void Worker::read_from(Connection& c) {
  for (int round = 0; round < 4 && c.stage != Stage::Closed; ++round) {
    ssize_t got = read(c.fd, read_buffer_.data(), read_buffer_.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return;
    if (got <= 0) {
      if (c.stage == Stage::Handshaking || c.joining) {
        return fail_handshake(c, got == 0 ? "closed during handshake" : std::strerror(errno));
      }
      ++report_.disconnected;
      return drop(c);
    }
    consume(c, read_buffer_.data(), static_cast<size_t>(got), monotonic_us());
    if (static_cast<size_t>(got) < read_buffer_.size()) return;
  }
}

// Parses the response head and then frames out of what arrived, with the
// bytes left over from the previous read in front. Frames are handled where
// they lie in the read buffer; only an incomplete tail is copied.
void Worker::consume(Connection& c, const char* data, size_t size, uint64_t now) {
  std::string_view bytes(data, size);
  if (!c.input.empty()) bytes = c.input.append(data, size);
  size_t used = 0;
  if (c.stage == Stage::Handshaking) {
    size_t head_end = bytes.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
      if (bytes.size() > kMaxResponseHead) return fail_handshake(c, "response head too long");
      if (c.input.empty()) c.input.assign(bytes);
      return;
    }
    used = head_end + 4;
    if (const char* problem = check_handshake_response(bytes.substr(0, used), c.expected_accept)) {
      return fail_handshake(c, problem);
    }
    on_handshake_done(c, now);
  }
  while (used < bytes.size()) {
    ServerFrame frame;
    long span = parse_server_frame(bytes.substr(used), &frame);
    if (span == 0) break;
    if (span < 0) {
      std::fprintf(stderr, "loadgen: connection %u: invalid frame from the server\n", c.id);
      ++report_.disconnected;
      return drop(c);
    }
    // Handling a frame may send (a pong, the next message) and a failed send
    // drops the connection, which frees c.input under `bytes`.
    if (!handle_frame(c, frame, now) || c.stage == Stage::Closed) return;
    used += static_cast<size_t>(span);
  }
  if (c.input.empty()) {
    c.input.assign(bytes.substr(used));
  } else {
    c.input.erase(0, used);
  }
}

// Returns false when the connection is gone.
bool Worker::handle_frame(Connection& c, const ServerFrame& frame, uint64_t now) {
  switch (frame.opcode) {
    case 0x1:  // text
      if (frame.fin) {
        on_text(c, frame.payload, now);
      } else {
        c.fragments.assign(frame.payload);
      }
      return true;
    case 0x0:  // continuation
      c.fragments.append(frame.payload);
      if (frame.fin) {
        on_text(c, c.fragments, now);
        std::string().swap(c.fragments);
      }
      return true;
    case 0x9:  // ping (5.5.2): answer with the same payload (5.5.3)
      ++report_.pings;
      send_frame(c, Opcode::Pong, frame.payload);
      return c.stage != Stage::Closed;
    case 0xA:
    case 0x2:
      return true;
    case 0x8: {  // close: echo the code (5.5.1), then hang up
      uint16_t code = frame.payload.size() >= 2 ? static_cast<uint16_t>(
                                                      (static_cast<uint8_t>(frame.payload[0]) << 8) |
                                                      static_cast<uint8_t>(frame.payload[1]))
                                                : 1005;
      if (report_.closed_by_server++ < 3) {
        std::fprintf(stderr, "loadgen: server closed connection %u with code %u\n", c.id, code);
      }
      send_frame(c, Opcode::Close, frame.payload.substr(0, frame.payload.size() >= 2 ? 2 : 0));
      drop(c);
      return false;
    }
    default:
      ++report_.disconnected;
      drop(c);
      return false;
  }
}

void Worker::on_text(Connection& c, std::string_view payload, uint64_t now) {
  LoadMark mark;
  if (find_load_mark(payload, &mark)) return on_delivery(c, mark, now);
  std::string_view type = chat_message_type(payload);
  if (c.joining) {
    // The lobby's welcome comes first, and the join answers it; the room's
    // welcome ends the join. An error refusing it fails the connection.
    if (type == "welcome" && payload.find("\"room\":\"scale-") != std::string_view::npos) {
      c.joining = false;
      return finish_connecting(c, now);
    }
    if (type == "welcome") {
      return send_frame(c, Opcode::Text,
                        "{\"type\":\"join\",\"room\":\"scale-" + std::to_string(room_of(options_, c.id)) + "\"}");
    }
    if (type == "error") {
      std::fprintf(stderr, "loadgen: connection %u: join refused: %.*s\n", c.id, static_cast<int>(payload.size()),
                   payload.data());
      return fail_handshake(c, "join refused");
    }
    return;
  }
  if (type == "paired" && !c.paired) {
    c.paired = true;
    ++report_.paired;
  } else if (type == "error" && report_.errors_received++ < 3) {
    std::fprintf(stderr, "loadgen: connection %u got %.*s\n", c.id, static_cast<int>(payload.size()), payload.data());
  }
}

void Worker::on_delivery(Connection& c, const LoadMark& mark, uint64_t now) {
  ++report_.delivered;
  if (phase_ == Phase::Running) ++report_.delivered_in_window;
  last_delivery_us_ = now;
  report_.latency.record(now > mark.send_us ? now - mark.send_us : 0);
  SenderTrack* track = nullptr;
  for (SenderTrack& candidate : c.tracks) {
    if (candidate.sender == mark.sender) track = &candidate;
  }
  if (track == nullptr) {
    c.tracks.push_back({mark.sender, 0});
    track = &c.tracks.back();
  }
  if (mark.sequence < track->next_sequence) {
    ++report_.duplicates;
  } else {
    report_.gaps += mark.sequence - track->next_sequence;
    track->next_sequence = mark.sequence + 1;
    ++distinct_deliveries_;
  }
  // Closed loop: the sender's own copy coming back frees a slot in its window.
  if (mark.sender == c.id && options_.pattern == SendPattern::ClosedLoop) {
    if (c.in_flight > 0) --c.in_flight;
    while (phase_ == Phase::Running && c.in_flight < options_.window && c.stage == Stage::Open) {
      send_load_message(c, now);
    }
  }
}

/* ===== Bytes out ===== */

void Worker::send_load_message(Connection& c, uint64_t now) {
  std::string text = format_load_text(c.id, c.next_sequence++, now, options_.message_bytes);
  ++c.in_flight;
  ++report_.sent;
  if (!options_.json_say) return send_frame(c, Opcode::Text, text);
  // The text holds only digits, letters and spaces, so it needs no escaping.
  send_frame(c, Opcode::Text, "{\"type\":\"say\",\"text\":\"" + text + "\"}");
}

void Worker::send_frame(Connection& c, Opcode opcode, std::string_view payload) {
  uint32_t mask_word = random32();
  uint8_t mask[4];
  std::memcpy(mask, &mask_word, 4);
  c.output.append(encode_masked_frame(opcode, payload, mask));
  flush(c);
}

void Worker::flush(Connection& c) {
  bool was_waiting = false;
  while (!c.output.empty()) {
    ssize_t sent = send(c.fd, c.output.data(), c.output.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && errno == EAGAIN) {
      was_waiting = true;
      break;
    }
    if (sent < 0) {
      if (c.stage == Stage::Handshaking) return fail_handshake(c, std::strerror(errno));
      ++report_.disconnected;
      return drop(c);
    }
    c.output.erase(0, static_cast<size_t>(sent));
  }
  watch(c, was_waiting);
}

void Worker::watch(Connection& c, bool writable) {
  epoll_event event{};
  event.events = writable ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
  event.data.u64 = static_cast<uint64_t>(&c - connections_.data());
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &event);
}

void Worker::drop(Connection& c) {
  if (c.joining) {
    // Lost before its room's welcome: a failed connection, not a dropped one.
    c.joining = false;
    ++report_.failed;
    --handshakes_in_progress_;
  }
  if (c.fd >= 0) close(c.fd);
  c.fd = -1;
  c.stage = Stage::Closed;
  std::string().swap(c.output);
  std::string().swap(c.input);
}

}  // namespace loadgen
