// deadline_list.h: timers that cost O(1) per operation and never scan.
//
// Every chatd timeout has a fixed length (the handshake timeout, the idle
// timeout, ...). When every entry of a list gets the same duration and "now"
// only moves forward, appending at the tail keeps the list sorted by
// deadline. So each timeout kind is one intrusive doubly linked list:
//   - start or restart a timer: unlink and append at the tail, O(1);
//   - cancel: unlink, O(1);
//   - find what expired: look at the head only, O(1) per expired entry.
// This is the "timer list per fixed timeout" trick; a timer wheel or heap is
// only needed when durations vary per entry. Finding the loop's wait time is
// a look at each list's head, so the loop never scans every connection.
//
// A link is in at most one list at a time; `owner` says which.
#pragma once

#include <cstdint>

class DeadlineList;

struct DeadlineLink {
  DeadlineLink* previous = nullptr;
  DeadlineLink* next = nullptr;
  DeadlineList* owner = nullptr;
  int64_t deadline_ms = 0;
};

class DeadlineList {
 public:
  explicit DeadlineList(int64_t duration_ms) : duration_ms_(duration_ms) {}
  DeadlineList(const DeadlineList&) = delete;
  DeadlineList& operator=(const DeadlineList&) = delete;

  // excerpt-begin: operations
  // Moves link (from whatever list holds it) to this list's tail with the
  // deadline now + duration.
  void schedule(DeadlineLink* link, int64_t now_ms) {
    if (link->owner) link->owner->remove(link);
    link->deadline_ms = now_ms + duration_ms_;
    link->owner = this;
    link->previous = tail_;
    link->next = nullptr;
    if (tail_) tail_->next = link; else head_ = link;
    tail_ = link;
  }

  void remove(DeadlineLink* link) {
    if (link->previous) link->previous->next = link->next; else head_ = link->next;
    if (link->next) link->next->previous = link->previous; else tail_ = link->previous;
    link->previous = link->next = nullptr;
    link->owner = nullptr;
  }

  // The earliest entry if its deadline has passed, else nullptr.
  DeadlineLink* first_expired(int64_t now_ms) const {
    return head_ && head_->deadline_ms <= now_ms ? head_ : nullptr;
  }
  // The earliest deadline, or -1 when the list is empty.
  int64_t next_deadline_ms() const { return head_ ? head_->deadline_ms : -1; }
  // excerpt-end: operations

 private:
  int64_t duration_ms_;
  DeadlineLink* head_ = nullptr;
  DeadlineLink* tail_ = nullptr;
};

// Removes link from its list, if any.
inline void cancel_deadline(DeadlineLink* link) {
  if (link->owner) link->owner->remove(link);
}
