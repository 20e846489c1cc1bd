// redis_connection_test.cpp: RedisConnection (src/redis/redis_connection.h)
// against a real redis-server that each test starts for itself
// (redis_process.h): pipelined commands answered in order, the handshake's
// refusals as clear reasons, reconnecting after Redis dies, the PING probe
// noticing a frozen Redis, and the subscriber role's pushes.
//
// Each test drives its own EventLoop the way the server does: wait in the
// poller no longer than the connection's next deadline, then run its timers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "loop/event_loop.h"
#include "redis/redis_connection.h"
#include "redis_process.h"

namespace {

// Records what the connection tells its owner.
struct RecordingObserver : RedisObserver {
  int ready = 0;
  std::vector<std::string> down_reasons;
  std::vector<RespValue> pushes;
  void on_redis_ready(RedisConnection&) override { ++ready; }
  void on_redis_down(RedisConnection&, const std::string& reason) override { down_reasons.push_back(reason); }
  void on_redis_push(RedisConnection&, RespValue& push) override { pushes.push_back(push); }
};

RedisSettings settings_for(const std::string& url) {
  RedisSettings settings;
  std::string error;
  EXPECT_TRUE(parse_redis_url(url, &settings.url, &error)) << error;
  return settings;
}

// Runs loop turns until done() or timeout_ms pass; returns done().
bool run_until(EventLoop& loop, std::vector<RedisConnection*> connections, const std::function<bool()>& done,
               int timeout_ms) {
  const int64_t give_up = monotonic_ms() + timeout_ms;
  while (!done()) {
    const int64_t now = monotonic_ms();
    if (now >= give_up) return false;
    int64_t wait = std::min<int64_t>(give_up - now, 50);
    for (RedisConnection* connection : connections) {
      const int64_t deadline = connection->next_deadline_ms();
      if (deadline >= 0) wait = std::max<int64_t>(0, std::min(wait, deadline - now));
    }
    loop.run_once(static_cast<int>(wait));
    for (RedisConnection* connection : connections) connection->run_timers(monotonic_ms());
  }
  return true;
}

// Starts connection and runs the loop until it is ready (at most 3 s).
bool start_and_wait_until_ready(EventLoop& loop, RedisConnection& connection) {
  std::string error;
  if (!connection.start(&error)) {
    ADD_FAILURE() << error;
    return false;
  }
  return run_until(loop, {&connection}, [&] { return connection.ready(); }, 3000);
}

bool contains(const std::vector<std::string>& reasons, const std::string& part) {
  for (const std::string& reason : reasons) {
    if (reason.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST(RedisConnection, AnswersAThousandPipelinedCommandsInTheOrderTheyWereSent) {
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started()) << redis.log_tail();
  EventLoop loop(1024);
  RecordingObserver observer;
  RedisConnection connection(loop, RedisConnection::Role::Commands, settings_for(redis.url()), observer, "test");
  std::string error;
  ASSERT_TRUE(connection.start(&error)) << error;
  EXPECT_FALSE(connection.ready()) << "start() only begins the connect; the loop finishes it";
  ASSERT_TRUE(run_until(loop, {&connection}, [&] { return connection.ready(); }, 3000));

  std::vector<int64_t> counts;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(connection.command({"INCR", "counter"}, [&](RespValue& reply) {
      ASSERT_TRUE(reply.is_integer()) << reply.text;
      counts.push_back(reply.integer);
    }));
  }
  ASSERT_TRUE(run_until(loop, {&connection}, [&] { return counts.size() == 1000; }, 5000));
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(counts[static_cast<size_t>(i)], i + 1);
  EXPECT_EQ(observer.ready, 1);
  EXPECT_TRUE(observer.down_reasons.empty());
}

TEST(RedisConnection, AnErrorReplyIsAnAnswerNotAFailure) {
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started());
  EventLoop loop(1024);
  RecordingObserver observer;
  RedisConnection connection(loop, RedisConnection::Role::Commands, settings_for(redis.url()), observer, "test");
  ASSERT_TRUE(start_and_wait_until_ready(loop, connection));
  std::string reply_text;
  bool answered = false;
  ASSERT_TRUE(connection.command({"NOSUCHCOMMAND"}, [&](RespValue& reply) {
    answered = reply.is_error();
    reply_text = reply.text;
  }));
  ASSERT_TRUE(run_until(loop, {&connection}, [&] { return answered; }, 3000));
  EXPECT_NE(reply_text.find("unknown command"), std::string::npos) << reply_text;
  EXPECT_TRUE(connection.ready());
  EXPECT_EQ(connection.failures(), 0u);
}

TEST(RedisConnection, AWrongPasswordIsAClearReasonAndTheConnectionNeverBecomesReady) {
  REQUIRE_REDIS();
  RedisProcess redis({"--requirepass", "right-secret"});
  ASSERT_TRUE(redis.started());
  EventLoop loop(1024);
  RecordingObserver observer;
  RedisConnection connection(loop, RedisConnection::Role::Commands,
                             settings_for("redis://:wrong-secret@127.0.0.1:" + std::to_string(redis.port())),
                             observer, "test");
  std::string error;
  ASSERT_TRUE(connection.start(&error));
  ASSERT_TRUE(run_until(loop, {&connection}, [&] { return observer.down_reasons.size() >= 2; }, 3000))
      << "it keeps trying, with backoff";
  EXPECT_EQ(observer.ready, 0);
  EXPECT_TRUE(contains(observer.down_reasons, "handshake")) << observer.down_reasons[0];
  EXPECT_TRUE(contains(observer.down_reasons, "WRONGPASS") || contains(observer.down_reasons, "invalid password"))
      << observer.down_reasons[0];
}

TEST(RedisConnection, TheRightPasswordAndTheUrlsDatabaseAreUsed) {
  REQUIRE_REDIS();
  RedisProcess redis({"--requirepass", "right-secret"});
  ASSERT_TRUE(redis.started());
  EventLoop loop(1024);
  RecordingObserver observer;
  const std::string base = "redis://:right-secret@127.0.0.1:" + std::to_string(redis.port());
  RedisConnection in_db3(loop, RedisConnection::Role::Commands, settings_for(base + "/3"), observer, "db3");
  RedisConnection in_db0(loop, RedisConnection::Role::Commands, settings_for(base), observer, "db0");
  std::string error;
  ASSERT_TRUE(in_db3.start(&error) && in_db0.start(&error));
  ASSERT_TRUE(run_until(loop, {&in_db3, &in_db0}, [&] { return in_db3.ready() && in_db0.ready(); }, 3000));
  bool set = false;
  in_db3.command({"SET", "where", "three"}, [&](RespValue& reply) { set = reply.is_string("OK"); });
  ASSERT_TRUE(run_until(loop, {&in_db3, &in_db0}, [&] { return set; }, 3000));
  RespValue from_db0, from_db3;
  int answers = 0;
  in_db0.command({"GET", "where"}, [&](RespValue& reply) { from_db0 = reply; ++answers; });
  in_db3.command({"GET", "where"}, [&](RespValue& reply) { from_db3 = reply; ++answers; });
  ASSERT_TRUE(run_until(loop, {&in_db3, &in_db0}, [&] { return answers == 2; }, 3000));
  EXPECT_TRUE(from_db0.is_null());
  EXPECT_TRUE(from_db3.is_string("three"));
}

TEST(RedisConnection, NothingListeningIsARefusalAndItKeepsTrying) {
  REQUIRE_REDIS();
  RedisProcess redis;  // only to get a port that is then free again
  ASSERT_TRUE(redis.started());
  const std::string url = redis.url();
  ASSERT_TRUE(redis.stop(SIGKILL, 2000));
  EventLoop loop(1024);
  RecordingObserver observer;
  RedisConnection connection(loop, RedisConnection::Role::Commands, settings_for(url), observer, "test");
  std::string error;
  const int64_t began = monotonic_ms();
  ASSERT_TRUE(connection.start(&error));
  EXPECT_LT(monotonic_ms() - began, 100) << "start() must not wait for the connect";
  ASSERT_TRUE(run_until(loop, {&connection}, [&] { return observer.down_reasons.size() >= 3; }, 4000));
  EXPECT_TRUE(contains(observer.down_reasons, "refused")) << observer.down_reasons[0];
  // Three attempts: the first at once, then after about 250 and 500 ms.
  EXPECT_GE(monotonic_ms() - began, 700);
}

TEST(RedisConnection, ReconnectsByItselfWhenRedisComesBackAndFailsWhatWasWaiting) {
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started());
  EventLoop loop(1024);
  RecordingObserver observer;
  RedisConnection connection(loop, RedisConnection::Role::Commands, settings_for(redis.url()), observer, "test");
  ASSERT_TRUE(start_and_wait_until_ready(loop, connection));

  redis.freeze();  // so that the command below is surely still waiting when Redis dies
  std::string lost;
  connection.command({"PING"}, [&](RespValue& reply) { lost = reply.is_error() ? reply.text : "answered"; });
  run_until(loop, {&connection}, [] { return false; }, 100);
  ASSERT_TRUE(redis.stop(SIGKILL, 2000));
  ASSERT_TRUE(run_until(loop, {&connection}, [&] { return !observer.down_reasons.empty(); }, 3000));
  EXPECT_NE(lost.find("CONNECTION LOST"), std::string::npos) << lost;
  EXPECT_FALSE(connection.command({"PING"}, {})) << "no command is taken while down";

  ASSERT_TRUE(redis.start_again()) << redis.log_tail();
  ASSERT_TRUE(run_until(loop, {&connection}, [&] { return connection.ready(); }, 7000));
  EXPECT_EQ(observer.ready, 2);
  bool answered = false;
  connection.command({"PING"}, [&](RespValue& reply) { answered = reply.is_string("PONG"); });
  EXPECT_TRUE(run_until(loop, {&connection}, [&] { return answered; }, 3000));
}

TEST(RedisConnection, TheProbeNoticesAFrozenRedisWithinPingIntervalPlusReplyTimeout) {
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started());
  EventLoop loop(1024);
  RecordingObserver observer;
  RedisSettings settings = settings_for(redis.url());
  settings.ping_interval_ms = 200;
  settings.reply_timeout_ms = 300;
  RedisConnection connection(loop, RedisConnection::Role::Subscriber, settings, observer, "test");
  ASSERT_TRUE(start_and_wait_until_ready(loop, connection));
  ASSERT_TRUE(connection.subscribe({"SUBSCRIBE", "quiet-channel"}));
  // A quiet but healthy subscriber is probed and stays up: its PINGs are
  // answered ["pong", ""] in subscribed mode.
  run_until(loop, {&connection}, [] { return false; }, 1000);
  EXPECT_TRUE(observer.down_reasons.empty()) << observer.down_reasons[0];

  redis.freeze();
  const int64_t frozen = monotonic_ms();
  ASSERT_TRUE(run_until(loop, {&connection}, [&] { return !observer.down_reasons.empty(); }, 3000));
  const int64_t noticed = monotonic_ms() - frozen;
  EXPECT_LE(noticed, 200 + 300 + 150);
  EXPECT_TRUE(contains(observer.down_reasons, "no reply within 300 ms")) << observer.down_reasons[0];
  redis.thaw();
}

// A loop turn that ends long after the command went out (a turn with a lot
// of work, or a process the CPU did not run) must not blame Redis for a
// reply that came in time and only waits unread in the socket: under load
// that mistake took the whole bus down (docs/benchmarks.md, "At scale").
TEST(RedisConnection, AReplyWaitingUnreadWhenTheTimeoutIsCheckedIsNoTimeout) {
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started());
  EventLoop loop(1024);
  RecordingObserver observer;
  RedisSettings settings = settings_for(redis.url());
  settings.reply_timeout_ms = 300;
  RedisConnection connection(loop, RedisConnection::Role::Commands, settings, observer, "test");
  ASSERT_TRUE(start_and_wait_until_ready(loop, connection));
  std::string answer;
  ASSERT_TRUE(connection.command({"ECHO", "in time"}, [&](RespValue& reply) { answer = reply.text; }));
  connection.flush();
  // The loop does not run: Redis answers at once, and the reply sits in the
  // socket while this process is "busy" past the reply timeout.
  usleep(400 * 1000);
  connection.run_timers(monotonic_ms());
  EXPECT_EQ(answer, "in time");
  EXPECT_TRUE(observer.down_reasons.empty()) << observer.down_reasons[0];
  EXPECT_TRUE(connection.ready());
  EXPECT_EQ(connection.failures(), 0u);
}

// The other side of it: a Redis that really does not answer in time is
// still given up when the timers run late.
TEST(RedisConnection, ALateCheckStillGivesUpOnAReplyThatNeverCame) {
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started());
  EventLoop loop(1024);
  RecordingObserver observer;
  RedisSettings settings = settings_for(redis.url());
  settings.reply_timeout_ms = 300;
  RedisConnection connection(loop, RedisConnection::Role::Commands, settings, observer, "test");
  ASSERT_TRUE(start_and_wait_until_ready(loop, connection));
  redis.freeze();
  bool lost = false;
  ASSERT_TRUE(connection.command({"ECHO", "never"}, [&](RespValue& reply) { lost = reply.is_error(); }));
  connection.flush();
  usleep(400 * 1000);
  connection.run_timers(monotonic_ms());
  redis.thaw();
  EXPECT_TRUE(lost);
  EXPECT_TRUE(contains(observer.down_reasons, "no reply within 300 ms"));
}

TEST(RedisConnection, ARedisThatAcceptsButNeverAnswersIsGivenUp) {
  // A listening socket nobody reads: the kernel completes the connect, and
  // the handshake's PING is never answered.
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(listener, 16), 0);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  EventLoop loop(1024);
  RecordingObserver observer;
  RedisSettings settings = settings_for("redis://127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
  settings.reply_timeout_ms = 300;
  RedisConnection connection(loop, RedisConnection::Role::Commands, settings, observer, "test");
  std::string error;
  ASSERT_TRUE(connection.start(&error));
  ASSERT_TRUE(run_until(loop, {&connection}, [&] { return !observer.down_reasons.empty(); }, 2000));
  EXPECT_TRUE(contains(observer.down_reasons, "no reply within 300 ms")) << observer.down_reasons[0];
  EXPECT_EQ(observer.ready, 0);
  ::close(listener);
}

TEST(RedisConnection, ASubscriberReceivesConfirmationsAndMessagesAsPushes) {
  REQUIRE_REDIS();
  RedisProcess redis;
  ASSERT_TRUE(redis.started());
  EventLoop loop(1024);
  RecordingObserver subscriber_observer, publisher_observer;
  RedisConnection subscriber(loop, RedisConnection::Role::Subscriber, settings_for(redis.url()),
                             subscriber_observer, "sub");
  RedisConnection publisher(loop, RedisConnection::Role::Commands, settings_for(redis.url()), publisher_observer,
                            "pub");
  std::string error;
  ASSERT_TRUE(subscriber.start(&error) && publisher.start(&error));
  ASSERT_TRUE(run_until(loop, {&subscriber, &publisher}, [&] { return subscriber.ready() && publisher.ready(); },
                        3000));
  ASSERT_TRUE(subscriber.subscribe({"SUBSCRIBE", "room:a", "room:b"}));
  ASSERT_TRUE(run_until(loop, {&subscriber, &publisher}, [&] { return subscriber_observer.pushes.size() == 2; },
                        3000));
  EXPECT_TRUE(subscriber_observer.pushes[0].elements[0].is_string("subscribe"));
  EXPECT_TRUE(subscriber_observer.pushes[1].elements[1].is_string("room:b"));
  EXPECT_FALSE(publisher.subscribe({"SUBSCRIBE", "x"})) << "a command connection does not subscribe";

  int64_t receivers = -1;
  publisher.command({"PUBLISH", "room:b", std::string("hello\r\n\0binary", 14)},
                    [&](RespValue& reply) { receivers = reply.integer; });
  ASSERT_TRUE(run_until(loop, {&subscriber, &publisher}, [&] { return subscriber_observer.pushes.size() == 3; },
                        3000));
  const RespValue& message = subscriber_observer.pushes[2];
  ASSERT_EQ(message.elements.size(), 3u);
  EXPECT_TRUE(message.elements[0].is_string("message"));
  EXPECT_TRUE(message.elements[1].is_string("room:b"));
  EXPECT_EQ(message.elements[2].text, std::string("hello\r\n\0binary", 14));
  EXPECT_EQ(receivers, 1);
}
