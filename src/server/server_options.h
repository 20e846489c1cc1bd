// server_options.h: everything the server can be told: every limit and
// timeout it enforces, with its default. The command line that fills it in
// is src/options.cpp, one layer up; the server only reads the result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/log.h"
#include "redis/redis_url.h"
#include "server/client_address.h"

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  // The listening socket systemd passed (socket_activation.h), or -1: then
  // host and port are not bound, and every --workers worker shares it.
  int listen_fd = -1;
  size_t max_connections = 19000;       // further capped by the open-file limit
  bool max_connections_given = false;   // set on the command line: warn if capped
  size_t max_message_bytes = 64 * 1024;  // 1009 beyond it
  size_t max_output_bytes = 1024 * 1024; // per client; 1008 beyond it
  int64_t handshake_timeout_ms = 5000;
  int64_t idle_timeout_ms = 30000;       // then a ping; under the 60 s idle cut of common proxies
  int64_t pong_timeout_ms = 10000;       // then the client is dropped
  int64_t close_timeout_ms = 2000;       // to finish a close handshake
  int64_t message_timeout_ms = 10000;    // to finish a message (or frame) once begun; then 1008
  int64_t shutdown_grace_ms = 2000;      // after SIGINT/SIGTERM
  double rate_per_second = 20;           // chat messages per client
  double rate_burst = 40;
  size_t history_length = 50;
  // Bounds on what one small request can make the server send or do.
  size_t history_bytes = 32 * 1024;      // history in one welcome; at most half of max_output_bytes
  double join_rate_per_second = 1;       // join, rooms, stranger and next, per client
  double join_burst = 5;
  size_t presence_threshold = 100;
  int64_t presence_interval_ms = 5000;
  // Per client address (address_limits.h), however many connections it uses.
  size_t max_connections_per_ip = 64;    // beyond it HTTP 429; 0: no limit
  double ip_rate_per_second = 50;        // chat messages per address
  double ip_burst = 100;
  bool exempt_loopback = false;          // no per-address limits for loopback clients
  // Proxies whose X-Forwarded-For names the client (client_address.h).
  std::vector<CidrRange> trusted_proxies;
  // Who may read GET /metrics besides loopback clients; others get 404.
  std::vector<CidrRange> metrics_allow;
  // A port of its own for /metrics and /healthz (0: none); worker N of
  // --workers listens on metrics_port + N - 1, so each can be scraped.
  int metrics_port = 0;
  std::vector<std::string> allowed_origins;  // empty: any Origin
  LogLevel log_level = LogLevel::Info;
  LogFormat log_format = LogFormat::Text;
  int64_t log_summary_ms = 60000;  // period of the info summary line; 0: none
  // Rooms shared with other nodes through Redis (src/bus/); off by default.
  bool use_redis = false;
  RedisUrl redis;
  std::string redis_prefix = "chatd:";
  std::string node_name;  // empty: HOST-PID
  // Worker processes (src/supervisor.h): how many the supervisor starts (0:
  // none, this process serves); in a worker, its number (1..N, 0 in a
  // process that is not one) and the descriptors the supervisor gave it.
  size_t workers = 0;
  int worker_index = 0;
  int supervisor_fd = -1;  // read end of a pipe: EOF when the supervisor is gone
  int ready_fd = -1;       // write end: one byte once the worker listens
};
