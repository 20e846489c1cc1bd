// command_line_test.cpp: what an operator sees when chatd cannot start as
// asked: a flag error that names the flag and what is wrong with its value
// (exit status 2), a port it may not or cannot listen on with a hint of
// what to do (exit status 1), and a warning when --max-connections asks for
// more than the open-file limit allows.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "harness.h"
#include "script_support.h"

namespace {

CommandResult run_chatd(const std::string& arguments) {
  return run_capturing("timeout 10 " + chatd_binary() + " " + arguments + " 2>&1");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CommandLine, AValueOutOfRangeNamesTheFlagAndTheRangeAndExitsWithStatusTwo) {
  CommandResult result = run_chatd("--port 99999");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("chatd: --port: 99999 is not in 0..65535"), std::string::npos) << result.output;
}

TEST(CommandLine, AFlagWhoseValueIsForgottenSaysSoInsteadOfTakingTheNextFlag) {
  CommandResult result = run_chatd("--port --host 127.0.0.1");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("chatd: --port: missing value"), std::string::npos) << result.output;
}

TEST(CommandLine, ShortDashPIsThePort) {
  CommandResult result = run_chatd("-p x");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("chatd: -p: 'x' is not a whole number"), std::string::npos) << result.output;
}

TEST(CommandLine, APortInUseIsExplainedAndExitsWithStatusOne) {
  int holder = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(holder, 1), 0);
  socklen_t length = sizeof address;
  getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);

  CommandResult result = run_chatd("--host 127.0.0.1 --port " + std::to_string(port));
  close(holder);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("Address already in use"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("--port 0 picks a free port"), std::string::npos) << result.output;
}

// A port below 1024 without the privilege to bind it: as root the test
// drops to nobody with setpriv (util-linux) to be an ordinary user.
TEST(CommandLine, APrivilegedPortWithoutThePrivilegeGetsAHint) {
  if (std::stoi(read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start") + "0") / 10 <= 80) {
    GTEST_SKIP() << "this machine lets anyone bind port 80 (ip_unprivileged_port_start); nothing to refuse";
  }
  std::string prefix;
  if (geteuid() == 0) {
    REQUIRE_TOOL("command -v setpriv", "setpriv (util-linux)");
    prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  }
  CommandResult result =
      run_capturing("timeout 10 " + prefix + chatd_binary() + " --host 127.0.0.1 --port 80 2>&1");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("Permission denied"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("ports below 1024 need root or CAP_NET_BIND_SERVICE"), std::string::npos)
      << result.output;
}

TEST(CommandLine, MaxConnectionsAboveTheOpenFileLimitIsAWarningThatSaysHowToRaiseIt) {
  char log_path[] = "/tmp/chatd-command-line-XXXXXX";
  int log_fd = mkstemp(log_path);
  ASSERT_GE(log_fd, 0);
  close(log_fd);
  {
    ChatdProcess server({"--max-connections", "100000000"}, LoopbackLimits::Exempt, log_path);
    ASSERT_TRUE(server.started());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string log = read_file(log_path);
  unlink(log_path);
  EXPECT_NE(log.find("warn"), std::string::npos) << log;
  EXPECT_NE(log.find("--max-connections 100000000 is more than the open-file limit"), std::string::npos) << log;
  EXPECT_NE(log.find("LimitNOFILE="), std::string::npos) << log;
}

TEST(CommandLine, TheDefaultMaxConnectionsCappedByTheLimitIsNoWarning) {
  char log_path[] = "/tmp/chatd-command-line-XXXXXX";
  int log_fd = mkstemp(log_path);
  ASSERT_GE(log_fd, 0);
  close(log_fd);
  {
    ChatdProcess server({}, LoopbackLimits::Exempt, log_path);
    ASSERT_TRUE(server.started());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string log = read_file(log_path);
  unlink(log_path);
  EXPECT_EQ(log.find("is more than the open-file limit"), std::string::npos) << log;
}

}  // namespace
