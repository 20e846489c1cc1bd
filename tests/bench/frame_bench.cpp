// frame_bench.cpp: MessageReader throughput (RFC 6455 section 5 parsing,
// unmasking and UTF-8 checking) on streams of masked client frames.
//
// Build and run from the repository root (Google Benchmark; one line):
//   g++ -std=c++17 -O2 -Wall -Wextra -Werror -Isrc tests/bench/frame_bench.cpp src/websocket/message_reader.cpp
//       src/websocket/frame_parser.cpp src/base/utf8.cpp src/websocket/websocket.cpp src/websocket/frame_writer.cpp
//       -lbenchmark -pthread -o /tmp/frame_bench && /tmp/frame_bench
//
// The reader unmasks in place, so each iteration first restores the masked
// stream from a pristine copy. That memcpy runs with the timer paused; the
// stream is about 1 MiB, so the pause costs a few microseconds against a
// measured part of hundreds. Bytes processed counts whole frames, headers
// included.
//
// Four cases:
//   Text64          64-byte text frames (ASCII chat lines), whole stream in
//                   one buffer: the zero-copy path plus UTF-8 validation.
//   Binary64KiB     64 KiB binary frames, whole stream in one buffer: the
//                   zero-copy path, so this is mostly the unmasking loop.
//   Binary64KiBReads64KiB  the same frames fed in 64 KiB reads, as chatd's
//                   64 KiB read buffer delivers them: every frame straddles a
//                   read, so this is the reassembly (copying) path.
//   OneByteFragments300k  one 300,000-byte text message sent as 300,000
//                   one-byte fragments (a 7-byte frame each), under a 1 MiB
//                   limit: the reassembly buffer's growth policy. Growing it
//                   to exactly each fragment's end copied the whole message
//                   per fragment (quadratic); geometric growth copies each
//                   byte a constant number of times.
//
// Deliberately left out: socket I/O and event dispatch; this measures the
// parser alone.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "websocket/frame_writer.h"
#include "websocket/message_reader.h"

namespace {

constexpr uint8_t kMask[4] = {0x12, 0x34, 0x56, 0x78};
constexpr size_t kStreamTarget = 1 << 20;  // about 1 MiB of frames per iteration

std::string stream_of(Opcode opcode, const std::string& payload) {
  const std::string frame = encode_masked_frame(opcode, payload, kMask);
  std::string stream;
  while (stream.size() + frame.size() <= kStreamTarget) stream += frame;
  return stream;
}

std::string chat_line(size_t size) {
  const std::string words = "the quick brown fox jumps over the lazy dog, then asks what's for lunch. ";
  std::string line;
  while (line.size() < size) line += words;
  line.resize(size);
  return line;
}

// Runs the stream through a fresh reader in reads of at most read_size bytes
// and returns the number of messages, which must equal expected_messages.
void run(benchmark::State& state, const std::string& pristine, size_t read_size, size_t expected_messages,
         size_t max_message_bytes = 64 * 1024) {
  std::string work = pristine;
  size_t messages = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::memcpy(work.data(), pristine.data(), pristine.size());
    MessageReader reader(max_message_bytes);
    messages = 0;
    state.ResumeTiming();

    for (size_t start = 0; start < work.size(); start += read_size) {
      const size_t length = std::min(read_size, work.size() - start);
      char* data = work.data() + start;
      for (size_t offset = 0;;) {
        WsEvent event;
        offset += reader.read(data + offset, length - offset, &event);
        if (event.kind == WsEventKind::None) break;
        if (event.kind != WsEventKind::Message) {
          state.SkipWithError("unexpected event");
          return;
        }
        benchmark::DoNotOptimize(event.payload.data());
        ++messages;
      }
    }
  }
  if (messages != expected_messages) state.SkipWithError("wrong message count");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * pristine.size()));
  state.counters["messages/s"] =
      benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Text64(benchmark::State& state) {
  const std::string payload = chat_line(64);
  const std::string stream = stream_of(Opcode::Text, payload);
  const size_t frames = stream.size() / (payload.size() + 6);
  run(state, stream, stream.size(), frames);
}

void BM_Binary64KiB(benchmark::State& state) {
  const std::string payload(64 * 1024, '\xa5');
  const std::string stream = stream_of(Opcode::Binary, payload);
  const size_t frames = stream.size() / (payload.size() + 14);
  run(state, stream, stream.size(), frames);
}

void BM_Binary64KiBReads64KiB(benchmark::State& state) {
  const std::string payload(64 * 1024, '\xa5');
  const std::string stream = stream_of(Opcode::Binary, payload);
  const size_t frames = stream.size() / (payload.size() + 14);
  run(state, stream, 64 * 1024, frames);
}

void BM_OneByteFragments300k(benchmark::State& state) {
  constexpr size_t kFragments = 300000;
  std::string stream;
  stream.reserve(kFragments * 7);
  for (size_t i = 0; i < kFragments; ++i) {
    const Opcode opcode = i == 0 ? Opcode::Text : Opcode::Continuation;
    stream += encode_masked_frame(opcode, "x", kMask, /*fin=*/i + 1 == kFragments);
  }
  run(state, stream, stream.size(), 1, 1024 * 1024);
}

}  // namespace

BENCHMARK(BM_Text64);
BENCHMARK(BM_Binary64KiB);
BENCHMARK(BM_Binary64KiBReads64KiB);
BENCHMARK(BM_OneByteFragments300k)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
