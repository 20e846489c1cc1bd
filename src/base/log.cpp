// log.cpp: see log.h.
#include "base/log.h"

#include <sys/time.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace {
LogLevel current_level = LogLevel::Info;
LogFormat current_format = LogFormat::Text;
char current_prefix[16] = "";
const char* const kLevelNames[] = {"error", "warn", "info", "debug"};

// Appends text with what would end or break the line escaped. For JSON
// also the quote and backslash, as RFC 8259 section 7 requires (the json
// layer sits above base, so log.cpp carries this small escaper itself).
void append_escaped(std::string* out, const char* text, bool json) {
  static const char kHex[] = "0123456789abcdef";
  for (const char* c = text; *c != '\0'; ++c) {
    const unsigned char byte = static_cast<unsigned char>(*c);
    if (byte == '\n') { *out += "\\n"; continue; }
    if (byte == '\r') { *out += "\\r"; continue; }
    if (byte == '\t') { *out += json ? "\\t" : "\t"; continue; }
    if (json && (byte == '"' || byte == '\\')) { *out += '\\'; *out += static_cast<char>(byte); continue; }
    if (byte < 0x20 || byte == 0x7f) {
      *out += json ? "\\u00" : "\\x";
      *out += kHex[byte >> 4];
      *out += kHex[byte & 15];
      continue;
    }
    *out += static_cast<char>(byte);
  }
}

}  // namespace

void set_log_level(LogLevel level) { current_level = level; }
void set_log_format(LogFormat format) { current_format = format; }

void set_log_prefix(const char* prefix) { std::snprintf(current_prefix, sizeof current_prefix, "%s", prefix); }

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

bool parse_log_format(const char* text, LogFormat* format) {
  if (std::strcmp(text, "text") == 0) *format = LogFormat::Text;
  else if (std::strcmp(text, "json") == 0) *format = LogFormat::Json;
  else return false;
  return true;
}

std::string log_safe(std::string_view text, size_t max_bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  const size_t kept = text.size() > max_bytes ? max_bytes : text.size();
  for (size_t i = 0; i < kept; ++i) {
    const unsigned char byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out += static_cast<char>(byte);
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  if (kept < text.size()) out += "...";
  return out;
}

std::string format_log_line(LogLevel level, int64_t wall_ms, const char* message) {
  const std::time_t seconds = static_cast<std::time_t>(wall_ms / 1000);
  std::tm utc;
  gmtime_r(&seconds, &utc);
  char stamp[40];
  const char* level_name = kLevelNames[static_cast<int>(level)];
  std::string line;
  line.reserve(96 + std::strlen(message));
  if (current_format == LogFormat::Json) {
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(wall_ms % 1000));
    line += "{\"time\":\"";
    line += stamp;
    line += millis;
    line += "\",\"level\":\"";
    line += level_name;
    line += '"';
    if (current_prefix[0] != '\0') {
      line += ",\"worker\":\"";
      append_escaped(&line, current_prefix, true);
      line += '"';
    }
    line += ",\"msg\":\"";
    append_escaped(&line, message, true);
    line += "\"}";
    return line;
  }
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ ", &utc);
  line += stamp;
  line += level_name;
  line.append(6 - std::strlen(level_name), ' ');
  if (current_prefix[0] != '\0') {
    line += current_prefix;
    line += ' ';
  }
  append_escaped(&line, message, false);
  return line;
}

void log_message(LogLevel level, const char* format, ...) {
  if (!log_enabled(level)) return;
  char message[1024];
  va_list args;
  va_start(args, format);
  int written = std::vsnprintf(message, sizeof message, format, args);
  va_end(args);
  if (written < 0) return;
  timeval now{};
  gettimeofday(&now, nullptr);
  const int64_t wall_ms = static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_usec / 1000;
  std::string line = format_log_line(level, wall_ms, message);
  line += '\n';
  // One fwrite per line so lines from a crash handler or a test harness
  // reading stderr never interleave mid-line.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

bool LogBudget::allow(int64_t now_ms, uint64_t* skipped) {
  const int64_t second = now_ms / 1000;
  if (second != second_) {
    second_ = second;
    used_ = 0;
  }
  if (used_ >= per_second_) {
    ++skipped_;
    return false;
  }
  ++used_;
  *skipped = skipped_;
  skipped_ = 0;
  return true;
}
