// soak_main.cpp: the soak test's driver (see soak.h): starts chatd, connects
// the clients, runs the chat for the set time while sampling the server's
// memory and descriptors from /proc, drains, and prints the verdict. Exits 0
// when nothing was lost and memory stayed within bounds, 1 otherwise.
//
// Phases, each bounded in time:
//   connect (all clients in their rooms, up to 60 s) -> warm-up (sending and
//   churning; RSS read at its end: the "start") -> run (until --seconds; RSS
//   read at its end: the "end") -> drain (sending stops; up to --drain).
//
// Left out: pointing it at a server started elsewhere; it needs the
// server's /proc entries, so it starts its own.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "harness.h"
#include "soak.h"

/* ===== Options ===== */

namespace {

const char kUsage[] =
    "usage: soak [options]   (needs $CHATD_BIN, default ./chatd)\n"
    "  --seconds S          length of the run, warm-up included (default 120)\n"
    "  --warmup S           warm-up; the start RSS is read at its end (default 20,\n"
    "                       at most a quarter of the run)\n"
    "  --clients N          clients (default 2000)\n"
    "  --rooms N            rooms they are spread over (default 10)\n"
    "  --senders N          clients that send, spread over the rooms (default 20)\n"
    "  --rate R             messages per second per sender (default 10)\n"
    "  --message-bytes N    text of each message (default 100)\n"
    "  --reconnects R       receivers dropped and reconnected per second (default 5)\n"
    "  --drain S            bound on the wait for the last copies (default 15)\n"
    "  -- ARGS...           the rest goes to chatd (e.g. -- --history 10)\n";

bool parse_number(const char* text, double* out) {
  char* end = nullptr;
  *out = std::strtod(text, &end);
  return end != text && *end == '\0' && *out >= 0;
}

}  // namespace

bool parse_soak_options(int argc, char** argv, SoakOptions* options) {
  for (int i = 1; i < argc; i += 2) {
    std::string name = argv[i];
    if (name == "--") {
      options->chatd_args.assign(argv + i + 1, argv + argc);
      break;
    }
    double value = 0;
    if (name == "--help" || i + 1 >= argc || !parse_number(argv[i + 1], &value)) {
      std::fputs(kUsage, name == "--help" ? stdout : stderr);
      return false;
    }
    if (name == "--seconds") options->seconds = value;
    else if (name == "--warmup") options->warmup_seconds = value;
    else if (name == "--clients") options->clients = static_cast<size_t>(value);
    else if (name == "--rooms") options->rooms = static_cast<size_t>(value);
    else if (name == "--senders") options->senders = static_cast<size_t>(value);
    else if (name == "--rate") options->rate = value;
    else if (name == "--message-bytes") options->message_bytes = static_cast<size_t>(value);
    else if (name == "--reconnects") options->reconnects_per_second = value;
    else if (name == "--drain") options->drain_seconds = value;
    else {
      std::fprintf(stderr, "soak: unknown option %s\n%s", name.c_str(), kUsage);
      return false;
    }
  }
  options->warmup_seconds = std::min(options->warmup_seconds, options->seconds / 4);
  if (options->rooms == 0 || options->clients < options->rooms || options->senders > options->clients ||
      options->senders == 0 || options->rate <= 0 || options->message_bytes > 4000) {
    std::fprintf(stderr, "soak: inconsistent options\n%s", kUsage);
    return false;
  }
  return true;
}

/* ===== Latency ===== */

void LatencyBuckets::record(int64_t microseconds) {
  if (microseconds < 0) microseconds = 0;
  ++counts_[std::min<size_t>(static_cast<size_t>(microseconds / 100), kBuckets - 1)];
  ++total_;
  max_us_ = std::max(max_us_, microseconds);
}

int64_t LatencyBuckets::percentile_us(double fraction) const {
  uint64_t wanted = static_cast<uint64_t>(fraction * total_), seen = 0;
  for (size_t bucket = 0; bucket < kBuckets; ++bucket) {
    seen += counts_[bucket];
    if (seen > wanted) return std::min<int64_t>((bucket + 1) * 100, max_us_);
  }
  return max_us_;
}

/* ===== The run ===== */

namespace {

double mib(long kib) { return kib / 1024.0; }

void print_progress(double elapsed, const ChatdProcess& server, const SoakClients& clients, uint64_t delivered_before,
                    double interval) {
  const SoakTotals& totals = clients.totals();
  std::printf("soak: t=%5.0fs  server RSS %.1f MiB, %d fds; %zu in rooms; %.0f deliveries/s; p99 so far %.1f ms; "
              "%llu problems\n",
              elapsed, mib(server.resident_kib()), server.open_descriptors(), clients.in_room(),
              (totals.delivered - delivered_before) / interval, totals.latency.percentile_us(0.99) / 1000.0,
              static_cast<unsigned long long>(totals.problems()));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  SoakOptions options;
  if (!parse_soak_options(argc, argv, &options)) return 2;
  signal(SIGPIPE, SIG_IGN);
  ChatdProcess server(options.chatd_args);
  if (!server.started()) {
    std::fprintf(stderr, "soak: could not start %s\n", chatd_binary().c_str());
    return 1;
  }
  std::printf("soak: %s on port %d: %zu clients in %zu rooms, %zu senders x %.0f msg/s, %zu-byte texts, "
              "%.0f reconnects/s, %.0f s (warm-up %.0f s)\n",
              chatd_binary().c_str(), server.port(), options.clients, options.rooms, options.senders, options.rate,
              options.message_bytes, options.reconnects_per_second, options.seconds, options.warmup_seconds);
  const long rss_idle_kib = server.resident_kib();

  SoakClients clients(options, server.port());
  int64_t phase_start = soak_now_us();
  if (!clients.connect_all(60)) {
    std::printf("soak: FAIL: only %zu of %zu clients got into their rooms: %s\n", clients.in_room(), options.clients,
                clients.totals().first_problem.c_str());
    return 1;
  }
  const long rss_connected_kib = server.resident_kib();
  std::printf("soak: connected in %.1f s; server RSS %.1f MiB idle, %.1f MiB with every client connected, %d fds\n",
              (soak_now_us() - phase_start) / 1e6, mib(rss_idle_kib), mib(rss_connected_kib),
              server.open_descriptors());

  // Run: send and churn; sample once a second, report every ten.
  const int64_t run_start = soak_now_us();
  const int64_t warmup_end = run_start + static_cast<int64_t>(options.warmup_seconds * 1e6);
  const int64_t run_end = run_start + static_cast<int64_t>(options.seconds * 1e6);
  long rss_start_kib = -1, rss_peak_kib = 0;
  int fds_start = -1;
  int64_t next_sample = run_start + 1000000, next_report = run_start + 10000000;
  uint64_t delivered_at_report = 0;
  for (int64_t now = run_start; now < run_end; now = soak_now_us()) {
    clients.turn(5, true, true);
    if (now < next_sample) continue;
    next_sample += 1000000;
    rss_peak_kib = std::max(rss_peak_kib, server.resident_kib());
    if (rss_start_kib < 0 && now >= warmup_end) {
      rss_start_kib = server.resident_kib();
      fds_start = server.open_descriptors();
    }
    if (now >= next_report) {
      print_progress((now - run_start) / 1e6, server, clients, delivered_at_report, 10);
      delivered_at_report = clients.totals().delivered;
      next_report += 10000000;
    }
  }
  if (rss_start_kib < 0) rss_start_kib = server.resident_kib();
  const long rss_end_kib = server.resident_kib();
  const int fds_end = server.open_descriptors();

  // Drain: no more sending or churn; wait for the last copies.
  const int64_t drain_end = soak_now_us() + static_cast<int64_t>(options.drain_seconds * 1e6);
  while (!clients.drained() && soak_now_us() < drain_end) clients.turn(10, false, false);
  clients.count_tail();

  const SoakTotals& totals = clients.totals();
  const double growth_percent = 100.0 * (rss_end_kib - rss_start_kib) / rss_start_kib;
  const long allowed_growth_kib = static_cast<long>(rss_start_kib * options.max_rss_growth_fraction) +
                                  options.max_rss_growth_kib;
  const bool memory_ok = rss_end_kib - rss_start_kib <= allowed_growth_kib;
  const bool pass = totals.problems() == 0 && memory_ok && totals.delivered > 0;
  if (!totals.first_problem.empty()) std::printf("soak: first problem: %s\n", totals.first_problem.c_str());
  std::printf("soak: server RSS %ld KiB after warm-up, %ld KiB at the end (%+.1f%%, allowed +%ld KiB), "
              "peak %ld KiB; fds %d after warm-up, %d at the end\n",
              rss_start_kib, rss_end_kib, growth_percent, allowed_growth_kib, rss_peak_kib, fds_start, fds_end);
  std::printf("soak: %s: %zu clients, %.0f s, %llu sent, %llu delivered, %llu missing, %llu seq gaps, "
              "%llu sender gaps, %llu unexpected closes, %llu errors, %llu reconnects, %llu pings answered, "
              "latency p50 %.1f ms p99 %.1f ms max %.1f ms, RSS %.1f -> %.1f MiB\n",
              pass ? "PASS" : "FAIL", options.clients, options.seconds,
              static_cast<unsigned long long>(totals.sent), static_cast<unsigned long long>(totals.delivered),
              static_cast<unsigned long long>(totals.tail_missing),
              static_cast<unsigned long long>(totals.room_seq_gaps),
              static_cast<unsigned long long>(totals.sender_gaps),
              static_cast<unsigned long long>(totals.unexpected_closes),
              static_cast<unsigned long long>(totals.errors_received),
              static_cast<unsigned long long>(totals.reconnects),
              static_cast<unsigned long long>(totals.pings_answered), totals.latency.percentile_us(0.50) / 1000.0,
              totals.latency.percentile_us(0.99) / 1000.0, totals.latency.max_us() / 1000.0, mib(rss_start_kib),
              mib(rss_end_kib));
  return pass ? 0 : 1;
}
