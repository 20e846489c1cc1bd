// hostile_support.h: what the hostile-client tests (hostile_*_test.cpp,
// issue 6) share besides the chatting group (hostile_group.h): a chatd with
// the group already chatting in its lobby, and small tools for attackers
// (raw frame headers, resets, reading without waiting, /proc waits).
//
// Left out: any attack itself; each test file builds its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness.h"
#include "hostile_group.h"

/* ===== A server under attack ===== */

// A chatd with a ChattingGroup that has been chatting in its lobby for 200 ms.
// The server allows 200 messages/s (burst 200) per client so the group's
// 50/s is never limited; extra_args come after and may override that.
struct ServerUnderAttack {
  explicit ServerUnderAttack(const std::vector<std::string>& extra_args = {});
  bool ready() const { return ready_; }
  int port() const { return server.port(); }

  ChatdProcess server;
  ChattingGroup group;
  int baseline_descriptors = -1;  // the server's descriptors with only the group connected
  long baseline_resident_kib = -1;

 private:
  bool ready_ = false;
};

/* ===== Helpers for attackers ===== */

// Waits until the server's open descriptors come down to expected; returns
// the last count seen (expected on success).
int wait_for_descriptors(const ChatdProcess& server, int expected, int timeout_ms);

// Reads every frame that is available without waiting for more, handing
// each to on_frame if given; returns how many it read. Sets *ended when the
// connection is over (EOF or a Close).
int read_ready_frames(TestClient& client, bool* ended = nullptr,
                      const std::function<void(const ReceivedFrame&)>& on_frame = nullptr);

// How many bytes a reader that never reads can soak up in the kernel before
// the server's own output starts to grow: the most the server's send buffer
// may grow to (tcp_wmem's maximum, 4 MiB by default) plus 2 MiB for the
// reader's receive buffer and what is in flight. A slow-reader test must send
// more than this plus the server's --max-output.
size_t bytes_a_silent_reader_absorbs();

// True when the chatd under test was built with a sanitizer ($CHATD_SANITIZED
// set, or a sanitizer's runtime in the binary). Its memory figures mean
// nothing then (AddressSanitizer keeps freed memory in quarantine), so the
// tests skip their RSS bounds and say so.
bool chatd_is_sanitized();

// Closes the socket with SO_LINGER 0, so the kernel sends a TCP reset.
void reset_connection(TestClient& client);

// Opens n clients on path (each after its handshake; chat clients also
// after their welcome). Returns false if any failed.
bool open_clients(int port, int n, std::vector<std::unique_ptr<TestClient>>* clients,
                  const std::string& path = "/");

// A masked frame header as a client sends it, with the payload length in its
// shortest form; the caller appends payload bytes masked with mask.
std::string masked_frame_header(uint8_t first_byte, uint64_t payload_length, const uint8_t mask[4]);
