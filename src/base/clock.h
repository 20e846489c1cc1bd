// clock.h: the two clocks chatd reads.
//
// Timers (handshake, idle, close) use the monotonic clock, which never jumps
// when an operator or NTP sets the system time. Chat timestamps shown to
// users use the wall clock, in milliseconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <ctime>

inline int64_t monotonic_ms() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

// For measuring short spans (a loop turn), in microseconds.
inline int64_t monotonic_us() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

inline int64_t wall_clock_ms() {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}
