// loadgen_test.cpp: the load generator's pure parts, checked before any
// benchmark trusts them: the client's handshake checks (RFC 6455 4.1), server
// frame parsing (5.2), finding load messages in what servers send back, the
// latency histogram, the worker report line, and the options that spread
// clients over several servers. Built and run by
// `make bench` (not part of `make test`: the load generator is a tool).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/handshake.h"
#include "loadgen.h"

namespace {

// RFC 6455 section 1.3's worked example.
constexpr char kSampleKey[] = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr char kSampleAccept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

// parse_load_options over a command line given as words (argv[0] added).
bool parse(std::vector<std::string> words, LoadOptions* options) {
  words.insert(words.begin(), "loadgen");
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  return parse_load_options(static_cast<int>(argv.size()), argv.data(), options);
}

std::string response_with(const std::string& status, const std::string& headers) {
  return status + "\r\n" + headers + "\r\n";
}

const std::string kGoodHeaders =
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";

}  // namespace

TEST(LoadgenHandshake, RequestCarriesKeyVersionAndUpgrade) {
  std::string request = build_handshake_request("127.0.0.1", 8080, "/", kSampleKey);
  EXPECT_EQ(request,
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
}

TEST(LoadgenHandshake, AcceptsTheRfcSampleResponse) {
  // 4.1: the client's checks; 1.3: the sample key and its Accept value.
  EXPECT_EQ(websocket_accept_key(kSampleKey), kSampleAccept);
  EXPECT_EQ(check_handshake_response(response_with("HTTP/1.1 101 Switching Protocols", kGoodHeaders), kSampleAccept),
            nullptr);
}

TEST(LoadgenHandshake, HeaderNamesAndTokensAreCaseInsensitive) {
  std::string headers =
      "upgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
  EXPECT_EQ(check_handshake_response(response_with("HTTP/1.1 101 OK", headers), kSampleAccept), nullptr);
}

TEST(LoadgenHandshake, RefusesAStatusOtherThan101) {
  EXPECT_STREQ(check_handshake_response(response_with("HTTP/1.1 503 Service Unavailable", kGoodHeaders), kSampleAccept),
               "status is not 101");
}

TEST(LoadgenHandshake, RefusesAWrongAcceptValue) {
  std::string headers = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n";
  EXPECT_STREQ(check_handshake_response(response_with("HTTP/1.1 101 Switching Protocols", headers), kSampleAccept),
               "Sec-WebSocket-Accept does not match the key");
}

TEST(LoadgenHandshake, RefusesAMissingUpgradeHeader) {
  std::string headers = "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
  EXPECT_STREQ(check_handshake_response(response_with("HTTP/1.1 101 Switching Protocols", headers), kSampleAccept),
               "Upgrade is not websocket");
}

TEST(LoadgenFrames, ParsesAShortTextFrame) {
  const std::string frame_bytes("\x81\x02hiXYZ", 7);  // the frame, then the next one's start
  ServerFrame frame;
  EXPECT_EQ(parse_server_frame(frame_bytes, &frame), 4);
  EXPECT_TRUE(frame.fin);
  EXPECT_EQ(frame.opcode, 0x1);
  EXPECT_EQ(frame.payload, "hi");
}

TEST(LoadgenFrames, Parses16BitLength) {
  // 5.2: 126 means the next two bytes hold the length.
  std::string frame_bytes = std::string("\x81\x7E\x01\x00", 4) + std::string(256, 'a');
  ServerFrame frame;
  EXPECT_EQ(parse_server_frame(frame_bytes, &frame), 260);
  EXPECT_EQ(frame.payload.size(), 256u);
}

TEST(LoadgenFrames, NeedsMoreUntilThePayloadIsComplete) {
  std::string frame_bytes = std::string("\x81\x05hell", 6);
  ServerFrame frame;
  for (size_t length = 0; length <= frame_bytes.size(); ++length) {
    EXPECT_EQ(parse_server_frame(std::string_view(frame_bytes).substr(0, length), &frame), 0) << length;
  }
}

TEST(LoadgenFrames, MaskedServerFrameIsInvalid) {
  // 5.1: a client must close the connection on a masked frame from the server.
  ServerFrame frame;
  EXPECT_EQ(parse_server_frame(std::string("\x81\x82\x00\x00\x00\x00hi", 8), &frame), -1);
}

TEST(LoadgenFrames, ReservedBitsAreInvalid) {
  ServerFrame frame;
  EXPECT_EQ(parse_server_frame(std::string("\xC1\x00", 2), &frame), -1);
}

TEST(LoadgenMarks, FormatPadsToTheRequestedSize) {
  std::string text = format_load_text(3, 41, 123456, 64);
  EXPECT_EQ(text.size(), 64u);
  EXPECT_EQ(text.substr(0, 15), "L 3 41 123456 x");
}

TEST(LoadgenMarks, FindsARawMark) {
  LoadMark mark;
  ASSERT_TRUE(find_load_mark(format_load_text(7, 9, 1000, 64), &mark));
  EXPECT_EQ(mark.sender, 7u);
  EXPECT_EQ(mark.sequence, 9u);
  EXPECT_EQ(mark.send_us, 1000u);
}

TEST(LoadgenMarks, FindsTheMarkInAChatdMessage) {
  LoadMark mark;
  ASSERT_TRUE(find_load_mark(
      "{\"type\":\"message\",\"room\":\"lobby\",\"seq\":4,\"from_id\":3,\"from\":\"guest-3\","
      "\"text\":\"L 2 5 77 xxxx\",\"ts\":1763700000000}",
      &mark));
  EXPECT_EQ(mark.sender, 2u);
  EXPECT_EQ(mark.sequence, 5u);
  EXPECT_EQ(mark.send_us, 77u);
}

TEST(LoadgenMarks, FindsTheMarkInAStrangerMessage) {
  LoadMark mark;
  ASSERT_TRUE(find_load_mark("{\"type\":\"stranger_message\",\"from\":\"you\",\"text\":\"L 8 0 5 \",\"ts\":1}", &mark));
  EXPECT_EQ(mark.sender, 8u);
}

TEST(LoadgenMarks, IgnoresMarksInsideAWelcomeHistory) {
  LoadMark mark;
  EXPECT_FALSE(find_load_mark(
      "{\"type\":\"welcome\",\"id\":7,\"history\":[{\"type\":\"message\",\"text\":\"L 2 5 77 \"}]}", &mark));
}

TEST(LoadgenMarks, ReadsTheChatMessageType) {
  EXPECT_EQ(chat_message_type("{\"type\":\"paired\"}"), "paired");
  EXPECT_EQ(chat_message_type("L 1 2 3"), "");
}

TEST(LoadgenHistogram, IsExactBelow128Microseconds) {
  LatencyHistogram histogram;
  for (uint64_t value = 1; value <= 100; ++value) histogram.record(value);
  EXPECT_EQ(histogram.percentile(0.50), 50u);
  EXPECT_EQ(histogram.percentile(0.99), 99u);
  EXPECT_EQ(histogram.max(), 100u);
}

TEST(LoadgenHistogram, LargeValuesAreWithinTwoPercent) {
  LatencyHistogram histogram;
  histogram.record(80000);
  histogram.record(1000000);
  uint64_t p50 = histogram.percentile(0.5);
  EXPECT_GE(p50, 80000u);
  EXPECT_LE(p50, 81600u);
  EXPECT_EQ(histogram.percentile(1.0), 1000000u);  // capped at the exact max
}

TEST(LoadgenReport, SurvivesTheRoundTripThroughALine) {
  WorkerReport report;
  report.connected = 15000;
  report.delivered = 123456789;
  report.latency.record(42);
  report.latency.record(90000);
  WorkerReport parsed;
  ASSERT_TRUE(parse_report(format_report(report), &parsed));
  EXPECT_EQ(parsed.connected, 15000u);
  EXPECT_EQ(parsed.delivered, 123456789u);
  EXPECT_EQ(parsed.latency.count(), 2u);
  EXPECT_EQ(parsed.latency.max(), 90000u);
}

TEST(LoadgenPorts, OnePortSendsEveryoneThere) {
  LoadOptions options;
  ASSERT_TRUE(parse({"--port", "9180"}, &options));
  EXPECT_TRUE(options.ports.empty());
  for (size_t id = 0; id < 10; ++id) EXPECT_EQ(port_for_connection(options, id), 9180) << id;
}

TEST(LoadgenPorts, ClientIGoesToPortIModN) {
  LoadOptions options;
  ASSERT_TRUE(parse({"--ports", "9180,9181,9182", "--connections", "10", "--senders", "5"}, &options));
  ASSERT_EQ(options.ports, (std::vector<int>{9180, 9181, 9182}));
  const int expected[] = {9180, 9181, 9182, 9180, 9181, 9182, 9180, 9181, 9182, 9180};
  for (size_t id = 0; id < 10; ++id) EXPECT_EQ(port_for_connection(options, id), expected[id]) << id;
  // Room senders are connections 0..senders-1, so sender j is on port j mod n:
  // the five senders cover all three servers.
}

TEST(LoadgenPorts, AListOfOneIsThePortOption) {
  LoadOptions options;
  ASSERT_TRUE(parse({"--ports", "9181"}, &options));
  EXPECT_TRUE(options.ports.empty());
  EXPECT_EQ(options.port, 9181);
}

TEST(LoadgenPorts, TheLastOfPortAndPortsWins) {
  LoadOptions options;
  ASSERT_TRUE(parse({"--ports", "9180,9181", "--port", "7000"}, &options));
  EXPECT_TRUE(options.ports.empty());
  EXPECT_EQ(port_for_connection(options, 1), 7000);
  ASSERT_TRUE(parse({"--port", "7000", "--ports", "9180,9181"}, &options));
  EXPECT_EQ(port_for_connection(options, 1), 9181);
}

TEST(LoadgenPorts, RefusesBadLists) {
  for (const char* bad : {"", ",", "9180,", ",9180", "9180,,9181", "0", "65536", "9180,x", "-1", "9180 9181"}) {
    LoadOptions options;
    EXPECT_FALSE(parse({"--ports", bad}, &options)) << bad;
  }
}

TEST(LoadgenPids, ServerPidGivenAgainAddsAProcess) {
  LoadOptions options;
  ASSERT_TRUE(parse({"--server-pid", "11", "--server-pid", "12", "--server-pid", "13", "--redis-pid", "20"}, &options));
  EXPECT_EQ(options.server_pid, 11);
  EXPECT_EQ(options.more_server_pids, (std::vector<int>{12, 13}));
  EXPECT_EQ(options.redis_pid, 20);
  LoadOptions one;
  ASSERT_TRUE(parse({"--server-pid", "11"}, &one));
  EXPECT_TRUE(one.more_server_pids.empty());
  EXPECT_EQ(one.redis_pid, 0);
}

TEST(LoadgenRooms, RoomsFillOneAfterAnotherAndTheLastMayBeSmaller) {
  LoadOptions options;
  ASSERT_TRUE(parse({"--connections", "2500", "--room-size", "1000", "--senders", "1", "--chatting-rooms", "2"},
                    &options));
  EXPECT_EQ(room_of(options, 0), 0u);
  EXPECT_EQ(room_of(options, 999), 0u);
  EXPECT_EQ(room_of(options, 1000), 1u);
  EXPECT_EQ(room_of(options, 2499), 2u);
  EXPECT_EQ(members_of_room(options, 0), 1000u);
  EXPECT_EQ(members_of_room(options, 2), 500u);
  EXPECT_EQ(members_of_room(options, 3), 0u);
}

TEST(LoadgenRooms, SendersAreTheFirstMembersOfEachChattingRoom) {
  LoadOptions options;
  ASSERT_TRUE(parse({"--connections", "3000", "--room-size", "1000", "--senders", "2", "--chatting-rooms", "2"},
                    &options));
  std::vector<size_t> senders;
  for (size_t id = 0; id < options.connections; ++id) {
    if (sends_in_rooms(options, id)) senders.push_back(id);
  }
  EXPECT_EQ(senders, (std::vector<size_t>{0, 1, 1000, 1001})) << "room 2 does not chat";
  LoadOptions all;
  ASSERT_TRUE(parse({"--connections", "3000", "--room-size", "1000"}, &all));
  EXPECT_TRUE(sends_in_rooms(all, 2000)) << "without --chatting-rooms every room chats";
  EXPECT_FALSE(sends_in_rooms(all, 2001));
}

TEST(LoadgenRooms, RoomsAreForRoomModeOnly) {
  LoadOptions options;
  EXPECT_FALSE(parse({"--room-size", "10", "--mode", "strangers"}, &options));
  EXPECT_FALSE(parse({"--room-size", "0"}, &options));
}

TEST(LoadgenReport, CarriesPingsSendersAndWhatWasDue) {
  WorkerReport report;
  report.pings = 17;
  report.senders = 3;
  report.expected = 3000000;
  WorkerReport parsed;
  ASSERT_TRUE(parse_report(format_report(report), &parsed));
  EXPECT_EQ(parsed.pings, 17u);
  EXPECT_EQ(parsed.senders, 3u);
  EXPECT_EQ(parsed.expected, 3000000u);
}

TEST(LoadgenKernel, ReadsSocketsAndSlabFromProc) {
  KernelMemory memory = read_kernel_memory();
  EXPECT_GE(memory.tcp_inuse, 0);
  EXPECT_GE(memory.tcp_mem_pages, 0);
  EXPECT_GT(memory.slab_kb, 0);
}
