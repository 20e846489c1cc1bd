// output_queue.h: the bytes waiting to be written to one connection.
//
// The queue holds references to shared frames (shared_frame.h), not copies:
// a broadcast to N members is one encoded frame and N queue entries. The
// server writes each connection at most once per loop turn, with one writev()
// that gathers every queued frame (up to kMaxWriteFrames), so ten messages
// arriving in one turn cost the recipient one system call, not ten.
//
// Memory: the ring starts in two slots inside the queue itself, which is
// all a chat client needs in the common case (a message or two per turn,
// written at once), so delivering a message allocates nothing per
// recipient. Only a client with more frames pending gets a heap ring, and
// gives it back as soon as its output drains, so idle clients hold no heap.
// Measured with tests/bench/callgrind.sh (200 clients, one message per turn):
// a heap ring allocated per delivery and freed on drain cost 453
// instructions per delivery; the inline slots bring that back to the 216 of
// a ring kept forever, without keeping 80 bytes per idle client.
#pragma once

#include <cstddef>
#include <cstdint>

#include "websocket/shared_frame.h"

class OutputQueue {
 public:
  static constexpr int kMaxWriteFrames = 256;

  OutputQueue() = default;
  ~OutputQueue();
  OutputQueue(const OutputQueue&) = delete;
  OutputQueue& operator=(const OutputQueue&) = delete;

  // What one queued frame costs beyond its bytes: its ring slot (8 bytes,
  // 16 while the ring doubles), the SharedFrame header (12) and the
  // allocator's chunk header and rounding (up to 20 for a small frame). A
  // flood of empty frames costs the server this, not the 2 bytes each puts
  // on the wire.
  static constexpr size_t kEntryOverheadBytes = 48;

  bool empty() const { return count_ == 0; }
  size_t pending_bytes() const { return pending_bytes_; }
  // What the queue holds for its client: the bytes still to send plus the
  // overhead of every queued frame. This is what --max-output limits.
  size_t held_bytes() const { return pending_bytes_ + size_t{count_} * kEntryOverheadBytes; }

  // Appends a reference to frame.
  void push(const FrameRef& frame);
  void push(SharedFrame* frame);  // takes a new reference
  // Like push, but the frame may later be replaced: if the previous frame
  // queued this way has not started going out, frame takes its place in the
  // queue and the old one is dropped. Returns true when it replaced one. For
  // pongs (RFC 6455 section 5.5.3: answering only the latest ping is fine).
  bool push_replacing(SharedFrame* frame);

  // One writev() of the queued frames. Returns the bytes written, 0 when the
  // socket would block, or -1 on an error (errno set).
  long write_to(int fd);

  // Drops every frame that has not started going out. A frame already partly
  // written stays, so the peer never sees a torn frame (used before sending
  // a Close to a client that cannot keep up).
  void drop_unsent();
  void clear();

 private:
  // Gives back a heap ring when empty (write_to calls it when drained).
  void release_memory();
  static constexpr uint32_t kInlineFrames = 2;
  void grow();
  SharedFrame* inline_ring_[kInlineFrames];
  SharedFrame** ring_ = inline_ring_;
  uint32_t capacity_ = kInlineFrames;  // a power of two
  uint32_t head_ = 0;
  uint32_t count_ = 0;
  uint32_t head_offset_ = 0;  // bytes of ring_[head_] already written
  // Ring index of the frame push_replacing() may replace, or kNoSlot.
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  uint32_t replaceable_slot_ = kNoSlot;
  size_t pending_bytes_ = 0;
};
