// hostile_support.cpp: see hostile_support.h.
#include "hostile_support.h"

#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "base/clock.h"

/* ===== ServerUnderAttack ===== */

namespace {

std::vector<std::string> with_group_rate(const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {"--rate", "200", "--burst", "200"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return args;
}

}  // namespace

ServerUnderAttack::ServerUnderAttack(const std::vector<std::string>& extra_args)
    : server(with_group_rate(extra_args)) {
  if (!server.started() || !group.start(server.port())) return;
  // Let the room get busy first, so the attack lands on a chat in progress.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  baseline_descriptors = server.open_descriptors();
  baseline_resident_kib = server.resident_kib();
  ready_ = baseline_descriptors > 0;
}

/* ===== Helpers for attackers ===== */

int wait_for_descriptors(const ChatdProcess& server, int expected, int timeout_ms) {
  int64_t deadline = monotonic_ms() + timeout_ms;
  int count = server.open_descriptors();
  while (count != expected && monotonic_ms() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    count = server.open_descriptors();
  }
  return count;
}

int read_ready_frames(TestClient& client, bool* ended, const std::function<void(const ReceivedFrame&)>& on_frame) {
  int count = 0;
  ReceivedFrame frame;
  for (;;) {
    pollfd p{client.fd(), POLLIN, 0};
    bool readable = client.fd() >= 0 && poll(&p, 1, 0) > 0;
    if (!client.read_frame(&frame, readable ? 1 : 0)) {
      char byte;
      if (ended && readable && recv(client.fd(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0) *ended = true;
      return count;
    }
    ++count;
    if (on_frame) on_frame(frame);
    if (frame.opcode == Opcode::Close && ended) *ended = true;
  }
}

size_t bytes_a_silent_reader_absorbs() {
  std::ifstream tcp_wmem("/proc/sys/net/ipv4/tcp_wmem");
  size_t minimum = 0, initial = 0, maximum = 0;
  if (!(tcp_wmem >> minimum >> initial >> maximum)) maximum = 4 << 20;
  return maximum + (2 << 20);
}

bool chatd_is_sanitized() {
  static const bool sanitized = [] {
    const char* declared = std::getenv("CHATD_SANITIZED");  // set by `make asan`
    if (declared && *declared && std::string(declared) != "0") return true;
    std::ifstream binary(chatd_binary(), std::ios::binary);
    std::string contents((std::istreambuf_iterator<char>(binary)), std::istreambuf_iterator<char>());
    for (const char* marker : {"__asan_init", "__tsan_init", "__msan_init"}) {
      if (contents.find(marker) != std::string::npos) return true;
    }
    return false;
  }();
  return sanitized;
}

void reset_connection(TestClient& client) {
  linger no_linger{1, 0};
  setsockopt(client.fd(), SOL_SOCKET, SO_LINGER, &no_linger, sizeof no_linger);
  client.close_socket();
}

bool open_clients(int port, int n, std::vector<std::unique_ptr<TestClient>>* clients, const std::string& path) {
  JsonValue welcome;
  for (int i = 0; i < n; ++i) {
    auto client = std::make_unique<TestClient>();
    if (!client->open(port, path)) return false;
    if (path == "/" && !client->read_until_type("welcome", &welcome)) return false;
    clients->push_back(std::move(client));
  }
  return true;
}

std::string masked_frame_header(uint8_t first_byte, uint64_t payload_length, const uint8_t mask[4]) {
  std::string header(1, static_cast<char>(first_byte));
  if (payload_length < 126) {
    header += static_cast<char>(0x80 | payload_length);
  } else if (payload_length <= 0xFFFF) {
    header += static_cast<char>(0x80 | 126);
    for (int shift = 8; shift >= 0; shift -= 8) header += static_cast<char>(payload_length >> shift);
  } else {
    header += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) header += static_cast<char>(payload_length >> shift);
  }
  header.append(reinterpret_cast<const char*>(mask), 4);
  return header;
}
