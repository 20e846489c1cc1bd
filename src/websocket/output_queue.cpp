// output_queue.cpp: see output_queue.h.
#include "websocket/output_queue.h"

#include <sys/uio.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

OutputQueue::~OutputQueue() {
  clear();
  release_memory();
}

void OutputQueue::grow() {
  uint32_t new_capacity = capacity_ < 8 ? 8 : capacity_ * 2;
  auto* bigger = static_cast<SharedFrame**>(std::malloc(sizeof(SharedFrame*) * new_capacity));
  if (!bigger) std::abort();
  // Unwrap the ring so the oldest entry lands at index 0.
  for (uint32_t i = 0; i < count_; ++i) bigger[i] = ring_[(head_ + i) & (capacity_ - 1)];
  if (replaceable_slot_ != kNoSlot) replaceable_slot_ = (replaceable_slot_ - head_) & (capacity_ - 1);
  if (ring_ != inline_ring_) std::free(ring_);
  ring_ = bigger;
  capacity_ = new_capacity;
  head_ = 0;
}

void OutputQueue::push(SharedFrame* frame) {
  if (count_ == capacity_) grow();
  frame->retain();
  ring_[(head_ + count_) & (capacity_ - 1)] = frame;
  ++count_;
  pending_bytes_ += frame->size();
}

void OutputQueue::push(const FrameRef& frame) { push(frame.get()); }

bool OutputQueue::push_replacing(SharedFrame* frame) {
  if (replaceable_slot_ == kNoSlot) {
    push(frame);
    replaceable_slot_ = (head_ + count_ - 1) & (capacity_ - 1);
    return false;
  }
  SharedFrame*& slot = ring_[replaceable_slot_];
  pending_bytes_ = pending_bytes_ - slot->size() + frame->size();
  frame->retain();
  slot->release();
  slot = frame;
  return true;
}

long OutputQueue::write_to(int fd) {
  if (count_ == 0) return 0;
  iovec parts[kMaxWriteFrames];
  int used = 0;
  for (uint32_t i = 0; i < count_ && used < kMaxWriteFrames; ++i) {
    SharedFrame* frame = ring_[(head_ + i) & (capacity_ - 1)];
    size_t skip = i == 0 ? head_offset_ : 0;
    parts[used].iov_base = const_cast<char*>(frame->data()) + skip;
    parts[used].iov_len = frame->size() - skip;
    ++used;
  }
  ssize_t written = writev(fd, parts, used);
  if (written < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
  // Release every frame that went out whole; remember how far into the next.
  size_t left = static_cast<size_t>(written);
  pending_bytes_ -= left;
  while (left > 0) {
    SharedFrame* frame = ring_[head_];
    size_t remaining = frame->size() - head_offset_;
    // A frame that has started going out can no longer be replaced.
    if (head_ == replaceable_slot_) replaceable_slot_ = kNoSlot;
    if (left < remaining) {
      head_offset_ += static_cast<uint32_t>(left);
      break;
    }
    left -= remaining;
    frame->release();
    head_ = (head_ + 1) & (capacity_ - 1);
    --count_;
    head_offset_ = 0;
  }
  if (count_ == 0) release_memory();
  return static_cast<long>(written);
}

void OutputQueue::drop_unsent() {
  replaceable_slot_ = kNoSlot;
  uint32_t keep = head_offset_ > 0 ? 1 : 0;
  while (count_ > keep) {
    SharedFrame* frame = ring_[(head_ + count_ - 1) & (capacity_ - 1)];
    pending_bytes_ -= frame->size();
    frame->release();
    --count_;
  }
}

void OutputQueue::clear() {
  while (count_ > 0) {
    ring_[head_]->release();
    head_ = (head_ + 1) & (capacity_ - 1);
    --count_;
  }
  head_ = head_offset_ = 0;
  replaceable_slot_ = kNoSlot;
  pending_bytes_ = 0;
}

void OutputQueue::release_memory() {
  if (count_ != 0 || ring_ == inline_ring_) return;
  std::free(ring_);
  ring_ = inline_ring_;
  capacity_ = kInlineFrames;
  head_ = 0;
}
