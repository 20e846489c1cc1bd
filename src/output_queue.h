// output_queue.h: the bytes waiting to be written to one connection.
//
// The queue holds references to shared frames (shared_frame.h), not copies:
// a broadcast to N members is one encoded frame and N queue entries. The
// server writes each connection at most once per loop turn, with one writev()
// that gathers every queued frame (up to kMaxWriteFrames), so ten messages
// arriving in one turn cost the recipient one system call, not ten.
//
// Memory: the ring of entries is allocated on the first push and kept while
// the connection is busy (no allocation per message), and released by
// release_memory() when the server finds the connection idle. An idle
// connection's queue is 24 bytes and no heap.
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
  // Frees the ring when empty.
  void release_memory();

 private:
  void grow();
  SharedFrame** ring_ = nullptr;
  uint32_t capacity_ = 0;   // a power of two
  uint32_t head_ = 0;
  uint32_t count_ = 0;
  uint32_t head_offset_ = 0;  // bytes of ring_[head_] already written
  size_t pending_bytes_ = 0;
};
