// child_process.cpp: see child_process.h.
#include "child_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/clock.h"
#include "harness.h"

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
  return static_cast<bool>(file);
}

std::string tail_of(const std::string& text, size_t bytes) {
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

TemporaryDirectory::TemporaryDirectory() {
  char pattern[] = "/tmp/chatd-test-XXXXXX";
  if (mkdtemp(pattern)) path_ = pattern;
  // nginx's workers run as nobody when the test runs as root, and must
  // reach their temporary files in here.
  if (!path_.empty()) chmod(path_.c_str(), 0755);
}

TemporaryDirectory::~TemporaryDirectory() {
  if (!path_.empty() && std::system(("rm -rf '" + path_ + "'").c_str()) != 0) { /* harmless leftover */ }
}

bool accepts_connections(int port) {
  TestClient probe;
  return probe.connect_tcp(port);
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> children;
  DIR* proc = opendir("/proc");
  if (!proc) return children;
  while (dirent* entry = readdir(proc)) {
    const pid_t candidate = static_cast<pid_t>(std::atoi(entry->d_name));
    if (candidate <= 0) continue;
    const std::string stat = read_text("/proc/" + std::to_string(candidate) + "/stat");
    const size_t name_end = stat.rfind(')');
    int parent = 0;
    if (name_end != std::string::npos && std::sscanf(stat.c_str() + name_end + 1, " %*c %d", &parent) == 1 &&
        parent == pid) {
      children.push_back(candidate);
    }
  }
  closedir(proc);
  return children;
}

ChildProcess::ChildProcess(const std::vector<std::string>& command, const std::vector<std::string>& environment,
                           const std::string& log_path)
    : log_path_(log_path) {
  pid_ = fork();
  if (pid_ != 0) return;
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0) _exit(126);
  int nothing = open("/dev/null", O_RDONLY);
  if (nothing >= 0) dup2(nothing, 0);
  for (const std::string& assignment : environment) putenv(const_cast<char*>(assignment.c_str()));
  std::vector<char*> argv;
  for (const std::string& argument : command) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  _exit(127);
}

bool ChildProcess::wait_until_listening(int port, int timeout_ms) {
  const int64_t deadline = monotonic_ms() + timeout_ms;
  while (pid_ > 0 && monotonic_ms() < deadline) {
    if (accepts_connections(port)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int ChildProcess::stop() {
  if (pid_ <= 0) return -1;
  const std::vector<pid_t> children = children_of(pid_);
  kill(pid_, SIGTERM);
  const int64_t deadline = monotonic_ms() + 3000;
  int status = 0;
  int result = -1;
  for (;;) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      if (WIFEXITED(status)) result = WEXITSTATUS(status);
      break;
    }
    if (monotonic_ms() >= deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      for (pid_t child : children) kill(child, SIGKILL);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  return result;
}
