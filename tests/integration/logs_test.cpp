// logs_test.cpp: what chatd's log tells an operator (docs/08-running.md,
// "Logs"), read from a real chatd's stderr: a close for a fault names its
// reason, code and limit; a refused upgrade names its status, why, and the
// header at fault as it arrived, made safe (a client's bytes never make a
// line of their own); a browser's spare connection's 408 is a debug line,
// not an info one; the periodic summary counts what happened; and
// --log-format json writes one JSON object per line.
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "harness.h"
#include "hostile_support.h"
#include "script_support.h"

namespace {

const char kValidKey[] = "dGhlIHNhbXBsZSBub25jZQ==";

// A chatd whose log goes to a file of its own, read back by log().
class LoggedChatd {
 public:
  explicit LoggedChatd(const std::vector<std::string>& args) {
    char path[] = "/tmp/chatd-logs-test-XXXXXX";
    const int fd = mkstemp(path);
    if (fd >= 0) close(fd);
    path_ = path;
    // The harness starts chatd at warn; these tests read the info lines (a
    // later --log-level in args wins).
    std::vector<std::string> all = {"--log-level", "info"};
    all.insert(all.end(), args.begin(), args.end());
    server_ = std::make_unique<ChatdProcess>(all, LoopbackLimits::Exempt, path_);
  }
  ~LoggedChatd() {
    server_.reset();
    unlink(path_.c_str());
  }
  ChatdProcess& server() { return *server_; }
  std::string log() const {
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // Waits up to timeout_ms for part to appear in the log.
  bool wait_for(const std::string& part, int timeout_ms = 3000) const {
    const int64_t give_up = monotonic_ms() + timeout_ms;
    while (log().find(part) == std::string::npos) {
      if (monotonic_ms() >= give_up) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

 private:
  std::string path_;
  std::unique_ptr<ChatdProcess> server_;
};

std::string upgrade_with(const std::string& headers) {
  return std::string("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n") +
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + kValidKey + "\r\n" + headers + "\r\n";
}

int refuse(int port, const std::string& request) {
  TestClient client;
  if (!client.connect_tcp(port)) return 0;
  client.send_raw(request);
  return TestClient::status_of(client.read_http_response());
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Logs, ARefusedOriginIsLoggedWithItsStatusAndTheOriginThatWasRefused) {
  LoggedChatd chatd({"--origin", "https://chat.example"});
  ASSERT_TRUE(chatd.server().started());
  ASSERT_EQ(refuse(chatd.server().port(), upgrade_with("Origin: https://evil.example\r\n")), 403);
  EXPECT_TRUE(chatd.wait_for("upgrade refused: 403 Origin not allowed (Origin: https://evil.example)")) << chatd.log();
  EXPECT_NE(chatd.log().find("info  conn "), std::string::npos) << "refusals are info lines: " << chatd.log();
}

TEST(Logs, AnUnsupportedVersionIsLoggedWithTheVersionItAskedFor) {
  LoggedChatd chatd({});
  ASSERT_TRUE(chatd.server().started());
  std::string request = upgrade_with("");
  request.replace(request.find("Version: 13"), 11, "Version: 8");
  ASSERT_EQ(refuse(chatd.server().port(), request), 426);
  EXPECT_TRUE(chatd.wait_for("upgrade refused: 426 unsupported Sec-WebSocket-Version (this server speaks 13) "
                             "(Sec-WebSocket-Version: 8)"))
      << chatd.log();
}

// An attacker's header value with bytes that are not ASCII (the request
// parser already refuses control characters with 400): the log shows them
// as \xNN, so a log viewer never sees raw bytes from a client.
TEST(Logs, AHeaderValuesBytesThatAreNotAsciiAreShownEscaped) {
  LoggedChatd chatd({"--origin", "https://chat.example"});
  ASSERT_TRUE(chatd.server().started());
  ASSERT_EQ(refuse(chatd.server().port(), upgrade_with("Origin: https://x\t\xff\xfe\x80.example\r\n")), 403);
  ASSERT_TRUE(chatd.wait_for("upgrade refused: 403")) << chatd.log();
  const std::string log = chatd.log();
  EXPECT_NE(log.find("(Origin: https://x\\x09\\xff\\xfe\\x80.example)"), std::string::npos) << log;
  EXPECT_EQ(log.find('\xff'), std::string::npos);
  for (const std::string& line : lines_of(log)) EXPECT_EQ(line.rfind("20", 0), 0u) << "a line of its own: " << line;
}

TEST(Logs, AVeryLongHeaderValueIsCutInTheLog) {
  LoggedChatd chatd({"--origin", "https://chat.example"});
  ASSERT_TRUE(chatd.server().started());
  ASSERT_EQ(refuse(chatd.server().port(), upgrade_with("Origin: https://" + std::string(3000, 'a') + "\r\n")), 403);
  ASSERT_TRUE(chatd.wait_for("upgrade refused: 403")) << chatd.log();
  const std::string log = chatd.log();
  EXPECT_NE(log.find("aaa...)"), std::string::npos) << log;
  EXPECT_EQ(log.find(std::string(200, 'a')), std::string::npos) << "at most 100 bytes of it";
}

// A browser opens spare connections and may never send a request on them:
// at info their 408 would fill a busy site's log.
TEST(Logs, A408ForASilentConnectionIsADebugLineOnly) {
  for (const char* level : {"info", "debug"}) {
    LoggedChatd chatd({"--handshake-timeout", "0.2", "--log-level", level, "--log-summary", "0"});
    ASSERT_TRUE(chatd.server().started());
    TestClient silent;
    ASSERT_TRUE(silent.connect_tcp(chatd.server().port()));
    EXPECT_EQ(TestClient::status_of(silent.read_http_response(3000)), 408);
    const bool debug = std::string(level) == "debug";
    EXPECT_EQ(chatd.wait_for("no complete request in time; sending 408", debug ? 2000 : 300), debug)
        << level << ": " << chatd.log();
    if (debug) {
      EXPECT_TRUE(chatd.wait_for("closed: handshake_timeout 408")) << chatd.log();
    }
  }
}

TEST(Logs, ASlowConsumerIsClosedWithALineThatNamesTheReasonTheCodeAndTheLimit) {
  LoggedChatd chatd({"--max-output", "65536", "--rate", "100000", "--burst", "100000"});
  ASSERT_TRUE(chatd.server().started());
  TestClient reader;
  reader.set_small_receive_buffer();
  ASSERT_TRUE(reader.open(chatd.server().port(), "/echo"));
  const std::string text(4000, 'e');
  const int messages = static_cast<int>((bytes_a_silent_reader_absorbs() + 2 * 65536) / text.size());
  for (int m = 0; m < messages && reader.send_text(text); ++m) {
  }
  EXPECT_TRUE(chatd.wait_for("closing: slow_consumer 1008 (client too slow: output buffer full; more than "
                             "--max-output 65536 bytes waiting)",
                             5000))
      << chatd.log();
}

TEST(Logs, TheSummaryCountsConnectionsMessagesAndClosesByReason) {
  LoggedChatd chatd({"--log-summary", "0.5", "--origin", "https://chat.example"});
  ASSERT_TRUE(chatd.server().started());
  {
    TestClient echo;
    ASSERT_TRUE(echo.open(chatd.server().port(), "/echo"));
    ASSERT_TRUE(echo.send_text("hello"));
    ReceivedFrame frame;
    ASSERT_TRUE(echo.read_frame(&frame));
    ASSERT_TRUE(echo.send_frame(Opcode::Close, std::string("\x03\xe8", 2)));
    echo.read_close_code();
  }
  ASSERT_EQ(refuse(chatd.server().port(), upgrade_with("Origin: https://evil.example\r\n")), 403);
  ASSERT_TRUE(chatd.wait_for("summary: ", 3000)) << chatd.log();
  const std::string log = chatd.log();
  const std::string summary = log.substr(log.find("summary: "));
  EXPECT_NE(summary.find("+2 accepted, -2 closed: client 1, http_response 1)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("1 messages in"), std::string::npos) << summary;
  EXPECT_NE(summary.find("1 refused (403 1)"), std::string::npos) << summary;
  // Nothing happens afterwards: no more summaries, however long it runs.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  size_t count = 0;
  for (size_t at = 0; (at = chatd.log().find("summary: ", at)) != std::string::npos; ++at) ++count;
  EXPECT_EQ(count, 1u) << chatd.log();
}

TEST(Logs, JsonFormatWritesOneObjectPerLineWithTimeLevelAndMessage) {
  REQUIRE_PYTHON("the JSON log check");
  LoggedChatd chatd({"--log-format", "json", "--log-level", "debug", "--origin", "https://chat.example"});
  ASSERT_TRUE(chatd.server().started());
  ASSERT_EQ(refuse(chatd.server().port(), upgrade_with("Origin: https://\"quoted\"\\x\xff.example\r\n")), 403);
  ASSERT_TRUE(chatd.wait_for("closed: http_response 403")) << chatd.log();
  char path[] = "/tmp/chatd-logs-json-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string log = chatd.log();
  ASSERT_EQ(write(fd, log.data(), log.size()), static_cast<ssize_t>(log.size()));
  close(fd);
  CommandResult result = run_capturing(
      std::string("python3 -c '\n"
                  "import json, sys\n"
                  "lines = open(sys.argv[1]).read().splitlines()\n"
                  "assert lines, \"no lines\"\n"
                  "for line in lines:\n"
                  "    o = json.loads(line)\n"
                  "    assert set(o) >= {\"time\", \"level\", \"msg\"}, line\n"
                  "    assert o[\"time\"].endswith(\"Z\") and o[\"level\"] in (\"error\", \"warn\", \"info\", \"debug\"), line\n"
                  "refused = [o[\"msg\"] for o in map(json.loads, lines) if \"refused\" in o[\"msg\"]]\n"
                  "print(refused[0])\n"
                  "' ") +
      path + " 2>&1");
  unlink(path);
  EXPECT_EQ(result.exit_code, 0) << result.output << "\n" << log;
  EXPECT_NE(result.output.find("(Origin: https://\"quoted\"\\x5cx\\xff.example)"), std::string::npos)
      << result.output;
}

}  // namespace
