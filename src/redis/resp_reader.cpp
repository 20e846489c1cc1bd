// resp_reader.cpp: the RESP2 reply state machine declared in resp_reader.h.
//
// Headers and number lines are parsed one byte per step, each state naming
// the next, so a reply may arrive in any split without the reader keeping a
// copy of its header. The two parts that can be long, simple-string text and
// bulk data, are taken a run at a time straight into the value being built.
//
// Nested arrays: an array header pushes an OpenArray that counts down the
// elements it still awaits; each finished value is appended to the innermost
// one, and a full array is popped and appended to its parent in turn. That
// loop (finish_value) is the whole of the nesting; no function recurses.
//
// Deliberately left out: RESP3 (resp_reader.h says why), and any meaning of
// the replies: this file knows types and sizes, never commands.
#include "redis/resp_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

namespace {

constexpr uint64_t kInt64Max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
// Every element of an array takes at least three bytes ("+\r\n"), which
// lets an array header be refused at once when even its smallest possible
// elements could not fit in what is left of the reply limit.
constexpr size_t kMinElementBytes = 3;
// What a header may make the reader reserve before the bytes it declares
// arrive; beyond it, strings and arrays grow as the bytes do. An element is
// some 70 bytes of RespValue against 3 or more on the wire, and a 10-byte
// "$1000000" header should not cost a megabyte before a byte of it is sent.
constexpr size_t kMaxReservedElements = 1024;
constexpr size_t kMaxReservedBulkBytes = 64 * 1024;

}  // namespace

/* ===== Values ===== */

bool RespValue::operator==(const RespValue& other) const {
  return type == other.type && text == other.text && integer == other.integer && elements == other.elements;
}

/* ===== Driving the reader ===== */

RespReader::RespReader(RespLimits limits) : limits_(limits) {}

// Drives the states over the given bytes, one state step at a time; the Text
// and BulkData steps take a run of bytes, the others one byte. Every byte is
// charged to the reply first, so max_reply_bytes holds for every part of it.
size_t RespReader::parse(const char* data, size_t length, Status* status) {
  if (state_ == State::Failed) {
    *status = Status::Error;
    return 0;
  }
  if (state_ == State::Done) {
    *status = Status::Reply;
    return 0;
  }
  size_t position = 0;
  while (position < length) {
    const size_t budget = limits_.max_reply_bytes - reply_bytes_;
    if (budget == 0) {
      fail(Error::ReplyTooLong);
      *status = Status::Error;
      return position + 1;  // the first byte over the limit is the bad one
    }
    const size_t available = std::min(length - position, budget);
    size_t used = 1;
    if (state_ == State::Text) {
      used = parse_text(data + position, available);
    } else if (state_ == State::BulkData) {
      used = parse_bulk_data(data + position, available);
    } else {
      accept_byte(data[position]);
    }
    position += used;
    reply_bytes_ += used;
    if (state_ == State::Failed) {
      *status = Status::Error;
      return position;
    }
    if (state_ == State::Done) {
      *status = Status::Reply;
      return position;
    }
  }
  *status = Status::NeedMore;
  return position;
}

RespValue RespReader::take_reply() {
  if (state_ != State::Done) return RespValue();
  state_ = State::TypeByte;
  reply_bytes_ = 0;
  reply_elements_ = 0;
  return std::move(reply_);
}

void RespReader::reset() {
  const RespLimits limits = limits_;
  *this = RespReader(limits);
}

/* ===== One byte at a time: type bytes, numbers, line ends ===== */

// The one-byte states. Returns false (and has failed) on a bad byte.
bool RespReader::accept_byte(char byte) {
  switch (state_) {
    case State::TypeByte: return accept_type_byte(byte);
    case State::NumberSign:
      state_ = State::Digits;
      if (byte == '-') {
        negative_ = true;
        ++line_bytes_;
        return true;
      }
      return accept_digit(byte);
    case State::Digits: return accept_digit(byte);
    case State::LineEnd:
      if (byte != '\n') return fail(Error::CrWithoutLf);
      return finish_line();
    case State::BulkCr:
      if (byte != '\r') return fail(Error::BulkWithoutCrlf);
      state_ = State::BulkLf;
      return true;
    case State::BulkLf:
      if (byte != '\n') return fail(Error::BulkWithoutCrlf);
      finish_value(std::move(value_));
      return true;
    case State::Text:
    case State::BulkData:
    case State::Done:
    case State::Failed: break;  // unreachable: parse() handles these
  }
  return true;
}

// The first byte of every value names its type. The value is cleared field by
// field rather than replaced, which keeps the capacity of its string.
bool RespReader::accept_type_byte(char byte) {
  type_byte_ = byte;
  value_.text.clear();
  value_.integer = 0;
  value_.elements.clear();
  line_bytes_ = 0;
  switch (byte) {
    case '+': value_.type = RespValue::Type::SimpleString; state_ = State::Text; return true;
    case '-': value_.type = RespValue::Type::Error; state_ = State::Text; return true;
    case ':':
    case '$':
    case '*':
      negative_ = false;
      digit_count_ = 0;
      magnitude_ = 0;
      state_ = State::NumberSign;
      return true;
    default: return fail(Error::BadTypeByte);
  }
}

// One byte of an integer or a length, after the optional '-'. Every rule is
// checked at the byte that breaks it, so "$-2" fails at the 2 and an
// overlong number at the digit that overflows, never at the line's end.
bool RespReader::accept_digit(char byte) {
  if (byte == '\r') {
    if (digit_count_ == 0) return fail(Error::EmptyNumber);
    state_ = State::LineEnd;
    return true;
  }
  if (byte == '\n') return fail(Error::BareLf);
  if (byte < '0' || byte > '9') return fail(Error::BadDigit);
  if (++line_bytes_ > limits_.max_line_bytes) return fail(Error::LineTooLong);
  const unsigned digit = static_cast<unsigned>(byte - '0');
  const bool is_integer = type_byte_ == ':';
  if (negative_ && !is_integer && (digit_count_ > 0 || digit != 1)) return fail(Error::NegativeLength);
  if (negative_ && digit_count_ == 0 && digit == 0) return fail(Error::NegativeZero);
  if (digit_count_ == 1 && magnitude_ == 0) return fail(Error::LeadingZero);
  // The most negative int64 has one more unit of magnitude than the most positive.
  const uint64_t most = negative_ ? kInt64Max + 1 : kInt64Max;
  if (magnitude_ > (most - digit) / 10) return fail(is_integer ? Error::IntegerOverflow : Error::LengthOverflow);
  magnitude_ = magnitude_ * 10 + digit;
  ++digit_count_;
  return true;
}

// CRLF ended a line: a simple string or error is complete; a number line is
// an integer, or the header of a bulk string or an array.
bool RespReader::finish_line() {
  if (type_byte_ == '+' || type_byte_ == '-') {
    finish_value(std::move(value_));
    return true;
  }
  return finish_number();
}

// Every limit a header declares is checked here, before anything is reserved.
bool RespReader::finish_number() {
  if (type_byte_ == ':') {
    value_.type = RespValue::Type::Integer;
    value_.integer = negative_ ? static_cast<int64_t>(0 - magnitude_) : static_cast<int64_t>(magnitude_);
    finish_value(std::move(value_));
    return true;
  }
  if (negative_) {  // "$-1" or "*-1": accept_digit let no other negative through
    value_.type = RespValue::Type::Null;
    finish_value(std::move(value_));
    return true;
  }
  const size_t left = limits_.max_reply_bytes - reply_bytes_ - 1;  // this LF is not charged yet
  if (type_byte_ == '$') {
    if (magnitude_ > limits_.max_bulk_bytes) return fail(Error::BulkTooLong);
    if (magnitude_ + 2 > left) return fail(Error::ReplyTooLong);
    value_.type = RespValue::Type::Bulk;
    bulk_remaining_ = static_cast<size_t>(magnitude_);
    value_.text.reserve(std::min(bulk_remaining_, kMaxReservedBulkBytes));
    state_ = bulk_remaining_ > 0 ? State::BulkData : State::BulkCr;
    return true;
  }
  if (magnitude_ > limits_.max_array_elements) return fail(Error::ArrayTooLong);
  const size_t count = static_cast<size_t>(magnitude_);
  if (count > limits_.max_array_elements - reply_elements_) return fail(Error::TooManyElements);
  if (stack_.size() >= limits_.max_depth) return fail(Error::TooDeep);
  if (count > left / kMinElementBytes) return fail(Error::ReplyTooLong);
  reply_elements_ += count;
  RespValue array;
  array.type = RespValue::Type::Array;
  if (count == 0) {
    finish_value(std::move(array));
    return true;
  }
  array.elements.reserve(std::min(count, kMaxReservedElements));
  stack_.push_back(OpenArray{std::move(array), count});
  state_ = State::TypeByte;
  return true;
}

/* ===== Runs of bytes: text and bulk data ===== */

// Simple-string or error text up to the CR, appended in one run. A LF before
// any CR is the classic sign of a peer that is not Redis (or of a reader
// that has lost its place), so it is an error, not a line end.
size_t RespReader::parse_text(const char* data, size_t length) {
  size_t end = 0;
  while (end < length && data[end] != '\r' && data[end] != '\n') ++end;
  const size_t room = limits_.max_line_bytes - line_bytes_;
  if (end > room) {
    value_.text.append(data, room);
    fail(Error::LineTooLong);
    return room + 1;
  }
  value_.text.append(data, end);
  line_bytes_ += end;
  if (end == length) return end;
  if (data[end] == '\n') {
    fail(Error::BareLf);
  } else {
    state_ = State::LineEnd;
  }
  return end + 1;
}

size_t RespReader::parse_bulk_data(const char* data, size_t length) {
  const size_t take = std::min(length, bulk_remaining_);
  value_.text.append(data, take);
  bulk_remaining_ -= take;
  if (bulk_remaining_ == 0) state_ = State::BulkCr;
  return take;
}

/* ===== Nesting ===== */

// A value is complete: it is the reply, or the next element of the innermost
// open array. An array that this fills is itself complete, and so on outward.
void RespReader::finish_value(RespValue&& value) {
  RespValue finished = std::move(value);
  while (!stack_.empty()) {
    OpenArray& innermost = stack_.back();
    innermost.array.elements.push_back(std::move(finished));
    if (--innermost.remaining > 0) {
      state_ = State::TypeByte;
      return;
    }
    finished = std::move(innermost.array);
    stack_.pop_back();
  }
  reply_ = std::move(finished);
  state_ = State::Done;
}

/* ===== Errors ===== */

bool RespReader::fail(Error error) {
  error_ = error;
  state_ = State::Failed;
  return false;
}

const char* RespReader::error_reason() const {
  switch (error_) {
    case Error::None: return "no error";
    case Error::BadTypeByte: return "bad type byte";
    case Error::BareLf: return "bare LF (lines end with CRLF)";
    case Error::CrWithoutLf: return "CR not followed by LF";
    case Error::LineTooLong: return "line over limit";
    case Error::EmptyNumber: return "empty number";
    case Error::BadDigit: return "bad digit in number";
    case Error::LeadingZero: return "number with a leading zero";
    case Error::NegativeZero: return "negative zero";
    case Error::NegativeLength: return "negative length other than -1";
    case Error::LengthOverflow: return "length overflow";
    case Error::IntegerOverflow: return "integer overflow";
    case Error::BulkTooLong: return "bulk length over limit";
    case Error::BulkWithoutCrlf: return "bulk string not followed by CRLF";
    case Error::ArrayTooLong: return "array length over limit";
    case Error::TooManyElements: return "array elements in reply over limit";
    case Error::TooDeep: return "array nesting over depth limit";
    case Error::ReplyTooLong: return "reply over size limit";
  }
  return "unknown error";
}
