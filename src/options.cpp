// options.cpp: parses the command line described by --help.
#include "options.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

const char kUsage[] =
    // excerpt-begin: usage
    "usage: chatd [options]\n"
    "\n"
    "A WebSocket chat server. Open the printed URL in a browser to chat.\n"
    "\n"
    "  --host ADDRESS             address to listen on (default 127.0.0.1;\n"
    "                             0.0.0.0 or :: for every interface)\n"
    "  --port N                   TCP port (default 8080; 0 picks a free one)\n"
    "  --max-connections N        beyond it new clients get HTTP 503 (default 19000,\n"
    "                             capped by the open-file limit; per worker)\n"
    "  --max-message BYTES        largest message accepted, up to 16 MiB;\n"
    "                             larger is closed with 1009 (default 65536)\n"
    "  --max-output BYTES         output a slow client may have pending (its bytes\n"
    "                             plus 48 per queued frame) before it is closed\n"
    "                             with 1008 (default 1048576)\n"
    "  --handshake-timeout SEC    time to complete the HTTP upgrade (default 5)\n"
    "  --idle-timeout SEC         silence before the server pings (default 30)\n"
    "  --pong-timeout SEC         time to answer that ping (default 10)\n"
    "  --close-timeout SEC        time to finish a close handshake (default 2)\n"
    "  --message-timeout SEC      time to finish a message or frame once begun;\n"
    "                             then closed with 1008 (default 10)\n"
    "  --shutdown-grace SEC       time given to clients after SIGINT/SIGTERM (default 2)\n"
    "  --rate N                   chat messages per second per client (default 20)\n"
    "  --burst N                  messages a client may send at once (default 40)\n"
    "  --history N                messages of history kept per room (default 50)\n"
    "  --history-bytes BYTES      most history in one welcome, in whole messages,\n"
    "                             up to 1 MiB and half of --max-output (default\n"
    "                             32768, or half of a smaller --max-output)\n"
    "  --join-rate N              joins per second per client; rooms, stranger and\n"
    "                             next count as joins (default 1)\n"
    "  --join-burst N             joins a client may make at once (default 5)\n"
    "  --presence-threshold N     rooms larger than this get periodic member counts\n"
    "                             instead of joined/left notices (default 100;\n"
    "                             with --redis at most 10000)\n"
    "  --presence-interval SEC    period of those counts (default 5)\n"
    "  --max-connections-per-ip N connections one client address may hold; beyond\n"
    "                             it HTTP 429 (default 64; 0: no limit; IPv6 by /64)\n"
    "  --ip-rate N                chat messages per second per client address, over\n"
    "                             all its connections (default 50)\n"
    "  --ip-burst N               messages an address may send at once (default 100)\n"
    "  --trusted-proxy CIDR       a proxy (repeatable) whose X-Forwarded-For names\n"
    "                             the client; others' X-Forwarded-For is ignored\n"
    "  --metrics-port N           also serve /metrics and /healthz (only those) on\n"
    "                             port N; with --workers, worker K on N+K-1\n"
    "  --metrics-allow CIDR       who may read GET /metrics besides loopback clients\n"
    "                             (repeatable); others get 404. Behind a trusted\n"
    "                             proxy the forwarded client address is judged\n"
    "  --exempt-loopback          no per-address limits for loopback clients (for\n"
    "                             load tests and benchmarks on one machine)\n"
    "  --origin ORIGIN            allow this Origin (repeatable); when given, other\n"
    "                             browser Origins get HTTP 403\n"
    "  --redis URL                share rooms with every chatd node that uses this\n"
    "                             Redis: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]\n"
    "                             (default: none; one process, nothing to install)\n"
    "  --redis-prefix PREFIX      before every Redis key and channel (default chatd:)\n"
    "  --node-name NAME           this node in logs and in Redis (default HOST-PID)\n"
    "  --workers N|auto           start N worker processes on one port (auto: one\n"
    "                             per core), each a node with its own loop and\n"
    "                             open-file limit; more than 1 needs --redis\n"
    "  --log-level LEVEL          error, warn, info or debug (default info)\n"
    "  --help                     show this text\n"
    "  --version                  show the version\n";
    // excerpt-end: usage

constexpr size_t kMaxPresenceThresholdWithRedis = 10000;

bool parse_count(const char* text, size_t* out) {
  char* end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-') return false;
  *out = static_cast<size_t>(value);
  return true;
}

bool parse_seconds(const char* text, int64_t* out_ms) {
  char* end = nullptr;
  double seconds = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(seconds) || seconds <= 0 || seconds > 86400 * 365) return false;
  *out_ms = static_cast<int64_t>(std::llround(seconds * 1000));
  if (*out_ms < 1) *out_ms = 1;
  return true;
}

bool parse_positive(const char* text, double* out) {
  char* end = nullptr;
  double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(value) || value <= 0) return false;
  *out = value;
  return true;
}

bool apply(ServerOptions* o, const std::string& name, const char* value) {
  size_t count = 0;
  if (name == "--host") { o->host = value; return !o->host.empty(); }
  if (name == "--port") {
    if (!parse_count(value, &count) || count > 65535) return false;
    o->port = static_cast<int>(count);
    return true;
  }
  if (name == "--metrics-port") {
    if (!parse_count(value, &count) || count == 0 || count > 65535) return false;
    o->metrics_port = static_cast<int>(count);
    return true;
  }
  if (name == "--max-connections") return parse_count(value, &o->max_connections) && o->max_connections > 0;
  if (name == "--max-message")
    return parse_count(value, &o->max_message_bytes) && o->max_message_bytes > 0 &&
           o->max_message_bytes <= 16 * 1024 * 1024;
  if (name == "--max-output") return parse_count(value, &o->max_output_bytes) && o->max_output_bytes >= 1024;
  if (name == "--handshake-timeout") return parse_seconds(value, &o->handshake_timeout_ms);
  if (name == "--idle-timeout") return parse_seconds(value, &o->idle_timeout_ms);
  if (name == "--pong-timeout") return parse_seconds(value, &o->pong_timeout_ms);
  if (name == "--close-timeout") return parse_seconds(value, &o->close_timeout_ms);
  if (name == "--shutdown-grace") return parse_seconds(value, &o->shutdown_grace_ms);
  if (name == "--message-timeout") return parse_seconds(value, &o->message_timeout_ms);
  if (name == "--max-connections-per-ip") return parse_count(value, &o->max_connections_per_ip);
  if (name == "--ip-rate") return parse_positive(value, &o->ip_rate_per_second);
  if (name == "--ip-burst") return parse_positive(value, &o->ip_burst) && o->ip_burst >= 1;
  if (name == "--trusted-proxy") {
    CidrRange range;
    if (!parse_cidr_range(value, &range)) return false;
    o->trusted_proxies.push_back(range);
    return true;
  }
  if (name == "--metrics-allow") {
    CidrRange range;
    if (!parse_cidr_range(value, &range)) return false;
    o->metrics_allow.push_back(range);
    return true;
  }
  if (name == "--presence-interval") return parse_seconds(value, &o->presence_interval_ms);
  if (name == "--rate") return parse_positive(value, &o->rate_per_second);
  if (name == "--burst") return parse_positive(value, &o->rate_burst) && o->rate_burst >= 1;
  if (name == "--history") return parse_count(value, &o->history_length) && o->history_length <= 10000;
  // A welcome must fit in a client's output limit with room to spare for
  // the member list and the turn's other frames; parse_options checks the
  // half of --max-output once every flag is known. 1 MiB is the default
  // output limit itself: more history than that is no longer a greeting.
  if (name == "--history-bytes") return parse_count(value, &o->history_bytes) && o->history_bytes <= 1024 * 1024;
  if (name == "--join-rate") return parse_positive(value, &o->join_rate_per_second);
  if (name == "--join-burst") return parse_positive(value, &o->join_burst) && o->join_burst >= 1;
  if (name == "--presence-threshold") return parse_count(value, &o->presence_threshold);
  if (name == "--origin") { o->allowed_origins.emplace_back(value); return value[0] != '\0'; }
  if (name == "--log-level") return parse_log_level(value, &o->log_level);
  if (name == "--workers") {
    if (std::strcmp(value, "auto") == 0) {
      long cores = sysconf(_SC_NPROCESSORS_ONLN);
      o->workers = cores > 0 ? static_cast<size_t>(cores) : 1;
      return true;
    }
    return parse_count(value, &o->workers) && o->workers >= 1 && o->workers <= 256;
  }
  if (name == "--redis-prefix") { o->redis_prefix = value; return o->redis_prefix.size() <= 100; }
  if (name == "--node-name") {
    o->node_name = value;
    return !o->node_name.empty() && o->node_name.size() <= 64;
  }
  return false;
}

}  // namespace

ParseOutcome parse_options(int argc, char** argv, ServerOptions* options) {
  bool history_bytes_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "--help" || argument == "-h") {
      std::fputs(kUsage, stdout);
      return ParseOutcome::ExitSuccess;
    }
    if (argument == "--version") {
      std::printf("chatd %s\n", kChatdVersion);
      return ParseOutcome::ExitSuccess;
    }
    if (argument == "--exempt-loopback") {  // the one flag without a value
      options->exempt_loopback = true;
      continue;
    }
    // Both "--port 8080" and "--port=8080".
    std::string name = argument;
    const char* value = nullptr;
    size_t equals = argument.find('=');
    if (argument.compare(0, 2, "--") == 0 && equals != std::string::npos) {
      name = argument.substr(0, equals);
      value = argv[i] + equals + 1;
    } else if (i + 1 < argc) {
      value = argv[++i];
    }
    if (argument.compare(0, 2, "--") != 0 || value == nullptr) {
      std::fprintf(stderr, "chatd: unknown or incomplete option '%s' (try --help)\n", argument.c_str());
      return ParseOutcome::ExitFailure;
    }
    if (name == "--redis") {
      // The URL may hold a password: the error names the problem, never the URL.
      std::string error;
      if (!parse_redis_url(value, &options->redis, &error)) {
        std::fprintf(stderr, "chatd: bad --redis URL: %s (try --help)\n", error.c_str());
        return ParseOutcome::ExitFailure;
      }
      options->use_redis = true;
      continue;
    }
    if (!apply(options, name, value)) {
      std::fprintf(stderr, "chatd: bad value '%s' for %s (try --help)\n", value, name.c_str());
      return ParseOutcome::ExitFailure;
    }
    history_bytes_given |= name == "--history-bytes";
  }
  // Workers without a shared bus would each have rooms of their own: two
  // people in "lobby" on two workers would never see each other.
  if (options->workers > 1 && !options->use_redis) {
    std::fprintf(stderr,
                 "chatd: --workers %zu needs --redis: without it each worker has rooms of its own, and members of "
                 "one room on two workers would not see each other (try --help)\n",
                 options->workers);
    return ParseOutcome::ExitFailure;
  }
  // With Redis, a room's member list is read in one reply (the load script),
  // which the RESP reader bounds (resp_reader.h); a list as long as 10,000
  // members is already more than a welcome should carry.
  if (options->use_redis && options->presence_threshold > kMaxPresenceThresholdWithRedis) {
    std::fprintf(stderr, "chatd: --presence-threshold %zu is more than %zu, the most --redis allows (try --help)\n",
                 options->presence_threshold, kMaxPresenceThresholdWithRedis);
    return ParseOutcome::ExitFailure;
  }
  // A welcome larger than the output limit would drop every newcomer; the
  // default follows a small --max-output down, an explicit value must fit.
  if (options->history_bytes > options->max_output_bytes / 2) {
    if (history_bytes_given) {
      std::fprintf(stderr, "chatd: --history-bytes %zu is more than half of --max-output %zu (try --help)\n",
                   options->history_bytes, options->max_output_bytes);
      return ParseOutcome::ExitFailure;
    }
    options->history_bytes = options->max_output_bytes / 2;
  }
  return ParseOutcome::Run;
}
