/* wall_clock_step.c: a preload library for one integration test
 * (chat_clock_test.cpp). It passes clock_gettime through, except that
 * while the file named by CHATD_TEST_WALL_STEP_FILE exists, CLOCK_REALTIME
 * reads one hour earlier: an operator or NTP stepping the system clock
 * back, while the monotonic clock goes on as before (clock.h's rule). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int clock_gettime(clockid_t clock, struct timespec* now) {
  /* The system call itself: no dlsym, so nothing to link and no recursion. */
  int rc = (int)syscall(SYS_clock_gettime, clock, now);
  if (rc == 0 && clock == CLOCK_REALTIME) {
    const char* step_file = getenv("CHATD_TEST_WALL_STEP_FILE");
    if (step_file != NULL && access(step_file, F_OK) == 0) now->tv_sec -= 3600;
  }
  return rc;
}
