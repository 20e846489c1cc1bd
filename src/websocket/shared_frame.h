// shared_frame.h: an encoded WebSocket frame that many connections send.
//
// A chat message to a room of N members is encoded once into a SharedFrame and
// each member's output queue holds a counted reference to it (the idea of
// gorilla/websocket's PreparedMessage). Broadcasting costs one allocation and
// one encode per message, plus a pointer and a reference-count increment per
// recipient, never a copy of the bytes per recipient.
//
// The count is a plain integer: chatd is single-threaded, so there is nothing
// to synchronise and no atomic instruction to pay for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "websocket/websocket.h"

class SharedFrame {
 public:
  // Encodes payload as one unmasked, final frame (RFC 6455 5.2), header and
  // payload in a single allocation. The count starts at 1.
  static SharedFrame* encode(Opcode opcode, std::string_view payload);
  // Bytes sent as they are (an HTTP response before the upgrade).
  static SharedFrame* raw(std::string_view bytes);

  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  size_t size() const { return size_; }
  // The frame's payload (everything after the header).
  std::string_view payload() const { return {data() + header_size_, size_ - header_size_}; }

  void retain() { ++references_; }
  void release() {
    if (--references_ == 0) destroy();
  }

 private:
  SharedFrame() = default;
  static SharedFrame* allocate(size_t size);
  void destroy();

  uint32_t references_ = 1;
  uint32_t size_ = 0;
  uint32_t header_size_ = 0;
};

// An owning handle: copies retain, destruction releases.
class FrameRef {
 public:
  FrameRef() = default;
  // Adopts a frame whose count the caller owns (as returned by encode/raw).
  explicit FrameRef(SharedFrame* adopted) : frame_(adopted) {}
  FrameRef(const FrameRef& other) : frame_(other.frame_) {
    if (frame_) frame_->retain();
  }
  FrameRef(FrameRef&& other) noexcept : frame_(std::exchange(other.frame_, nullptr)) {}
  FrameRef& operator=(FrameRef other) noexcept {
    std::swap(frame_, other.frame_);
    return *this;
  }
  ~FrameRef() {
    if (frame_) frame_->release();
  }

  static FrameRef text(std::string_view payload) { return FrameRef(SharedFrame::encode(Opcode::Text, payload)); }

  SharedFrame* get() const { return frame_; }
  SharedFrame* operator->() const { return frame_; }
  explicit operator bool() const { return frame_ != nullptr; }

 private:
  SharedFrame* frame_ = nullptr;
};
