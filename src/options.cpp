// options.cpp: parses the command line described by --help.
#include "options.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <string>
#include <vector>

namespace {

const char kUsage[] =
    // excerpt-begin: usage
    "usage: chatd [options]\n"
    "\n"
    "A WebSocket chat server. Open the printed URL in a browser to chat.\n"
    "\n"
    "  --host ADDRESS             address to listen on (default 127.0.0.1;\n"
    "                             0.0.0.0 or :: for every interface)\n"
    "  -p, --port N               TCP port (default 8080; 0 picks a free one)\n"
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
    "  --log-level LEVEL          error, warn, info or debug (default info; each\n"
    "                             connection's lines are debug)\n"
    "  --log-format FORMAT        text or json: one JSON object per line (default text)\n"
    "  --log-summary SEC          period of the info line that counts connections,\n"
    "                             messages and closes by reason (default 60; 0: none)\n"
    "  -h, --help                 show this text\n"
    "  --version                  show the version\n";
    // excerpt-end: usage

constexpr size_t kMaxPresenceThresholdWithRedis = 10000;

// Each value parser stores a good value and returns "", or returns what is
// wrong with it, which the caller prints after the flag's name:
//   chatd: --port: 99999 is not in 0..65535 (try --help)
// Saying why (not a number, out of range, and what range) spares the
// operator a trip to --help for every typo.
std::string quoted(const char* text) { return std::string("'") + text + "'"; }

std::string count_in(const char* text, size_t lowest, size_t highest, size_t* out) {
  char* end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || text[0] == '-' || text[0] == '+' || text[0] == ' ')
    return quoted(text) + " is not a whole number";
  if (errno != 0 || value < lowest || value > highest) {
    std::string range = std::to_string(lowest) + "..";
    if (highest != SIZE_MAX) range += std::to_string(highest);
    return std::string(text) + " is not in " + range;
  }
  *out = static_cast<size_t>(value);
  return "";
}

constexpr double kMaxSeconds = 86400.0 * 365;

std::string seconds_in(const char* text, int64_t* out_ms) {
  char* end = nullptr;
  double seconds = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(seconds))
    return quoted(text) + " is not a number of seconds (such as 5 or 0.5)";
  if (seconds <= 0 || seconds > kMaxSeconds) return std::string(text) + " is not above 0 and at most a year (31536000)";
  *out_ms = static_cast<int64_t>(std::llround(seconds * 1000));
  if (*out_ms < 1) *out_ms = 1;
  return "";
}

// A rate or a burst: a number above 0, and at least `lowest` when that is
// above 0 (a burst under one message could never send).
std::string number_from(const char* text, double lowest, double* out) {
  char* end = nullptr;
  double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(value)) return quoted(text) + " is not a number";
  if (value <= 0) return std::string(text) + " is not above 0";
  if (value < lowest) return std::string(text) + " is less than " + std::to_string(static_cast<int>(lowest));
  *out = value;
  return "";
}

std::string cidr(const char* text, std::vector<CidrRange>* ranges) {
  CidrRange range;
  if (!parse_cidr_range(text, &range)) return quoted(text) + " is not an address or ADDRESS/BITS range";
  ranges->push_back(range);
  return "";
}

std::string text_of_length(const char* text, size_t lowest, size_t highest, std::string* out) {
  size_t length = std::strlen(text);
  if (length < lowest) return "it is empty";
  if (length > highest) return "it is longer than " + std::to_string(highest) + " bytes";
  *out = text;
  return "";
}

// Applies one flag and its value; returns "" or what is wrong with the value.
// An unknown flag is the caller's to report (kUnknown).
const char kUnknown[] = "\x01";

std::string apply(ServerOptions* o, const std::string& name, const char* value) {
  size_t count = 0;
  std::string problem;
  if (name == "--host") return text_of_length(value, 1, 255, &o->host);
  if (name == "--port" || name == "-p") {
    if ((problem = count_in(value, 0, 65535, &count)).empty()) o->port = static_cast<int>(count);
    return problem;
  }
  if (name == "--metrics-port") {
    if ((problem = count_in(value, 1, 65535, &count)).empty()) o->metrics_port = static_cast<int>(count);
    return problem;
  }
  if (name == "--max-connections") {
    problem = count_in(value, 1, SIZE_MAX, &o->max_connections);
    o->max_connections_given = problem.empty();
    return problem;
  }
  if (name == "--max-message") return count_in(value, 1, 16 * 1024 * 1024, &o->max_message_bytes);
  if (name == "--max-output") return count_in(value, 1024, SIZE_MAX, &o->max_output_bytes);
  if (name == "--handshake-timeout") return seconds_in(value, &o->handshake_timeout_ms);
  if (name == "--idle-timeout") return seconds_in(value, &o->idle_timeout_ms);
  if (name == "--pong-timeout") return seconds_in(value, &o->pong_timeout_ms);
  if (name == "--close-timeout") return seconds_in(value, &o->close_timeout_ms);
  if (name == "--shutdown-grace") return seconds_in(value, &o->shutdown_grace_ms);
  if (name == "--message-timeout") return seconds_in(value, &o->message_timeout_ms);
  if (name == "--max-connections-per-ip") return count_in(value, 0, SIZE_MAX, &o->max_connections_per_ip);
  if (name == "--ip-rate") return number_from(value, 0, &o->ip_rate_per_second);
  if (name == "--ip-burst") return number_from(value, 1, &o->ip_burst);
  if (name == "--trusted-proxy") return cidr(value, &o->trusted_proxies);
  if (name == "--metrics-allow") return cidr(value, &o->metrics_allow);
  if (name == "--presence-interval") return seconds_in(value, &o->presence_interval_ms);
  if (name == "--rate") return number_from(value, 0, &o->rate_per_second);
  if (name == "--burst") return number_from(value, 1, &o->rate_burst);
  if (name == "--history") return count_in(value, 0, 10000, &o->history_length);
  // A welcome must fit in a client's output limit with room to spare for
  // the member list and the turn's other frames; parse_options checks the
  // half of --max-output once every flag is known. 1 MiB is the default
  // output limit itself: more history than that is no longer a greeting.
  if (name == "--history-bytes") return count_in(value, 0, 1024 * 1024, &o->history_bytes);
  if (name == "--join-rate") return number_from(value, 0, &o->join_rate_per_second);
  if (name == "--join-burst") return number_from(value, 1, &o->join_burst);
  if (name == "--presence-threshold") return count_in(value, 0, SIZE_MAX, &o->presence_threshold);
  if (name == "--origin") {
    if (value[0] == '\0') return "it is empty";
    o->allowed_origins.emplace_back(value);
    return "";
  }
  if (name == "--log-level") {
    return parse_log_level(value, &o->log_level) ? "" : quoted(value) + " is not error, warn, info or debug";
  }
  if (name == "--log-format") {
    return parse_log_format(value, &o->log_format) ? "" : quoted(value) + " is not text or json";
  }
  if (name == "--log-summary") {
    if (std::strcmp(value, "0") == 0) {
      o->log_summary_ms = 0;
      return "";
    }
    return seconds_in(value, &o->log_summary_ms);
  }
  if (name == "--workers") {
    if (std::strcmp(value, "auto") == 0) {
      long cores = sysconf(_SC_NPROCESSORS_ONLN);
      o->workers = cores > 0 ? static_cast<size_t>(cores) : 1;
      return "";
    }
    problem = count_in(value, 1, 256, &o->workers);
    return problem.empty() ? "" : problem + ", nor auto";
  }
  if (name == "--redis-prefix") return text_of_length(value, 0, 100, &o->redis_prefix);
  if (name == "--node-name") return text_of_length(value, 1, 64, &o->node_name);
  return kUnknown;
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
    // Both "--port 8080" and "--port=8080"; "-p 8080" for the port.
    const bool long_flag = argument.compare(0, 2, "--") == 0;
    if (!long_flag && argument != "-p") {
      std::fprintf(stderr, "chatd: unknown option '%s' (try --help)\n", argument.c_str());
      return ParseOutcome::ExitFailure;
    }
    std::string name = argument;
    const char* value = nullptr;
    size_t equals = argument.find('=');
    if (long_flag && equals != std::string::npos) {
      name = argument.substr(0, equals);
      value = argv[i] + equals + 1;
    } else if (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) {
      // A next word that is itself a flag is not this one's value:
      // "--port --host ::" is a forgotten port, not a port named "--host".
      value = argv[++i];
    }
    if (name == "--exempt-loopback") {  // only "--exempt-loopback=..." gets here
      std::fprintf(stderr, "chatd: --exempt-loopback takes no value (try --help)\n");
      return ParseOutcome::ExitFailure;
    }
    if (name == "--redis") {
      if (value == nullptr) {
        std::fprintf(stderr, "chatd: --redis: missing value (try --help)\n");
        return ParseOutcome::ExitFailure;
      }
      // The URL may hold a password: the error names the problem, never the URL.
      std::string error;
      if (!parse_redis_url(value, &options->redis, &error)) {
        std::fprintf(stderr, "chatd: --redis: bad URL: %s (try --help)\n", error.c_str());
        return ParseOutcome::ExitFailure;
      }
      options->use_redis = true;
      continue;
    }
    std::string problem = apply(options, name, value != nullptr ? value : "");
    if (problem == kUnknown) {
      std::fprintf(stderr, "chatd: unknown option '%s' (try --help)\n", name.c_str());
      return ParseOutcome::ExitFailure;
    }
    if (value == nullptr) {
      std::fprintf(stderr, "chatd: %s: missing value (try --help)\n", name.c_str());
      return ParseOutcome::ExitFailure;
    }
    if (!problem.empty()) {
      std::fprintf(stderr, "chatd: %s: %s (try --help)\n", name.c_str(), problem.c_str());
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
