// resp_reader.h: an incremental reader for the replies a Redis server sends,
// in the RESP2 protocol (redis.io, "Redis serialization protocol
// specification", the RESP2 types).
//
// Bytes in, replies out, in any split, as http_request.h and frame_parser.h
// do for their protocols: the reader does no I/O, keeps the state of the reply
// it is in the middle of, and hands back each reply as soon as its last byte
// arrives. Five types make up RESP2:
//
//   +OK\r\n                      simple string (no CR or LF inside)
//   -ERR unknown command\r\n     error
//   :1000\r\n                    integer (signed 64-bit)
//   $5\r\nhello\r\n              bulk string (binary safe); $-1\r\n is null
//   *2\r\n:1\r\n:2\r\n           array of any replies; *-1\r\n is null
//
// Pub/sub messages ("message", "subscribe", "pmessage" ...) are ordinary
// arrays in RESP2, so they need nothing of their own here.
//
// Strict, because the peer is a server we chose and anything unexpected means
// we are not talking to Redis (or have lost our place in the stream): CRLF
// ends every line (a bare LF is an error), lengths are decimal with no sign,
// no leading zero and no '+', and -1 is the only negative one; integers fit
// in int64 and have no leading zero or '+'; a bulk string is followed by CRLF
// after exactly its declared length.
//
// Bounded: every limit in RespLimits is checked when the header that declares
// a size is complete, before anything is allocated for it, so "$2000000000"
// is an error at once and not a 2 GB reserve; and even a size within the
// limits reserves at most 64 KiB or 1024 elements ahead of the bytes, so
// memory follows what has arrived. Nested arrays live on an explicit stack
// whose depth is limited; the reader never recurses.
//
// Deliberately left out: RESP3 (maps, sets, doubles, booleans, verbatim
// strings, the > push type, attributes). chatd never sends HELLO 3, so a
// RESP3 type byte is "bad type byte" here. Inline commands are a client-side
// form and never appear in replies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// One reply, or one element of an array reply.
struct RespValue {
  enum class Type : uint8_t { SimpleString, Error, Integer, Bulk, Null, Array };

  Type type = Type::Null;
  std::string text;                 // SimpleString, Error, Bulk
  int64_t integer = 0;              // Integer
  std::vector<RespValue> elements;  // Array

  bool is_simple_string() const { return type == Type::SimpleString; }
  bool is_error() const { return type == Type::Error; }
  bool is_integer() const { return type == Type::Integer; }
  bool is_bulk() const { return type == Type::Bulk; }
  bool is_null() const { return type == Type::Null; }
  bool is_array() const { return type == Type::Array; }
  // A simple string or a bulk string holding exactly text: how a caller tests
  // for "OK", or the "message" at the head of a pub/sub array.
  bool is_string(const char* expected) const { return (is_simple_string() || is_bulk()) && text == expected; }
  // An error reply whose text begins with prefix: Redis starts each error
  // with a code word ("NOSCRIPT ...", "WRONGTYPE ..."), so this is how a
  // caller tells one kind of error from another.
  bool is_error_starting(std::string_view prefix) const {
    return is_error() && text.compare(0, prefix.size(), prefix) == 0;
  }

  // Deep equality: same type, and the same text, integer and elements.
  bool operator==(const RespValue& other) const;
  bool operator!=(const RespValue& other) const { return !(*this == other); }
};

// Sizes are in bytes of the wire format unless the name says otherwise.
struct RespLimits {
  size_t max_bulk_bytes = 1 << 20;       // one bulk string's declared length
  size_t max_array_elements = 1 << 16;   // elements of one reply, over all its arrays
  size_t max_depth = 8;                  // arrays inside arrays; a top-level array is depth 1
  size_t max_line_bytes = 64 * 1024;     // one simple string, error or number line, CRLF excluded
  size_t max_reply_bytes = 16 << 20;     // one whole reply, every header, CRLF and bulk byte
};

class RespReader {
 public:
  enum class Status : uint8_t {
    NeedMore,  // every byte given was consumed; no reply is complete yet
    Reply,     // a reply is complete: take it with take_reply()
    Error,     // the stream is not RESP2 within the limits; see error_reason()
  };

  explicit RespReader(RespLimits limits = RespLimits());

  // Consumes bytes of data[0, length) and returns how many it used. Stops
  // right after the last byte of a complete reply (Reply), so several replies
  // in one buffer come out one per call; or when every byte is used
  // (NeedMore); or at the first byte that makes the stream invalid (Error,
  // counted as consumed). Error is sticky: every later call returns it and
  // consumes nothing, until reset(). While a reply waits to be taken, a call
  // returns Reply again and consumes nothing.
  size_t parse(const char* data, size_t length, Status* status);

  // The completed reply, moved out; the next parse() starts a new one.
  RespValue take_reply();

  bool failed() const { return state_ == State::Failed; }
  // Failed only: what was wrong ("bulk length over limit", "bad type byte").
  const char* error_reason() const;
  // Forgets everything, the error included: after a reconnect, the new
  // connection's first byte starts a reply.
  void reset();

 private:
  enum class State : uint8_t {
    TypeByte,    // the first byte of a value: + - : $ *
    Text,        // simple string or error text, up to CR
    NumberSign,  // the first byte after : $ *, which may be '-'
    Digits,      // the digits of an integer or length, up to CR
    LineEnd,     // CR seen; LF must follow
    BulkData,    // bulk_remaining_ bytes of bulk string
    BulkCr,      // after the bulk data: CR
    BulkLf,      // then LF
    Done,        // a reply waits in reply_
    Failed,
  };
  enum class Error : uint8_t {
    None,
    BadTypeByte,
    BareLf,
    CrWithoutLf,
    LineTooLong,
    EmptyNumber,
    BadDigit,
    LeadingZero,
    NegativeZero,
    NegativeLength,
    LengthOverflow,
    IntegerOverflow,
    BulkTooLong,
    BulkWithoutCrlf,
    ArrayTooLong,
    TooManyElements,
    TooDeep,
    ReplyTooLong,
  };
  // An array being filled: its value so far and how many elements it awaits.
  struct OpenArray {
    RespValue array;
    size_t remaining;
  };

  size_t parse_text(const char* data, size_t length);
  size_t parse_bulk_data(const char* data, size_t length);
  bool accept_byte(char byte);
  bool accept_type_byte(char byte);
  bool accept_digit(char byte);
  bool finish_line();
  bool finish_number();
  void finish_value(RespValue&& value);
  bool fail(Error error);

  RespLimits limits_;
  State state_ = State::TypeByte;
  Error error_ = Error::None;
  char type_byte_ = 0;           // of the value being read
  bool negative_ = false;        // the number line began with '-'
  size_t digit_count_ = 0;
  uint64_t magnitude_ = 0;       // the number line's digits so far
  size_t line_bytes_ = 0;        // bytes of the current line before CR
  size_t bulk_remaining_ = 0;
  size_t reply_bytes_ = 0;       // bytes of the current reply consumed so far
  size_t reply_elements_ = 0;    // array elements the current reply declared so far
  RespValue value_;              // the scalar being read
  std::vector<OpenArray> stack_; // arrays open around it, outermost first
  RespValue reply_;              // Done only: the complete reply
};
