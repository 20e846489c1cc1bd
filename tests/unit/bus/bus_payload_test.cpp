// bus_payload_test.cpp: the header of what travels on a room's channel
// (bus_payload.h): a message's epoch, seq and token before its JSON, a
// notice's JSON alone, and anything else refused so the node ignores it.
#include "bus/bus_payload.h"

#include <gtest/gtest.h>

TEST(BusPayload, AMessageGivesItsEpochSeqTokenAndTheJsonAsSent) {
  BusPayload payload;
  ASSERT_TRUE(parse_bus_payload("M 19a-5e0a 42 3.17 {\"type\":\"message\",\"seq\":42}", &payload));
  EXPECT_EQ(payload.kind, BusPayload::Kind::Message);
  EXPECT_EQ(payload.epoch, "19a-5e0a");
  EXPECT_EQ(payload.seq, 42u);
  EXPECT_EQ(payload.token, "3.17");
  EXPECT_EQ(payload.json, "{\"type\":\"message\",\"seq\":42}");
}

TEST(BusPayload, ANoticeIsItsJson) {
  BusPayload payload;
  ASSERT_TRUE(parse_bus_payload("N {\"type\":\"joined\"}", &payload));
  EXPECT_EQ(payload.kind, BusPayload::Kind::Notice);
  EXPECT_EQ(payload.json, "{\"type\":\"joined\"}");
}

TEST(BusPayload, JsonWithSpacesInsideIsKeptWhole) {
  BusPayload payload;
  ASSERT_TRUE(parse_bus_payload("M e 1 1.1 {\"text\":\"a b c\"}", &payload));
  EXPECT_EQ(payload.json, "{\"text\":\"a b c\"}");
}

TEST(BusPayload, AnythingElseIsRefused) {
  BusPayload payload;
  for (const char* bad : {"", "M", "N ", "N not json", "X {}", "M e 1 {}", "M e x 1.1 {}", "M e 0 1.1 {}",
                          "M  1 1.1 {}", "M e 1 1.1 ", "M e 1234567890123456 1.1 {}", "Me 1 1.1 {}"}) {
    EXPECT_FALSE(parse_bus_payload(bad, &payload)) << bad;
  }
}

TEST(BusPayload, TheLargestSeqLuaPrintsExactlyIsRead) {
  BusPayload payload;
  ASSERT_TRUE(parse_bus_payload("M e 999999999999999 1.1 {}", &payload));
  EXPECT_EQ(payload.seq, 999999999999999u);
}
