// log.h: leveled logging to stderr.
//
// One line per event, prefixed with a timestamp and level, e.g.
//   2026-11-21T06:30:01Z info  conn 12 127.0.0.1:53122 connected
// and, in a worker process (--workers), the worker's name after the level:
//   2026-11-21T06:30:01Z info  w2 conn 12 127.0.0.1:53122 connected
// The level is set once from --log-level. Formatting happens only when the
// level is enabled, so debug lines cost a comparison when they are off.
#pragma once

enum class LogLevel { Error = 0, Warn = 1, Info = 2, Debug = 3 };

void set_log_level(LogLevel level);
// A short name written before every message ("w2"); empty for none. The
// text is copied (at most 15 bytes kept).
void set_log_prefix(const char* prefix);
bool log_enabled(LogLevel level);
// Parses "error", "warn", "info" or "debug".
bool parse_log_level(const char* text, LogLevel* level);

void log_message(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));

#define LOG_ERROR(...) log_message(LogLevel::Error, __VA_ARGS__)
#define LOG_WARN(...) \
  do { if (log_enabled(LogLevel::Warn)) log_message(LogLevel::Warn, __VA_ARGS__); } while (0)
#define LOG_INFO(...) \
  do { if (log_enabled(LogLevel::Info)) log_message(LogLevel::Info, __VA_ARGS__); } while (0)
#define LOG_DEBUG(...) \
  do { if (log_enabled(LogLevel::Debug)) log_message(LogLevel::Debug, __VA_ARGS__); } while (0)
