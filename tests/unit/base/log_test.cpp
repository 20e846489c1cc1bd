// log_test.cpp: the shape of a log line (src/base/log.h) as text and as
// JSON, that a message can never break its line or the JSON around it,
// log_safe() for client-controlled text, and the budget that keeps a crowd
// of bad clients from flooding the log.
#include "base/log.h"

#include <gtest/gtest.h>

#include <string>

namespace {

// 2026-12-06T21:00:00.250Z
constexpr int64_t kWallMs = 1796590800250;

class LogLine : public ::testing::Test {
 protected:
  void TearDown() override {
    set_log_format(LogFormat::Text);
    set_log_prefix("");
  }
};

TEST_F(LogLine, TextIsTheTimeTheLevelPaddedAndTheMessage) {
  EXPECT_EQ(format_log_line(LogLevel::Info, kWallMs, "listening on port 8080"),
            "2026-12-06T21:00:00Z info  listening on port 8080");
  EXPECT_EQ(format_log_line(LogLevel::Debug, kWallMs, "x"), "2026-12-06T21:00:00Z debug x");
}

TEST_F(LogLine, AWorkersNameComesAfterTheLevel) {
  set_log_prefix("w2");
  EXPECT_EQ(format_log_line(LogLevel::Warn, kWallMs, "x"), "2026-12-06T21:00:00Z warn  w2 x");
}

TEST_F(LogLine, ALineBreakInAMessageIsWrittenEscapedSoNoLineCanBeForged) {
  EXPECT_EQ(format_log_line(LogLevel::Info, kWallMs, "a\r\n2026-12-06T21:00:00Z error forged\x1b"),
            "2026-12-06T21:00:00Z info  a\\r\\n2026-12-06T21:00:00Z error forged\\x1b");
}

TEST_F(LogLine, JsonHasTimeWithMillisecondsLevelWorkerAndMessage) {
  set_log_format(LogFormat::Json);
  set_log_prefix("w2");
  EXPECT_EQ(format_log_line(LogLevel::Info, kWallMs, "summary: 3 open"),
            "{\"time\":\"2026-12-06T21:00:00.250Z\",\"level\":\"info\",\"worker\":\"w2\",\"msg\":\"summary: 3 open\"}");
}

TEST_F(LogLine, JsonWithoutAWorkerHasNoWorkerField) {
  set_log_format(LogFormat::Json);
  EXPECT_EQ(format_log_line(LogLevel::Error, kWallMs, "x"),
            "{\"time\":\"2026-12-06T21:00:00.250Z\",\"level\":\"error\",\"msg\":\"x\"}");
}

TEST_F(LogLine, JsonEscapesQuotesBackslashesAndControlCharacters) {
  set_log_format(LogFormat::Json);
  EXPECT_EQ(format_log_line(LogLevel::Info, kWallMs, "say \"hi\" \\ \n\t\x01"),
            "{\"time\":\"2026-12-06T21:00:00.250Z\",\"level\":\"info\",\"msg\":\"say \\\"hi\\\" \\\\ \\n\\t\\u0001\"}");
}

TEST(LogFormatNames, TextAndJsonAreTheFormats) {
  LogFormat format = LogFormat::Text;
  EXPECT_TRUE(parse_log_format("json", &format));
  EXPECT_EQ(format, LogFormat::Json);
  EXPECT_TRUE(parse_log_format("text", &format));
  EXPECT_EQ(format, LogFormat::Text);
  EXPECT_FALSE(parse_log_format("xml", &format));
}

TEST(LogSafe, KeepsPrintableAsciiAndShowsEveryOtherByteAsHex) {
  EXPECT_EQ(log_safe("https://chat.example"), "https://chat.example");
  EXPECT_EQ(log_safe("a\r\nb\x1b[2J\\\xff"), "a\\x0d\\x0ab\\x1b[2J\\x5c\\xff");
}

TEST(LogSafe, CutsLongTextAndSaysSo) {
  EXPECT_EQ(log_safe(std::string(150, 'a'), 100), std::string(100, 'a') + "...");
  EXPECT_EQ(log_safe(std::string(100, 'a'), 100), std::string(100, 'a'));
}

TEST(LogBudget, AllowsSoManyLinesInOneSecondAndCountsTheRest) {
  LogBudget budget(2);
  uint64_t skipped = 99;
  EXPECT_TRUE(budget.allow(5000, &skipped));
  EXPECT_EQ(skipped, 0u);
  EXPECT_TRUE(budget.allow(5100, &skipped));
  EXPECT_FALSE(budget.allow(5200, &skipped));
  EXPECT_FALSE(budget.allow(5999, &skipped));
  // The next second: a line again, which says how many were left out.
  EXPECT_TRUE(budget.allow(6000, &skipped));
  EXPECT_EQ(skipped, 2u);
  EXPECT_TRUE(budget.allow(6001, &skipped));
  EXPECT_EQ(skipped, 0u);
}

}  // namespace
