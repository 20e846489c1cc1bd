// log.h: leveled logging to stderr, as text lines or JSON lines.
//
// One line per event. As text, a timestamp, the level and the message:
//   2026-11-21T06:30:01Z info  listening on port 8080
// and, in a worker process (--workers), the worker's name after the level:
//   2026-11-21T06:30:01Z info  w2 summary: 1,204 open (+31 accepted, ...)
// As JSON (--log-format json), for log collectors, one object per line:
//   {"time":"2026-11-21T06:30:01.250Z","level":"info","worker":"w2","msg":"..."}
// The level is set once from --log-level. Formatting happens only when the
// level is enabled, so debug lines cost a comparison when they are off.
//
// A log line is one line whatever a client sent: a CR or LF that reaches a
// message (from a header value, say) is written as \r or \n, never as a
// line break another line could be forged after. Call sites that print
// client-controlled text also pass it through log_safe() first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

enum class LogLevel { Error = 0, Warn = 1, Info = 2, Debug = 3 };
enum class LogFormat { Text, Json };

void set_log_level(LogLevel level);
void set_log_format(LogFormat format);
// A short name written before every message ("w2"); empty for none. The
// text is copied (at most 15 bytes kept).
void set_log_prefix(const char* prefix);
bool log_enabled(LogLevel level);
// Parses "error", "warn", "info" or "debug".
bool parse_log_level(const char* text, LogLevel* level);
// Parses "text" or "json".
bool parse_log_format(const char* text, LogFormat* format);

void log_message(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));

// Client-controlled text made fit for a log line: printable ASCII is kept,
// every other byte becomes \xNN, and more than max_bytes is cut with "...".
std::string log_safe(std::string_view text, size_t max_bytes = 100);

// The line as it is written, without the final newline: for the tests.
std::string format_log_line(LogLevel level, int64_t wall_ms, const char* message);

// A budget for lines that a crowd of bad clients could repeat thousands of
// times a second (refused upgrades, abnormal closes, the connection limit):
// at most per_second of them are written in any one second; the others are
// counted, and the first line after a crowded second says how many were
// left out. The counts by reason still reach the periodic summary and
// /metrics, so nothing is lost but the repetition.
class LogBudget {
 public:
  explicit LogBudget(uint32_t per_second) : per_second_(per_second) {}
  // True when a line may be written now (now_ms on any clock); then
  // *skipped is how many were left out since the last one written.
  bool allow(int64_t now_ms, uint64_t* skipped);

 private:
  uint32_t per_second_;
  int64_t second_ = -1;
  uint32_t used_ = 0;
  uint64_t skipped_ = 0;
};

#define LOG_ERROR(...) log_message(LogLevel::Error, __VA_ARGS__)
#define LOG_WARN(...) \
  do { if (log_enabled(LogLevel::Warn)) log_message(LogLevel::Warn, __VA_ARGS__); } while (0)
#define LOG_INFO(...) \
  do { if (log_enabled(LogLevel::Info)) log_message(LogLevel::Info, __VA_ARGS__); } while (0)
#define LOG_DEBUG(...) \
  do { if (log_enabled(LogLevel::Debug)) log_message(LogLevel::Debug, __VA_ARGS__); } while (0)
