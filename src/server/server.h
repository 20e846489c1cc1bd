// server.h: the chatd server: one thread, one loop.
//
// Each turn of the loop (Server::run):
//   1. wait in the poller until a socket is ready or the next timer is due;
//   2. accept every pending connection;
//   3. read every readable client, through its HTTP parser or WebSocket
//      message reader, until a read does not fill the 64 KiB buffer (the
//      socket is empty), 256 KiB have been read this turn, or its output or
//      its share of the queue is full; complete chat messages go into a queue;
//   4. process the queue: the chat layer turns messages into broadcasts,
//      encoding each broadcast once;
//   5. run expired timers (handshake, idle ping, pong, close);
//   6. flush: each connection with pending output gets one writev();
//   7. free the connections closed during the turn.
// The code for those steps is split over server.cpp (loop, sockets,
// flushing), server_timers.cpp (timers and shutdown), server_http.cpp (the
// request before the upgrade) and server_websocket.cpp (WebSocket events,
// closing).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chat/chat.h"
#include "http/handshake.h"
#include "http/http_responses.h"
#include "loop/deadline_list.h"
#include "loop/event_loop.h"
#include "server/address_limits.h"
#include "server/connection.h"
#include "server/server_options.h"
#include "websocket/shared_frame.h"

class Server : private ChatTransport {
 public:
  explicit Server(const ServerOptions& options);
  ~Server() override;

  // Creates the listening socket. On failure returns false with *error set.
  bool listen(std::string* error);
  int port() const { return port_; }
  // The connection limit in force: --max-connections capped by the open-file limit.
  size_t max_connections() const { return max_connections_; }
  // The URL to print, e.g. "http://127.0.0.1:8080".
  std::string url() const;
  // Runs until a shutdown request has been served; returns the exit status.
  int run();
  // Async-signal-safe: asks the loop to shut down (called from SIGINT/SIGTERM).
  static void request_shutdown_from_signal();

 private:
  // One entry of the turn's inbound queue, the one road of every client
  // event: a chat client's arrival, a message, or a client's end (see
  // queue_end in server_websocket.cpp).
  enum class InboundKind : uint8_t { Connect, Message, Close, Disconnect };
  struct InboundMessage {
    Connection* connection;
    uint32_t offset;  // into inbound_bytes_ (Message)
    uint32_t length;
    Opcode opcode;
    InboundKind kind;
    uint16_t close_code;  // Close: the code to send
    const char* reason;   // Close and Disconnect: why (a string literal)
  };

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

  // server.cpp: loop, sockets, flushing.
  void accept_clients();
  void read_client(Connection* connection);
  void flush_output();
  void mark_for_flush(Connection* connection);
  void destroy(Connection* connection, const char* why);
  void free_closed_connections();

  // server_addresses.cpp: per-address limits, and clients behind proxies.
  bool admit_peer(Connection* connection, const IpAddress& peer);
  bool admit_forwarded_client(Connection* connection, const HttpRequest& request);
  void refuse_over_address_limit(Connection* connection, const IpAddress& client);
  void release_address(Connection* connection);

  // server_timers.cpp: timers and shutdown.
  int wait_timeout_ms() const;
  void run_timers();
  void begin_shutdown();

  // server_http.cpp: the request head and the upgrade.
  void handle_http_bytes(Connection* connection, char* data, size_t length);
  void handle_request(Connection* connection, const HttpRequest& request, char* rest, size_t rest_length);
  void respond_and_finish(Connection* connection, const FrameRef& response);
  void respond_and_finish(Connection* connection, std::string_view response);
  void drop_split_head(Connection* connection);
  void upgrade(Connection* connection, Endpoint endpoint, const std::string& response);

  // server_websocket.cpp: frames, messages, closing.
  void handle_websocket_bytes(Connection* connection, char* data, size_t length);
  void handle_event(Connection* connection, const WsEvent& event);
  void restart_timer_after_read(Connection* connection, bool completed_message);
  void accept_message(Connection* connection, const WsEvent& event);
  void process_inbound();
  void deliver(const InboundMessage& message, int64_t now_wall_ms);
  void queue_end(Connection* connection, InboundKind kind, uint16_t code, const char* reason);
  void fail_connection(Connection* connection, uint16_t code, const char* reason);
  void queue_frame(Connection* connection, SharedFrame* frame);
  void queue_pong(Connection* connection, std::string_view payload);
  void send_close(Connection* connection, uint16_t code, std::string_view reason, bool wait_for_reply);
  void finish(Connection* connection);
  void leave_chat(Connection* connection, LeaveReason reason);
  void send(ChatClient& client, const FrameRef& frame) override;  // ChatTransport

  ServerOptions options_;
  OriginPolicy origins_;
  // The poller, the table from descriptor to handler (the connections by
  // file descriptor) and the interest masks; see loop/event_loop.h.
  EventLoop loop_;
  ListenerHandler listener_handler_{*this};
  WakeHandler wake_handler_{*this};
  ClientHandler client_handler_{*this};
  Chat chat_;
  int listen_fd_ = -1;
  int port_ = 0;
  int64_t now_ms_ = 0;  // monotonic time at the start of the turn
  uint64_t next_connection_id_ = 1;
  size_t connection_count_ = 0;
  size_t max_connections_ = 0;
  int spare_fd_ = -1;  // released to accept-and-close when out of descriptors
  bool shutting_down_ = false;
  int64_t shutdown_deadline_ms_ = 0;

  std::vector<Connection*> flush_list_;
  struct Casualty {
    Connection* connection;
    bool write_failed;  // else: over --max-output after the write
  };
  std::vector<Casualty> flush_casualties_;  // closed after the flush loop
  std::vector<Connection*> closed_this_turn_;
  std::vector<InboundMessage> inbound_;
  std::string inbound_bytes_;  // payloads of inbound_, reused every turn

  DeadlineList handshake_timers_;
  DeadlineList idle_timers_;
  DeadlineList pong_timers_;
  DeadlineList closing_timers_;
  DeadlineList message_timers_;  // a message or frame begun and not finished
  AddressLimits address_limits_;

  HttpRequestParser scratch_http_;  // parses heads that arrive in one read
  // The parsers of heads split across reads (see server_http.cpp).
  std::unordered_map<const Connection*, std::unique_ptr<HttpRequestParser>> split_heads_;
  // Built once at start-up; the *_head_ ones are the same responses without
  // their body, for HEAD (RFC 9110 9.3.2).
  FrameRef page_response_;
  FrameRef page_head_response_;
  FrameRef health_response_;
  FrameRef health_head_response_;
  FrameRef ping_frame_;
  // A client stops being read for the turn once this many of its messages
  // wait in the inbound queue: a flood of tiny messages (an empty echo is 6
  // bytes in, 2 out plus a queue entry) cannot queue more than this plus
  // one read's worth before the output cap is checked.
  static constexpr uint16_t kMaxQueuedMessagesPerTurn = 1024;
  static constexpr size_t kKeptInboundEntries = 16 * 1024;
  static constexpr uint16_t kMaxPingsWhilePongUnsent = 64;
  static constexpr size_t kReadBufferBytes = 64 * 1024;
  char read_buffer_[kReadBufferBytes];
};
