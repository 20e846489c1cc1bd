// bus_strangers_test.cpp: stranger mode across chatd nodes sharing one Redis
// (docs/protocol.md, Stranger mode; src/bus/redis_strangers.h). Two nodes,
// clients spread over both: everyone is paired, each pair's lines reach only
// the partner, next and disconnects tell the partner, next never brings back
// the stranger just left, a dead node's strangers are found out, and no
// client is ever paired with two strangers at once, as each client sees it.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bus_support.h"
#include "harness.h"
#include "redis_process.h"

namespace {

// One client in stranger mode and what it has seen. Every message it reads
// passes through see(), which checks the client's view of its own pairing:
// "paired" only when not paired, "stranger_left" only when paired, and a
// line from a stranger only while paired.
struct Stranger {
  std::unique_ptr<TestClient> socket;
  bool paired = false;
  std::vector<std::string> heard;  // texts from "stranger", in order
  std::vector<std::string> mine;   // own texts echoed as "you"
  std::string violation;           // the first broken rule, if any

  void see(const JsonValue& message) {
    std::string type = string_field(message, "type");
    if (type == "paired") {
      if (paired && violation.empty()) violation = "paired while already paired";
      paired = true;
    } else if (type == "stranger_left") {
      if (!paired && violation.empty()) violation = "stranger_left while not paired";
      paired = false;
    } else if (type == "stranger_message") {
      if (string_field(message, "from") == "you") {
        mine.push_back(string_field(message, "text"));
      } else {
        if (!paired && violation.empty()) violation = "a stranger's line while not paired";
        heard.push_back(string_field(message, "text"));
      }
    }
  }
  // Reads until a message of type arrives (seeing everything on the way).
  bool read_until(const std::string& type, int timeout_ms = 5000, JsonValue* out = nullptr) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (Clock::now() < deadline) {
      JsonValue message;
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (!socket->read_json(&message, std::max(left, 1))) return false;
      see(message);
      if (string_field(message, "type") == type) {
        if (out != nullptr) *out = message;
        return true;
      }
    }
    return false;
  }
  // Reads whatever has arrived, without waiting for more.
  void read_arrived() {
    JsonValue message;
    while (socket->read_json(&message, 1)) see(message);
  }
  bool seek(const char* type = "stranger") {
    paired = false;  // a next ends the pair for the one who sends it
    return socket->send_json(std::string(R"({"type":")") + type + R"("})");
  }
  bool say(const std::string& text) {
    std::string request;
    JsonWriter(&request).begin_object().key("type").string("say").key("text").string(text).end_object();
    return socket->send_json(request);
  }
};

std::unique_ptr<Stranger> stranger_on(int port) {
  auto client = std::make_unique<Stranger>();
  client->socket = std::make_unique<TestClient>();
  JsonValue welcome;
  if (!client->socket->open(port) || !client->socket->read_until_type("welcome", &welcome, 5000)) return nullptr;
  return client;
}

// Each of the clients at indexes says "from-<index>" once; returns, for each,
// the index of the one whose line it heard (-1: none, -2: more than one).
std::map<size_t, int> who_hears_whom(std::vector<std::unique_ptr<Stranger>>& clients,
                                     const std::vector<size_t>& indexes) {
  for (size_t i : indexes) clients[i]->heard.clear();
  for (size_t i : indexes) clients[i]->say("from-" + std::to_string(i));
  for (size_t i : indexes) clients[i]->read_until("stranger_message", 5000);  // the echo or the line
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::map<size_t, int> heard_from;
  for (size_t i : indexes) {
    clients[i]->read_arrived();
    const std::vector<std::string>& heard = clients[i]->heard;
    heard_from[i] = heard.empty() ? -1 : heard.size() > 1 ? -2 : std::stoi(heard[0].substr(5));
  }
  return heard_from;
}

}  // namespace

TEST_F(Bus, TwoHundredStrangersOnTwoNodesArePairedAndTalkOnlyToTheirPartners) {
  REQUIRE_REDIS();
  start_nodes(2);
  const size_t kClients = 200;
  std::vector<std::unique_ptr<Stranger>> clients;
  for (size_t i = 0; i < kClients; ++i) {
    clients.push_back(stranger_on(nodes[i % 2]->port()));
    ASSERT_NE(clients.back(), nullptr) << "client " << i;
    ASSERT_TRUE(clients.back()->seek());
  }
  for (size_t i = 0; i < kClients; ++i) {
    ASSERT_TRUE(clients[i]->read_until("paired")) << "client " << i << " (node " << i % 2 + 1 << ") never paired";
  }

  // Everyone hears exactly one stranger, and the two of a pair hear each other.
  std::vector<size_t> everyone;
  for (size_t i = 0; i < kClients; ++i) everyone.push_back(i);
  std::map<size_t, int> partner = who_hears_whom(clients, everyone);
  size_t across_nodes = 0;
  for (size_t i = 0; i < kClients; ++i) {
    ASSERT_GE(partner[i], 0) << "client " << i << " heard " << (partner[i] == -1 ? "nobody" : "two strangers");
    ASSERT_NE(partner[i], static_cast<int>(i));
    ASSERT_EQ(partner[partner[i]], static_cast<int>(i)) << "client " << i << "'s line went to someone else";
    EXPECT_EQ(clients[i]->mine.size(), 1u) << "client " << i << " sees its own line once";
    if (partner[i] % 2 != static_cast<int>(i % 2)) ++across_nodes;
  }
  EXPECT_GT(across_nodes, kClients / 4) << "pairs span the two nodes";

  // next: one of each pair looks again. Its old partner is told; the ones
  // who look again pair among themselves, never with the one they just left.
  std::vector<size_t> seekers, left_behind;
  for (size_t i = 0; i < kClients; ++i) {
    if (static_cast<int>(i) < partner[i]) seekers.push_back(i); else left_behind.push_back(i);
  }
  for (size_t i : seekers) ASSERT_TRUE(clients[i]->seek("next"));
  for (size_t i : left_behind) {
    ASSERT_TRUE(clients[i]->read_until("stranger_left")) << "client " << i << " was not told its stranger left";
  }
  for (size_t i : seekers) {
    ASSERT_TRUE(clients[i]->read_until("paired")) << "seeker " << i << " never paired again";
  }
  std::map<size_t, int> second = who_hears_whom(clients, seekers);
  for (size_t i : seekers) {
    ASSERT_GE(second[i], 0) << "seeker " << i;
    EXPECT_NE(second[i], partner[i]) << "seeker " << i << " got back the stranger it left";
    EXPECT_EQ(second[second[i]], static_cast<int>(i));
    EXPECT_LT(second[i], partner[second[i]]) << "paired only with another seeker";
  }
  // The ones left behind are paired with nobody: saying is refused.
  JsonValue refused;
  ASSERT_TRUE(clients[left_behind[0]]->say("anyone?"));
  ASSERT_TRUE(clients[left_behind[0]]->read_until("error", 5000, &refused));
  EXPECT_EQ(string_field(refused, "code"), "not_paired");

  // A disconnect is a stranger_left for the partner, on either node.
  for (size_t k = 0; k < 10; ++k) {
    size_t i = seekers[k];
    if (clients[i] == nullptr || clients[second[i]] == nullptr) continue;
    size_t other = static_cast<size_t>(second[i]);
    clients[i].reset();
    EXPECT_TRUE(clients[other]->read_until("stranger_left")) << "client " << other << " not told of the disconnect";
  }

  for (size_t i = 0; i < kClients; ++i) {
    if (clients[i] == nullptr) continue;
    clients[i]->read_arrived();
    EXPECT_EQ(clients[i]->violation, "") << "client " << i;
  }
}

TEST_F(Bus, NextAcrossNodesNeverBringsBackTheStrangerJustLeft) {
  REQUIRE_REDIS();
  start_nodes(2);
  auto a = stranger_on(nodes[0]->port());
  auto b = stranger_on(nodes[1]->port());
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->seek());
  ASSERT_TRUE(a->read_until("waiting"));
  ASSERT_TRUE(b->seek());
  ASSERT_TRUE(b->read_until("paired"));
  ASSERT_TRUE(a->read_until("paired"));
  // a leaves b; b looks again while only a waits: both wait for newcomers.
  ASSERT_TRUE(a->seek("next"));
  ASSERT_TRUE(b->read_until("stranger_left"));
  ASSERT_TRUE(a->read_until("waiting"));
  ASSERT_TRUE(b->seek("next"));
  ASSERT_TRUE(b->read_until("waiting")) << "b must not be paired again with a";
  // Newcomers on the other nodes: c takes the longest waiting (a), d takes b.
  auto c = stranger_on(nodes[1]->port());
  ASSERT_TRUE(c && c->seek());
  ASSERT_TRUE(c->read_until("paired"));
  ASSERT_TRUE(a->read_until("paired"));
  auto d = stranger_on(nodes[0]->port());
  ASSERT_TRUE(d && d->seek());
  ASSERT_TRUE(d->read_until("paired"));
  ASSERT_TRUE(b->read_until("paired"));
  ASSERT_TRUE(c->say("c to a"));
  ASSERT_TRUE(a->read_until("stranger_message"));
  a->read_until("stranger_message", 300);
  EXPECT_EQ(a->heard, std::vector<std::string>{"c to a"});
  ASSERT_TRUE(d->say("d to b"));
  ASSERT_TRUE(b->read_until("stranger_message"));
  EXPECT_EQ(b->heard, std::vector<std::string>{"d to b"});
  for (Stranger* s : {a.get(), b.get(), c.get(), d.get()}) EXPECT_EQ(s->violation, "");
}

TEST_F(Bus, TheStrangersOfANodeThatDiesAreFoundOut) {
  REQUIRE_REDIS();
  start_nodes(2);
  // Two pairs across the nodes, then one waiting client on node 2.
  auto a = stranger_on(nodes[0]->port());
  auto b = stranger_on(nodes[1]->port());
  ASSERT_TRUE(a && b && a->seek() && a->read_until("waiting") && b->seek() && b->read_until("paired") &&
              a->read_until("paired"));
  auto c = stranger_on(nodes[0]->port());
  auto d = stranger_on(nodes[1]->port());
  ASSERT_TRUE(c && d && c->seek() && c->read_until("waiting") && d->seek() && d->read_until("paired") &&
              c->read_until("paired"));
  auto w = stranger_on(nodes[1]->port());
  ASSERT_TRUE(w && w->seek() && w->read_until("waiting"));

  ASSERT_EQ(nodes[1]->stop(SIGKILL, 5000), -1);
  // One who speaks learns at once: nobody listens where its partner was.
  ASSERT_TRUE(a->say("still there?"));
  EXPECT_TRUE(a->read_until("stranger_left", 3000));
  EXPECT_TRUE(a->mine.empty()) << "the line was not delivered, so it is not echoed";
  // One who is silent learns when its node notices the other has gone
  // (two refresh intervals without a listener: about 10 to 15 s).
  EXPECT_TRUE(c->read_until("stranger_left", 20000));
  // A newcomer is not paired with the dead node's waiting client.
  auto e = stranger_on(nodes[0]->port());
  ASSERT_TRUE(e && e->seek());
  EXPECT_TRUE(e->read_until("waiting"));
  for (Stranger* s : {a.get(), c.get(), e.get()}) EXPECT_EQ(s->violation, "");
}

TEST_F(Bus, AStrangerRequestWhileRedisIsDownIsAnsweredUnavailable) {
  REQUIRE_REDIS();
  start_nodes(1);
  auto a = stranger_on(nodes[0]->port());
  ASSERT_TRUE(a);
  ASSERT_TRUE(redis->stop(SIGKILL, 5000));
  ASSERT_TRUE(wait_for_health(nodes[0]->port(), 503));
  JsonValue error;
  ASSERT_TRUE(a->seek());
  ASSERT_TRUE(a->read_until("error", 5000, &error));
  EXPECT_EQ(string_field(error, "code"), "unavailable");
}

TEST_F(Bus, AfterRedisRestartsPairsHaveEndedAndTheWaitingWaitAgain) {
  REQUIRE_REDIS();
  start_nodes(2);
  auto a = stranger_on(nodes[0]->port());
  auto b = stranger_on(nodes[1]->port());
  ASSERT_TRUE(a && b && a->seek() && a->read_until("waiting") && b->seek() && b->read_until("paired") &&
              a->read_until("paired"));
  auto w = stranger_on(nodes[0]->port());
  ASSERT_TRUE(w && w->seek() && w->read_until("waiting"));

  // Redis restarts empty: the waiting list is gone with it.
  ASSERT_TRUE(redis->stop(SIGKILL, 5000));
  ASSERT_TRUE(redis->start_again());
  ASSERT_TRUE(wait_for_health(nodes[0]->port(), 200, 10000));
  ASSERT_TRUE(wait_for_health(nodes[1]->port(), 200, 10000));
  // Lines to them may have been lost meanwhile, so the pair has ended, on
  // both sides.
  EXPECT_TRUE(a->read_until("stranger_left", 5000));
  EXPECT_TRUE(b->read_until("stranger_left", 5000));
  // w waits again without asking: a newcomer on the other node finds it.
  // /healthz says 200 once a node holds its number again; its channel may
  // take a moment longer to be listened to, and until then a search is
  // answered unavailable (as it should be), so the newcomer asks again.
  auto n = stranger_on(nodes[1]->port());
  ASSERT_TRUE(n);
  bool paired = false;
  const auto give_up = Clock::now() + std::chrono::seconds(15);
  while (!paired && Clock::now() < give_up) {
    ASSERT_TRUE(n->seek());
    JsonValue answer;
    while (n->socket->read_json(&answer, 3000)) {
      n->see(answer);
      std::string type = string_field(answer, "type");
      if (type == "paired") paired = true;
      if (type == "paired" || type == "error") break;
    }
    if (!paired) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(paired);
  ASSERT_TRUE(w->read_until("paired"));
  ASSERT_TRUE(n->say("found you"));
  ASSERT_TRUE(w->read_until("stranger_message"));
  EXPECT_EQ(w->heard, std::vector<std::string>{"found you"});
  for (Stranger* s : {a.get(), b.get(), w.get(), n.get()}) EXPECT_EQ(s->violation, "");
}
