// fuzz_support.h: what the libFuzzer targets in tests/fuzz/ share: a check
// that stops the run with a message (libFuzzer then saves the input), and a
// deterministic way to cut an input into chunks.
//
// Why the chunks come from the input itself: a parser that keeps state
// between calls must give the same answer however the bytes arrive, and the
// bugs hide at the cut points (a length field split in two, a CRLF split
// between reads). Deriving the cuts from a hash of the input makes every run
// of the same input cut it the same way, so a saved crash reproduces, while
// every mutation the fuzzer makes also tries new cut points. The seed files
// stay plain requests and frames, with no split instructions mixed in.
//
// Deliberately left out: custom mutators. libFuzzer's own mutations, the seed
// corpora and the dictionaries (tests/fuzz/*.dict) reach the deep states.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

// A failed check is a finding: print what and where, then abort so that
// libFuzzer reports a crash and writes the input to crash-<sha1>.
#define FUZZ_CHECK(condition)                                                              \
  do {                                                                                     \
    if (!(condition)) {                                                                    \
      std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)

namespace fuzz_support {

// FNV-1a over the input: cheap, and any changed byte changes the cuts.
inline uint64_t hash_bytes(const uint8_t* data, size_t size) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// Chunk sizes for one run over an input: mostly small (the cuts that find
// state-machine bugs), sometimes larger, sometimes everything left.
class SplitPlan {
 public:
  SplitPlan(const uint8_t* data, size_t size, uint64_t salt = 0) : state_(hash_bytes(data, size) ^ salt) {}

  // The next chunk's size, between 1 and remaining (remaining > 0).
  size_t next(size_t remaining) {
    const uint64_t random = next_random();
    size_t size;
    switch (random % 8) {
      case 0: size = remaining; break;
      case 1: size = 1; break;
      case 2: case 3: case 4: size = 1 + (random >> 8) % 8; break;
      default: size = 1 + (random >> 8) % 300; break;
    }
    return size < remaining ? size : remaining;
  }

  // Also handed out to targets that need other derived choices.
  uint64_t next_random() {
    // splitmix64: a full-period generator in four lines.
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

}  // namespace fuzz_support
