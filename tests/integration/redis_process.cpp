// redis_process.cpp: see redis_process.h.
#include "redis_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/clock.h"
#include "harness.h"  // free_loopback_port
#include "redis/resp_writer.h"

namespace {

// True when 127.0.0.1:port answers an inline PING within 200 ms.
bool pong_within_200ms(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address = loopback_address(port);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6) {
    pollfd ready{fd, POLLIN, 0};
    char reply[16] = {};
    // +PONG, or -NOAUTH from a Redis started with --requirepass: either
    // way it is up and answering.
    const std::string answer(reply, poll(&ready, 1, 200) == 1 ? std::max<ssize_t>(0, recv(fd, reply, sizeof reply - 1, 0)) : 0);
    ok = answer.rfind("+PONG\r\n", 0) == 0 || answer.rfind("-NOAUTH", 0) == 0;
  }
  ::close(fd);
  return ok;
}

}  // namespace

std::string redis_server_binary() {
  const char* given = std::getenv("REDIS_SERVER");
  if (given && *given) return access(given, X_OK) == 0 ? given : "";
  const char* path = std::getenv("PATH");
  std::stringstream folders(path ? path : "/usr/bin:/bin");
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    std::string candidate = (folder.empty() ? "." : folder) + "/redis-server";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

RedisProcess::RedisProcess(const std::vector<std::string>& extra_args) : extra_args_(extra_args) {
  char pattern[] = "/tmp/chatd-redis-XXXXXX";
  if (!mkdtemp(pattern)) return;
  directory_ = pattern;
  // Another process could take the free port before redis-server binds it;
  // launch() then fails, and the next attempt takes another port.
  for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) {
    port_ = free_loopback_port();
    if (port_ > 0) launch();
  }
}

RedisProcess::~RedisProcess() {
  if (pid_ > 0) {
    thaw();  // a stopped process cannot act on SIGTERM; SIGKILL works either way
    stop(SIGKILL, 2000);
  }
  if (!directory_.empty()) {
    std::string remove = "rm -rf '" + directory_ + "'";
    if (std::system(remove.c_str()) != 0) { /* a leftover temporary directory is harmless */ }
  }
}

bool RedisProcess::launch() {
  const std::string binary = redis_server_binary();
  if (binary.empty()) return false;
  std::vector<std::string> args = {binary, "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no", "--dir", directory_,
                                   "--logfile", directory_ + "/redis.log", "--daemonize", "no"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_ = fork();
  if (pid_ == 0) {
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  if (pid_ < 0) return false;
  const int64_t deadline = monotonic_ms() + 5000;
  while (monotonic_ms() < deadline) {
    if (pong_within_200ms(port_)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) break;  // exited: the port was taken, say
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (pid_ > 0) stop(SIGKILL, 2000);
  pid_ = -1;
  return false;
}

std::string RedisProcess::log_tail() const {
  std::ifstream log(directory_ + "/redis.log");
  std::stringstream text;
  text << log.rdbuf();
  std::string all = text.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

bool RedisProcess::answers_ping() const { return port_ > 0 && pong_within_200ms(port_); }

bool RedisProcess::query(const std::vector<std::string>& arguments, RespValue* reply, int timeout_ms) const {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address = loopback_address(port_);
  std::string request;
  append_command(request, arguments);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    RespReader reader;
    const int64_t deadline = monotonic_ms() + timeout_ms;
    char buffer[4096];
    while (!ok && monotonic_ms() < deadline) {
      pollfd ready{fd, POLLIN, 0};
      if (poll(&ready, 1, static_cast<int>(std::max<int64_t>(1, deadline - monotonic_ms()))) != 1) break;
      ssize_t received = recv(fd, buffer, sizeof buffer, 0);
      if (received <= 0) break;
      RespReader::Status status = RespReader::Status::NeedMore;
      reader.parse(buffer, static_cast<size_t>(received), &status);
      if (status == RespReader::Status::Error) break;
      if (status == RespReader::Status::Reply) {
        *reply = reader.take_reply();
        ok = true;
      }
    }
  }
  ::close(fd);
  return ok;
}

bool RedisProcess::stop(int signal_number, int timeout_ms) {
  if (pid_ <= 0) return true;
  kill(pid_, signal_number);
  const int64_t deadline = monotonic_ms() + timeout_ms;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) != pid_) {
    if (monotonic_ms() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  return true;
}

void RedisProcess::freeze() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void RedisProcess::thaw() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

bool RedisProcess::start_again() {
  if (pid_ > 0) return false;
  return launch();
}
