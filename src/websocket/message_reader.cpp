// message_reader.cpp: the message layer over FrameParser (RFC 6455 sections
// 5.4 fragmentation, 5.5 control frames, 5.6 data frames, 7.4 close codes,
// 8.1 UTF-8 handling, 10.4 size limits).
//
// Where payload bytes go. When a whole unfragmented message (or control frame)
// lies in the caller's buffer, its event points there: unmasked in place, no
// copy, no allocation. That is the common case for chat traffic, where a
// message is a few dozen bytes and arrives in one read. Only a message that
// spans reads or fragments is copied into the reassembly buffer, which grows
// geometrically with the bytes actually received (a header announcing 1 MB
// makes the reader hold nothing until the bytes come), so reassembly costs
// linear time however small the fragments, and is freed once its message has
// been delivered, so an idle connection holds no heap memory.
//
// Failing early. The size limit is checked against each frame's announced
// length before any of its payload is read, and text is UTF-8 checked as it
// arrives, so a bad message is refused at the first byte that proves it bad,
// not after it has been buffered.
//
// Deliberately left out: extensions (permessage-deflate), and any reply.
// Answering a Ping with a Pong or a Close with a Close is the server's job; the
// reader only reports what arrived.
#include "websocket/message_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace {

constexpr size_t kMaxControlPayload = 125;          // 5.5
constexpr size_t kLargestMessage = std::numeric_limits<uint32_t>::max();
// A reassembly buffer starts at this size unless the frame is smaller, so a
// trickle of small reads does not cost one reallocation each.
constexpr size_t kMinimumMessageCapacity = 256;

std::string_view as_text(const uint8_t* bytes, size_t size) {
  return {reinterpret_cast<const char*>(bytes), size};
}

}  // namespace

MessageReader::MessageReader(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

/* ===== The read loop ===== */

// Alternates between the two phases of FrameParser, frame after frame, until
// an event is ready or the bytes run out. A data frame that is not the last
// fragment produces no event, so the loop simply goes on to the next frame.
size_t MessageReader::read(char* data, size_t length, WsEvent* event) {
  *event = WsEvent{};
  if (failure_ != Failure::None) {
    report_failure(event);
    return 0;
  }
  release_idle_buffers();
  uint8_t* const bytes = reinterpret_cast<uint8_t*>(data);
  size_t offset = 0;
  for (;;) {
    if (!frame_.in_payload()) {
      if (offset == length) return offset;
      FrameParser::HeaderStatus status;
      offset += frame_.parse_header(bytes + offset, length - offset, &status);
      if (status == FrameParser::HeaderStatus::Error) {
        fail(Failure::Frame, event);
        return offset;
      }
      if (status == FrameParser::HeaderStatus::NeedMore) return offset;
      if (!begin_frame(event)) return offset;
      if (!frame_.in_payload()) {  // an empty payload: the frame is over already
        if (finish_frame(frame_.is_control() ? std::string_view() : message_view(), event)) return offset;
        continue;
      }
    }
    if (offset == length) return offset;
    uint8_t* const chunk = bytes + offset;
    const bool in_place = payload_fits_in_place(length - offset);
    const size_t taken = frame_.unmask_payload(chunk, length - offset);
    offset += taken;
    if (!take_payload(chunk, taken, in_place, event)) return offset;
    if (frame_.in_payload()) return offset;  // the rest comes in a later read
    std::string_view payload = in_place ? as_text(chunk, taken)
                                        : frame_.is_control() ? control_view() : message_view();
    if (finish_frame(payload, event)) return offset;
  }
}

// The zero-copy test: nothing of this frame is buffered yet, all of its
// payload is here, and the frame is a whole message by itself (a control
// frame, or a data frame that is neither fragment nor continuation).
bool MessageReader::payload_fits_in_place(size_t available) const {
  if (frame_.payload_remaining() > available) return false;
  if (frame_.is_control()) return control_size_ == 0;
  return !in_fragmented_message_ && message_size_ == 0;
}

/* ===== Frame rules that need message context ===== */

// Called once a header is complete, before any payload byte: checks the frame
// against the message in progress (5.4) and against the size limit (10.4).
bool MessageReader::begin_frame(WsEvent* event) {
  const Opcode opcode = frame_.opcode();
  if (frame_.is_control()) {
    // A close payload starts with a 2-byte code; one byte cannot be one (5.5.1).
    if (opcode == Opcode::Close && frame_.payload_remaining() == 1) {
      fail(Failure::CloseOneByte, event);
      return false;
    }
    return true;
  }
  if (opcode == Opcode::Continuation) {
    if (!in_fragmented_message_) {
      fail(Failure::OrphanContinuation, event);
      return false;
    }
  } else {
    // 5.4: fragments of one message are never interleaved with another.
    if (in_fragmented_message_) {
      fail(Failure::InterruptedMessage, event);
      return false;
    }
    message_opcode_ = opcode;
    utf8_.reset();
    in_fragmented_message_ = !frame_.fin();
  }
  const size_t limit = std::min(max_message_bytes_, kLargestMessage);
  if (message_size_ > limit || frame_.payload_remaining() > limit - message_size_) {
    fail(Failure::TooBig, event);
    return false;
  }
  return true;
}

// Handles payload bytes just unmasked. Text is validated before it is stored,
// so invalid UTF-8 is refused the moment its first bad byte arrives, even in
// the middle of a fragment.
bool MessageReader::take_payload(uint8_t* chunk, size_t size, bool in_place, WsEvent* event) {
  if (frame_.is_control()) {
    if (!in_place) append_to_control(chunk, size);
    return true;
  }
  if (message_opcode_ == Opcode::Text && !utf8_.feed(chunk, size)) {
    fail(Failure::InvalidText, event);
    return false;
  }
  if (!in_place) append_to_message(chunk, size);
  return true;
}

// Called when a frame's payload is complete. Returns true when an event is
// ready; false for a fragment that leaves the message unfinished.
bool MessageReader::finish_frame(std::string_view payload, WsEvent* event) {
  if (frame_.is_control()) {
    control_size_ = 0;  // the bytes stay readable until the next read()
    switch (frame_.opcode()) {
      case Opcode::Ping: event->kind = WsEventKind::Ping; break;
      case Opcode::Pong: event->kind = WsEventKind::Pong; break;
      default: return finish_close(payload, event);
    }
    event->opcode = frame_.opcode();
    event->payload = payload;
    return true;
  }
  if (!frame_.fin()) return false;
  // Every byte was valid as it came; the end must also fall between code points.
  if (message_opcode_ == Opcode::Text && !utf8_.complete()) {
    fail(Failure::TruncatedText, event);
    return true;
  }
  event->kind = WsEventKind::Message;
  event->opcode = message_opcode_;
  event->payload = payload;
  in_fragmented_message_ = false;
  message_size_ = 0;  // as for control frames: freed at the next read()
  return true;
}

// A close payload is empty, or a 2-byte big-endian code and a UTF-8 reason
// (5.5.1). An empty one is reported as 1005, "no status received" (7.4.1).
bool MessageReader::finish_close(std::string_view payload, WsEvent* event) {
  event->opcode = Opcode::Close;
  if (payload.empty()) {
    event->kind = WsEventKind::Close;
    event->close_code = close_code::kNoStatus;
    return true;
  }
  const auto* code_bytes = reinterpret_cast<const uint8_t*>(payload.data());
  const uint16_t code = static_cast<uint16_t>(code_bytes[0] << 8 | code_bytes[1]);
  if (!is_valid_close_code(code)) {
    fail(Failure::InvalidCloseCode, event);
    return true;
  }
  const std::string_view reason = payload.substr(2);
  if (!is_valid_utf8(reason)) {
    fail(Failure::InvalidCloseReason, event);
    return true;
  }
  event->kind = WsEventKind::Close;
  event->close_code = code;
  event->payload = reason;
  return true;
}

/* ===== Buffers ===== */

// Appends to the reassembly buffer, at least doubling its capacity whenever
// it is full, so each byte is copied a constant number of times on average
// and a message costs O(log size) reallocations however it is fragmented.
// (Growing to exactly the end of each frame instead made 300,000 one-byte
// fragments copy the whole message 300,000 times: seconds of a blocked loop.)
//
// Growth follows the bytes received, never the length a header announces:
// the new capacity is at most twice the bytes now held (or the small
// minimum), so a header announcing 1 MB costs nothing until the bytes come.
// It is also never more than the size limit, which no message may exceed,
// nor, in the message's last frame, more than that frame's end.
void MessageReader::append_to_message(const uint8_t* bytes, size_t size) {
  if (size == 0) return;
  const size_t needed = message_size_ + size;
  if (needed > message_capacity_) {
    size_t capacity = std::max({needed, size_t{message_capacity_} * 2, kMinimumMessageCapacity});
    capacity = std::min(capacity, std::min(max_message_bytes_, kLargestMessage));
    if (frame_.fin()) capacity = std::min(capacity, needed + static_cast<size_t>(frame_.payload_remaining()));
    capacity = std::max(capacity, needed);  // begin_frame has checked needed against the limit
    if (message_size_ == 0) reassembly_reallocations_ = 0;  // a new message's first buffer
    if (reassembly_reallocations_ < std::numeric_limits<uint16_t>::max()) ++reassembly_reallocations_;
    // Not make_unique: it would zero bytes that are about to be overwritten.
    std::unique_ptr<uint8_t[]> bigger(new uint8_t[capacity]);
    if (message_size_ > 0) std::memcpy(bigger.get(), message_buffer_.get(), message_size_);
    message_buffer_ = std::move(bigger);
    message_capacity_ = static_cast<uint32_t>(capacity);
  }
  std::memcpy(message_buffer_.get() + message_size_, bytes, size);
  message_size_ = static_cast<uint32_t>(needed);
}

// FrameParser guarantees a control payload of at most 125 bytes, so a fixed
// buffer of that size, allocated on first use, always suffices.
void MessageReader::append_to_control(const uint8_t* bytes, size_t size) {
  if (size == 0) return;
  if (!control_buffer_) control_buffer_.reset(new uint8_t[kMaxControlPayload]);
  std::memcpy(control_buffer_.get() + control_size_, bytes, size);
  control_size_ = static_cast<uint8_t>(control_size_ + size);
}

std::string_view MessageReader::message_view() const { return as_text(message_buffer_.get(), message_size_); }
std::string_view MessageReader::control_view() const { return as_text(control_buffer_.get(), control_size_); }

// A buffer whose size is zero holds no unfinished payload: either nothing was
// ever buffered, or its contents were delivered by the previous read() and
// the caller has now moved on.
void MessageReader::release_idle_buffers() {
  if (message_size_ == 0 && message_buffer_) {
    message_buffer_.reset();
    message_capacity_ = 0;
  }
  if (control_size_ == 0) control_buffer_.reset();
}

size_t MessageReader::heap_bytes() const {
  return message_capacity_ + (control_buffer_ ? kMaxControlPayload : 0);
}

bool MessageReader::in_message() const { return in_fragmented_message_ || !frame_.at_frame_boundary(); }

/* ===== Errors ===== */

// Records the failure and fills in the Error event. From now on every read()
// reports the same error and consumes nothing.
void MessageReader::fail(Failure failure, WsEvent* event) {
  failure_ = failure;
  report_failure(event);
}

void MessageReader::report_failure(WsEvent* event) const {
  struct Answer {
    uint16_t code;
    const char* reason;
  };
  Answer answer{close_code::kProtocolError, ""};
  switch (failure_) {
    case Failure::None: return;
    case Failure::Frame: answer = {close_code::kProtocolError, frame_.error_reason()}; break;
    case Failure::OrphanContinuation:
      answer = {close_code::kProtocolError, "continuation frame without a message to continue"};
      break;
    case Failure::InterruptedMessage:
      answer = {close_code::kProtocolError, "new message inside a fragmented message"};
      break;
    case Failure::TooBig: answer = {close_code::kMessageTooBig, "message too big"}; break;
    case Failure::InvalidText: answer = {close_code::kInvalidPayload, "invalid UTF-8 in text message"}; break;
    case Failure::TruncatedText: answer = {close_code::kInvalidPayload, "text message ends mid-character"}; break;
    case Failure::CloseOneByte: answer = {close_code::kProtocolError, "close frame with a 1-byte payload"}; break;
    case Failure::InvalidCloseCode: answer = {close_code::kProtocolError, "invalid close code"}; break;
    case Failure::InvalidCloseReason: answer = {close_code::kInvalidPayload, "invalid UTF-8 in close reason"}; break;
  }
  *event = WsEvent{};
  event->kind = WsEventKind::Error;
  event->close_code = answer.code;
  event->error_reason = answer.reason;
}
