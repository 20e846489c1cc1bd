// script_support.h: what the tests that run outside programs share
// (docs_test.cpp runs tests/docs/check_docs.py, layers_test.cpp runs
// tests/layers/check_layers.py, external_clients_test.cpp and proxy_test.cpp
// run other people's clients and proxies): running a command and capturing
// its output, and skipping, or failing under CI, when a tool is missing.
#pragma once

#include <gtest/gtest.h>

#include <string>

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs command through the shell and waits for it.
CommandResult run_capturing(const std::string& command);

// True when the CI environment variable is set (and not "false" or "0").
bool in_ci();

// True when the shell command probe exits 0 (its output is discarded).
bool tool_available(const std::string& probe);

// Skips the test, printing that what is not installed, when probe fails;
// under CI a missing tool is a failure instead (.ci/run installs it).
#define REQUIRE_TOOL(probe, what)                                                         \
  do {                                                                                   \
    if (!tool_available(probe)) {                                                        \
      if (in_ci()) FAIL() << what << " is missing, and CI is set: install it (.ci/run)"; \
      GTEST_SKIP() << what << " is not installed; skipping";                             \
    }                                                                                    \
  } while (0)

// Skips the test, printing why, when python3 cannot run; under CI a missing
// python3 is a failure instead (.ci/run installs it).
#define REQUIRE_PYTHON(what)                                                              \
  do {                                                                                    \
    if (run_capturing("python3 -c 'import sys'").exit_code != 0) {                        \
      if (in_ci()) FAIL() << "python3 is missing, and CI is set: install it (.ci/run)";  \
      GTEST_SKIP() << "python3 is not installed; skipping " << (what);                    \
    }                                                                                     \
  } while (0)
