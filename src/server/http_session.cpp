// http_session.cpp: see http_session.h.
#include "server/http_session.h"

#include <sys/socket.h>

#include <cstdio>

#include "base/log.h"
#include "http/http_responses.h"
#include "http/http_target.h"

namespace {

// RFC 9110 15.5.6: a 405 lists the methods the resource does support.
constexpr std::string_view kAllowGetAndHead = "Allow: GET, HEAD\r\n";

}  // namespace

extern const char kDemoPage[];
extern const unsigned long kDemoPage_size;

HttpSession::HttpSession(const ServerOptions& options, Connections& connections, SplitHeads& split_heads,
                         AddressAdmission& admission, InboundQueue& inbound, WebSocketSession& websocket)
    : options_(options),
      origins_(options.allowed_origins),
      connections_(connections),
      split_heads_(split_heads),
      admission_(admission),
      inbound_(inbound),
      websocket_(websocket) {
  std::string page = http_ok_response("text/html; charset=utf-8", std::string_view(kDemoPage, kDemoPage_size));
  std::string health = http_ok_response("text/plain; charset=utf-8", "ok\n");
  page_response_ = FrameRef(SharedFrame::raw(page));
  page_head_response_ = FrameRef(SharedFrame::raw(http_response_head(page)));
  health_response_ = FrameRef(SharedFrame::raw(health));
  health_head_response_ = FrameRef(SharedFrame::raw(http_response_head(health)));
}

// A head that arrives whole is parsed by the scratch parser; one that does
// not gets a parser of its own, which starts again from the first byte: a
// few microseconds, once, for slow clients (split_heads.h says why).
void HttpSession::handle_bytes(Connection* connection, char* data, size_t length) {
  HttpRequestParser* parser = &scratch_parser_;
  if (connection->has_split_head) {
    parser = split_heads_.parser(connection);
  } else {
    scratch_parser_.reset();
  }
  size_t consumed = parser->feed(data, length);
  switch (parser->status()) {
    case HttpParseStatus::NeedMore:
      if (parser == &scratch_parser_) {
        auto own = std::make_unique<HttpRequestParser>();
        own->feed(data, length);
        split_heads_.keep(connection, std::move(own));
      }
      return;
    case HttpParseStatus::Error:
      log_refusal(connection, parser->error_status(), "bad request", parser->error_reason(), nullptr, {});
      connections_.respond_and_finish(connection, http_error_response(parser->error_status(), parser->error_reason()));
      return;
    case HttpParseStatus::Complete: {
      // Behind a trusted proxy, the client is named by the request itself.
      IpAddress client;
      if (!admission_.admit_forwarded_client(connection, parser->request(), connections_.now_ms(), &client)) {
        refuse_over_address_limit(connection, client);
        return;
      }
      handle_request(connection, parser->request(), data + consumed, length - consumed);
      return;
    }
  }
}

void HttpSession::refuse_over_address_limit(Connection* connection, const IpAddress& client) {
  char why[96];
  std::snprintf(why, sizeof why, "%s already has --max-connections-per-ip %zu", client.to_string().c_str(),
                options_.max_connections_per_ip);
  log_refusal(connection, 429, "refused", why, nullptr, {});
  connections_.respond_and_finish(connection, http_error_response(429, "too many connections from your address",
                                                                  "Retry-After: 10\r\n"));
}

void HttpSession::answer(Connection* connection, bool head_only, const std::string& response) {
  connections_.respond_and_finish(connection, head_only ? http_response_head(response) : std::string_view(response));
}

void HttpSession::handle_request(Connection* connection, const HttpRequest& request, char* rest,
                                 size_t rest_length) {
  // RFC 9110 9.3.2: HEAD gets the head of what GET would get. Refusals of a
  // HEAD request lose their body too: its client reads none after the head.
  const bool head_only = request.method == "HEAD";
  // RFC 9112 3.2: every request, not only an upgrade, needs one valid Host.
  if (const char* problem = host_header_problem(request)) {
    log_refusal(connection, 400, "bad request", problem, "Host", request.header("Host"));
    answer(connection, head_only, http_error_response(400, problem));
    return;
  }
  RequestTarget target = parse_request_target(request.target);
  if (target.form == TargetForm::Invalid) {
    log_refusal(connection, 400, "bad request", target.problem, "target", request.target);
    answer(connection, head_only, http_error_response(400, target.problem));
    return;
  }
  const bool get_or_head = request.method == "GET" || head_only;
  if (target.form == TargetForm::Asterisk || target.form == TargetForm::Authority) {
    // "*" belongs to OPTIONS and "host:port" to CONNECT (RFC 9112 3.2.3 and
    // 3.2.4): neither names a resource that GET could fetch.
    answer(connection, head_only,
           get_or_head ? http_error_response(400, "GET and HEAD need a path as request target")
                       : http_error_response(405, "only GET and HEAD are supported", kAllowGetAndHead));
    return;
  }
  // Origin form or absolute form; both are routed by their path alone. The
  // metrics port serves the two monitoring paths and nothing else.
  if (connection->on_metrics_port && target.path != "/metrics" && target.path != "/healthz") {
    answer(connection, head_only, http_error_response(404, "this port serves /metrics and /healthz only"));
    return;
  }
  if (is_upgrade_request(request)) {
    route_upgrade(connection, request, target.path, rest, rest_length);
  } else if (!get_or_head) {
    answer(connection, head_only, http_error_response(405, "only GET and HEAD are supported", kAllowGetAndHead));
  } else {
    route_plain(connection, request, head_only, target.path);
  }
}

void HttpSession::route_upgrade(Connection* connection, const HttpRequest& request, std::string_view path,
                                char* rest, size_t rest_length) {
  const bool head_only = request.method == "HEAD";
  Endpoint endpoint = path == "/" ? Endpoint::Chat : path == "/echo" ? Endpoint::Echo : Endpoint::None;
  if (endpoint == Endpoint::None) {
    answer(connection, head_only, http_error_response(404, "no WebSocket endpoint here; use / or /echo"));
    return;
  }
  HandshakeResult result = validate_websocket_upgrade(request, origins_);
  if (result.status != 101) {
    log_refusal(connection, result.status, "upgrade refused", result.reason, result.header, result.header_value);
    answer(connection, head_only, result.response);
    return;
  }
  // excerpt-begin: bus-not-ready
  // With --redis, a chat client's id must carry this node's number (ids are
  // unique across nodes by it): until Redis has given the node one, and for
  // a connection accepted before that, the upgrade is refused for now.
  if (endpoint == Endpoint::Chat && bus_ != nullptr &&
      (bus_->node_number() == 0 || (connection->id >> 32) != bus_->node_number())) {
    answer(connection, head_only,
           http_error_response(503, "the chat is not ready yet (" + bus_->down_reason() + "); try again shortly\n",
                               "Retry-After: 2\r\n"));
    return;
  }
  // excerpt-end: bus-not-ready
  upgrade(connection, endpoint, result.response);
  // A client may send its first frames right behind the request head.
  if (rest_length > 0 && connection->phase == ConnectionPhase::Open) {
    websocket_.handle_bytes(connection, rest, rest_length);
  }
}

void HttpSession::route_plain(Connection* connection, const HttpRequest& request, bool head_only,
                              std::string_view path) {
  if (path == "/") {
    connections_.respond_and_finish(connection, head_only ? page_head_response_ : page_response_);
  } else if (path == "/healthz") {
    if (bus_ != nullptr && !bus_->up()) {
      answer(connection, head_only, http_error_response(503, "bus down: " + bus_->down_reason() + "\n",
                                                        "Retry-After: 5\r\n"));
      return;
    }
    connections_.respond_and_finish(connection, head_only ? health_head_response_ : health_response_);
  } else if (path == "/metrics" && metrics_source_ && may_read_metrics(connection, request)) {
    std::string body;
    metrics_source_(&body);
    answer(connection, head_only, http_ok_response("text/plain; version=0.0.4; charset=utf-8", body));
  } else if (path == "/echo") {
    answer(connection, head_only, http_upgrade_required_response("this endpoint needs a WebSocket upgrade"));
  } else {
    answer(connection, head_only, http_error_response(404, "not found"));
  }
}

// excerpt-begin: may_read_metrics
bool HttpSession::may_read_metrics(const Connection* connection, const HttpRequest& request) const {
  sockaddr_storage peer{};
  socklen_t peer_length = sizeof peer;
  if (getpeername(connection->fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) return false;
  IpAddress client = IpAddress::from_socket_address(peer);
  if (in_any_range(options_.trusted_proxies, client)) {
    client = forwarded_client(request, client, options_.trusted_proxies).address;
  }
  return client.is_loopback() || in_any_range(options_.metrics_allow, client);
}
// excerpt-end: may_read_metrics

void HttpSession::upgrade(Connection* connection, Endpoint endpoint, const std::string& response) {
  split_heads_.drop(connection);  // the parser's buffers are not needed any more
  connection->output.push(FrameRef(SharedFrame::raw(response)));
  connections_.mark_for_flush(connection);
  connections_.set_phase(connection, ConnectionPhase::Open);
  ++connections_.metrics().http_responses[101];
  connection->endpoint = endpoint;
  connections_.timers().idle.schedule(connection, connections_.now_ms());
  LOG_DEBUG("conn %llu: WebSocket open on %s", static_cast<unsigned long long>(connection->id),
            endpoint == Endpoint::Chat ? "/" : "/echo");
  // The chat hears of the client in turn with the other clients' events of
  // this turn (inbound_queue.h explains the one road).
  if (endpoint == Endpoint::Chat) inbound_.push_connect(connection);
}

// One info line per refused request, within the fault budget (a scanner
// or a misconfigured proxy can send thousands): the status, why, and the
// header at fault as it arrived, made safe for a log line (log_safe):
//   conn 7 203.0.113.9: upgrade refused: 403 Origin not allowed (Origin: https://evil.example)
void HttpSession::log_refusal(Connection* connection, int status, const char* what, const char* reason,
                              const char* header, std::string_view value) {
  if (!log_enabled(LogLevel::Info)) return;
  uint64_t skipped = 0;
  if (!connections_.fault_log_budget().allow(connections_.now_ms(), &skipped)) return;
  std::string culprit;
  if (header != nullptr) culprit = std::string(" (") + header + ": " + log_safe(value) + ")";
  char more[64] = "";
  if (skipped > 0) std::snprintf(more, sizeof more, " [%llu similar lines left out]", static_cast<unsigned long long>(skipped));
  LOG_INFO("%s: %s: %d %s%s%s", connections_.describe(connection).c_str(), what, status, reason, culprit.c_str(),
           more);
}
