// websocketpp_broadcast.cpp: a broadcast server on websocketpp (Debian
// libwebsocketpp-dev, Boost.Asio underneath), a peer for chatd's benchmark
// (tests/bench/run.sh). Every message from any client goes to every
// connected client, the sender included: one lobby, nothing else.
//
// One thread runs the asio loop, as chatd runs one loop. Each send() copies
// the payload into a new outgoing message per recipient: that is websocketpp's
// ordinary broadcast, and part of what the benchmark compares.
//
// Usage: websocketpp_broadcast PORT
// Left out on purpose: TLS, permessage-deflate, logging (it would dominate).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>

#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

namespace {

using WebSocketServer = websocketpp::server<websocketpp::config::asio>;
using Handle = websocketpp::connection_hdl;

class BroadcastServer {
 public:
  explicit BroadcastServer(uint16_t port) {
    server_.clear_access_channels(websocketpp::log::alevel::all);
    server_.clear_error_channels(websocketpp::log::elevel::all);
    server_.init_asio();
    server_.set_reuse_addr(true);
    server_.set_listen_backlog(4096);  // as chatd's listen(fd, 4096)
    server_.set_max_message_size(64 * 1024);
    server_.set_open_handler([this](Handle handle) { clients_.insert(handle); });
    server_.set_close_handler([this](Handle handle) { clients_.erase(handle); });
    server_.set_fail_handler([this](Handle handle) { clients_.erase(handle); });
    server_.set_message_handler([this](Handle, WebSocketServer::message_ptr message) {
      for (const Handle& client : clients_) {
        websocketpp::lib::error_code ignored;  // a client that is going away is skipped
        server_.send(client, message->get_payload(), message->get_opcode(), ignored);
      }
    });
    server_.listen(websocketpp::lib::asio::ip::tcp::endpoint(
        websocketpp::lib::asio::ip::address::from_string("127.0.0.1"), port));
    server_.start_accept();
  }

  void run() { server_.run(); }

 private:
  WebSocketServer server_;
  std::set<Handle, std::owner_less<Handle>> clients_;
};

}  // namespace

int main(int argc, char** argv) {
  int port = argc == 2 ? std::atoi(argv[1]) : 0;
  if (port <= 0 || port > 65535) {
    std::fprintf(stderr, "usage: websocketpp_broadcast PORT\n");
    return 2;
  }
  BroadcastServer server(static_cast<uint16_t>(port));
  std::printf("websocketpp broadcast listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server.run();
  return 0;
}
