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

#include "shared_frame.h"

class OutputQueue {
 public:
  static constexpr int kMaxWriteFrames = 256;

  OutputQueue() = default;
  ~OutputQueue();
  OutputQueue(const OutputQueue&) = delete;
  OutputQueue& operator=(const OutputQueue&) = delete;

  bool empty() const { return count_ == 0; }
  size_t pending_bytes() const { return pending_bytes_; }

  // Appends a reference to frame.
  void push(const FrameRef& frame);
  void push(SharedFrame* frame);  // takes a new reference

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
  size_t pending_bytes_ = 0;
};
