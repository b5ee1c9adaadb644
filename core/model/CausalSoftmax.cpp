#include "core/model/CausalSoftmax.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

// GCC 12's AVX-512 headers start some intrinsics from _mm512_undefined_*(),
// which -Wmaybe-uninitialized reports once inlined (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

namespace poslab {

namespace {

std::atomic<bool> enabledFlag{true};

#define POSLAB_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

// exp(x) for x <= 0 (scores minus their row's maximum), 16 lanes: x = n ln2 + r
// with |r| <= ln2/2 (Cody-Waite, ln2 in two parts), exp(r) by Cephes' expf
// polynomial (within 2 ulp of fp32), times 2^n by scalef, which also
// underflows to 0. Clamped below so n stays finite; NaN passes through.
POSLAB_AVX512 inline __m512 expNonPositive(__m512 x) {
  x = _mm512_max_ps(_mm512_set1_ps(-104.0f), x); // max returns x when x is NaN
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_scalef_ps(p, n);
}

inline __mmask16 firstLanes(int64_t n) {
  return static_cast<__mmask16>((1u << n) - 1);
}

// 16 elements (the first `lanes` of them; the others read as 0) as fp32.
POSLAB_AVX512 inline __m512 load(const float* p, __mmask16 lanes) {
  return _mm512_maskz_loadu_ps(lanes, p);
}
POSLAB_AVX512 inline __m512 load(const c10::BFloat16* p, __mmask16 lanes) {
  const __m256i half = _mm256_maskz_loadu_epi16(lanes, p);
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(half), 16));
}

POSLAB_AVX512 inline void store(float* p, __m512 x, __mmask16 lanes) {
  _mm512_mask_storeu_ps(p, lanes, x);
}
// Rounded to nearest even, NaN kept a (quiet) NaN: c10::BFloat16's rounding.
POSLAB_AVX512 inline void store(c10::BFloat16* p, __m512 x, __mmask16 lanes) {
  const __m512i bits = _mm512_castps_si512(x);
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
  __m512i rounded =
      _mm512_srli_epi32(_mm512_add_epi32(bits, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7FFF))), 16);
  const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  rounded = _mm512_mask_mov_epi32(rounded, nan, _mm512_set1_epi32(0x7FC0));
  _mm256_mask_storeu_epi16(p, lanes, _mm512_cvtepi32_epi16(rounded));
}

// One row in place: softmax over its first `seen` elements, 0 after them.
// `buffer` holds the fp32 exponentials between the sum and the division.
template <typename T> POSLAB_AVX512 void softmaxRow(T* row, int64_t seen, int64_t length, float* buffer) {
  __m512 maxima = _mm512_set1_ps(-INFINITY);
  for (int64_t j = 0; j < seen; j += 16) {
    const __mmask16 lanes = firstLanes(std::min<int64_t>(16, seen - j));
    maxima = _mm512_mask_max_ps(maxima, lanes, maxima, load(row + j, lanes));
  }
  const __m512 maximum = _mm512_set1_ps(_mm512_reduce_max_ps(maxima));
  __m512 sums = _mm512_setzero_ps();
  for (int64_t j = 0; j < seen; j += 16) {
    const __mmask16 lanes = firstLanes(std::min<int64_t>(16, seen - j));
    // x - max, not max - x: a NaN score stays NaN into the sum, so the row is NaN as ATen's.
    const __m512 e = _mm512_maskz_mov_ps(lanes, expNonPositive(_mm512_sub_ps(load(row + j, lanes), maximum)));
    _mm512_storeu_ps(buffer + j, e);
    sums = _mm512_add_ps(sums, e);
  }
  const __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sums));
  for (int64_t j = 0; j < seen; j += 16) {
    const __mmask16 lanes = firstLanes(std::min<int64_t>(16, seen - j));
    store(row + j, _mm512_mul_ps(_mm512_loadu_ps(buffer + j), inverse), lanes);
  }
  std::memset(static_cast<void*>(row + seen), 0, static_cast<size_t>(length - seen) * sizeof(T));
}

template <typename T> void softmaxRows(at::Tensor& scores) {
  const int64_t rows = scores.size(1), G = scores.size(2), keys = scores.size(3);
  const int64_t count = scores.size(0) * rows * G;
  T* base = scores.data_ptr<T>();
  // A chunk is at least a few rows of a few thousand keys: the pool's fork
  // costs microseconds, a row about one.
  at::parallel_for(0, count, 16, [&](int64_t begin, int64_t end) {
    std::vector<float> buffer(static_cast<size_t>(keys) + 16);
    for (int64_t r = begin; r < end; ++r) {
      const int64_t i = (r / G) % rows; // the query row within the block
      softmaxRow(base + r * keys, keys - rows + i + 1, keys, buffer.data());
    }
  });
}

} // namespace

bool CausalSoftmax::available() {
  static const bool cpu = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vl");
  return cpu;
}

void CausalSoftmax::setEnabled(bool on) {
  enabledFlag = on;
}

bool CausalSoftmax::enabled() {
  return enabledFlag && available();
}

void CausalSoftmax::inPlace(at::Tensor& scores) {
  TORCH_CHECK(available() && scores.dim() == 4 && scores.is_contiguous() && scores.device().is_cpu() &&
                  scores.size(1) <= scores.size(3),
              "CausalSoftmax: needs AVX-512 and contiguous [N, rows, G, keys] CPU scores with rows <= keys");
  if (scores.scalar_type() == at::kBFloat16)
    softmaxRows<c10::BFloat16>(scores);
  else if (scores.scalar_type() == at::kFloat)
    softmaxRows<float>(scores);
  else
    TORCH_CHECK(false, "CausalSoftmax: scores must be bf16 or fp32, not ", scores.scalar_type());
}

} // namespace poslab

#pragma GCC diagnostic pop
