// server.h: the chatd server: one thread, one loop (loop/event_loop.h).
//
// Server wires the parts of src/server/ together, registers one handler per
// kind of descriptor, and runs the loop. Each turn:
//   1. the loop waits in the poller until a socket is ready or the next
//      timer is due, then reads the clock (Connections::set_now);
//   2. the listener accepts every pending client (Listener, AddressAdmission);
//   3. every readable client is read (read_client), through its HTTP parser
//      (HttpSession) or its WebSocket message reader (WebSocketSession),
//      until a read does not fill the 64 KiB buffer (the socket is empty),
//      256 KiB have been read this turn, or its output or its share of the
//      inbound queue is full; its events go into the inbound queue;
//   4. the queue is processed in order (InboundQueue, deliver): the chat
//      layer turns messages into room events, each encoded once;
//   5. expired timers run (handshake, idle ping, pong, close, message);
//   6. flush: each connection with pending output gets one writev()
//      (Connections::flush, which also drops slow consumers);
//   7. the connections closed during the turn are freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "bus/redis_room_bus.h"
#include "chat/chat.h"
#include "loop/event_loop.h"
#include "loop/wake_pipe.h"
#include "server/address_admission.h"
#include "server/connections.h"
#include "server/http_session.h"
#include "server/inbound_queue.h"
#include "server/listener.h"
#include "server/server_options.h"
#include "server/split_heads.h"
#include "server/websocket_session.h"

class Server : private ChatTransport {
 public:
  explicit Server(const ServerOptions& options);
  ~Server() override;

  // Opens the listening socket and the wake pipe. On failure returns false
  // with *error set.
  bool listen(std::string* error);
  int port() const { return listener_.port(); }
  int metrics_port() const { return metrics_listener_.port(); }
  // The connection limit in force: --max-connections capped by the open-file limit.
  size_t max_connections() const { return max_connections_; }
  // The URL to print, e.g. "http://127.0.0.1:8080".
  std::string url() const;
  // Runs until a shutdown request has been served; returns the exit status.
  int run();
  // Async-signal-safe: asks the loop to shut down (called from SIGINT/SIGTERM).
  static void request_shutdown_from_signal() { WakePipe::notify_from_signal(); }
  // A worker: writes the byte the supervisor waits for, and closes ready_fd.
  static void tell_supervisor_ready(int ready_fd);

 private:
  // The handlers this server registers with loop_, one per kind of
  // descriptor; a new kind (a Redis socket, a metrics listener) is one more
  // of these and one more EventLoop::add, not an edit of the loop.
  class ListenerHandler final : public EventHandler {
   public:
    explicit ListenerHandler(Server& server) : server_(server) {}
    void on_readable(int fd, void* context) override;
    void on_writable(int, void*) override {}

   private:
    Server& server_;
  };
  // The --metrics-port listener: its clients may ask for /metrics and
  // /healthz only (HttpSession), so an operator can scrape each worker.
  class MetricsListenerHandler final : public EventHandler {
   public:
    explicit MetricsListenerHandler(Server& server) : server_(server) {}
    void on_readable(int fd, void* context) override;
    void on_writable(int, void*) override {}

   private:
    Server& server_;
  };
  // A worker's end of the supervisor's pipe: readable (end of file) only
  // when the supervisor is gone, and then the worker shuts down too.
  class SupervisorHandler final : public EventHandler {
   public:
    explicit SupervisorHandler(Server& server) : server_(server) {}
    void on_readable(int fd, void* context) override;
    void on_writable(int, void*) override {}

   private:
    Server& server_;
  };
  class WakeHandler final : public EventHandler {
   public:
    explicit WakeHandler(Server& server) : server_(server) {}
    void on_readable(int fd, void* context) override;
    void on_writable(int, void*) override {}

   private:
    Server& server_;
  };
  // One object for every client: the loop hands back the Connection as the
  // context, so a connection carries no handler pointer of its own.
  class ClientHandler final : public EventHandler {
   public:
    explicit ClientHandler(Server& server) : server_(server) {}
    void on_readable(int fd, void* context) override;
    void on_writable(int fd, void* context) override;

   private:
    Server& server_;
  };

  // Accepts every pending client of listener, or answers 503 over the
  // connection limit.
  void accept_clients(Listener& listener, bool metrics_port);
  // Reads what a client sent, within this turn's budget for it.
  void read_client(Connection* connection);
  // Hands one inbound event to the chat layer, the echo, or the closing path.
  void deliver(const InboundEvent& event, int64_t now_wall_ms);
  // The phase that runs every timer whose time has come.
  void run_timers();
  void log_summary();
  // How long the poller may sleep: until the earliest timer, -1 for ever.
  int wait_timeout_ms() const;
  // SIGINT or SIGTERM: stop accepting, send every client 1001.
  void begin_shutdown();
  // The room bus: LocalRoomBus, or with --redis a RedisRoomBus.
  std::unique_ptr<RoomBus> make_bus();
  // With --redis: the node has its number, which new clients' ids carry.
  void on_node_number(uint32_t node);
  // ChatTransport: the chat layer's frames go to the connection's output.
  void send(ChatClient& client, const FrameRef& frame) override {
    ++connections_.metrics().messages_delivered;
    connections_.queue_frame(static_cast<Connection*>(&client), frame.get());
  }
  void count_broadcast(size_t recipients) override {
    ServerMetrics& metrics = connections_.metrics();
    ++metrics.broadcasts;
    metrics.broadcast_recipients.observe(static_cast<double>(recipients));
  }
  // GET /metrics's body: the counters, and the gauges read now.
  void write_metrics_text(std::string* out);

  // Declared in the order they are built: each part gets references to the
  // parts above it.
  ServerOptions options_;
  EventLoop loop_;
  ListenerHandler listener_handler_{*this};
  MetricsListenerHandler metrics_listener_handler_{*this};
  WakeHandler wake_handler_{*this};
  SupervisorHandler supervisor_handler_{*this};
  ClientHandler client_handler_{*this};
  RedisRoomBus* redis_bus_ = nullptr;  // set by make_bus() when there is one
  std::unique_ptr<RoomBus> bus_;
  Chat chat_;
  SplitHeads split_heads_;
  AddressAdmission admission_;
  Connections connections_;
  InboundQueue inbound_;
  WebSocketSession websocket_;
  HttpSession http_;
  Listener listener_;
  Listener metrics_listener_;  // with --metrics-port
  WakePipe wake_pipe_;
  size_t max_connections_ = 0;
  bool shutting_down_ = false;
  int64_t turn_started_us_ = 0;     // when the loop last woke up
  double start_time_seconds_ = 0;   // wall clock, for process_start_time_seconds
  // --log-summary: when the next summary line is due, and the counters as
  // the last one saw them.
  int64_t next_summary_ms_ = -1;
  std::unique_ptr<ServerMetrics> summary_baseline_;
  LogBudget limit_log_budget_{1};  // "connection limit reached": once a second
  int64_t shutdown_deadline_ms_ = 0;

  static constexpr size_t kReadBufferBytes = 64 * 1024;
  char read_buffer_[kReadBufferBytes];
};
