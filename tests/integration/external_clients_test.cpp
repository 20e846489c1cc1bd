// external_clients_test.cpp: clients that nobody on this project wrote talk
// to chatd: Python's `websockets`, node's `ws`, and a real Chromium driving
// the demo page through Playwright. The scripts live in tests/clients/.
//
// A missing tool skips its test with the reason printed, so a learner without
// node can still run `make test`; when the CI environment variable is set, a
// missing tool is a failure instead.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "harness.h"
#include "script_support.h"  // REQUIRE_TOOL

namespace {

int run_command(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ExternalClients, PythonWebsocketsChatsThroughChatd) {
  REQUIRE_TOOL("/usr/bin/python3 -c 'import websockets'", "python3-websockets (/usr/bin/python3)");
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/";
  EXPECT_EQ(run_command("timeout 60 /usr/bin/python3 tests/clients/python_chat.py " + url), 0);
}

TEST(ExternalClients, NodeWsChatsAndEchoesThroughChatd) {
  REQUIRE_TOOL("node -e \"require('./tests/clients/node_modules/ws')\"", "node with ws (npm ci in tests/clients)");
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/";
  EXPECT_EQ(run_command("timeout 60 node tests/clients/node_chat.js " + url), 0);
}

TEST(ExternalClients, ChromiumChatsThroughTheDemoPage) {
  REQUIRE_TOOL("test -x /usr/bin/chromium", "chromium (/usr/bin/chromium)");
  REQUIRE_TOOL("node -e \"require('./tests/clients/node_modules/playwright-core')\"",
               "node with playwright-core (npm ci in tests/clients)");
  ChatdProcess server;
  ASSERT_TRUE(server.started());
  std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  EXPECT_EQ(run_command("mkdir -p tests/artifacts && timeout 120 node tests/clients/browser_chat.js " + url +
                        " tests/artifacts/browser.png"),
            0);
}

}  // namespace
