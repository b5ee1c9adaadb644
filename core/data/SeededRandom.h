#pragma once
// Reproducible randomness for data preparation: the same seed gives the same
// draws on every platform and standard library. std::mt19937_64 is specified
// bit for bit by the C++ standard; std::uniform_int_distribution and
// std::shuffle are not, so bounded draws and Fisher-Yates are written here.
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace poslab {

class SeededRandom {
public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}

  // A seed for sub-stream `stream` (e.g. an example's index) of `seed`, so that
  // an example's draws do not depend on which other examples were drawn before.
  static uint64_t derive(uint64_t seed, uint64_t stream);

  // Uniform in [0, bound), bound > 0; unbiased (rejects the top partial block).
  uint64_t below(uint64_t bound);

  // Fisher-Yates: for i = n-1 .. 1 swap items[i] with items[below(i + 1)].
  template <class T> void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i)
      std::swap(items[i - 1], items[below(i)]);
  }

  // k distinct indices of [0, n) in draw order (a partial Fisher-Yates), k <= n.
  std::vector<size_t> distinct(size_t n, size_t k) {
    std::vector<size_t> idx(n);
    for (size_t i = 0; i < n; ++i)
      idx[i] = i;
    for (size_t i = 0; i < k; ++i)
      std::swap(idx[i], idx[i + below(n - i)]);
    idx.resize(k);
    return idx;
  }

private:
  std::mt19937_64 engine_;
};

} // namespace poslab
