// server_metrics_test.cpp: the Prometheus text chatd writes for GET /metrics
// (server_metrics.h): histograms with cumulative buckets, a count and a
// sum; every close reason named; counters and gauges as numbers without
// needless fractions. The integration test parses the whole output with
// Prometheus's own Python parser.
#include "server/server_metrics.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(ServerMetrics, AHistogramsBucketsAreCumulativeUpToInfWithItsSumAndCount) {
  ServerMetrics metrics;
  metrics.broadcast_recipients.observe(1);
  metrics.broadcast_recipients.observe(3);
  metrics.broadcast_recipients.observe(3);
  metrics.broadcast_recipients.observe(250000);
  std::string text;
  write_metrics(metrics, MetricsGauges{}, &text);
  EXPECT_TRUE(contains(text, "# TYPE chatd_broadcast_recipients histogram\n"));
  EXPECT_TRUE(contains(text, "chatd_broadcast_recipients_bucket{le=\"1\"} 1\n"));
  EXPECT_TRUE(contains(text, "chatd_broadcast_recipients_bucket{le=\"2\"} 1\n"));
  EXPECT_TRUE(contains(text, "chatd_broadcast_recipients_bucket{le=\"5\"} 3\n"));
  EXPECT_TRUE(contains(text, "chatd_broadcast_recipients_bucket{le=\"100000\"} 3\n"));
  EXPECT_TRUE(contains(text, "chatd_broadcast_recipients_bucket{le=\"+Inf\"} 4\n"));
  EXPECT_TRUE(contains(text, "chatd_broadcast_recipients_sum 250007\n"));
  EXPECT_TRUE(contains(text, "chatd_broadcast_recipients_count 4\n"));
}

TEST(ServerMetrics, EveryCloseReasonHasItsOwnNameAndUnsetCountsAsClient) {
  std::set<std::string> names;
  for (size_t i = 1; i < kCloseReasonCount; ++i) names.insert(close_reason_name(static_cast<CloseReason>(i)));
  EXPECT_EQ(names.size(), kCloseReasonCount - 1);
  ServerMetrics metrics;
  metrics.connections_closed[static_cast<size_t>(CloseReason::Unset)] = 2;
  metrics.connections_closed[static_cast<size_t>(CloseReason::Client)] = 3;
  metrics.connections_closed[static_cast<size_t>(CloseReason::SlowConsumer)] = 1;
  std::string text;
  write_metrics(metrics, MetricsGauges{}, &text);
  EXPECT_TRUE(contains(text, "chatd_connections_closed_total{reason=\"client\"} 5\n"));
  EXPECT_TRUE(contains(text, "chatd_connections_closed_total{reason=\"slow_consumer\"} 1\n"));
  EXPECT_TRUE(contains(text, "chatd_connections_closed_total{reason=\"shutdown\"} 0\n"));
}

TEST(ServerMetrics, CloseCodesOfErrorsMapToTheirReasons) {
  EXPECT_EQ(close_reason_for_code(1002), CloseReason::ProtocolError);
  EXPECT_EQ(close_reason_for_code(1003), CloseReason::ProtocolError);
  EXPECT_EQ(close_reason_for_code(1007), CloseReason::BadUtf8);
  EXPECT_EQ(close_reason_for_code(1008), CloseReason::Policy);
  EXPECT_EQ(close_reason_for_code(1009), CloseReason::TooBig);
}

TEST(ServerMetrics, OnlyStatusesThatOccurredAreListedAndNumbersHaveNoNeedlessFraction) {
  ServerMetrics metrics;
  metrics.http_responses[101] = 7;
  metrics.http_responses[403] = 1;
  metrics.sent_bytes = 12345678901ull;
  MetricsGauges gauges;
  gauges.cpu_seconds = 0.25;
  gauges.resident_bytes = -1;  // unknown here: left out
  std::string text;
  write_metrics(metrics, gauges, &text);
  EXPECT_TRUE(contains(text, "chatd_http_responses_total{code=\"101\"} 7\n"));
  EXPECT_TRUE(contains(text, "chatd_http_responses_total{code=\"403\"} 1\n"));
  EXPECT_FALSE(contains(text, "code=\"200\""));
  EXPECT_TRUE(contains(text, "chatd_sent_bytes_total 12345678901\n"));
  EXPECT_TRUE(contains(text, "process_cpu_seconds_total 0.25\n"));
  EXPECT_FALSE(contains(text, "process_resident_memory_bytes"));
  EXPECT_EQ(text.back(), '\n');
}

/* ===== The summary line (--log-summary) ===== */

TEST(SummaryLine, CountsWhatChangedSinceTheLastOneWithClosesByReasonAndRefusalsByStatus) {
  ServerMetrics before;
  before.connections_accepted = 1000;
  before.connections_closed[static_cast<size_t>(CloseReason::Client)] = 400;
  before.messages_received = 5;
  ServerMetrics now = before;
  now.connections_accepted += 1231;
  now.connections_closed[static_cast<size_t>(CloseReason::Client)] += 9;
  now.connections_closed[static_cast<size_t>(CloseReason::PongTimeout)] += 2;
  now.connections_closed[static_cast<size_t>(CloseReason::SlowConsumer)] += 1;
  now.messages_received += 5678;
  now.messages_delivered += 1091011;
  now.http_responses[403] += 2;
  now.http_responses[429] += 1;
  now.http_responses[101] += 1231;  // upgrades are not refusals
  EXPECT_EQ(summary_line(before, now, 1204),
            "summary: 1,204 open (+1,231 accepted, -12 closed: client 9, pong_timeout 2, slow_consumer 1), "
            "5,678 messages in, 1,091,011 delivered, 3 refused (403 2, 429 1)");
}

TEST(SummaryLine, IsEmptyWhenNothingHappened) {
  ServerMetrics metrics;
  metrics.connections_accepted = 7;
  EXPECT_EQ(summary_line(metrics, metrics, 7), "");
}

TEST(SummaryLine, AQuietPeriodWithOnlyMessagesStillSaysSo) {
  ServerMetrics before;
  ServerMetrics now;
  now.messages_received = 3;
  now.messages_delivered = 30;
  EXPECT_EQ(summary_line(before, now, 10),
            "summary: 10 open (+0 accepted, -0 closed), 3 messages in, 30 delivered, 0 refused");
}
