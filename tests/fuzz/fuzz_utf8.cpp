// fuzz_utf8.cpp: libFuzzer target for Utf8Validator (RFC 3629 section 4),
// checked against a reference written here in a different way.
//
// utf8.cpp is a table-driven automaton that rejects at the first byte no
// valid string could continue with. The reference below instead works with
// code point values: for a partial sequence it computes the smallest and the
// largest code point the sequence could still become, and calls the sequence
// dead when that range misses every valid value for its length (overlong
// below, surrogates inside, beyond U+10FFFF above). Two methods that share
// no table agree only if both are right.
//
// For every prefix of the input the reference says: valid and between code
// points, valid so far but mid-sequence, or rejected. The validator is then
// checked three ways: fed one byte at a time (its state after each byte must
// match), fed in chunks cut by fuzz_support::SplitPlan (the final verdict and
// each feed()'s return must match), and through is_valid_utf8().
//
// Deliberately left out: speed. The reference is written to be obviously
// right, not fast. The fast ASCII path in utf8.cpp is still exercised: the
// split feeding starts chunks at every alignment.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "base/utf8.h"

namespace {

enum class PrefixState : uint8_t { Boundary, MidSequence, Rejected };

// Sequence length announced by a lead byte (RFC 3629: 0xxxxxxx, 110xxxxx,
// 1110xxxx, 11110xxx), 0 for a byte that cannot lead.
size_t announced_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 0;
}

// True when some valid code point of `length` bytes starts with the given
// `known` bytes (lead included, continuations already checked for 10xxxxxx).
bool can_still_be_valid(const uint8_t* known, size_t known_count, size_t length) {
  static const uint32_t kLowestForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  static const uint32_t kLeadPayloadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  uint32_t low = known[0] & kLeadPayloadMask[length];
  for (size_t i = 1; i < known_count; ++i) low = (low << 6) | (known[i] & 0x3F);
  uint32_t high = low;
  for (size_t i = known_count; i < length; ++i) {
    low = low << 6;
    high = (high << 6) | 0x3F;
  }
  // Clip [low, high] to what this length may encode, then see what is left.
  if (low < kLowestForLength[length]) low = kLowestForLength[length];
  if (high > 0x10FFFF) high = 0x10FFFF;
  if (low > high) return false;
  const bool only_surrogates = low >= 0xD800 && high <= 0xDFFF;
  return !only_surrogates;
}

// The reference verdict for every prefix: states[i] describes data[0, i].
std::vector<PrefixState> reference_states(const uint8_t* data, size_t size) {
  std::vector<PrefixState> states(size + 1, PrefixState::Rejected);
  states[0] = PrefixState::Boundary;
  size_t sequence_start = 0;
  size_t sequence_length = 0;  // 0 between code points
  for (size_t i = 0; i < size; ++i) {
    const uint8_t byte = data[i];
    bool alive;
    if (sequence_length == 0) {
      sequence_start = i;
      sequence_length = announced_length(byte);
      alive = sequence_length != 0 && can_still_be_valid(data + i, 1, sequence_length);
    } else {
      alive = (byte & 0xC0) == 0x80 &&
              can_still_be_valid(data + sequence_start, i - sequence_start + 1, sequence_length);
    }
    if (!alive) return states;  // this prefix and every longer one: Rejected
    const bool finished = i - sequence_start + 1 == sequence_length;
    if (finished) sequence_length = 0;
    states[i + 1] = finished ? PrefixState::Boundary : PrefixState::MidSequence;
  }
  return states;
}

PrefixState state_of(const Utf8Validator& validator) {
  if (validator.failed()) return PrefixState::Rejected;
  return validator.complete() ? PrefixState::Boundary : PrefixState::MidSequence;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<PrefixState> expected = reference_states(data, size);
  const PrefixState final_state = expected[size];

  FUZZ_CHECK(is_valid_utf8(std::string_view(reinterpret_cast<const char*>(data), size)) ==
             (final_state == PrefixState::Boundary));

  Utf8Validator one_at_a_time;
  for (size_t i = 0; i < size; ++i) {
    const bool accepted = one_at_a_time.feed(data + i, 1);
    FUZZ_CHECK(accepted == (expected[i + 1] != PrefixState::Rejected));
    FUZZ_CHECK(state_of(one_at_a_time) == expected[i + 1]);
  }

  Utf8Validator in_chunks;
  fuzz_support::SplitPlan plan(data, size);
  for (size_t offset = 0; offset < size;) {
    const size_t chunk = plan.next(size - offset);
    const bool accepted = in_chunks.feed(data + offset, chunk);
    offset += chunk;
    FUZZ_CHECK(accepted == (expected[offset] != PrefixState::Rejected));
  }
  FUZZ_CHECK(state_of(in_chunks) == final_state);

  // reset() forgets everything, a rejection included.
  in_chunks.reset();
  FUZZ_CHECK(in_chunks.complete() && !in_chunks.failed());
  return 0;
}
