// loadgen_stats.cpp: the load generator's measurements: the latency
// histogram, the one-line report a worker sends its parent, and the readers
// of the server's /proc/PID/status (VmRSS) and /proc/PID/stat (utime, stime;
// proc(5)).
//
// Deliberately left out: coordinated-omission correction. Latency is measured
// from the time written into each message to its arrival, so a stalled
// server shows up as long latencies and as missing messages, but the closed
// loop scenario sends less while the server is slow, as closed loops do.
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "loadgen.h"

/* ===== Latency histogram ===== */

size_t LatencyHistogram::bucket_of(uint64_t value) {
  if (value < 128) return static_cast<size_t>(value);
  int exponent = 63 - __builtin_clzll(value);  // 7 or more
  int shift = exponent - 6;
  size_t sub_bucket = static_cast<size_t>((value >> shift) - 64);  // 0..63
  size_t bucket = 128 + static_cast<size_t>(exponent - 7) * 64 + sub_bucket;
  return bucket < kBucketCount ? bucket : kBucketCount - 1;
}

uint64_t LatencyHistogram::bucket_upper_edge(size_t bucket) {
  if (bucket < 128) return bucket;
  size_t exponent = 7 + (bucket - 128) / 64;
  uint64_t sub_bucket = (bucket - 128) % 64;
  uint64_t width = uint64_t{1} << (exponent - 6);
  return (64 + sub_bucket) * width + width - 1;
}

void LatencyHistogram::record(uint64_t microseconds) {
  ++counts_[bucket_of(microseconds)];
  ++total_;
  if (microseconds > max_) max_ = microseconds;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  if (other.max_ > max_) max_ = other.max_;
}

uint64_t LatencyHistogram::percentile(double fraction) const {
  if (total_ == 0) return 0;
  // The rank of the sample wanted, 1-based: p99 of 100 samples is the 99th.
  uint64_t rank = static_cast<uint64_t>(fraction * static_cast<double>(total_) + 0.999999);
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return bucket_upper_edge(i) < max_ ? bucket_upper_edge(i) : max_;
  }
  return max_;
}

std::string LatencyHistogram::serialize() const {
  std::string text;
  char item[48];
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] == 0) continue;
    int length = std::snprintf(item, sizeof item, "%s%zu:%llu", text.empty() ? "" : ",", i,
                               static_cast<unsigned long long>(counts_[i]));
    text.append(item, static_cast<size_t>(length));
  }
  text.append(";").append(std::to_string(max_));
  return text;
}

bool LatencyHistogram::parse(std::string_view text) {
  std::string copy(text);  // strtoull wants a terminated string
  const char* cursor = copy.c_str();
  while (*cursor != ';' && *cursor != '\0') {
    char* end = nullptr;
    unsigned long long bucket = std::strtoull(cursor, &end, 10);
    if (*end != ':' || bucket >= kBucketCount) return false;
    unsigned long long count = std::strtoull(end + 1, &end, 10);
    counts_[bucket] += count;
    total_ += count;
    cursor = (*end == ',') ? end + 1 : end;
  }
  if (*cursor != ';') return false;
  uint64_t max = std::strtoull(cursor + 1, nullptr, 10);
  if (max > max_) max_ = max;
  return true;
}

/* ===== Worker reports ===== */

namespace {

// The report's numeric fields, by name, so that formatting and parsing
// cannot drift apart.
struct ReportField {
  const char* name;
  uint64_t WorkerReport::*member;
};

const ReportField kReportFields[] = {
    {"connected", &WorkerReport::connected},
    {"failed", &WorkerReport::failed},
    {"connect_start_us", &WorkerReport::connect_start_us},
    {"connect_end_us", &WorkerReport::connect_end_us},
    {"paired", &WorkerReport::paired},
    {"sent", &WorkerReport::sent},
    {"delivered", &WorkerReport::delivered},
    {"delivered_in_window", &WorkerReport::delivered_in_window},
    {"duplicates", &WorkerReport::duplicates},
    {"gaps", &WorkerReport::gaps},
    {"closed_by_server", &WorkerReport::closed_by_server},
    {"disconnected", &WorkerReport::disconnected},
    {"errors_received", &WorkerReport::errors_received},
    {"run_start_us", &WorkerReport::run_start_us},
    {"run_end_us", &WorkerReport::run_end_us},
    {"receivers", &WorkerReport::receivers},
    {"cpu_us", &WorkerReport::cpu_us},
    {"pings", &WorkerReport::pings},
    {"expected", &WorkerReport::expected},
    {"senders", &WorkerReport::senders},
};

}  // namespace

std::string format_report(const WorkerReport& report) {
  std::string line;
  for (const ReportField& field : kReportFields) {
    line.append(field.name).append(" ").append(std::to_string(report.*field.member)).append(" ");
  }
  line.append("latency ").append(report.latency.serialize());
  return line;
}

bool parse_report(std::string_view line, WorkerReport* report) {
  while (!line.empty()) {
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return false;
    std::string_view name = line.substr(0, space);
    line.remove_prefix(space + 1);
    size_t end = line.find(' ');
    std::string_view value = line.substr(0, end);
    line.remove_prefix(end == std::string_view::npos ? line.size() : end + 1);
    if (name == "latency") {
      if (!report->latency.parse(value)) return false;
      continue;
    }
    bool known = false;
    for (const ReportField& field : kReportFields) {
      if (name == field.name) {
        report->*field.member = std::strtoull(std::string(value).c_str(), nullptr, 10);
        known = true;
      }
    }
    if (!known) return false;
  }
  return true;
}

/* ===== /proc readers ===== */

long read_rss_kb(int pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE* file = std::fopen(path, "r");
  if (file == nullptr) return -1;
  char line[256];
  long rss = -1;
  while (std::fgets(line, sizeof line, file) != nullptr) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) {
      rss = std::strtol(line + 6, nullptr, 10);
      break;
    }
  }
  std::fclose(file);
  return rss;
}

long long read_cpu_us(int pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* file = std::fopen(path, "r");
  if (file == nullptr) return -1;
  char text[1024];
  size_t length = std::fread(text, 1, sizeof text - 1, file);
  std::fclose(file);
  text[length] = '\0';
  // The command name (field 2) is in parentheses and may hold spaces, so
  // count fields from the last ')': state is field 3, utime 14, stime 15.
  const char* cursor = std::strrchr(text, ')');
  if (cursor == nullptr) return -1;
  ++cursor;
  unsigned long long utime = 0, stime = 0;
  for (int field = 3; field <= 15; ++field) {
    while (*cursor == ' ') ++cursor;
    if (field == 14) utime = std::strtoull(cursor, nullptr, 10);
    if (field == 15) stime = std::strtoull(cursor, nullptr, 10);
    while (*cursor != ' ' && *cursor != '\0') ++cursor;
  }
  long ticks_per_second = sysconf(_SC_CLK_TCK);
  return static_cast<long long>((utime + stime) * 1000000ULL / static_cast<unsigned long long>(ticks_per_second));
}

uint64_t monotonic_us() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1000000u + static_cast<uint64_t>(now.tv_nsec) / 1000u;
}

uint64_t own_cpu_us() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto micros = [](const timeval& t) { return static_cast<uint64_t>(t.tv_sec) * 1000000u + static_cast<uint64_t>(t.tv_usec); };
  return micros(usage.ru_utime) + micros(usage.ru_stime);
}

long long read_tcp_retransmits() {
  FILE* file = std::fopen("/proc/net/snmp", "r");
  if (file == nullptr) return -1;
  // Two "Tcp:" lines: the field names, then the values in the same order.
  std::vector<std::string> lines;
  char line[1024];
  while (lines.size() < 2 && std::fgets(line, sizeof line, file) != nullptr) {
    if (std::strncmp(line, "Tcp:", 4) == 0) lines.emplace_back(line);
  }
  std::fclose(file);
  if (lines.size() < 2) return -1;
  auto words = [](const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while ((start = text.find_first_not_of(" \n", start)) != std::string::npos) {
      size_t end = text.find_first_of(" \n", start);
      out.push_back(text.substr(start, end - start));
      start = end;
    }
    return out;
  };
  std::vector<std::string> names = words(lines[0]), values = words(lines[1]);
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (names[i] == "RetransSegs") return std::atoll(values[i].c_str());
  }
  return -1;
}

long long read_softnet_drops() {
  FILE* file = std::fopen("/proc/net/softnet_stat", "r");
  if (file == nullptr) return -1;
  long long total = 0;
  unsigned long long processed = 0, dropped = 0;
  while (std::fscanf(file, "%llx %llx%*[^\n]", &processed, &dropped) == 2) total += static_cast<long long>(dropped);
  std::fclose(file);
  return total;
}

KernelMemory read_kernel_memory() {
  KernelMemory memory;
  if (FILE* file = std::fopen("/proc/net/sockstat", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, file) != nullptr) {
      long long inuse = 0, orphan = 0, tw = 0, alloc = 0, mem = 0;
      if (std::sscanf(line, "TCP: inuse %lld orphan %lld tw %lld alloc %lld mem %lld", &inuse, &orphan, &tw, &alloc,
                      &mem) == 5) {
        memory.tcp_inuse = inuse;
        memory.tcp_mem_pages = mem;
      }
    }
    std::fclose(file);
  }
  if (FILE* file = std::fopen("/proc/meminfo", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, file) != nullptr) {
      if (std::strncmp(line, "Slab:", 5) == 0) memory.slab_kb = std::atoll(line + 5);
    }
    std::fclose(file);
  }
  return memory;
}
