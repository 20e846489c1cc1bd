// unicode_tables.h: the layout of the two Unicode tables in
// unicode_tables.cpp, which tools/make_unicode_tables.py generates from the
// Unicode Character Database (UAX #44). The lookups that use them, and the
// reasons for each class, are in unicode_names.h; nothing else should need
// this file.
//
// Both tables are sorted by code point and searched by bisection, and both
// store ranges rather than code points, so the whole of Unicode fits in
// about 17 KiB: 1,800 runs of classes and 200 folding ranges, where lists
// per code point would need 1.1 million classes and 1,400 mappings.
#pragma once

#include <cstddef>
#include <cstdint>

// What a code point may be in a name (docs/protocol.md, the naming rule).
enum class NameCharacterClass : uint8_t {
  kOrdinary,  // letters, digits, punctuation, symbols: allowed anywhere
  kSpace,     // General_Category Zs: allowed only between other characters
  kMark,      // Mn, Mc, Me: allowed only after another character, few in a row
  kRefused,   // Cc, Cf, Cs, Co, Cn, Zl, Zp, and Default_Ignorable_Code_Point
};

// Every code point from first up to the next run's first (or U+10FFFF for
// the last run) has name_class. The first run starts at U+0000, so every
// code point is in exactly one run.
struct NameClassRun {
  uint32_t first;
  NameCharacterClass name_class;
};

// Simple case folding for a range: first, first + stride, first + 2 *
// stride, ... up to last each fold to themselves plus delta; the code points
// between them (when stride is 2) fold to themselves. Ranges do not overlap.
struct CaseFoldRange {
  uint32_t first;
  uint32_t last;
  int32_t delta;
  uint32_t stride;  // 1 or 2
};

extern const char kUnicodeVersion[];
extern const NameClassRun kNameClassRuns[];
extern const size_t kNameClassRunCount;
extern const CaseFoldRange kCaseFoldRanges[];
extern const size_t kCaseFoldRangeCount;
