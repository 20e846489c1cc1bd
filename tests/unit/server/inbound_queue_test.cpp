// inbound_queue_test.cpp: the one road of every client event
// (server/inbound_queue.h): events come out in the order they went in,
// payloads outlive the buffer they were read into, and the queue counts
// each client's share.
#include "server/inbound_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

struct Seen {
  const Connection* connection;
  InboundKind kind;
  std::string payload;
  uint16_t close_code;
};

std::vector<Seen> drain_all(InboundQueue& queue) {
  std::vector<Seen> seen;
  queue.drain([&](const InboundEvent& event) {
    seen.push_back({event.connection, event.kind, std::string(queue.payload(event)), event.close_code});
  });
  return seen;
}

TEST(InboundQueue, EventsOfEveryKindComeOutInTheOrderTheyWentIn) {
  InboundQueue queue;
  Connection alice, bob;
  queue.push_connect(&alice);
  queue.push_message(&bob, Opcode::Text, "from bob");
  queue.push_message(&alice, Opcode::Text, "from alice");
  queue.push_end(&alice, InboundKind::Close, 1002, "bad frame");
  queue.push_end(&bob, InboundKind::Disconnect, 0, "peer closed the connection");

  std::vector<Seen> seen = drain_all(queue);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].connection, &alice);
  EXPECT_EQ(seen[0].kind, InboundKind::Connect);
  EXPECT_EQ(seen[1].payload, "from bob");
  EXPECT_EQ(seen[2].payload, "from alice");
  EXPECT_EQ(seen[3].kind, InboundKind::Close);
  EXPECT_EQ(seen[3].close_code, 1002);
  EXPECT_EQ(seen[4].kind, InboundKind::Disconnect);
  EXPECT_TRUE(queue.empty());
}

TEST(InboundQueue, PayloadIsACopyThatOutlivesTheReadBuffer) {
  InboundQueue queue;
  Connection client;
  std::string read_buffer = "first";
  queue.push_message(&client, Opcode::Text, read_buffer);
  read_buffer.assign("XXXXX");  // the next recv() reuses the buffer
  queue.push_message(&client, Opcode::Binary, std::string(3, '\0'));
  std::vector<Seen> seen = drain_all(queue);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].payload, "first");
  EXPECT_EQ(seen[1].payload, std::string(3, '\0'));
}

TEST(InboundQueue, CountsEachClientsWaitingEventsUntilTheyAreDelivered) {
  InboundQueue queue;
  Connection client;
  for (int i = 0; i < 3; ++i) queue.push_message(&client, Opcode::Text, "x");
  EXPECT_EQ(client.queued_messages, 3);
  uint16_t during = 0;
  queue.drain([&](const InboundEvent& event) { during = event.connection->queued_messages; });
  EXPECT_EQ(during, 0) << "the last event sees no more waiting behind it";
  EXPECT_EQ(client.queued_messages, 0);
}

TEST(InboundQueue, AnEndMarksTheClientSoNothingMoreIsReadFromIt) {
  InboundQueue queue;
  Connection client;
  EXPECT_FALSE(client.close_queued);
  queue.push_message(&client, Opcode::Text, "last words");
  EXPECT_FALSE(client.close_queued) << "a message is not an end";
  queue.push_end(&client, InboundKind::Disconnect, 0, "receive failed");
  EXPECT_TRUE(client.close_queued);
}

TEST(InboundQueue, IsEmptyAgainAfterEachTurnAndReusable) {
  InboundQueue queue;
  Connection client;
  queue.push_message(&client, Opcode::Text, "turn 1");
  EXPECT_FALSE(queue.empty());
  EXPECT_EQ(drain_all(queue).size(), 1u);
  EXPECT_TRUE(queue.empty());
  queue.push_message(&client, Opcode::Text, "turn 2");
  std::vector<Seen> seen = drain_all(queue);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].payload, "turn 2") << "offsets start again at the buffer's start";
}

}  // namespace
