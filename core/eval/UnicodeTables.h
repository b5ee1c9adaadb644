#pragma once
// Unicode facts the answer normaliser needs, generated from Python and its `regex`
// module (tests/eval/make_unicode_tables.py) so that PosLab scores exactly as the
// lost-in-the-middle metric does (str.lower, str.split, regex's \b).
#include <cstdint>
#include <span>

namespace poslab::unicode_tables {

struct CodePointRange {
  char32_t first; // inclusive
  char32_t last;  // inclusive
};

// Code points first, first + stride, ... <= last lower-case to cp + delta.
struct LowerRun {
  char32_t first;
  char32_t last;
  int32_t delta;
  int32_t stride;
};

std::span<const LowerRun> lowerRuns();             // sorted by first
std::span<const CodePointRange> casedRanges();     // sorted, disjoint
std::span<const CodePointRange> ignorableRanges(); //
std::span<const CodePointRange> spaceRanges();     //
std::span<const CodePointRange> wordRanges();      //

} // namespace poslab::unicode_tables
