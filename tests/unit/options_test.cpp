// options_test.cpp: the command line of src/options.cpp (the text of
// --help): every flag's default, a valid and an invalid value for each, the
// "--flag=value" form, the repeatable flags, the one flag without a value,
// the rule that --history-bytes fits in half of --max-output, and what
// unknown flags, --help and --version make chatd do.
#include "options.h"

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace {

// Runs parse_options over the words of a command line (without "chatd").
ParseOutcome parse(std::vector<std::string> words, ServerOptions* options) {
  words.insert(words.begin(), "chatd");
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  return parse_options(static_cast<int>(words.size()), argv.data(), options);
}

/* ===== Defaults ===== */

TEST(Options, WithoutFlagsEveryOptionKeepsTheDefaultThatHelpNames) {
  ServerOptions options;
  ASSERT_EQ(parse({}, &options), ParseOutcome::Run);
  EXPECT_EQ(options.host, "127.0.0.1");
  EXPECT_EQ(options.port, 8080);
  EXPECT_EQ(options.max_connections, 19000u);
  EXPECT_EQ(options.max_message_bytes, 65536u);
  EXPECT_EQ(options.max_output_bytes, 1048576u);
  EXPECT_EQ(options.handshake_timeout_ms, 5000);
  EXPECT_EQ(options.idle_timeout_ms, 30000);
  EXPECT_EQ(options.pong_timeout_ms, 10000);
  EXPECT_EQ(options.close_timeout_ms, 2000);
  EXPECT_EQ(options.message_timeout_ms, 10000);
  EXPECT_EQ(options.shutdown_grace_ms, 2000);
  EXPECT_EQ(options.rate_per_second, 20);
  EXPECT_EQ(options.rate_burst, 40);
  EXPECT_EQ(options.history_length, 50u);
  EXPECT_EQ(options.history_bytes, 32768u);
  EXPECT_EQ(options.join_rate_per_second, 1);
  EXPECT_EQ(options.join_burst, 5);
  EXPECT_EQ(options.presence_threshold, 100u);
  EXPECT_EQ(options.presence_interval_ms, 5000);
  EXPECT_EQ(options.max_connections_per_ip, 64u);
  EXPECT_EQ(options.ip_rate_per_second, 50);
  EXPECT_EQ(options.ip_burst, 100);
  EXPECT_FALSE(options.exempt_loopback);
  EXPECT_TRUE(options.trusted_proxies.empty());
  EXPECT_TRUE(options.allowed_origins.empty());
  EXPECT_EQ(options.log_level, LogLevel::Info);
  EXPECT_EQ(options.log_format, LogFormat::Text);
  EXPECT_EQ(options.log_summary_ms, 60000);
}

/* ===== One valid and one invalid value per flag ===== */

struct FlagCase {
  const char* flag;
  const char* valid_value;
  std::function<bool(const ServerOptions&)> holds_valid_value;
  const char* invalid_value;  // refused: out of range or not a number
};

// What gtest prints for a failing case: its flag, not the struct's bytes.
void PrintTo(const FlagCase& flag_case, std::ostream* out) { *out << flag_case.flag; }

// The name gtest prints for each case: the flag without its dashes.
std::string flag_case_name(const ::testing::TestParamInfo<FlagCase>& info) {
  std::string name;
  for (const char* c = info.param.flag + 2; *c; ++c) name += (*c == '-') ? '_' : *c;
  return name;
}

const FlagCase kFlagCases[] = {
    {"--host", "0.0.0.0", [](const ServerOptions& o) { return o.host == "0.0.0.0"; }, ""},
    {"--port", "0", [](const ServerOptions& o) { return o.port == 0; }, "65536"},
    {"--max-connections", "10", [](const ServerOptions& o) { return o.max_connections == 10; }, "0"},
    {"--max-message", "16777216", [](const ServerOptions& o) { return o.max_message_bytes == 16777216; },
     "16777217"},
    {"--max-output", "1024", [](const ServerOptions& o) { return o.max_output_bytes == 1024; }, "1023"},
    {"--handshake-timeout", "0.5", [](const ServerOptions& o) { return o.handshake_timeout_ms == 500; }, "0"},
    {"--idle-timeout", "120", [](const ServerOptions& o) { return o.idle_timeout_ms == 120000; }, "-1"},
    {"--pong-timeout", "3", [](const ServerOptions& o) { return o.pong_timeout_ms == 3000; }, "soon"},
    {"--close-timeout", "1.25", [](const ServerOptions& o) { return o.close_timeout_ms == 1250; }, "inf"},
    {"--message-timeout", "30", [](const ServerOptions& o) { return o.message_timeout_ms == 30000; },
     "31536001"},
    {"--shutdown-grace", "0.0001", [](const ServerOptions& o) { return o.shutdown_grace_ms == 1; }, "2s"},
    {"--rate", "0.5", [](const ServerOptions& o) { return o.rate_per_second == 0.5; }, "0"},
    {"--burst", "1", [](const ServerOptions& o) { return o.rate_burst == 1; }, "0.5"},
    {"--history", "10000", [](const ServerOptions& o) { return o.history_length == 10000; }, "10001"},
    {"--history-bytes", "0", [](const ServerOptions& o) { return o.history_bytes == 0; }, "1048577"},
    {"--join-rate", "3", [](const ServerOptions& o) { return o.join_rate_per_second == 3; }, "nan"},
    {"--join-burst", "2", [](const ServerOptions& o) { return o.join_burst == 2; }, "0.9"},
    {"--presence-threshold", "0", [](const ServerOptions& o) { return o.presence_threshold == 0; }, "-5"},
    {"--presence-interval", "60", [](const ServerOptions& o) { return o.presence_interval_ms == 60000; }, "0"},
    {"--max-connections-per-ip", "0", [](const ServerOptions& o) { return o.max_connections_per_ip == 0; },
     "many"},
    {"--ip-rate", "200", [](const ServerOptions& o) { return o.ip_rate_per_second == 200; }, "-1"},
    {"--ip-burst", "1", [](const ServerOptions& o) { return o.ip_burst == 1; }, "0"},
    {"--trusted-proxy", "10.0.0.0/8",
     [](const ServerOptions& o) { return o.trusted_proxies.size() == 1 && o.trusted_proxies[0].prefix_bits == 104; },
     "10.0.0.0/33"},
    {"--metrics-allow", "192.0.2.0/24",
     [](const ServerOptions& o) { return o.metrics_allow.size() == 1 && o.metrics_allow[0].prefix_bits == 120; },
     "192.0.2.0/40"},
    {"--metrics-port", "9100", [](const ServerOptions& o) { return o.metrics_port == 9100; }, "0"},
    {"--origin", "https://chat.example",
     [](const ServerOptions& o) {
       return o.allowed_origins == std::vector<std::string>{"https://chat.example"};
     },
     ""},
    {"--log-level", "debug", [](const ServerOptions& o) { return o.log_level == LogLevel::Debug; }, "verbose"},
    {"--log-format", "json", [](const ServerOptions& o) { return o.log_format == LogFormat::Json; }, "xml"},
    {"--log-summary", "0", [](const ServerOptions& o) { return o.log_summary_ms == 0; }, "-1"},
    {"--redis", "redis://127.0.0.1:6380/2",
     [](const ServerOptions& o) { return o.use_redis && o.redis.port == 6380 && o.redis.db == 2; }, "http://127.0.0.1"},
    {"--redis-prefix", "chat2:", [](const ServerOptions& o) { return o.redis_prefix == "chat2:"; },
     "a-prefix-longer-than-a-hundred-bytes-a-prefix-longer-than-a-hundred-bytes-a-prefix-longer-than-a-hundred-b"},
    {"--node-name", "eu-1", [](const ServerOptions& o) { return o.node_name == "eu-1"; }, ""},
};

class OptionsFlag : public ::testing::TestWithParam<FlagCase> {};

TEST_P(OptionsFlag, AValidValueIsStoredInTheOptions) {
  ServerOptions options;
  ASSERT_EQ(parse({GetParam().flag, GetParam().valid_value}, &options), ParseOutcome::Run);
  EXPECT_TRUE(GetParam().holds_valid_value(options));
}

TEST_P(OptionsFlag, AValidValueAfterAnEqualsSignIsStoredToo) {
  ServerOptions options;
  ASSERT_EQ(parse({std::string(GetParam().flag) + "=" + GetParam().valid_value}, &options), ParseOutcome::Run);
  EXPECT_TRUE(GetParam().holds_valid_value(options));
}

TEST_P(OptionsFlag, AnInvalidValueMakesChatdExitWithFailure) {
  ServerOptions options;
  EXPECT_EQ(parse({GetParam().flag, GetParam().invalid_value}, &options), ParseOutcome::ExitFailure);
}

TEST_P(OptionsFlag, AFlagWithoutItsValueMakesChatdExitWithFailure) {
  ServerOptions options;
  EXPECT_EQ(parse({GetParam().flag}, &options), ParseOutcome::ExitFailure);
}

INSTANTIATE_TEST_SUITE_P(EveryFlagWithAValue, OptionsFlag, ::testing::ValuesIn(kFlagCases), flag_case_name);

/* ===== Forms of the command line ===== */

TEST(Options, AValueMayItselfContainAnEqualsSign) {
  ServerOptions options;
  ASSERT_EQ(parse({"--origin=https://chat.example/?a=b"}, &options), ParseOutcome::Run);
  EXPECT_EQ(options.allowed_origins, std::vector<std::string>{"https://chat.example/?a=b"});
}

TEST(Options, ALaterFlagOverridesAnEarlierOneOfTheSameName) {
  ServerOptions options;
  ASSERT_EQ(parse({"--port", "1", "--port=2"}, &options), ParseOutcome::Run);
  EXPECT_EQ(options.port, 2);
}

TEST(Options, OriginIsRepeatableAndKeepsEveryValueInOrder) {
  ServerOptions options;
  ASSERT_EQ(parse({"--origin", "https://a.example", "--origin=https://b.example"}, &options), ParseOutcome::Run);
  EXPECT_EQ(options.allowed_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

TEST(Options, TrustedProxyIsRepeatableAndKeepsEveryRange) {
  ServerOptions options;
  ASSERT_EQ(parse({"--trusted-proxy", "10.0.0.1", "--trusted-proxy", "2001:db8::/32"}, &options),
            ParseOutcome::Run);
  ASSERT_EQ(options.trusted_proxies.size(), 2u);
  EXPECT_EQ(options.trusted_proxies[0].prefix_bits, 128);
  EXPECT_EQ(options.trusted_proxies[1].prefix_bits, 32);
}

TEST(Options, ExemptLoopbackTakesNoValue) {
  ServerOptions options;
  ASSERT_EQ(parse({"--exempt-loopback", "--port", "9000"}, &options), ParseOutcome::Run);
  EXPECT_TRUE(options.exempt_loopback);
  EXPECT_EQ(options.port, 9000);
}

TEST(Options, ExemptLoopbackWithAnEqualsValueIsUnknown) {
  ServerOptions options;
  EXPECT_EQ(parse({"--exempt-loopback=yes"}, &options), ParseOutcome::ExitFailure);
}

TEST(Options, AnUnknownFlagMakesChatdExitWithFailure) {
  ServerOptions options;
  EXPECT_EQ(parse({"--colour", "blue"}, &options), ParseOutcome::ExitFailure);
}

TEST(Options, AWordThatIsNotAFlagMakesChatdExitWithFailure) {
  ServerOptions options;
  EXPECT_EQ(parse({"8080"}, &options), ParseOutcome::ExitFailure);
}

TEST(Options, DashPIsThePort) {
  ServerOptions options;
  ASSERT_EQ(parse({"-p", "9000"}, &options), ParseOutcome::Run);
  EXPECT_EQ(options.port, 9000);
}

TEST(Options, AFlagAsTheNextWordIsNotTakenAsAValue) {
  ServerOptions options;
  EXPECT_EQ(parse({"--port", "--host", "::"}, &options), ParseOutcome::ExitFailure);
  EXPECT_EQ(options.host, "127.0.0.1");
}

TEST(Options, AnExplicitMaxConnectionsIsMarkedAsGivenSoItsCapCanBeWarnedAbout) {
  ServerOptions defaults;
  ASSERT_EQ(parse({}, &defaults), ParseOutcome::Run);
  EXPECT_FALSE(defaults.max_connections_given);
  ServerOptions given;
  ASSERT_EQ(parse({"--max-connections", "500"}, &given), ParseOutcome::Run);
  EXPECT_TRUE(given.max_connections_given);
}

/* ===== What an error says ===== */

// The error chatd prints for a command line (without "chatd").
std::string error_for(std::vector<std::string> words) {
  ServerOptions options;
  ::testing::internal::CaptureStderr();
  ParseOutcome outcome = parse(std::move(words), &options);
  std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(outcome, ParseOutcome::ExitFailure);
  return printed;
}

TEST(Options, AnErrorNamesTheFlagAndWhatIsWrongWithTheValue) {
  EXPECT_EQ(error_for({"--port", "99999"}), "chatd: --port: 99999 is not in 0..65535 (try --help)\n");
  EXPECT_EQ(error_for({"--port"}), "chatd: --port: missing value (try --help)\n");
  EXPECT_EQ(error_for({"--port="}), "chatd: --port: '' is not a whole number (try --help)\n");
  EXPECT_EQ(error_for({"--max-connections", "ten"}),
            "chatd: --max-connections: 'ten' is not a whole number (try --help)\n");
  EXPECT_EQ(error_for({"--max-output", "1023"}), "chatd: --max-output: 1023 is not in 1024.. (try --help)\n");
  EXPECT_EQ(error_for({"--idle-timeout", "2s"}),
            "chatd: --idle-timeout: '2s' is not a number of seconds (such as 5 or 0.5) (try --help)\n");
  EXPECT_EQ(error_for({"--idle-timeout", "0"}),
            "chatd: --idle-timeout: 0 is not above 0 and at most a year (31536000) (try --help)\n");
  EXPECT_EQ(error_for({"--rate", "-1"}), "chatd: --rate: -1 is not above 0 (try --help)\n");
  EXPECT_EQ(error_for({"--burst", "0.5"}), "chatd: --burst: 0.5 is less than 1 (try --help)\n");
  EXPECT_EQ(error_for({"--workers", "0"}), "chatd: --workers: 0 is not in 1..256, nor auto (try --help)\n");
  EXPECT_EQ(error_for({"--log-level", "loud"}),
            "chatd: --log-level: 'loud' is not error, warn, info or debug (try --help)\n");
  EXPECT_EQ(error_for({"--node-name="}), "chatd: --node-name: it is empty (try --help)\n");
  EXPECT_EQ(error_for({"--trusted-proxy", "10.0.0.0/33"}),
            "chatd: --trusted-proxy: '10.0.0.0/33' is not an address or ADDRESS/BITS range (try --help)\n");
}

TEST(Options, AnUnknownFlagIsNamedWhetherOrNotAValueFollows) {
  EXPECT_EQ(error_for({"--colour", "blue"}), "chatd: unknown option '--colour' (try --help)\n");
  EXPECT_EQ(error_for({"--colour"}), "chatd: unknown option '--colour' (try --help)\n");
  EXPECT_EQ(error_for({"8080"}), "chatd: unknown option '8080' (try --help)\n");
  EXPECT_EQ(error_for({"-x"}), "chatd: unknown option '-x' (try --help)\n");
}

TEST(Options, ABadRedisUrlIsExplainedWithoutPrintingTheUrl) {
  std::string printed = error_for({"--redis", "redis://:secret@127.0.0.1:99999"});
  EXPECT_EQ(printed.rfind("chatd: --redis: bad URL: ", 0), 0u) << printed;
  EXPECT_EQ(printed.find("secret"), std::string::npos) << printed;
}

/* ===== --history-bytes and --max-output ===== */

// A welcome must fit in half of a client's output limit.
TEST(Options, TheHistoryBytesDefaultFollowsASmallMaxOutputDownToItsHalf) {
  ServerOptions options;
  ASSERT_EQ(parse({"--max-output", "4096"}, &options), ParseOutcome::Run);
  EXPECT_EQ(options.history_bytes, 2048u);
}

TEST(Options, AnExplicitHistoryBytesOfHalfTheMaxOutputIsAccepted) {
  ServerOptions options;
  ASSERT_EQ(parse({"--history-bytes", "2048", "--max-output", "4096"}, &options), ParseOutcome::Run);
  EXPECT_EQ(options.history_bytes, 2048u);
}

TEST(Options, AnExplicitHistoryBytesOverHalfTheMaxOutputIsRefusedInEitherOrder) {
  ServerOptions before;
  EXPECT_EQ(parse({"--history-bytes", "2049", "--max-output", "4096"}, &before), ParseOutcome::ExitFailure);
  ServerOptions after;
  EXPECT_EQ(parse({"--max-output", "4096", "--history-bytes", "2049"}, &after), ParseOutcome::ExitFailure);
}

/* ===== --help and --version ===== */

TEST(Options, HelpPrintsTheUsageAndExitsWithSuccess) {
  ServerOptions options;
  ::testing::internal::CaptureStdout();
  ParseOutcome outcome = parse({"--help"}, &options);
  std::string printed = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(outcome, ParseOutcome::ExitSuccess);
  EXPECT_EQ(printed.rfind("usage: chatd [options]\n", 0), 0u);
}

TEST(Options, DashHIsHelpToo) {
  ServerOptions options;
  ::testing::internal::CaptureStdout();
  ParseOutcome outcome = parse({"-h"}, &options);
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(outcome, ParseOutcome::ExitSuccess);
}

TEST(Options, VersionPrintsTheVersionAndExitsWithSuccess) {
  ServerOptions options;
  ::testing::internal::CaptureStdout();
  ParseOutcome outcome = parse({"--version"}, &options);
  std::string printed = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(outcome, ParseOutcome::ExitSuccess);
  EXPECT_EQ(printed, std::string("chatd ") + kChatdVersion + "\n");
}

TEST(Options, HelpWinsOverAFlagAfterIt) {
  ServerOptions options;
  ::testing::internal::CaptureStdout();
  ParseOutcome outcome = parse({"--help", "--colour"}, &options);
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(outcome, ParseOutcome::ExitSuccess);
}

}  // namespace

TEST(Options, WithoutRedisThereIsNoBus) {
  ServerOptions options;
  ASSERT_EQ(parse({}, &options), ParseOutcome::Run);
  EXPECT_FALSE(options.use_redis);
  EXPECT_EQ(options.redis_prefix, "chatd:");
}

TEST(Options, ARedisNodeTakesAPresenceThresholdOfAtMostTenThousand) {
  ServerOptions at_the_bound, over_it, one_process;
  EXPECT_EQ(parse({"--redis", "redis://127.0.0.1", "--presence-threshold", "10000"}, &at_the_bound),
            ParseOutcome::Run);
  EXPECT_EQ(parse({"--presence-threshold", "10001", "--redis", "redis://127.0.0.1"}, &over_it),
            ParseOutcome::ExitFailure);
  EXPECT_EQ(parse({"--presence-threshold", "50000"}, &one_process), ParseOutcome::Run) << "one process: no such bound";
}
