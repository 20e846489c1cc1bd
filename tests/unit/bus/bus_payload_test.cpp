// bus_payload_test.cpp: the header of what travels on a room's channel
// (bus_payload.h): a message's epoch, seq and token before its JSON, a
// notice's JSON alone, and anything else refused so the node ignores it;
// and the three lines of a node's direct channel (stranger mode).
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

/* ===== A node's direct channel ===== */

TEST(DirectPayload, PairedNamesTheTargetItsSearchAndThePartnerWithItsNode) {
  DirectPayload line;
  ASSERT_TRUE(parse_direct_payload("P 8589934593 17 4294967297 1", &line));
  EXPECT_EQ(line.kind, DirectPayload::Kind::Paired);
  EXPECT_EQ(line.target, 8589934593u);
  EXPECT_EQ(line.token, "17");
  EXPECT_EQ(line.partner, 4294967297u);
  EXPECT_EQ(line.partner_node, 1u);
}

TEST(DirectPayload, LeftAndSaidAsWrittenAreReadBack) {
  DirectPayload line;
  ASSERT_TRUE(parse_direct_payload(direct_left(12, 34), &line));
  EXPECT_EQ(line.kind, DirectPayload::Kind::Left);
  EXPECT_EQ(line.target, 12u);
  EXPECT_EQ(line.partner, 34u);
  const std::string said = direct_said(8589934593u, 4294967297u, 1, 1764800000123, "hi  there, you ");
  EXPECT_EQ(said, "S 8589934593 4294967297 1 1764800000123 hi  there, you ");
  ASSERT_TRUE(parse_direct_payload(said, &line));
  EXPECT_EQ(line.kind, DirectPayload::Kind::Said);
  EXPECT_EQ(line.target, 8589934593u);
  EXPECT_EQ(line.partner, 4294967297u);
  EXPECT_EQ(line.partner_node, 1u);
  EXPECT_EQ(line.ts_ms, 1764800000123);
  EXPECT_EQ(line.text, "hi  there, you ") << "the text is the rest of the line, spaces and all";
}

TEST(DirectPayload, AnEmptyTextIsALine) {
  DirectPayload line;
  ASSERT_TRUE(parse_direct_payload(direct_said(1, 2, 3, 4, ""), &line));
  EXPECT_EQ(line.text, "");
}

TEST(DirectPayload, AnythingElseIsRefused) {
  DirectPayload line;
  for (const char* bad : {"", "P", "L 1", "L 1 ", "L  1", "L 0 1", "L 1 0", "L 1 x", "P 1 t 2", "P 1 t 2 0",
                          "P 1 t 2 2097152", "P 1 t 2 x", "P 1 t 2 1 ", "S 1 2 3", "S 1 2 3 4", "S 1 2 0 4 x",
                          "S 1 2 3 x y", "X 1 2", "L 12345678901234567890 1", "M e 1 1.1 {}", "N {}"}) {
    EXPECT_FALSE(parse_direct_payload(bad, &line)) << bad;
  }
}
