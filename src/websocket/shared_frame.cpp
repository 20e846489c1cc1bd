// shared_frame.cpp: allocation and encoding of shared frames. See
// shared_frame.h for why frames are reference-counted.
#include "websocket/shared_frame.h"

#include <cstring>
#include <new>

#include "websocket/frame_writer.h"

SharedFrame* SharedFrame::allocate(size_t size) {
  // Header object and bytes in one block: one malloc per broadcast.
  void* memory = ::operator new(sizeof(SharedFrame) + size);
  SharedFrame* frame = new (memory) SharedFrame();
  frame->size_ = static_cast<uint32_t>(size);
  return frame;
}

void SharedFrame::destroy() {
  this->~SharedFrame();
  ::operator delete(static_cast<void*>(this));
}

SharedFrame* SharedFrame::encode(Opcode opcode, std::string_view payload) {
  uint8_t header[kMaxServerFrameHeaderBytes];
  size_t header_size = write_frame_header(header, opcode, payload.size());
  SharedFrame* frame = allocate(header_size + payload.size());
  frame->header_size_ = static_cast<uint32_t>(header_size);
  char* bytes = const_cast<char*>(frame->data());
  std::memcpy(bytes, header, header_size);
  if (!payload.empty()) std::memcpy(bytes + header_size, payload.data(), payload.size());
  return frame;
}

SharedFrame* SharedFrame::raw(std::string_view bytes) {
  SharedFrame* frame = allocate(bytes.size());
  if (!bytes.empty()) std::memcpy(const_cast<char*>(frame->data()), bytes.data(), bytes.size());
  return frame;
}
