// server_metrics.cpp: the close reasons' names, the histogram, and the
// Prometheus text writer (server_metrics.h).
#include "server/server_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <utility>

namespace {

const char* const kCloseReasonNames[kCloseReasonCount] = {
    "client",         "client",      "http_response", "handshake_timeout", "pong_timeout",
    "message_timeout", "slow_consumer", "rate_limited", "protocol_error",    "too_big",
    "bad_utf8",       "policy",      "shutdown",      "write_error"};

// Prometheus's float format: integers without a fraction, +Inf spelled so.
void append_number(std::string* out, double value) {
  char text[40];
  if (std::isinf(value)) {
    *out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else {
    std::snprintf(text, sizeof text, "%.9g", value);
  }
  *out += text;
}

void append_header(std::string* out, const char* name, const char* type, const char* help) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
}

void append_sample(std::string* out, const char* name, const std::string& labels, double value) {
  *out += name;
  if (!labels.empty()) {
    *out += '{';
    *out += labels;
    *out += '}';
  }
  *out += ' ';
  append_number(out, value);
  *out += '\n';
}

void append_single(std::string* out, const char* name, const char* type, const char* help, double value) {
  append_header(out, name, type, help);
  append_sample(out, name, "", value);
}

void append_histogram(std::string* out, const char* name, const char* help, const Histogram& histogram) {
  append_header(out, name, "histogram", help);
  const std::string bucket = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= histogram.upper_bounds().size(); ++i) {
    cumulative += histogram.counts()[i];
    std::string le = "le=\"";
    if (i < histogram.upper_bounds().size()) {
      append_number(&le, histogram.upper_bounds()[i]);
    } else {
      le += "+Inf";
    }
    le += '"';
    append_sample(out, bucket.c_str(), le, static_cast<double>(cumulative));
  }
  append_sample(out, (std::string(name) + "_sum").c_str(), "", histogram.sum());
  append_sample(out, (std::string(name) + "_count").c_str(), "", static_cast<double>(histogram.count()));
}

}  // namespace

const char* close_reason_name(CloseReason reason) {
  size_t index = static_cast<size_t>(reason);
  return index < kCloseReasonCount ? kCloseReasonNames[index] : "client";
}

CloseReason close_reason_for_code(uint16_t code) {
  switch (code) {
    case 1002:
    case 1003:
      return CloseReason::ProtocolError;
    case 1007:
      return CloseReason::BadUtf8;
    case 1009:
      return CloseReason::TooBig;
    case 1008:
      return CloseReason::Policy;
    default:
      return CloseReason::ProtocolError;
  }
}

// A loop turn is microseconds when idle and milliseconds under load; a
// broadcast reaches one member or a hundred thousand.
ServerMetrics::ServerMetrics()
    : loop_turn_seconds({0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1}),
      broadcast_recipients({1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10000, 100000}) {}

void read_process_gauges(MetricsGauges* gauges, double start_time_seconds) {
  gauges->start_time_seconds = start_time_seconds;
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    gauges->cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                          static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    gauges->max_fds = static_cast<double>(files.rlim_cur);
  }
  // Resident memory: the second field of /proc/self/statm, in pages (Linux).
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    unsigned long long size = 0, resident = 0;
    if (std::fscanf(statm, "%llu %llu", &size, &resident) == 2) {
      gauges->resident_bytes = static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
    }
    std::fclose(statm);
  }
  // Open descriptors: the entries of /proc/self/fd (Linux) or /dev/fd, less
  // ".", ".." and the one opendir itself holds.
  const char* folder = access("/proc/self/fd", R_OK) == 0 ? "/proc/self/fd" : "/dev/fd";
  if (DIR* directory = opendir(folder)) {
    double count = 0;
    while (dirent* entry = readdir(directory)) {
      if (entry->d_name[0] != '.') ++count;
    }
    closedir(directory);
    gauges->open_fds = count - 1;
  }
}

// excerpt-begin: write_metrics
void write_metrics(const ServerMetrics& metrics, const MetricsGauges& gauges, std::string* out) {
  append_header(out, "chatd_build_info", "gauge", "chatd's version; always 1.");
  append_sample(out, "chatd_build_info", std::string("version=\"") + gauges.version + "\"", 1);
  append_header(out, "chatd_connections", "gauge", "Client connections by state.");
  append_sample(out, "chatd_connections", "state=\"handshake\"", static_cast<double>(gauges.connections_handshake));
  append_sample(out, "chatd_connections", "state=\"open\"", static_cast<double>(gauges.connections_open));
  append_sample(out, "chatd_connections", "state=\"closing\"", static_cast<double>(gauges.connections_closing));
  append_single(out, "chatd_rooms", "gauge", "Rooms with members on this node.", static_cast<double>(gauges.rooms));
  append_single(out, "chatd_room_members", "gauge", "Room members on this node.",
                static_cast<double>(gauges.room_members));
  append_single(out, "chatd_strangers_waiting", "gauge", "Clients here waiting for a stranger.",
                static_cast<double>(gauges.strangers_waiting));
  append_single(out, "chatd_output_queued_bytes", "gauge", "Bytes queued for clients and not yet written.",
                static_cast<double>(gauges.output_queued_bytes));

  append_single(out, "chatd_connections_accepted_total", "counter", "Client connections accepted.",
                static_cast<double>(metrics.connections_accepted));
  append_header(out, "chatd_connections_closed_total", "counter", "Client connections closed, by reason.");
  for (size_t i = 1; i < kCloseReasonCount; ++i) {
    double count = static_cast<double>(metrics.connections_closed[i]);
    if (i == static_cast<size_t>(CloseReason::Client)) count += static_cast<double>(metrics.connections_closed[0]);
    append_sample(out, "chatd_connections_closed_total",
                  std::string("reason=\"") + close_reason_name(static_cast<CloseReason>(i)) + "\"", count);
  }
  append_header(out, "chatd_http_responses_total", "counter",
                "HTTP responses by status: 101 upgrades, pages, refusals.");
  for (int code = 100; code < 600; ++code) {
    if (metrics.http_responses[code] == 0) continue;
    append_sample(out, "chatd_http_responses_total", "code=\"" + std::to_string(code) + "\"",
                  static_cast<double>(metrics.http_responses[code]));
  }
  append_single(out, "chatd_messages_received_total", "counter", "Complete WebSocket messages from clients.",
                static_cast<double>(metrics.messages_received));
  append_single(out, "chatd_messages_delivered_total", "counter", "Frames the chat queued for clients.",
                static_cast<double>(metrics.messages_delivered));
  append_single(out, "chatd_broadcasts_total", "counter", "Room events fanned out to this node's members.",
                static_cast<double>(metrics.broadcasts));
  append_single(out, "chatd_received_bytes_total", "counter", "Bytes read from client sockets.",
                static_cast<double>(metrics.received_bytes));
  append_single(out, "chatd_sent_bytes_total", "counter", "Bytes written to client sockets.",
                static_cast<double>(metrics.sent_bytes));
  append_histogram(out, "chatd_loop_turn_seconds", "Time from the loop waking up to its next sleep.",
                   metrics.loop_turn_seconds);
  append_histogram(out, "chatd_broadcast_recipients", "Members of this node one broadcast reached.",
                   metrics.broadcast_recipients);
  if (gauges.has_bus) {
    append_single(out, "chatd_bus_up", "gauge", "1 while this node reaches Redis and holds a node number.",
                  gauges.bus_up ? 1 : 0);
  }
  if (const BusStats* bus = gauges.bus) {
    append_single(out, "chatd_bus_published_total", "counter", "Room events this node sent to Redis.",
                  static_cast<double>(bus->published));
    append_single(out, "chatd_bus_received_total", "counter", "Room payloads that arrived from Redis.",
                  static_cast<double>(bus->received));
    append_single(out, "chatd_bus_reconnects_total", "counter", "Connections to Redis made again after a loss.",
                  static_cast<double>(bus->reconnects));
    append_single(out, "chatd_bus_errors_total", "counter", "Connections to Redis lost or refused, says refused.",
                  static_cast<double>(bus->errors));
    append_single(out, "chatd_bus_gaps_total", "counter", "Gaps in a room's seq filled from its history.",
                  static_cast<double>(bus->gaps));
    append_histogram(out, "chatd_bus_lag_seconds", "From a say published here to its delivery here, through Redis.",
                     bus->lag_seconds);
  }

  append_single(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.",
                gauges.cpu_seconds);
  if (gauges.resident_bytes >= 0) {
    append_single(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                  gauges.resident_bytes);
  }
  if (gauges.open_fds >= 0) {
    append_single(out, "process_open_fds", "gauge", "Open file descriptors.", gauges.open_fds);
  }
  if (gauges.max_fds >= 0) {
    append_single(out, "process_max_fds", "gauge", "The open file descriptor limit.", gauges.max_fds);
  }
  append_single(out, "process_start_time_seconds", "gauge", "When the process started, in seconds since the epoch.",
                gauges.start_time_seconds);
}
// excerpt-end: write_metrics

namespace {

// 1234567 -> "1,234,567": a summary is read by people.
std::string with_thousands(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string summary_line(const ServerMetrics& before, const ServerMetrics& now, size_t open_connections) {
  const uint64_t accepted = now.connections_accepted - before.connections_accepted;
  uint64_t closed = 0;
  std::string closes;
  for (size_t i = 0; i < kCloseReasonCount; ++i) {
    const uint64_t count = now.connections_closed[i] - before.connections_closed[i];
    if (count == 0) continue;
    closed += count;
    closes += closes.empty() ? ": " : ", ";
    closes += std::string(close_reason_name(static_cast<CloseReason>(i))) + " " + with_thousands(count);
  }
  uint64_t refused = 0;
  std::string refusals;
  for (int code = 400; code < 600; ++code) {
    const uint64_t count = now.http_responses[code] - before.http_responses[code];
    if (count == 0) continue;
    refused += count;
    refusals += refusals.empty() ? " (" : ", ";
    refusals += std::to_string(code) + " " + with_thousands(count);
  }
  if (!refusals.empty()) refusals += ")";
  const uint64_t received = now.messages_received - before.messages_received;
  const uint64_t delivered = now.messages_delivered - before.messages_delivered;
  if (accepted == 0 && closed == 0 && received == 0 && refused == 0) return "";
  return "summary: " + with_thousands(open_connections) + " open (+" + with_thousands(accepted) + " accepted, -" +
         with_thousands(closed) + " closed" + closes + "), " + with_thousands(received) + " messages in, " +
         with_thousands(delivered) + " delivered, " + with_thousands(refused) + " refused" + refusals;
}
