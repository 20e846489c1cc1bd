// inbound_queue.cpp: see inbound_queue.h.
#include "server/inbound_queue.h"

namespace {

constexpr size_t kKeptEvents = 16 * 1024;
constexpr size_t kKeptBytes = 4 * 1024 * 1024;

}  // namespace

void InboundQueue::clear() {
  events_.clear();
  if (events_.capacity() > kKeptEvents) std::vector<InboundEvent>().swap(events_);
  if (bytes_.capacity() > kKeptBytes) std::string().swap(bytes_);
  bytes_.clear();
}
