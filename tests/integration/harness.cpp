// harness.cpp: see harness.h.
#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>

#include "base/clock.h"
#include "http/base64.h"
#include "http/handshake.h"
#include "websocket/frame_writer.h"

std::string chatd_binary() {
  const char* path = std::getenv("CHATD_BIN");
  return path && *path ? path : "./chatd";
}

ChatdProcess::ChatdProcess(const std::vector<std::string>& extra_args, LoopbackLimits limits,
                           const std::string& log_path) {
  int out[2];
  if (pipe(out) != 0) return;
  std::string binary = chatd_binary();
  std::vector<std::string> args = {binary, "--host", "127.0.0.1", "--port", "0", "--log-level", "warn"};
  if (limits == LoopbackLimits::Exempt) args.push_back("--exempt-loopback");
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    if (!log_path.empty()) {
      int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (log < 0 || dup2(log, 2) < 0) _exit(126);
    }
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  ::close(out[1]);
  // Read the "chatd listening on http://127.0.0.1:PORT" line.
  std::string line;
  int64_t deadline = monotonic_ms() + 5000;
  while (line.find('\n') == std::string::npos && monotonic_ms() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char chunk[256];
    ssize_t got = read(out[0], chunk, sizeof chunk);
    if (got <= 0) break;
    line.append(chunk, static_cast<size_t>(got));
  }
  ::close(out[0]);
  size_t colon = line.rfind(':', line.find(" (open"));
  if (line.find("listening on http://") != std::string::npos && colon != std::string::npos) {
    port_ = std::atoi(line.c_str() + colon + 1);
  }
}

ChatdProcess::~ChatdProcess() {
  if (pid_ > 0) stop(SIGKILL, 2000);
}

int ChatdProcess::stop(int signal_number, int timeout_ms) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal_number);
  int64_t deadline = monotonic_ms() + timeout_ms;
  int status = 0;
  for (;;) {
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (monotonic_ms() >= deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int ChatdProcess::open_descriptors() const {
  std::string path = "/proc/" + std::to_string(pid_) + "/fd";
  DIR* directory = opendir(path.c_str());
  if (!directory) return -1;
  int count = 0;
  while (dirent* entry = readdir(directory)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(directory);
  return count;
}

namespace {

// A "Name: value kB" line of /proc/PID/status, in KiB, or -1.
long proc_status_kib(pid_t pid, const std::string& name) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string word;
  while (status >> word) {
    if (word == name) {
      long kib = -1;
      status >> kib;
      return kib;
    }
  }
  return -1;
}

}  // namespace

long ChatdProcess::resident_kib() const { return proc_status_kib(pid_, "VmRSS:"); }

long ChatdProcess::peak_resident_kib() const { return proc_status_kib(pid_, "VmHWM:"); }

long ChatdProcess::cpu_ticks() const {
  FILE* stat = std::fopen(("/proc/" + std::to_string(pid_) + "/stat").c_str(), "r");
  if (stat == nullptr) return -1;
  char text[1024];
  size_t length = std::fread(text, 1, sizeof text - 1, stat);
  std::fclose(stat);
  text[length] = '\0';
  // Fields 14 and 15 (utime, stime) follow the command name's closing ')'.
  const char* rest = std::strrchr(text, ')');
  long utime = 0, stime = 0;
  if (rest == nullptr || std::sscanf(rest + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime, &stime) != 2) {
    return -1;
  }
  return utime + stime;
}

uint16_t ReceivedFrame::close_code() const {
  if (payload.size() < 2) return close_code::kNoStatus;
  return static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) | static_cast<uint8_t>(payload[1]));
}

TestClient::~TestClient() { close_socket(); }

void TestClient::close_socket() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TestClient::connect_tcp(int port) {
  close_socket();
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return false;
  if (small_receive_buffer_) {
    int size = 4096;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  sockaddr_in address = loopback_address(port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return false;
  int yes = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  return true;
}

bool TestClient::open(int port, const std::string& path, const std::string& extra_headers) {
  if (!connect_tcp(port)) return false;
  static std::mt19937 random(12345);
  std::string key_bytes(16, '\0');
  for (char& byte : key_bytes) byte = static_cast<char>(random());
  std::string key = base64_encode(key_bytes);
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + "\r\n" +
                        extra_headers + "\r\n";
  if (!send_raw(request)) return false;
  int64_t deadline = monotonic_ms() + 3000;
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(static_cast<int>(deadline - monotonic_ms()))) return false;
  }
  std::string head = buffer_.substr(0, end + 4);
  buffer_.erase(0, end + 4);
  return status_of(head) == 101 &&
         head.find("Sec-WebSocket-Accept: " + websocket_accept_key(key) + "\r\n") != std::string::npos;
}

bool TestClient::send_raw(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

std::string TestClient::read_http_response(int timeout_ms) {
  int64_t deadline = monotonic_ms() + timeout_ms;
  while (monotonic_ms() < deadline && fill(static_cast<int>(deadline - monotonic_ms()))) {
  }
  std::string all;
  all.swap(buffer_);
  return all;
}

int TestClient::status_of(const std::string& response) {
  if (response.compare(0, 9, "HTTP/1.1 ") != 0) return 0;
  return std::atoi(response.c_str() + 9);
}

bool TestClient::send_frame(Opcode opcode, std::string_view payload, bool fin, uint8_t rsv) {
  static std::mt19937 random(777);
  uint8_t mask[4];
  for (uint8_t& byte : mask) byte = static_cast<uint8_t>(random());
  return send_raw(encode_masked_frame(opcode, payload, mask, fin, rsv));
}

bool TestClient::fill(int timeout_ms) {
  if (fd_ < 0 || timeout_ms <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  char chunk[65536];
  ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
  if (got <= 0) return false;
  buffer_.append(chunk, static_cast<size_t>(got));
  return true;
}

bool TestClient::read_frame(ReceivedFrame* frame, int timeout_ms) {
  int64_t deadline = monotonic_ms() + timeout_ms;
  for (;;) {
    // Server frames are unmasked (RFC 6455 section 5.1).
    if (buffer_.size() >= 2) {
      auto byte = [this](size_t i) { return static_cast<uint8_t>(buffer_[i]); };
      uint64_t length = byte(1) & 0x7F;
      size_t header = 2;
      if (length == 126 && buffer_.size() >= 4) {
        length = (static_cast<uint64_t>(byte(2)) << 8) | byte(3);
        header = 4;
      } else if (length == 127 && buffer_.size() >= 10) {
        length = 0;
        for (int i = 2; i < 10; ++i) length = (length << 8) | byte(i);
        header = 10;
      }
      bool header_complete = (byte(1) & 0x7F) < 126 || header > 2;
      if (header_complete && buffer_.size() >= header + length) {
        frame->opcode = static_cast<Opcode>(byte(0) & 0x0F);
        frame->fin = (byte(0) & 0x80) != 0;
        frame->payload = buffer_.substr(header, length);
        buffer_.erase(0, header + length);
        return true;
      }
    }
    if (!fill(static_cast<int>(deadline - monotonic_ms()))) return false;
  }
}

bool TestClient::read_json(JsonValue* value, int timeout_ms) {
  int64_t deadline = monotonic_ms() + timeout_ms;
  ReceivedFrame frame;
  while (read_frame(&frame, static_cast<int>(deadline - monotonic_ms()))) {
    if (frame.opcode == Opcode::Ping) {
      send_frame(Opcode::Pong, frame.payload);
      continue;
    }
    if (frame.opcode != Opcode::Text) return false;
    std::string error;
    return parse_json(frame.payload, value, &error);
  }
  return false;
}

bool TestClient::read_until_type(std::string_view type, JsonValue* value, int timeout_ms) {
  int64_t deadline = monotonic_ms() + timeout_ms;
  while (read_json(value, static_cast<int>(deadline - monotonic_ms()))) {
    const std::string* found = value->find_string("type");
    if (found && *found == type) return true;
  }
  return false;
}

uint16_t TestClient::read_close_code(int timeout_ms) {
  int64_t deadline = monotonic_ms() + timeout_ms;
  ReceivedFrame frame;
  while (read_frame(&frame, static_cast<int>(deadline - monotonic_ms()))) {
    if (frame.opcode == Opcode::Close) return frame.close_code();
  }
  return 0;
}

bool TestClient::wait_for_eof(int timeout_ms) {
  int64_t deadline = monotonic_ms() + timeout_ms;
  while (fd_ >= 0 && monotonic_ms() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(deadline - monotonic_ms())) <= 0) continue;
    char chunk[4096];
    ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) return true;
  }
  return false;
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

sockaddr_in loopback_address(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool loopback_port_can_be_bound(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address = loopback_address(port);
  bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address = loopback_address(0);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}
