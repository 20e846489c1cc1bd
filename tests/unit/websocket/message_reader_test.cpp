// message_reader_test.cpp: what MessageReader delivers for well-formed client
// streams (RFC 6455 sections 5.4-5.7): the section 5.7 examples, fragment
// reassembly, control frames between fragments, the zero-copy path and the
// memory an idle reader holds. Every stream is also read one byte at a time
// and in random splits, which must give the same events.
//
// The failure paths are in message_reader_errors_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "websocket/frame_writer.h"
#include "websocket/message_reader.h"
#include "websocket_test_support.h"

using namespace websocket_test_support;

namespace {

using Events = std::vector<RecordedEvent>;

// RFC 6455 5.7: "A single-frame masked text message".
const std::string kMaskedHello = bytes_of({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});

}  // namespace

/* ===== The section 5.7 examples ===== */

TEST(MessageReader, ReadsRfcSingleFrameMaskedHello) {
  EXPECT_EQ(read_every_way(kMaskedHello), Events{text("Hello")});
}

// 5.7: "A fragmented unmasked text message", here masked as a client sends it:
// 0x01 0x83 ... "Hel", then 0x80 0x82 ... "lo".
TEST(MessageReader, ReassemblesRfcFragmentedHello) {
  const std::string first = masked(Opcode::Text, "Hel", false);
  const std::string last = masked(Opcode::Continuation, "lo");
  ASSERT_EQ(first.substr(0, 2), bytes_of({0x01, 0x83}));
  ASSERT_EQ(last.substr(0, 2), bytes_of({0x80, 0x82}));
  EXPECT_EQ(read_every_way(first + last), Events{text("Hello")});
}

// 5.7: "Unmasked Ping request and masked Ping response" (the response is a Pong).
TEST(MessageReader, ReadsRfcMaskedPongHello) {
  const std::string pong_frame = bytes_of({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  EXPECT_EQ(read_every_way(pong_frame), Events{pong("Hello")});
}

TEST(MessageReader, ReadsMaskedPing) {
  EXPECT_EQ(read_every_way(masked(Opcode::Ping, "Hello")), Events{ping("Hello")});
}

// 5.7: 256 bytes of binary data in a single unmasked message, header
// 0x82 0x7E 0x0100; here masked (second byte 0xFE).
TEST(MessageReader, Reads256ByteBinaryMessageWith16BitLength) {
  const std::string payload(256, '\x5a');
  const std::string frame = masked(Opcode::Binary, payload);
  ASSERT_EQ(frame.substr(0, 4), bytes_of({0x82, 0xFE, 0x01, 0x00}));
  EXPECT_EQ(read_every_way(frame), Events{message(Opcode::Binary, payload)});
}

// 5.7: 64 KiB in a single message, header 0x82 0x7F 0x0000000000010000.
TEST(MessageReader, Reads64KiBBinaryMessageWith64BitLength) {
  std::string payload(65536, '\0');
  for (size_t index = 0; index < payload.size(); ++index) payload[index] = static_cast<char>(index * 7);
  const std::string frame = masked(Opcode::Binary, payload);
  ASSERT_EQ(frame.substr(0, 10), bytes_of({0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(read_every_way(frame), Events{message(Opcode::Binary, payload)});
}

/* ===== Messages and fragments (5.4, 5.6) ===== */

TEST(MessageReader, ReadsEmptyTextMessage) {
  EXPECT_EQ(read_every_way(masked(Opcode::Text, "")), Events{text("")});
}

TEST(MessageReader, ReadsConsecutiveMessagesInOrder) {
  const std::string stream = masked(Opcode::Text, "one") + masked(Opcode::Binary, "two") + masked(Opcode::Text, "3");
  EXPECT_EQ(read_every_way(stream), (Events{text("one"), message(Opcode::Binary, "two"), text("3")}));
}

TEST(MessageReader, ReassemblesBinaryMessageFromManyFragments) {
  const std::string stream = masked(Opcode::Binary, "ab", false) + masked(Opcode::Continuation, "", false) +
                             masked(Opcode::Continuation, "cd", false) + masked(Opcode::Continuation, "e");
  EXPECT_EQ(read_every_way(stream), Events{message(Opcode::Binary, "abcde")});
}

TEST(MessageReader, ReassemblesMessageWhoseLastFragmentIsEmpty) {
  const std::string stream = masked(Opcode::Text, "Hello", false) + masked(Opcode::Continuation, "");
  EXPECT_EQ(read_every_way(stream), Events{text("Hello")});
}

// A character may be split between fragments; only the whole message must be
// valid UTF-8 (8.1). "é" is C3 A9.
TEST(MessageReader, AcceptsCharacterSplitAcrossFragments) {
  const std::string stream = masked(Opcode::Text, "caf\xc3", false) + masked(Opcode::Continuation, "\xa9");
  EXPECT_EQ(read_every_way(stream), Events{text("caf\xc3\xa9")});
}

// 5.4: control frames may be injected in the middle of a fragmented message,
// and are delivered as they come, before the message completes.
TEST(MessageReader, DeliversPingBetweenFragmentsInOrder) {
  const std::string stream = masked(Opcode::Text, "Hel", false) + masked(Opcode::Ping, "are you there?") +
                             masked(Opcode::Continuation, "lo");
  EXPECT_EQ(read_every_way(stream), (Events{ping("are you there?"), text("Hello")}));
}

TEST(MessageReader, DeliversPongAndCloseBetweenFragments) {
  const std::string stream = masked(Opcode::Binary, "a", false) + masked(Opcode::Pong, "") +
                             masked(Opcode::Continuation, "b", false) +
                             encode_masked_frame(Opcode::Close, encode_close_payload(1000, "bye"), kRfcMask) +
                             masked(Opcode::Continuation, "c");
  EXPECT_EQ(read_every_way(stream),
            (Events{pong(""), close_event(1000, "bye"), message(Opcode::Binary, "abc")}));
}

TEST(MessageReader, MessageAtTheSizeLimitIsAccepted) {
  const std::string stream = masked(Opcode::Text, "12345", false) + masked(Opcode::Continuation, "67890");
  EXPECT_EQ(read_every_way(stream, 10), Events{text("1234567890")});
}

/* ===== Close frames (5.5.1, 7.4) ===== */

TEST(MessageReader, EmptyCloseReportsNoStatusCode) {
  EXPECT_EQ(read_every_way(masked(Opcode::Close, "")), Events{close_event(close_code::kNoStatus)});
}

TEST(MessageReader, CloseReportsCodeAndReason) {
  const std::string frame = encode_masked_frame(Opcode::Close, encode_close_payload(1001, "going \xc3\xa0 bed"), kRfcMask);
  EXPECT_EQ(read_every_way(frame), Events{close_event(1001, "going \xc3\xa0 bed")});
}

TEST(MessageReader, AcceptsEveryCloseCodeAPeerMaySend) {
  for (uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
    const std::string frame = encode_masked_frame(Opcode::Close, encode_close_payload(code, ""), kRfcMask);
    EXPECT_EQ(read_every_way(frame), Events{close_event(code)}) << "code " << code;
  }
}

/* ===== Zero copy and memory ===== */

TEST(MessageReader, WholeMessageInBufferIsDeliveredInPlace) {
  std::string stream = kMaskedHello;
  MessageReader reader;
  WsEvent event;
  EXPECT_EQ(reader.read(stream.data(), stream.size(), &event), stream.size());
  ASSERT_EQ(event.kind, WsEventKind::Message);
  EXPECT_EQ(event.payload.data(), stream.data() + 6);  // after 2 header bytes and the mask key
  EXPECT_EQ(event.payload, "Hello");
  EXPECT_EQ(reader.heap_bytes(), 0u);
}

TEST(MessageReader, WholeControlFrameInBufferIsDeliveredInPlace) {
  std::string stream = masked(Opcode::Ping, "beat");
  MessageReader reader;
  WsEvent event;
  reader.read(stream.data(), stream.size(), &event);
  ASSERT_EQ(event.kind, WsEventKind::Ping);
  EXPECT_EQ(event.payload.data(), stream.data() + 6);
  EXPECT_EQ(reader.heap_bytes(), 0u);
}

// The header may come in an earlier read: what matters is that the whole
// payload is in this one.
TEST(MessageReader, PayloadAfterSplitHeaderIsStillDeliveredInPlace) {
  std::string stream = kMaskedHello;
  MessageReader reader;
  WsEvent event;
  EXPECT_EQ(reader.read(stream.data(), 3, &event), 3u);
  EXPECT_EQ(event.kind, WsEventKind::None);
  EXPECT_EQ(reader.read(stream.data() + 3, stream.size() - 3, &event), stream.size() - 3);
  ASSERT_EQ(event.kind, WsEventKind::Message);
  EXPECT_EQ(event.payload.data(), stream.data() + 6);
  EXPECT_EQ(reader.heap_bytes(), 0u);
}

TEST(MessageReader, ReturnsAfterEachEventWithBytesConsumedSoFar) {
  std::string stream = kMaskedHello + masked(Opcode::Ping, "");
  MessageReader reader;
  WsEvent event;
  EXPECT_EQ(reader.read(stream.data(), stream.size(), &event), kMaskedHello.size());
  EXPECT_EQ(event.kind, WsEventKind::Message);
  EXPECT_EQ(reader.read(stream.data() + 11, stream.size() - 11, &event), 6u);
  EXPECT_EQ(event.kind, WsEventKind::Ping);
}

TEST(MessageReader, IdleReaderHoldsNoHeapMemory) {
  MessageReader reader;
  EXPECT_EQ(reader.heap_bytes(), 0u);
  EXPECT_FALSE(reader.in_message());
}

// A message split across reads is buffered; once it has been delivered and
// the caller reads again (here with no bytes), the buffer is gone.
TEST(MessageReader, ReleasesReassemblyBufferAfterDelivery) {
  std::string stream = masked(Opcode::Text, std::string(1000, 'x'));
  MessageReader reader;
  WsEvent event;
  reader.read(stream.data(), 500, &event);
  EXPECT_EQ(event.kind, WsEventKind::None);
  EXPECT_TRUE(reader.in_message());
  EXPECT_GT(reader.heap_bytes(), 0u);
  reader.read(stream.data() + 500, stream.size() - 500, &event);
  ASSERT_EQ(event.kind, WsEventKind::Message);
  EXPECT_EQ(event.payload, std::string(1000, 'x'));
  EXPECT_FALSE(reader.in_message());
  reader.read(nullptr, 0, &event);
  EXPECT_EQ(event.kind, WsEventKind::None);
  EXPECT_EQ(reader.heap_bytes(), 0u);
}

TEST(MessageReader, ReleasesControlBufferAfterDelivery) {
  std::string stream = masked(Opcode::Ping, "split ping");
  MessageReader reader;
  WsEvent event;
  reader.read(stream.data(), 8, &event);
  EXPECT_GT(reader.heap_bytes(), 0u);
  reader.read(stream.data() + 8, stream.size() - 8, &event);
  ASSERT_EQ(event.kind, WsEventKind::Ping);
  EXPECT_EQ(event.payload, "split ping");
  reader.read(nullptr, 0, &event);
  EXPECT_EQ(reader.heap_bytes(), 0u);
}

// Memory follows the bytes received, not the length a header announces.
TEST(MessageReader, AnnouncedLengthAloneAllocatesNothing) {
  std::string stream = masked(Opcode::Binary, std::string(60000, 'b'));
  MessageReader reader;
  WsEvent event;
  reader.read(stream.data(), 8, &event);  // header plus no payload
  EXPECT_EQ(reader.heap_bytes(), 0u);
  reader.read(stream.data() + 8, 100, &event);
  EXPECT_GT(reader.heap_bytes(), 0u);
  EXPECT_LT(reader.heap_bytes(), 1000u);
}

TEST(MessageReader, StaysInMessageBetweenFragments) {
  std::string stream = masked(Opcode::Text, "Hel", false);
  MessageReader reader;
  WsEvent event;
  EXPECT_EQ(reader.read(stream.data(), stream.size(), &event), stream.size());
  EXPECT_EQ(event.kind, WsEventKind::None);
  EXPECT_TRUE(reader.in_message());
}

/* ===== Cost of reassembly ===== */

namespace {

// A text message of `fragments` one-byte fragments (RFC 6455 5.4), 7 bytes
// of frame each: the shape that made reassembly quadratic when the buffer
// grew to exactly each fragment's end.
std::string one_byte_fragments(size_t fragments) {
  std::string stream;
  stream.reserve(fragments * 7);
  for (size_t i = 0; i < fragments; ++i) {
    stream += masked(i == 0 ? Opcode::Text : Opcode::Continuation, "x", i + 1 == fragments);
  }
  return stream;
}

// Reads stream in one buffer; returns the one message it holds.
std::string read_single_message(MessageReader* reader, std::string* stream) {
  WsEvent event;
  size_t consumed = reader->read(stream->data(), stream->size(), &event);
  EXPECT_EQ(consumed, stream->size());
  EXPECT_EQ(event.kind, WsEventKind::Message);
  return std::string(event.payload);
}

}  // namespace

// Geometric growth: total copying is O(message size), so the number of
// reallocations is logarithmic in the number of fragments, not linear.
TEST(MessageReader, ManyOneByteFragmentsCostLogarithmicallyManyReallocations) {
  constexpr size_t kFragments = 100000;
  std::string stream = one_byte_fragments(kFragments);
  MessageReader reader(1024 * 1024);
  EXPECT_EQ(read_single_message(&reader, &stream), std::string(kFragments, 'x'));
  // 2 * log2(100,000) + 10 is about 43.
  EXPECT_LE(reader.reassembly_reallocations(), 2 * std::log2(double{kFragments}) + 10);
  EXPECT_GT(reader.reassembly_reallocations(), 0u);
}

// Growing ahead of the bytes must not outgrow the size limit (10.4): the
// buffer is never larger than the largest message the reader accepts.
TEST(MessageReader, ReassemblyBufferNeverExceedsTheSizeLimit) {
  constexpr size_t kLimit = 1000;
  std::string stream = one_byte_fragments(kLimit);
  std::string last = masked(Opcode::Continuation, "", true);
  MessageReader reader(kLimit);
  WsEvent event;
  // All but the empty last fragment: 1000 bytes buffered, the message open.
  std::string open = stream.substr(0, stream.size() - 7) + masked(Opcode::Continuation, "x", false);
  reader.read(open.data(), open.size(), &event);
  EXPECT_EQ(event.kind, WsEventKind::None);
  EXPECT_LE(reader.heap_bytes(), kLimit);
  reader.read(last.data(), last.size(), &event);
  ASSERT_EQ(event.kind, WsEventKind::Message);
  EXPECT_EQ(event.payload.size(), kLimit);
}

// Growing ahead stays proportional to what was received: a fragmented
// message of 10,000 bytes so far holds at most about twice that.
TEST(MessageReader, ReassemblyBufferStaysWithinTwiceTheBytesReceived) {
  constexpr size_t kReceived = 10000;
  std::string stream = masked(Opcode::Text, std::string(kReceived - 1, 'y'), false) +
                       masked(Opcode::Continuation, "y", false);
  MessageReader reader(16 * 1024 * 1024);
  WsEvent event;
  reader.read(stream.data(), stream.size(), &event);
  EXPECT_EQ(event.kind, WsEventKind::None);
  EXPECT_GE(reader.heap_bytes(), kReceived);
  EXPECT_LE(reader.heap_bytes(), 2 * kReceived);
}

// The memory of a long reassembly goes back once the message is delivered.
TEST(MessageReader, ReleasesReassemblyBufferOfManyFragmentsAfterDelivery) {
  std::string stream = one_byte_fragments(5000);
  MessageReader reader(1024 * 1024);
  EXPECT_EQ(read_single_message(&reader, &stream).size(), 5000u);
  WsEvent event;
  reader.read(nullptr, 0, &event);
  EXPECT_EQ(event.kind, WsEventKind::None);
  EXPECT_EQ(reader.heap_bytes(), 0u);
}
