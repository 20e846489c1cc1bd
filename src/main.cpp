// main.cpp: chatd's entry point: parse the command line, take the socket
// systemd passed if it did (server/socket_activation.h), start the worker
// processes if asked (supervisor.h; each worker comes back here), install
// signal handlers, listen, print where to connect, and run the loop.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "base/log.h"
#include "loop/poller.h"
#include "options.h"
#include "server/server.h"
#include "server/socket_activation.h"
#include "supervisor.h"

namespace {

void on_stop_signal(int) { Server::request_shutdown_from_signal(); }

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // A write to a socket the peer has closed must be an EPIPE error for that
  // one connection, not a signal that kills the whole server.
  signal(SIGPIPE, SIG_IGN);
}

}  // namespace

int main(int argc, char** argv) {
  ServerOptions options;
  switch (parse_options(argc, argv, &options)) {
    case ParseOutcome::ExitSuccess: return 0;
    case ParseOutcome::ExitFailure: return 2;
    case ParseOutcome::Run: break;
  }
  set_log_level(options.log_level);
  set_log_format(options.log_format);
  // Before the workers start: the environment names this process, and the
  // workers inherit the descriptor across fork (no exec), so they share it.
  std::string activation_error;
  options.listen_fd = take_activated_socket(&activation_error);
  if (!activation_error.empty()) {
    std::fprintf(stderr, "chatd: %s\n", activation_error.c_str());
    return 1;
  }
  if (options.workers > 0) {
    bool is_worker = false;
    int status = run_supervisor(&options, &is_worker);
    if (!is_worker) return status;
    set_log_prefix(("w" + std::to_string(options.worker_index)).c_str());
  }
  install_signal_handlers();

  // The server holds a 64 KiB read buffer and the connection table: keep it
  // off the stack.
  auto server = std::make_unique<Server>(options);
  std::string error;
  if (!server->listen(&error)) {
    std::fprintf(stderr, "chatd: %s\n", error.c_str());
    return 1;
  }
  if (options.worker_index == 0) {
    std::printf("chatd listening on %s (open it in a browser)\n", server->url().c_str());
    std::fflush(stdout);
  } else {
    // The supervisor prints the line once every worker says it listens.
    LOG_INFO("listening on port %d", server->port());
    Server::tell_supervisor_ready(options.ready_fd);
  }
  LOG_INFO("poller %s, up to %zu connections", Poller::backend_name(), server->max_connections());
  return server->run();
}
