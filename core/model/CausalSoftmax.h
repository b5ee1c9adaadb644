#pragma once
// The softmax of a block of causal attention scores, in place, with the causal
// mask applied on the way: each query row is normalised over the keys it may
// see and its later keys are set to 0, with no -inf added to the scores first.
//
// Why a kernel of our own: ATen 1.13's CPU softmax, as Debian builds it, runs
// AVX2 code with SLEEF's 1-ulp exp and was about 11 % of a bf16 prefill of
// 2 048 tokens (BENCHMARKS.md). This one uses AVX-512, a 1-2 ulp exp, and a
// row's fp32 exponentials kept in an L1-sized buffer: 2.8x ATen's speed on one
// core, 3.5x on two. Every row is still computed in fp32 and rounded once to
// the scores' dtype (round to nearest even), like ATen's bf16 kernel; a
// probability differs from ATen's in at most the last bf16 bit (test_causal_softmax).
#include <ATen/ATen.h>

namespace poslab {

class CausalSoftmax {
public:
  // Whether this CPU runs the kernel (AVX-512 F, BW and VL); without it,
  // callers keep ATen's softmax after an explicit mask.
  static bool available();
  // scores: [N, rows, G, keys], contiguous, bf16 or fp32, the last `rows`
  // keys being the rows' own positions: row i sees keys [0, keys - rows + i].
  // The softmax replaces the scores. Needs available().
  static void inPlace(at::Tensor& scores);
  // Tests turn the kernel off to compare it with ATen's path.
  static void setEnabled(bool on);
  static bool enabled();
};

} // namespace poslab
