// harness.h: what the integration tests use to drive a real chatd process:
// ChatdProcess starts the binary on an ephemeral loopback port, and
// TestClient is a raw-socket WebSocket client (our own handshake and
// framing, masked as RFC 6455 requires of clients) with blocking, bounded
// reads. Every wait has a timeout, so a broken server fails a test instead
// of hanging it.
#pragma once

#include <netinet/in.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "json/json.h"
#include "websocket/websocket.h"

// The binary under test: $CHATD_BIN, or ./chatd.
std::string chatd_binary();

// Every test client connects from loopback, so per-address limits
// (--max-connections-per-ip, --ip-rate) would count all of them as one
// client. Tests run chatd with --exempt-loopback unless they are about those
// limits.
enum class LoopbackLimits { Exempt, Enforced };

class ChatdProcess {
 public:
  // Starts chatd with --host 127.0.0.1 --port 0 (and --exempt-loopback,
  // unless limits is Enforced) plus extra_args, and waits (up to 5 s) for
  // its "listening on" line. With a log_path, chatd's log (its stderr) goes
  // to that file instead of the test's stderr.
  explicit ChatdProcess(const std::vector<std::string>& extra_args = {},
                        LoopbackLimits limits = LoopbackLimits::Exempt, const std::string& log_path = "");
  ~ChatdProcess();
  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends signal and waits up to timeout_ms for the exit; returns the exit
  // status (as from waitpid's WEXITSTATUS) or -1 if it did not exit normally.
  int stop(int signal_number, int timeout_ms);
  // Number of open descriptors of the process (Linux /proc), or -1.
  int open_descriptors() const;
  // Resident memory in KiB (Linux /proc), or -1.
  long resident_kib() const;
  // The most resident memory the process has had so far (VmHWM), in KiB, or -1.
  long peak_resident_kib() const;
  // User plus system CPU time so far, in clock ticks (1/100 s on Linux), or -1.
  long cpu_ticks() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

struct ReceivedFrame {
  Opcode opcode = Opcode::Text;
  bool fin = true;
  std::string payload;
  uint16_t close_code() const;  // for Close frames; 1005 when empty
};

class TestClient {
 public:
  TestClient() = default;
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // TCP connect to 127.0.0.1:port.
  bool connect_tcp(int port);
  // Connect and perform a WebSocket handshake on path; true on 101 with the
  // right Sec-WebSocket-Accept.
  bool open(int port, const std::string& path = "/", const std::string& extra_headers = "");
  // Sends raw bytes.
  bool send_raw(std::string_view bytes);
  // Reads an HTTP response head and body until the server closes (or timeout);
  // returns everything read.
  std::string read_http_response(int timeout_ms = 3000);
  // The status code of an HTTP response text, or 0.
  static int status_of(const std::string& response);

  bool send_frame(Opcode opcode, std::string_view payload, bool fin = true, uint8_t rsv = 0);
  bool send_text(std::string_view text) { return send_frame(Opcode::Text, text); }
  bool send_json(std::string_view json) { return send_text(json); }

  // Next frame of any kind; false on timeout or EOF.
  bool read_frame(ReceivedFrame* frame, int timeout_ms = 3000);
  // Next text message parsed as JSON, answering pings on the way; false on
  // timeout, EOF, Close or non-JSON.
  bool read_json(JsonValue* value, int timeout_ms = 3000);
  // Reads JSON messages until one has "type" == type (others are skipped).
  bool read_until_type(std::string_view type, JsonValue* value, int timeout_ms = 3000);
  // Reads frames until a Close arrives; returns its code, or 0 on timeout/EOF.
  uint16_t read_close_code(int timeout_ms = 3000);
  // True once the server has closed the TCP connection (EOF or reset).
  bool wait_for_eof(int timeout_ms = 3000);

  int fd() const { return fd_; }
  void close_socket();
  // Sets SO_RCVBUF small, for slow-reader tests (call before connect).
  void set_small_receive_buffer() { small_receive_buffer_ = true; }

 private:
  bool fill(int timeout_ms);  // reads more bytes into buffer_
  int fd_ = -1;
  bool small_receive_buffer_ = false;
  std::string buffer_;
};

// A unique string per call, for room names that never collide between tests.
std::string unique_name(const std::string& prefix);

// A loopback port the kernel just gave out and took back, or 0. Another
// process could take it before the caller binds it, so a caller retries.
int free_loopback_port();
// 127.0.0.1:port as a socket address, for the tests' own connect and bind.
sockaddr_in loopback_address(int port);
// Whether 127.0.0.1:port can be bound right now, with SO_REUSEADDR as chatd
// binds its listeners (a port some client socket holds cannot).
bool loopback_port_can_be_bound(int port);
