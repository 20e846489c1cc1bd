// split_heads.h: the HTTP parsers of request heads that arrive over more
// than one read.
//
// Most request heads arrive whole in one read, and are parsed by one scratch
// parser shared by every connection (http_session.cpp), so a connection
// carries no parser at all: an HttpRequestParser is 2.7 KB plus its buffer,
// and with a thousand handshakes in flight per-connection parsers left 250
// bytes of heap per connection fragmented after the storm. Only a head split
// across reads gets a parser of its own, kept here by connection, so that
// the common case does not pay even a pointer per connection for it.
#pragma once

#include <memory>
#include <unordered_map>

#include "http/http_request.h"
#include "server/connection.h"

class SplitHeads {
 public:
  // The connection's own parser; only for a connection with has_split_head.
  HttpRequestParser* parser(const Connection* connection) { return parsers_[connection].get(); }
  // Gives the connection a parser of its own.
  void keep(Connection* connection, std::unique_ptr<HttpRequestParser> parser) {
    parsers_[connection] = std::move(parser);
    connection->has_split_head = true;
  }
  // Frees the connection's parser, if it has one: its request has been
  // answered, or the connection is closing.
  void drop(Connection* connection) {
    if (!connection->has_split_head) return;
    parsers_.erase(connection);
    connection->has_split_head = false;
  }

 private:
  std::unordered_map<const Connection*, std::unique_ptr<HttpRequestParser>> parsers_;
};
