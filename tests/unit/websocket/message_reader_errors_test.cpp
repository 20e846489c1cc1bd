// message_reader_errors_test.cpp: every way a client stream can fail
// MessageReader, and the close code each failure must be answered with (RFC
// 6455 sections 5.1-5.5, 7.4.1, 8.1, 10.4). Each stream is also read one byte
// at a time and in random splits, which must fail in the same way.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "websocket/frame_writer.h"
#include "websocket/message_reader.h"
#include "websocket_test_support.h"

using namespace websocket_test_support;

namespace {

using Events = std::vector<RecordedEvent>;

std::string close_frame(uint16_t code, std::string_view reason = "") {
  return encode_masked_frame(Opcode::Close, encode_close_payload(code, reason), kRfcMask);
}

// The error_reason of the Error event that reading stream in one piece ends with.
std::string error_reason_for(std::string stream, size_t max_message_bytes = 64 * 1024) {
  MessageReader reader(max_message_bytes);
  WsEvent event;
  for (size_t offset = 0;;) {
    offset += reader.read(stream.data() + offset, stream.size() - offset, &event);
    if (event.kind == WsEventKind::Error) return event.error_reason;
    if (event.kind == WsEventKind::None) return "(no error)";
  }
}

}  // namespace

/* ===== Frame errors: 1002 ===== */

// 5.1: "The server MUST close the connection upon receiving a frame that is
// not masked."
TEST(MessageReaderErrors, UnmaskedClientFrameIsProtocolError) {
  EXPECT_EQ(read_every_way(encode_frame(Opcode::Text, "Hello")), Events{error(1002)});
}

// 5.2: RSV bits must be 0 unless an extension defines them.
TEST(MessageReaderErrors, EachReservedBitIsProtocolError) {
  for (uint8_t rsv : {0x40, 0x20, 0x10}) {
    const std::string frame = encode_masked_frame(Opcode::Text, "Hello", kRfcMask, true, rsv);
    EXPECT_EQ(read_every_way(frame), Events{error(1002)}) << "rsv " << int(rsv);
  }
}

TEST(MessageReaderErrors, EachReservedOpcodeIsProtocolError) {
  for (int opcode : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    const std::string frame = masked(static_cast<Opcode>(opcode), "");
    EXPECT_EQ(read_every_way(frame), Events{error(1002)}) << "opcode " << opcode;
  }
}

TEST(MessageReaderErrors, LengthWithTopBitSetIsProtocolError) {
  const std::string frame = bytes_of({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4});
  EXPECT_EQ(read_every_way(frame), Events{error(1002)});
}

// 5.5: "All control frames MUST have a payload length of 125 bytes or less".
TEST(MessageReaderErrors, ControlFrameOver125BytesIsProtocolError) {
  EXPECT_EQ(read_every_way(masked(Opcode::Ping, std::string(126, 'p'))), Events{error(1002)});
}

// 5.5: "All control frames ... MUST NOT be fragmented."
TEST(MessageReaderErrors, FragmentedControlFrameIsProtocolError) {
  EXPECT_EQ(read_every_way(masked(Opcode::Ping, "Hel", false)), Events{error(1002)});
}


/* ===== Fragmentation errors (5.4): 1002 ===== */

TEST(MessageReaderErrors, ContinuationWithoutMessageIsProtocolError) {
  EXPECT_EQ(read_every_way(masked(Opcode::Continuation, "lo")), Events{error(1002)});
}

TEST(MessageReaderErrors, ContinuationAfterFinishedMessageIsProtocolError) {
  const std::string stream = masked(Opcode::Text, "Hello") + masked(Opcode::Continuation, "!");
  EXPECT_EQ(read_every_way(stream), (Events{text("Hello"), error(1002)}));
}

TEST(MessageReaderErrors, NewDataFrameInsideFragmentedMessageIsProtocolError) {
  const std::string stream = masked(Opcode::Text, "Hel", false) + masked(Opcode::Text, "lo");
  EXPECT_EQ(read_every_way(stream), Events{error(1002)});
  const std::string binary = masked(Opcode::Binary, "a", false) + masked(Opcode::Binary, "b", false);
  EXPECT_EQ(read_every_way(binary), Events{error(1002)});
}

/* ===== Size limit (10.4): 1009 ===== */

TEST(MessageReaderErrors, FrameOverLimitIsTooBig) {
  EXPECT_EQ(read_every_way(masked(Opcode::Binary, std::string(11, 'b')), 10), Events{error(1009)});
}

TEST(MessageReaderErrors, FragmentsOverLimitAreTooBig) {
  const std::string stream = masked(Opcode::Text, "123456", false) + masked(Opcode::Continuation, "78901");
  EXPECT_EQ(read_every_way(stream, 10), Events{error(1009)});
}

// The limit is enforced from the header, before any payload is read.
TEST(MessageReaderErrors, TooBigIsReportedAtEndOfHeader) {
  const std::string frame = masked(Opcode::Binary, std::string(70000, 'b'));
  EXPECT_EQ(error_byte_index(frame), 13u);  // 2 + 8 length bytes + 4 mask bytes - 1
}

/* ===== UTF-8 (8.1): 1007 ===== */

TEST(MessageReaderErrors, InvalidUtf8TextIsInvalidPayload) {
  EXPECT_EQ(read_every_way(masked(Opcode::Text, "bad \xff byte")), Events{error(1007)});
}

TEST(MessageReaderErrors, BinaryMessageIsNotUtf8Checked) {
  EXPECT_EQ(read_every_way(masked(Opcode::Binary, "\xff")), Events{message(Opcode::Binary, "\xff")});
}

// Text is checked as it arrives: the error comes with the bad byte (the
// surrogate's second byte, A0), in the second fragment, long before the final
// fragment.
TEST(MessageReaderErrors, InvalidUtf8InSecondFragmentFailsWhenBadByteArrives) {
  const std::string first = masked(Opcode::Text, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", false);
  const std::string second = masked(Opcode::Continuation, "ok\xed\xa0\x80 more", false);
  const std::string last = masked(Opcode::Continuation, "end");
  const std::string stream = first + second + last;
  EXPECT_EQ(read_every_way(stream), Events{error(1007)});
  const size_t bad_byte = first.size() + 6 + 3;  // header and mask, then "ok", ED
  EXPECT_EQ(error_byte_index(stream), bad_byte);
  EXPECT_LT(bad_byte, first.size() + second.size());
}

TEST(MessageReaderErrors, TextEndingMidCharacterIsInvalidPayload) {
  EXPECT_EQ(read_every_way(masked(Opcode::Text, "caf\xc3")), Events{error(1007)});
  const std::string fragmented = masked(Opcode::Text, "caf", false) + masked(Opcode::Continuation, "\xe2\x82");
  EXPECT_EQ(read_every_way(fragmented), Events{error(1007)});
}

/* ===== Close frames (5.5.1, 7.4) ===== */

TEST(MessageReaderErrors, CloseWithOneBytePayloadIsProtocolError) {
  EXPECT_EQ(read_every_way(masked(Opcode::Close, "\x03")), Events{error(1002)});
}

TEST(MessageReaderErrors, CloseCodesAPeerMayNotSendAreProtocolErrors) {
  for (uint16_t code : {0, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 2999, 5000, 65535}) {
    EXPECT_EQ(read_every_way(close_frame(code)), Events{error(1002)}) << "code " << code;
  }
}

TEST(MessageReaderErrors, CloseReasonInvalidUtf8IsInvalidPayload) {
  EXPECT_EQ(read_every_way(close_frame(1000, "bye \xc0\xaf")), Events{error(1007)});
}

/* ===== Reasons and what happens after an error ===== */

// The reason goes into the Close frame and the server log.
TEST(MessageReaderErrors, EachErrorNamesItsCause) {
  EXPECT_EQ(error_reason_for(encode_frame(Opcode::Text, "Hello")), "unmasked client frame");
  EXPECT_EQ(error_reason_for(masked(static_cast<Opcode>(0x3), "")), "reserved opcode");
  EXPECT_EQ(error_reason_for(encode_masked_frame(Opcode::Text, "", kRfcMask, true, 0x40)), "reserved bits set");
  EXPECT_EQ(error_reason_for(masked(Opcode::Ping, "", false)), "fragmented control frame");
  EXPECT_EQ(error_reason_for(masked(Opcode::Pong, std::string(126, 'p'))), "control frame payload over 125 bytes");
  EXPECT_EQ(error_reason_for(bytes_of({0x82, 0xFF, 0x80})), "64-bit length with the top bit set");
  EXPECT_EQ(error_reason_for(masked(Opcode::Continuation, "")), "continuation frame without a message to continue");
  EXPECT_EQ(error_reason_for(masked(Opcode::Text, "a", false) + masked(Opcode::Text, "b")),
            "new message inside a fragmented message");
  EXPECT_EQ(error_reason_for(masked(Opcode::Text, "too long"), 4), "message too big");
  EXPECT_EQ(error_reason_for(masked(Opcode::Text, "\xff")), "invalid UTF-8 in text message");
  EXPECT_EQ(error_reason_for(masked(Opcode::Text, "\xc3")), "text message ends mid-character");
  EXPECT_EQ(error_reason_for(masked(Opcode::Close, "\x03")), "close frame with a 1-byte payload");
  EXPECT_EQ(error_reason_for(close_frame(999)), "invalid close code");
  EXPECT_EQ(error_reason_for(close_frame(1000, "\xff")), "invalid UTF-8 in close reason");
}

TEST(MessageReaderErrors, FailedReaderRepeatsErrorAndConsumesNothing) {
  std::string stream = masked(Opcode::Continuation, "x");
  MessageReader reader;
  WsEvent event;
  reader.read(stream.data(), stream.size(), &event);
  ASSERT_EQ(event.kind, WsEventKind::Error);
  EXPECT_EQ(event.close_code, 1002);
  std::string more = masked(Opcode::Text, "Hello");
  EXPECT_EQ(reader.read(more.data(), more.size(), &event), 0u);
  EXPECT_EQ(event.kind, WsEventKind::Error);
  EXPECT_EQ(event.close_code, 1002);
  EXPECT_STREQ(event.error_reason, "continuation frame without a message to continue");
}
