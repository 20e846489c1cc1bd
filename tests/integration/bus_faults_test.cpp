// bus_faults_test.cpp: what happens to messages when Redis fails under the
// nodes (docs/09-the-bus.md, "When Redis fails"). The promise checked:
// every message a client sends is either delivered to every member, in one
// order, or its sender is told "unavailable"; none is lost in silence, and
// none is both. The nodes come back by themselves; rooms whose data Redis
// lost start over with a reset. And recovery: a client that rejoins with
// since gets exactly what it missed, through another node.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bus_support.h"
#include "harness.h"
#include "redis_process.h"

namespace {

// What one client saw of a run: its own messages and others', in order.
struct Seen {
  std::vector<std::string> texts;  // every message's text, in arrival order
  size_t unavailable = 0;
  size_t resets = 0;
  Clock::time_point first_unavailable_at{};
};

// Reads client until it has been quiet for quiet_ms (or max_ms passed).
void read_until_quiet(TestClient& client, Seen* seen, int quiet_ms, int max_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(max_ms);
  JsonValue message;
  while (Clock::now() < deadline && client.read_json(&message, quiet_ms)) {
    std::string type = string_field(message, "type");
    if (type == "message") {
      seen->texts.push_back(string_field(message, "text"));
    } else if (type == "reset") {
      ++seen->resets;
    } else if (type == "error" && string_field(message, "code") == "unavailable") {
      if (seen->unavailable++ == 0) seen->first_unavailable_at = Clock::now();
    }
  }
}

// Sends count messages "t<i>" from sender, one every gap_ms, calling
// at(i) before each, while a second thread reads both clients.
struct TrafficRun {
  Seen sender, receiver;
};

TrafficRun run_traffic(TestClient& sender, TestClient& receiver, int count, int gap_ms,
                       const std::function<void(int)>& at) {
  TrafficRun run;
  // Quiet for longer than a frozen Redis takes to be noticed (4 s).
  std::thread reader([&] { read_until_quiet(receiver, &run.receiver, 6000, 60000); });
  std::thread sender_reader([&] { read_until_quiet(sender, &run.sender, 6000, 60000); });
  for (int i = 0; i < count; ++i) {
    at(i);
    sender.send_text("t" + std::to_string(i));
    std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
  }
  reader.join();
  sender_reader.join();
  return run;
}

// The promise, and the figures for the closing note.
void check_nothing_lost(const TrafficRun& run, int sent, const char* what) {
  const size_t delivered = run.sender.texts.size();
  EXPECT_EQ(run.receiver.texts, run.sender.texts) << "every member saw the same messages in the same order";
  std::set<std::string> unique(run.sender.texts.begin(), run.sender.texts.end());
  EXPECT_EQ(unique.size(), delivered) << "no message delivered twice";
  EXPECT_EQ(delivered + run.sender.unavailable, static_cast<size_t>(sent))
      << "each message delivered or refused, never lost and never both";
  std::printf("[ figures  ] %s: sent %d, delivered %zu, refused unavailable %zu, lost %d, resets %zu\n", what, sent,
              delivered, run.sender.unavailable, sent - static_cast<int>(delivered + run.sender.unavailable),
              run.sender.resets);
}

}  // namespace

TEST_F(Bus, RedisKilledAndRestartedLosesNoMessageInSilence) {
  REQUIRE_REDIS();
  start_nodes(2);
  std::unique_ptr<TestClient> sender, receiver;
  ASSERT_TRUE(members_on_two_nodes("sender", "receiver", "faults", &sender, &receiver));
  const int kMessages = 300;
  TrafficRun run = run_traffic(*sender, *receiver, kMessages, 10, [&](int i) {
    if (i == 100) {
      ASSERT_TRUE(redis->stop(SIGKILL, 3000));
    }
    if (i == 150) {
      ASSERT_TRUE(redis->start_again());  // empty: its data died with it
    }
  });
  check_nothing_lost(run, kMessages, "Redis SIGKILL and restart");
  EXPECT_GT(run.sender.unavailable, 0u) << "messages sent while Redis was down are refused";
  EXPECT_GT(run.sender.texts.size(), 150u) << "delivery resumed by itself after the restart";
  ASSERT_FALSE(run.sender.texts.empty());
  EXPECT_EQ(run.sender.texts.back(), "t" + std::to_string(kMessages - 1));
  EXPECT_GE(run.sender.resets, 1u) << "Redis lost the room: members are told it starts over";
  EXPECT_GE(run.receiver.resets, 1u);
}

TEST_F(Bus, RedisFrozenIsDetectedWithinThePingTimeoutAndLosesNothing) {
  REQUIRE_REDIS();
  start_nodes(2);
  std::unique_ptr<TestClient> sender, receiver;
  ASSERT_TRUE(members_on_two_nodes("sender", "receiver", "frozen", &sender, &receiver));
  Clock::time_point fault_at = Clock::now();
  const int kMessages = 300;
  // 20 ms apart: frozen from message 50 (1 s in) to 300 (6 s in).
  TrafficRun run = run_traffic(*sender, *receiver, kMessages, 20, [&](int i) {
    if (i == 50) {
      fault_at = Clock::now();
      redis->freeze();
    }
  });
  redis->thaw();
  // What Redis had queued while frozen is refused by its deadline when it
  // thaws, not published late: anything that arrives now is counted too.
  read_until_quiet(*sender, &run.sender, 3000, 15000);
  read_until_quiet(*receiver, &run.receiver, 3000, 15000);
  // And messages sent after the thaw flow again.
  JsonValue message;
  std::string last;
  for (int attempt = 0; attempt < 50 && last.empty(); ++attempt) {
    sender->send_text("after the thaw");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    while (sender->read_json(&message, 100)) {
      if (string_field(message, "type") == "message") last = string_field(message, "text");
    }
  }
  EXPECT_EQ(last, "after the thaw") << "the nodes reconnected by themselves";
  check_nothing_lost(run, kMessages, "Redis SIGSTOP for 5 s");
  EXPECT_GT(run.sender.unavailable, 0u);
  // The first refusal comes once the node has seen Redis stop answering:
  // the reply timeout (3 s) after the first unanswered command, or after
  // the PING probe a quiet connection gets every second; with some slack.
  double detected_s = std::chrono::duration<double>(run.sender.first_unavailable_at - fault_at).count();
  EXPECT_GT(detected_s, 0);
  EXPECT_LE(detected_s, 4.5);
  EXPECT_EQ(run.sender.resets, 0u) << "Redis kept its data: no reset";
  std::printf("[ figures  ] frozen Redis detected after %.1f s\n", detected_s);
}

TEST_F(Bus, ARejoinWithSinceThroughAnotherNodeGetsExactlyWhatItMissed) {
  REQUIRE_REDIS();
  start_nodes(2);
  auto talker = member(nodes[0]->port(), "talker", "recovery");
  JsonValue welcome;
  auto reader = member(nodes[1]->port(), "reader", "recovery", &welcome);
  ASSERT_TRUE(talker && reader);
  const std::string epoch = string_field(welcome, "epoch");
  for (int i = 1; i <= 3; ++i) talker->send_text("before " + std::to_string(i));
  ASSERT_EQ(read_messages(*reader, 3, 5000).size(), 3u);
  reader->close_socket();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (int i = 1; i <= 4; ++i) talker->send_text("missed " + std::to_string(i));
  ASSERT_EQ(read_messages(*talker, 7, 5000).size(), 7u);
  // Back on the other node, saying it saw seq 3 of epoch.
  TestClient back;
  JsonValue message;
  ASSERT_TRUE(back.open(nodes[0]->port()));
  ASSERT_TRUE(back.read_until_type("welcome", &message, 5000));
  back.send_json("{\"type\":\"join\",\"room\":\"recovery\",\"name\":\"reader\",\"since\":{\"epoch\":\"" + epoch +
                 "\",\"seq\":3}}");
  ASSERT_TRUE(back.read_until_type("welcome", &message, 5000));
  const JsonValue* recovered = message.find("recovered");
  ASSERT_NE(recovered, nullptr);
  EXPECT_TRUE(recovered->as_bool());
  std::vector<std::string> texts;
  for (const JsonValue& entry : message.find("history")->items()) texts.push_back(string_field(entry, "text"));
  EXPECT_EQ(texts, (std::vector<std::string>{"missed 1", "missed 2", "missed 3", "missed 4"}));
  // After Redis lost everything, the same since cannot be honoured.
  ASSERT_TRUE(redis->stop(SIGKILL, 3000));
  ASSERT_TRUE(redis->start_again());
  TestClient late;
  bool answered = false;
  for (int attempt = 0; attempt < 50 && !answered; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    TestClient probe;
    if (!probe.open(nodes[1]->port()) || !probe.read_until_type("welcome", &message, 2000)) continue;
    probe.send_json("{\"type\":\"join\",\"room\":\"recovery\",\"since\":{\"epoch\":\"" + epoch + "\",\"seq\":7}}");
    if (!probe.read_until_type("welcome", &message, 2000)) continue;
    answered = true;
    ASSERT_NE(message.find("recovered"), nullptr);
    EXPECT_FALSE(message.find("recovered")->as_bool());
    EXPECT_NE(string_field(message, "epoch"), epoch);
  }
  EXPECT_TRUE(answered);
}
