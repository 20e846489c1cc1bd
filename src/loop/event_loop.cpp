// event_loop.cpp: the loop object (event_loop.h): registration, interest
// changes and one turn of waiting, dispatching and before-sleep phases.
#include "loop/event_loop.h"

#include <errno.h>

// The table is sized for every descriptor the process may open, once, as
// Redis's aeCreateEventLoop(setsize) does: 17 bytes a descriptor, paid at
// start-up rather than by reallocations in the middle of a connection storm.
EventLoop::EventLoop(size_t max_descriptors)
    : max_descriptors_(max_descriptors), slots_(max_descriptors), masks_(max_descriptors, 0) {}

bool EventLoop::add(int fd, EventHandler* handler, void* context, uint32_t interest, EventPriority priority) {
  // The bounds check smallchat lacked: a descriptor beyond the table is
  // refused here rather than written past its end.
  if (fd < 0 || static_cast<size_t>(fd) >= max_descriptors_ || handler == nullptr) {
    errno = fd < 0 ? EBADF : EINVAL;
    return false;
  }
  if (registered(fd)) {
    errno = EEXIST;
    return false;
  }
  interest &= kPollReadable | kPollWritable;
  ++poller_calls_;
  if (!poller_.add(fd, interest)) return false;
  slots_[fd] = Slot{handler, context};
  masks_[fd] = static_cast<uint8_t>(interest | (priority == EventPriority::First ? kFirstBit : 0));
  if (priority == EventPriority::First) ++first_count_;
  if (interest & kPollWritable) ++writers_;
  return true;
}

void EventLoop::remove(int fd) {
  if (!registered(fd)) return;
  ++poller_calls_;
  poller_.remove(fd);
  if (masks_[fd] & kFirstBit) --first_count_;
  if (masks_[fd] & kPollWritable) --writers_;
  // An empty slot is what makes a later event of this turn's batch for fd
  // harmless: dispatch() skips it.
  slots_[fd] = Slot{};
  masks_[fd] = 0;
}

// The slow half of want_writable: the mask changes (or fd is unknown).
bool EventLoop::change_writable(int fd, bool writable) {
  if (!registered(fd)) {
    errno = EBADF;
    return false;
  }
  const uint8_t mask = masks_[fd];
  const uint8_t changed = static_cast<uint8_t>(writable ? (mask | kPollWritable) : (mask & ~kPollWritable));
  if (changed == mask) return true;
  ++poller_calls_;
  if (!poller_.modify(fd, changed & kInterestBits)) return false;
  masks_[fd] = changed;
  if (writable) {
    ++writers_;
  } else {
    --writers_;
  }
  return true;
}

void EventLoop::dispatch(const PollerEvent& event, EventPriority pass) {
  const int fd = event.fd;
  if (!registered(fd)) return;  // removed earlier this turn
  const bool first = (masks_[fd] & kFirstBit) != 0;
  if (first != (pass == EventPriority::First)) return;
  const Slot& slot = slots_[fd];
  EventHandler* handler = slot.handler;
  void* context = slot.context;
  if (event.events & kPollReadable) handler->on_readable(fd, context);
  // The read may have closed it: only a descriptor still registered to the
  // same owner hears that it is writable.
  if ((event.events & kPollWritable) && registered(fd) && slots_[fd].context == context) {
    handler->on_writable(fd, context);
  }
}

// excerpt-begin: turn
int EventLoop::run_once(int timeout_ms) {
  const int ready = poller_.wait(events_, kMaxEventsPerWait, timeout_ms);
  if (ready < 0) return -1;
  if (after_wake_) after_wake_();
  // Two passes only while a First descriptor exists; each event costs a
  // table lookup and, when ready, one virtual call.
  if (first_count_ > 0) {
    for (int i = 0; i < ready; ++i) dispatch(events_[i], EventPriority::First);
  }
  for (int i = 0; i < ready; ++i) dispatch(events_[i], EventPriority::Normal);
  for (const std::function<void()>& phase : before_sleep_) phase();
  return ready;
}

int EventLoop::run() {
  stopped_ = false;
  while (!stopped_) {
    if (run_once(timeout_source_ ? timeout_source_() : -1) < 0) return -1;
  }
  return 0;
}
// excerpt-end: turn
