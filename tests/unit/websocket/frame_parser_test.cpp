// frame_parser_test.cpp: FrameParser, the byte-level state machine for one
// client frame (RFC 6455 section 5.2): header fields, extended lengths, in-place
// unmasking, and each frame-level protocol error at the exact byte that
// reveals it. Every stream is also parsed one byte at a time and in random
// splits, which must give the same frames.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "websocket/frame_parser.h"
#include "websocket/frame_writer.h"

namespace {

constexpr uint8_t kRfcMask[4] = {0x37, 0xfa, 0x21, 0x3d};

std::string bytes_of(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out.push_back(static_cast<char>(value));
  return out;
}

// What the parser reported for one frame, or the error that ended the stream.
struct ParsedFrame {
  bool fin = false;
  Opcode opcode = Opcode::Continuation;
  uint64_t payload_length = 0;
  std::string payload;
  std::string error;  // empty unless the parser failed

  bool operator==(const ParsedFrame& other) const {
    return fin == other.fin && opcode == other.opcode && payload_length == other.payload_length &&
           payload == other.payload && error == other.error;
  }
};

std::ostream& operator<<(std::ostream& out, const ParsedFrame& frame) {
  return out << "{fin " << frame.fin << ", opcode " << static_cast<int>(frame.opcode) << ", length "
             << frame.payload_length << ", \"" << frame.payload << "\", error \"" << frame.error << "\"}";
}

// Drives a parser over stream in chunks of the given sizes, each chunk in its
// own exactly-sized heap block. Stops at the first error.
std::vector<ParsedFrame> parse_in_chunks(const std::string& stream, const std::vector<size_t>& chunk_sizes) {
  FrameParser parser;
  std::vector<ParsedFrame> frames;
  ParsedFrame current;
  size_t start = 0;
  for (size_t index = 0; start < stream.size(); ++index) {
    const size_t size = index < chunk_sizes.size() ? std::min(chunk_sizes[index], stream.size() - start)
                                                   : stream.size() - start;
    std::unique_ptr<uint8_t[]> chunk(new uint8_t[size]);
    std::copy(stream.begin() + start, stream.begin() + start + size, chunk.get());
    start += size;
    size_t offset = 0;
    while (offset < size) {
      if (!parser.in_payload()) {
        FrameParser::HeaderStatus status;
        offset += parser.parse_header(chunk.get() + offset, size - offset, &status);
        if (status == FrameParser::HeaderStatus::Error) {
          frames.push_back(ParsedFrame{false, Opcode::Continuation, 0, "", parser.error_reason()});
          return frames;
        }
        if (status == FrameParser::HeaderStatus::NeedMore) break;
        current = ParsedFrame{parser.fin(), parser.opcode(), parser.payload_remaining(), "", ""};
        if (!parser.in_payload()) frames.push_back(current);  // empty payload: done
        continue;
      }
      const size_t taken = parser.unmask_payload(chunk.get() + offset, size - offset);
      current.payload.append(reinterpret_cast<const char*>(chunk.get() + offset), taken);
      offset += taken;
      if (!parser.in_payload()) frames.push_back(current);
    }
  }
  return frames;
}

std::vector<ParsedFrame> parse_every_way(const std::string& stream) {
  const std::vector<ParsedFrame> whole = parse_in_chunks(stream, {stream.size()});
  EXPECT_EQ(parse_in_chunks(stream, std::vector<size_t>(stream.size(), 1)), whole) << "one byte at a time";
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 generator(seed);
    std::vector<size_t> sizes;
    for (size_t total = 0; total < stream.size(); total += sizes.back()) sizes.push_back(1 + generator() % 9);
    EXPECT_EQ(parse_in_chunks(stream, sizes), whole) << "random split, seed " << seed;
  }
  return whole;
}

ParsedFrame frame(bool fin, Opcode opcode, std::string payload) {
  const uint64_t length = payload.size();
  return ParsedFrame{fin, opcode, length, std::move(payload), ""};
}

ParsedFrame failure(const char* reason) { return ParsedFrame{false, Opcode::Continuation, 0, "", reason}; }

// Feeds bytes one at a time; returns how many were consumed when the parser
// failed (so the failing byte is the last of them), or 0 if it never failed.
size_t bytes_until_error(const std::string& stream) {
  FrameParser parser;
  for (size_t index = 0; index < stream.size(); ++index) {
    const uint8_t byte = static_cast<uint8_t>(stream[index]);
    FrameParser::HeaderStatus status;
    EXPECT_EQ(parser.parse_header(&byte, 1, &status), 1u);
    if (status == FrameParser::HeaderStatus::Error) return index + 1;
  }
  return 0;
}

}  // namespace

/* ===== Header fields and payload (5.2, 5.3, 5.7) ===== */

TEST(FrameParser, ParsesRfcSingleFrameMaskedHello) {
  const std::string stream = bytes_of({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  EXPECT_EQ(parse_every_way(stream), std::vector<ParsedFrame>{frame(true, Opcode::Text, "Hello")});
}

TEST(FrameParser, HeaderStopsBeforeFirstPayloadByte) {
  const std::string stream = bytes_of({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  FrameParser parser;
  FrameParser::HeaderStatus status;
  EXPECT_EQ(parser.parse_header(reinterpret_cast<const uint8_t*>(stream.data()), stream.size(), &status), 6u);
  EXPECT_EQ(status, FrameParser::HeaderStatus::Complete);
  EXPECT_TRUE(parser.fin());
  EXPECT_EQ(parser.opcode(), Opcode::Text);
  EXPECT_EQ(parser.payload_remaining(), 5u);
  EXPECT_TRUE(parser.in_payload());
}

TEST(FrameParser, UnmasksPayloadInPlace) {
  uint8_t payload[5] = {0x7f, 0x9f, 0x4d, 0x51, 0x58};
  const std::string header = bytes_of({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d});
  FrameParser parser;
  FrameParser::HeaderStatus status;
  parser.parse_header(reinterpret_cast<const uint8_t*>(header.data()), header.size(), &status);
  EXPECT_EQ(parser.unmask_payload(payload, 2), 2u);
  EXPECT_EQ(parser.unmask_payload(payload + 2, 10), 3u);  // never past the frame
  EXPECT_EQ(std::string(reinterpret_cast<char*>(payload), 5), "Hello");
  EXPECT_TRUE(parser.at_frame_boundary());
}

TEST(FrameParser, ParsesFragmentsWithTheirFinBits) {
  const std::string stream = encode_masked_frame(Opcode::Text, "Hel", kRfcMask, false) +
                             encode_masked_frame(Opcode::Continuation, "lo", kRfcMask);
  EXPECT_EQ(parse_every_way(stream), (std::vector<ParsedFrame>{frame(false, Opcode::Text, "Hel"),
                                                               frame(true, Opcode::Continuation, "lo")}));
}

TEST(FrameParser, ParsesMaskedRfcPong) {
  const std::string stream = bytes_of({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  EXPECT_EQ(parse_every_way(stream), std::vector<ParsedFrame>{frame(true, Opcode::Pong, "Hello")});
}

TEST(FrameParser, EmptyPayloadCompletesWithHeader) {
  EXPECT_EQ(parse_every_way(bytes_of({0x89, 0x80, 1, 2, 3, 4})), std::vector<ParsedFrame>{frame(true, Opcode::Ping, "")});
}

TEST(FrameParser, Parses16BitLength) {
  const std::string payload(256, 'a');
  const std::string stream = encode_masked_frame(Opcode::Binary, payload, kRfcMask);
  ASSERT_EQ(stream.substr(0, 4), bytes_of({0x82, 0xFE, 0x01, 0x00}));
  EXPECT_EQ(parse_every_way(stream), std::vector<ParsedFrame>{frame(true, Opcode::Binary, payload)});
}

TEST(FrameParser, Parses64BitLength) {
  const std::string payload(65536, 'z');
  const std::string stream = encode_masked_frame(Opcode::Binary, payload, kRfcMask);
  ASSERT_EQ(stream.substr(0, 10), bytes_of({0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(parse_in_chunks(stream, {3, 7, 1, 4, 1000, 1}), std::vector<ParsedFrame>{frame(true, Opcode::Binary, payload)});
}

// 5.2 asks senders for the minimal length form; a receiver can still read
// the others unambiguously, so chatd accepts them.
TEST(FrameParser, AcceptsNonMinimalLengthForms) {
  const std::string sixteen_bit = bytes_of({0x82, 0xFE, 0x00, 0x03, 0, 0, 0, 0, 'a', 'b', 'c'});
  EXPECT_EQ(parse_every_way(sixteen_bit), std::vector<ParsedFrame>{frame(true, Opcode::Binary, "abc")});
  const std::string sixty_four_bit = bytes_of({0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0x03, 0, 0, 0, 0, 'a', 'b', 'c'});
  EXPECT_EQ(parse_every_way(sixty_four_bit), std::vector<ParsedFrame>{frame(true, Opcode::Binary, "abc")});
}

TEST(FrameParser, AcceptsControlFrameOf125BytesInNonMinimalForm) {
  const std::string stream = bytes_of({0x89, 0xFE, 0x00, 0x7D, 0, 0, 0, 0}) + std::string(125, 'p');
  EXPECT_EQ(parse_every_way(stream), std::vector<ParsedFrame>{frame(true, Opcode::Ping, std::string(125, 'p'))});
}

/* ===== Protocol errors, at the byte that reveals them ===== */

// 5.1: a server must fail the connection on a frame that is not masked.
TEST(FrameParser, UnmaskedClientFrameIsProtocolError) {
  const std::string stream = bytes_of({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'});
  EXPECT_EQ(parse_every_way(stream), std::vector<ParsedFrame>{failure("unmasked client frame")});
  EXPECT_EQ(bytes_until_error(stream), 2u);
}

// 5.2: RSV1-3 "MUST be 0 unless an extension is negotiated".
TEST(FrameParser, EachReservedBitIsProtocolError) {
  for (int rsv : {0x40, 0x20, 0x10}) {
    const std::string stream = bytes_of({0x81 | rsv, 0x80, 0, 0, 0, 0});
    EXPECT_EQ(parse_every_way(stream), std::vector<ParsedFrame>{failure("reserved bits set")}) << rsv;
    EXPECT_EQ(bytes_until_error(stream), 1u);
  }
}

TEST(FrameParser, EachReservedOpcodeIsProtocolError) {
  for (int opcode : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    const std::string stream = bytes_of({0x80 | opcode, 0x80, 0, 0, 0, 0});
    EXPECT_EQ(parse_every_way(stream), std::vector<ParsedFrame>{failure("reserved opcode")}) << opcode;
    EXPECT_EQ(bytes_until_error(stream), 1u);
  }
}

// 5.5: control frames "MUST NOT be fragmented".
TEST(FrameParser, ControlFrameWithoutFinIsProtocolError) {
  for (int opcode : {0x8, 0x9, 0xA}) {
    const std::string stream = bytes_of({opcode, 0x80, 0, 0, 0, 0});
    EXPECT_EQ(parse_every_way(stream), std::vector<ParsedFrame>{failure("fragmented control frame")}) << opcode;
    EXPECT_EQ(bytes_until_error(stream), 1u);
  }
}

// 5.5: a control payload is at most 125 bytes. Here 126, in the 16-bit form:
// the error comes with the length's low byte, once the value exceeds 125.
TEST(FrameParser, ControlFrameOver125BytesIsProtocolError) {
  const std::string stream = bytes_of({0x89, 0xFE, 0x00, 0x7E, 0, 0, 0, 0});
  EXPECT_EQ(parse_every_way(stream), std::vector<ParsedFrame>{failure("control frame payload over 125 bytes")});
  EXPECT_EQ(bytes_until_error(stream), 4u);
}

// Any non-zero length byte before the last makes the length at least 256.
TEST(FrameParser, ControlFrameFailsAtFirstNonZeroHighLengthByte) {
  const std::string stream = bytes_of({0x88, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0});
  EXPECT_EQ(parse_every_way(stream), std::vector<ParsedFrame>{failure("control frame payload over 125 bytes")});
  EXPECT_EQ(bytes_until_error(stream), 8u);
}

// 5.2: in the 64-bit form "the most significant bit MUST be 0".
TEST(FrameParser, LengthWithTopBitSetIsProtocolError) {
  const std::string stream = bytes_of({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(parse_every_way(stream), std::vector<ParsedFrame>{failure("64-bit length with the top bit set")});
  EXPECT_EQ(bytes_until_error(stream), 3u);
}

TEST(FrameParser, FailedParserStaysFailedAndConsumesNothing) {
  const uint8_t bad[] = {0x83};
  const uint8_t good[] = {0x81, 0x80, 0, 0, 0, 0};
  FrameParser parser;
  FrameParser::HeaderStatus status;
  parser.parse_header(bad, 1, &status);
  ASSERT_EQ(status, FrameParser::HeaderStatus::Error);
  EXPECT_EQ(parser.parse_header(good, sizeof good, &status), 0u);
  EXPECT_EQ(status, FrameParser::HeaderStatus::Error);
  EXPECT_TRUE(parser.failed());
  EXPECT_STREQ(parser.error_reason(), "reserved opcode");
}
