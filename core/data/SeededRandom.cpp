#include "core/data/SeededRandom.h"

namespace poslab {

namespace {
// SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
} // namespace

uint64_t SeededRandom::derive(uint64_t seed, uint64_t stream) {
  return splitmix64(splitmix64(seed) ^ stream);
}

uint64_t SeededRandom::below(uint64_t bound) {
  // 2^64 mod bound values at the bottom would be over-represented; skip them.
  const uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const uint64_t r = engine_();
    if (r >= threshold) return r % bound;
  }
}

} // namespace poslab
