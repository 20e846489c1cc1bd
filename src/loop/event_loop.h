// event_loop.h: the loop object, in the spirit of Redis's ae.c: a poller, a
// table from descriptor to handler, and the phases that run before each sleep.
//
// Whoever owns a descriptor (the server's listener, its wake pipe, each
// client; tomorrow a Redis socket or a metrics listener) registers a handler
// for it with an interest mask. One turn of run():
//   1. wait in the poller, for as long as the timeout source allows;
//   2. run the after-wake callback (the owner reads the clock there);
//   3. hand each ready descriptor to its handler: first those registered with
//      EventPriority::First (in the server: the wake pipe and the listener,
//      so new clients are accepted before any client is read), then the rest;
//   4. run the before-sleep phases in the order they were registered.
// A new kind of descriptor is one more add(), never an edit of this file.
//
// The interest mask of each descriptor lives here and only here: the owner
// says want_writable(fd, true or false), and the poller backend is called
// only when the mask actually changes. (The kqueue backend keeps a record of
// which filters it gave the kernel, because kevent() cannot be asked and
// deleting a filter that is not there fails; that is the kernel's state, not
// a second opinion on what the owner wants. See poller_kqueue.cpp.)
//
// The trap Redis's ae.c warns about: one wait() returns a batch, and a
// handler early in the batch may close a descriptor whose event comes later.
// remove() clears the descriptor's slot at once, so that later event finds
// an empty slot and is skipped. Freeing the objects behind the handlers is
// the owner's business (chatd frees closed connections in its last phase).
//
// Left out: timers. The owner's timeout source says how long to sleep (chatd
// keeps its DeadlineLists in the server, where the connections are).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "loop/poller.h"

// excerpt-begin: handler
// What a descriptor's owner does when it is ready. The context is the pointer
// given to EventLoop::add (the server passes the Connection), so a single
// handler object can serve every descriptor of one kind without a second
// table or a pointer to a vtable in every connection.
class EventHandler {
 public:
  virtual void on_readable(int fd, void* context) = 0;
  virtual void on_writable(int fd, void* context) = 0;

 protected:
  ~EventHandler() = default;  // handlers are owned elsewhere, never deleted through this
};

enum class EventPriority : uint8_t { Normal, First };
// excerpt-end: handler

class EventLoop {
 public:
  // Descriptors at or above max_descriptors are refused by add(); the table
  // has a slot for each of the others from the start.
  explicit EventLoop(size_t max_descriptors);
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool ok() const { return poller_.ok(); }
  size_t max_descriptors() const { return max_descriptors_; }

  // Starts delivering fd's events to handler. False (errno set) if fd is out
  // of the table's bounds, already registered, or the poller refuses it.
  bool add(int fd, EventHandler* handler, void* context, uint32_t interest,
           EventPriority priority = EventPriority::Normal);
  // Stops delivering fd's events, including those of the current batch not
  // yet handled. Call before close(fd). Unknown descriptors are ignored.
  void remove(int fd);
  // Adds or drops write interest; calls the poller only if the mask changes.
  // False if the poller refused the change (the owner then closes the
  // descriptor), or if fd is not registered and write interest was asked
  // for. This is on the flush path of every recipient of every broadcast,
  // so the no-change cases are inline: while no descriptor at all is watched
  // for writing (the usual case: every client keeps up), dropping write
  // interest is one compare; otherwise a bounds check and one compare (an
  // empty slot has no interest, so "not writable" needs no change there).
  bool want_writable(int fd, bool writable) {
    if (!writable && writers_ == 0) return true;
    const size_t index = static_cast<size_t>(fd);  // a negative fd fails the bounds check
    if (index < masks_.size() && ((masks_[index] & kPollWritable) != 0) == writable) {
      return true;
    }
    return change_writable(fd, writable);
  }

  bool registered(int fd) const {
    return fd >= 0 && static_cast<size_t>(fd) < slots_.size() && slots_[fd].handler != nullptr;
  }
  uint32_t interest(int fd) const { return registered(fd) ? masks_[fd] & kInterestBits : 0; }
  // The context given to add(), or null for an unregistered descriptor.
  void* context(int fd) const { return registered(fd) ? slots_[fd].context : nullptr; }
  // Calls visit(fd, context) for every descriptor registered with handler
  // (the server's shutdown visits every client this way, once).
  template <typename Visit>
  void for_each(const EventHandler* handler, Visit visit) const {
    for (size_t fd = 0; fd < slots_.size(); ++fd) {
      if (slots_[fd].handler == handler) visit(static_cast<int>(fd), slots_[fd].context);
    }
  }
  // How many add, modify and remove calls reached the poller: what
  // want_writable saves is visible to tests.
  uint64_t poller_calls() const { return poller_calls_; }

  // excerpt-begin: phases
  // How long the next wait may sleep, in ms (-1: until a descriptor is ready).
  void set_timeout_source(std::function<int()> timeout_ms) { timeout_source_ = std::move(timeout_ms); }
  // Runs right after each wait, before any handler.
  void set_after_wake(std::function<void()> after_wake) { after_wake_ = std::move(after_wake); }
  // Phases run after the handlers of every turn, in registration order.
  void add_before_sleep(std::function<void()> phase) { before_sleep_.push_back(std::move(phase)); }
  // excerpt-end: phases

  // Turns until stop() is called (from a handler or a phase); returns 0, or
  // -1 with errno set if the poller failed.
  int run();
  // One turn: wait at most timeout_ms, dispatch, run the phases. Returns the
  // number of ready descriptors, or -1 if the poller failed.
  int run_once(int timeout_ms);
  // Ends run() after the current turn's phases.
  void stop() { stopped_ = true; }

 private:
  // Two tables indexed by fd (Redis's trick: the kernel hands out the lowest
  // free descriptor, so they stay dense), always of the same size: 16 bytes
  // of handler and context, and one byte of mask. The mask is apart so that
  // want_writable, on the flush path of every broadcast's every recipient,
  // reads one byte from a table it can index without arithmetic.
  struct Slot {
    EventHandler* handler = nullptr;  // null: not registered
    void* context = nullptr;
  };
  static constexpr uint8_t kInterestBits = kPollReadable | kPollWritable;
  static constexpr uint8_t kFirstBit = 0x80;  // registered with EventPriority::First
  static constexpr int kMaxEventsPerWait = 1024;

  bool change_writable(int fd, bool writable);
  void dispatch(const PollerEvent& event, EventPriority pass);

  Poller poller_;
  size_t max_descriptors_;
  std::vector<Slot> slots_;
  std::vector<uint8_t> masks_;  // interest bits | kFirstBit; 0 when not registered
  std::vector<std::function<void()>> before_sleep_;
  std::function<int()> timeout_source_;
  std::function<void()> after_wake_;
  uint64_t poller_calls_ = 0;
  size_t writers_ = 0;  // descriptors whose mask has kPollWritable
  bool stopped_ = false;
  size_t first_count_ = 0;  // descriptors registered with EventPriority::First
  PollerEvent events_[kMaxEventsPerWait];
};
