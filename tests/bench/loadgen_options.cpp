// loadgen_options.cpp: the load generator's command line (see kUsage).
//
// Every option has a default; the scenarios in tests/bench/run.sh are just
// sets of options. Deliberately left out: configuration files.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "loadgen.h"

namespace {

const char kUsage[] =
    "usage: loadgen [options]   (prints one JSON line with the results)\n"
    "  --host ADDRESS            server IPv4 address (default 127.0.0.1)\n"
    "  --port N                  server port (default 8080)\n"
    "  --ports N,N,...           several servers: client i connects to the\n"
    "                            (i mod count)th port, senders included\n"
    "  --path PATH               request path (default /)\n"
    "  --scenario NAME           label for the JSON line\n"
    "  --server NAME             label for the JSON line\n"
    "  --server-pid PID          measure this process's RSS and CPU time; given\n"
    "                            again, the figures are summed over all of them\n"
    "  --redis-pid PID           also report this process's CPU time over the run\n"
    "  --connections N           clients (default 100)\n"
    "  --senders N               room mode: clients 0..N-1 send (default 1);\n"
    "                            with --room-size, the first N of each chatting room\n"
    "  --room-size N             after the lobby's welcome, client i joins room\n"
    "                            scale-<i/N> and counts as connected on its welcome\n"
    "  --chatting-rooms N        with --room-size: only rooms 0..N-1 send (default all)\n"
    "  --mode room|strangers     strangers: chatd stranger pairs, everyone sends\n"
    "  --pattern idle|closed|rate\n"
    "                            idle: connect only; closed: keep --window\n"
    "                            messages in flight per sender; rate: --rate per sender\n"
    "  --window N                closed loop messages in flight (default 8)\n"
    "  --rate R                  messages/s per sender (default 20)\n"
    "  --message-bytes N         text size (default 64)\n"
    "  --json-say                send {\"type\":\"say\",\"text\":...} instead of plain text\n"
    "  --duration S              run phase (default 10)\n"
    "  --connect-timeout S       connect phase bound (default 60)\n"
    "  --pair-timeout S          pairing phase bound (default 20)\n"
    "  --drain-timeout S         drain phase bound (default 10)\n"
    "  --quiet S                 drain ends after S without a delivery (default 2)\n"
    "  --settle S                wait before the second RSS reading (default 1)\n"
    "  --hold S                  idle: keep connections open S more seconds (default 0)\n"
    "  --workers N               worker processes (default: enough for --max-per-worker)\n"
    "  --max-per-worker N        connections per worker (default 10000)\n"
    "  --concurrency N           handshakes in progress at once (default 1000)\n"
    "  --source-addresses N      bind to N loopback addresses (default 16)\n"
    "  --first-source-address N  first one is 127.0.0.N (default 1)\n";

bool parse_size(const char* text, size_t* out) {
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || text[0] == '-') return false;
  *out = static_cast<size_t>(value);
  return true;
}

// "9180,9181,9182": one or more ports, each 1..65535, nothing else.
bool parse_port_list(const char* text, std::vector<int>* out) {
  std::vector<int> ports;
  std::string all = text;
  size_t start = 0;
  while (true) {
    size_t comma = all.find(',', start);
    std::string item = all.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t number = 0;
    if (!parse_size(item.c_str(), &number) || number == 0 || number > 65535) return false;
    ports.push_back(static_cast<int>(number));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  *out = ports;
  return true;
}

bool parse_double(const char* text, double* out) {
  char* end = nullptr;
  double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(value >= 0)) return false;
  *out = value;
  return true;
}

bool apply(LoadOptions* o, const std::string& name, const char* value) {
  size_t number = 0;
  if (name == "--host") return !(o->host = value).empty();
  // The last of --port and --ports given wins.
  if (name == "--port") {
    o->ports.clear();
    return parse_size(value, &number) && number > 0 && number < 65536 && (o->port = static_cast<int>(number));
  }
  if (name == "--ports") {
    if (!parse_port_list(value, &o->ports)) return false;
    o->port = o->ports[0];
    if (o->ports.size() == 1) o->ports.clear();  // one port: exactly --port
    return true;
  }
  if (name == "--path") return (o->path = value).size() > 0 && value[0] == '/';
  if (name == "--scenario") return !(o->scenario = value).empty();
  if (name == "--server") return !(o->server = value).empty();
  if (name == "--server-pid") {
    if (!parse_size(value, &number) || number > 0x7fffffff) return false;
    if (number == 0) return true;  // 0: measure nothing, as by default
    if (o->server_pid == 0) o->server_pid = static_cast<int>(number);
    else o->more_server_pids.push_back(static_cast<int>(number));
    return true;
  }
  if (name == "--redis-pid") return parse_size(value, &number) && number > 0 && number <= 0x7fffffff && (o->redis_pid = static_cast<int>(number));
  if (name == "--connections") return parse_size(value, &o->connections) && o->connections > 0;
  if (name == "--senders") return parse_size(value, &o->senders);
  if (name == "--room-size") return parse_size(value, &o->room_size) && o->room_size > 0;
  if (name == "--chatting-rooms") return parse_size(value, &o->chatting_rooms);
  if (name == "--mode") {
    if (std::strcmp(value, "room") == 0) o->mode = ChatMode::Room;
    else if (std::strcmp(value, "strangers") == 0) o->mode = ChatMode::Strangers;
    else return false;
    return true;
  }
  if (name == "--pattern") {
    if (std::strcmp(value, "idle") == 0) o->pattern = SendPattern::Idle;
    else if (std::strcmp(value, "closed") == 0) o->pattern = SendPattern::ClosedLoop;
    else if (std::strcmp(value, "rate") == 0) o->pattern = SendPattern::FixedRate;
    else return false;
    return true;
  }
  if (name == "--window") return parse_size(value, &o->window) && o->window > 0;
  if (name == "--rate") return parse_double(value, &o->rate) && o->rate > 0;
  if (name == "--message-bytes") return parse_size(value, &o->message_bytes) && o->message_bytes <= 4000;
  if (name == "--duration") return parse_double(value, &o->duration_seconds);
  if (name == "--connect-timeout") return parse_double(value, &o->connect_timeout_seconds);
  if (name == "--pair-timeout") return parse_double(value, &o->pair_timeout_seconds);
  if (name == "--drain-timeout") return parse_double(value, &o->drain_timeout_seconds);
  if (name == "--quiet") return parse_double(value, &o->quiet_seconds);
  if (name == "--settle") return parse_double(value, &o->settle_seconds);
  if (name == "--hold") return parse_double(value, &o->hold_seconds);
  if (name == "--workers") return parse_size(value, &o->workers);
  if (name == "--max-per-worker") return parse_size(value, &o->max_per_worker) && o->max_per_worker > 0;
  if (name == "--concurrency") return parse_size(value, &o->concurrency) && o->concurrency > 0;
  if (name == "--source-addresses") return parse_size(value, &o->source_addresses) && o->source_addresses > 0;
  if (name == "--first-source-address") return parse_size(value, &o->first_source_address) && o->first_source_address > 0;
  return false;
}

}  // namespace

bool parse_load_options(int argc, char** argv, LoadOptions* options) {
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    if (name == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (name == "--json-say") {
      options->json_say = true;
      continue;
    }
    if (i + 1 >= argc || !apply(options, name, argv[i + 1])) {
      std::fprintf(stderr, "loadgen: bad or incomplete option %s\n%s", name.c_str(), kUsage);
      return false;
    }
    ++i;
  }
  if (options->mode == ChatMode::Strangers) options->json_say = true;
  if (options->senders > options->connections) options->senders = options->connections;
  if (options->room_size > 0 && options->mode == ChatMode::Strangers) return false;
  if (options->room_size > 0 && options->senders > options->room_size) options->senders = options->room_size;
  // 127.0.0.0/8 has 2^24 addresses; keep the last one inside it.
  if (options->first_source_address + options->source_addresses >= (1u << 24)) return false;
  return true;
}
