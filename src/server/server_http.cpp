// server_http.cpp: what the server does with bytes before the WebSocket
// upgrade: feed the HTTP parser, check Host and the request target (RFC
// 9112 section 3.2), route the request (RFC 9110), answer plain requests,
// HEAD included (RFC 9110 9.3.2), and perform the upgrade (RFC 6455 4.2).
//
// chatd serves exactly one request per HTTP connection (every response says
// Connection: close). The demo page and /healthz are tiny, so keep-alive
// would buy nothing but code.
#include <cstring>

#include "base/log.h"
#include "http/http_target.h"
#include "server/server.h"

namespace {

// RFC 9110 15.5.6: a 405 lists the methods the resource does support.
constexpr std::string_view kAllowGetAndHead = "Allow: GET, HEAD\r\n";

}  // namespace

// Most request heads arrive whole in one read. Those are parsed by the
// server's one scratch parser, so a connection allocates no parser at all
// (an HttpRequestParser is 2.7 KB plus its buffer; with a thousand handshakes
// in flight that was 250 bytes of heap per connection left fragmented after
// the storm). Only a head split across reads gets a parser of its own, which
// starts again from the first byte: a few microseconds, once, for slow clients.
// That parser lives in split_heads_, keyed by connection, so that the common
// case does not pay even a pointer per connection for it.
void Server::handle_http_bytes(Connection* connection, char* data, size_t length) {
  HttpRequestParser* parser = &scratch_http_;
  if (connection->has_split_head) {
    parser = split_heads_[connection].get();
  } else {
    scratch_http_.reset();
  }
  size_t consumed = parser->feed(data, length);
  switch (parser->status()) {
    case HttpParseStatus::NeedMore:
      if (parser == &scratch_http_) {
        auto own = std::make_unique<HttpRequestParser>();
        own->feed(data, length);
        split_heads_[connection] = std::move(own);
        connection->has_split_head = true;
      }
      return;
    case HttpParseStatus::Error:
      LOG_INFO("conn %llu: bad request: %d %s", static_cast<unsigned long long>(connection->id),
               parser->error_status(), parser->error_reason());
      respond_and_finish(connection, http_error_response(parser->error_status(), parser->error_reason()));
      return;
    case HttpParseStatus::Complete:
      // Behind a trusted proxy, the client is named by the request itself.
      if (!admit_forwarded_client(connection, parser->request())) return;
      handle_request(connection, parser->request(), data + consumed, length - consumed);
      return;
  }
}

void Server::handle_request(Connection* connection, const HttpRequest& request, char* rest, size_t rest_length) {
  // RFC 9110 9.3.2: HEAD gets the head of what GET would get. Refusals of a
  // HEAD request lose their body too: its client reads none after the head.
  const bool head_only = request.method == "HEAD";
  auto answer = [&](const std::string& response) {
    respond_and_finish(connection, head_only ? http_response_head(response) : std::string_view(response));
  };

  // RFC 9112 3.2: every request, not only an upgrade, needs one valid Host.
  if (const char* problem = host_header_problem(request)) {
    LOG_INFO("conn %llu: bad request: 400 %s", static_cast<unsigned long long>(connection->id), problem);
    answer(http_error_response(400, problem));
    return;
  }
  RequestTarget target = parse_request_target(request.target);
  if (target.form == TargetForm::Invalid) {
    LOG_INFO("conn %llu: bad request: 400 %s", static_cast<unsigned long long>(connection->id), target.problem);
    answer(http_error_response(400, target.problem));
    return;
  }
  const bool get_or_head = request.method == "GET" || head_only;
  if (target.form == TargetForm::Asterisk || target.form == TargetForm::Authority) {
    // "*" belongs to OPTIONS and "host:port" to CONNECT (RFC 9112 3.2.3 and
    // 3.2.4): neither names a resource that GET could fetch.
    if (get_or_head) {
      answer(http_error_response(400, "GET and HEAD need a path as request target"));
    } else {
      answer(http_error_response(405, "only GET and HEAD are supported", kAllowGetAndHead));
    }
    return;
  }
  // Origin form or absolute form; both are routed by their path alone.
  std::string_view path = target.path;

  if (is_upgrade_request(request)) {
    Endpoint endpoint = path == "/" ? Endpoint::Chat : path == "/echo" ? Endpoint::Echo : Endpoint::None;
    if (endpoint == Endpoint::None) {
      answer(http_error_response(404, "no WebSocket endpoint here; use / or /echo"));
      return;
    }
    HandshakeResult result = validate_websocket_upgrade(request, origins_);
    if (result.status != 101) {
      LOG_INFO("conn %llu: upgrade refused with %d", static_cast<unsigned long long>(connection->id), result.status);
      answer(result.response);
      return;
    }
    upgrade(connection, endpoint, result.response);
    // A client may send its first frames right behind the request head.
    if (rest_length > 0 && connection->phase == ConnectionPhase::Open) {
      handle_websocket_bytes(connection, rest, rest_length);
    }
    return;
  }

  if (!get_or_head) {
    answer(http_error_response(405, "only GET and HEAD are supported", kAllowGetAndHead));
  } else if (path == "/") {
    respond_and_finish(connection, head_only ? page_head_response_ : page_response_);
  } else if (path == "/healthz") {
    respond_and_finish(connection, head_only ? health_head_response_ : health_response_);
  } else if (path == "/echo") {
    answer(http_upgrade_required_response("this endpoint needs a WebSocket upgrade"));
  } else {
    answer(http_error_response(404, "not found"));
  }
}

void Server::respond_and_finish(Connection* connection, std::string_view response) {
  respond_and_finish(connection, FrameRef(SharedFrame::raw(response)));
}

// A split head's own parser, once its request has been answered.
void Server::drop_split_head(Connection* connection) {
  if (!connection->has_split_head) return;
  split_heads_.erase(connection);
  connection->has_split_head = false;
}

void Server::respond_and_finish(Connection* connection, const FrameRef& response) {
  drop_split_head(connection);
  connection->output.push(response);
  mark_for_flush(connection);
  finish(connection);
}

void Server::upgrade(Connection* connection, Endpoint endpoint, const std::string& response) {
  drop_split_head(connection);  // the parser's buffers are not needed any more
  connection->output.push(FrameRef(SharedFrame::raw(response)));
  mark_for_flush(connection);
  connection->phase = ConnectionPhase::Open;
  connection->endpoint = endpoint;
  idle_timers_.schedule(connection, now_ms_);
  LOG_DEBUG("conn %llu: WebSocket open on %s", static_cast<unsigned long long>(connection->id),
            endpoint == Endpoint::Chat ? "/" : "/echo");
  // The chat hears of the client in turn with the other clients' events of
  // this turn (Server::queue_end explains the one road).
  if (endpoint == Endpoint::Chat) {
    inbound_.push_back(InboundMessage{connection, 0, 0, Opcode::Text, InboundKind::Connect, 0, ""});
    ++connection->queued_messages;
  }
}
