// script_support.cpp: see script_support.h.
#include "script_support.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>

CommandResult run_capturing(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  char chunk[4096];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) result.output.append(chunk, got);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && *ci && std::string(ci) != "false" && std::string(ci) != "0";
}

bool tool_available(const std::string& probe) { return run_capturing(probe + " >/dev/null").exit_code == 0; }
