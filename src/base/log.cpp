// log.cpp: see log.h.
#include "base/log.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace {
LogLevel current_level = LogLevel::Info;
char current_prefix[16] = "";
const char* const kLevelNames[] = {"error", "warn", "info", "debug"};
}  // namespace

void set_log_level(LogLevel level) { current_level = level; }

void set_log_prefix(const char* prefix) {
  std::snprintf(current_prefix, sizeof current_prefix, "%s%s", prefix, prefix[0] != '\0' ? " " : "");
}

bool log_enabled(LogLevel level) { return level <= current_level; }

bool parse_log_level(const char* text, LogLevel* level) {
  for (int i = 0; i < 4; ++i) {
    if (std::strcmp(text, kLevelNames[i]) == 0) {
      *level = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

void log_message(LogLevel level, const char* format, ...) {
  if (!log_enabled(level)) return;
  char line[1024];
  std::time_t now = std::time(nullptr);
  std::tm utc;
  gmtime_r(&now, &utc);
  size_t used = std::strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &utc);
  used += std::snprintf(line + used, sizeof line - used, "%-5s %s", kLevelNames[static_cast<int>(level)],
                        current_prefix);
  va_list args;
  va_start(args, format);
  int written = std::vsnprintf(line + used, sizeof line - used - 1, format, args);
  va_end(args);
  if (written < 0) return;
  used += static_cast<size_t>(written) < sizeof line - used - 1 ? static_cast<size_t>(written) : sizeof line - used - 2;
  line[used++] = '\n';
  // One fwrite per line so lines from a crash handler or a test harness
  // reading stderr never interleave mid-line.
  std::fwrite(line, 1, used, stderr);
}
