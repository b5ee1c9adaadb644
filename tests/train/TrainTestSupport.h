#pragma once
// A tiny Llama and toy data for the training tests: small enough that a
// training step takes milliseconds on one core.
#include "core/model/ModelConfig.h"
#include "core/train/TrainingSequence.h"
#include "core/weights/SafetensorsFile.h"
#include "core/weights/TensorLoader.h"
#include "tests/util/TestPaths.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <string>
#include <vector>

namespace poslab::test {

inline ModelConfig tinyConfig(bool tied = false) {
  ModelConfig c;
  c.architecture = "LlamaForCausalLM";
  c.family = "llama";
  c.hiddenSize = 32;
  c.intermediateSize = 64;
  c.numLayers = 2;
  c.numHeads = 4;
  c.numKvHeads = 2;
  c.headDim = 8;
  c.vocabSize = 48;
  c.maxPositions = 64;
  c.rmsNormEps = 1e-5;
  c.tieWordEmbeddings = tied;
  c.bosTokenId = 1;
  c.eosTokenIds = {2};
  return c;
}

// `count` sequences of varied length: BOS, a "prompt" of pseudo-random ids,
// then a 3-token "answer" + EOS that is a function of the prompt's first id,
// so the answer is learnable. The loss mask covers answer + EOS.
inline std::vector<TrainingSequence> toySequences(int count, int vocab = 48) {
  std::vector<TrainingSequence> out;
  uint32_t x = 12345;
  for (int i = 0; i < count; ++i) {
    TrainingSequence s;
    s.ids.push_back(1);
    const int promptLen = 4 + i % 5;
    for (int t = 0; t < promptLen; ++t) {
      x = x * 1664525u + 1013904223u;
      s.ids.push_back(3 + static_cast<int32_t>((x >> 16) % static_cast<uint32_t>(vocab - 3)));
    }
    s.lossMask.assign(s.ids.size(), 0);
    const int32_t key = s.ids[1];
    for (int32_t a : {key, (key * 7) % (vocab - 3) + 3, (key * 13) % (vocab - 3) + 3, 2}) {
      s.ids.push_back(a);
      s.lossMask.push_back(1);
    }
    out.push_back(std::move(s));
  }
  return out;
}

class TensorFile {
public:
  explicit TensorFile(const std::string& path) : file_(path) {}
  at::Tensor get(const std::string& name) const {
    const TensorView* v = file_.find(name);
    if (!v) qFatal("tensor %s missing from %s", name.c_str(), file_.path().c_str());
    return loadTensor(*v, file_.mapping(), at::kFloat).clone();
  }

private:
  SafetensorsFile file_;
};

inline double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kFloat) - b.to(at::kFloat)).abs().max().item<double>();
}

} // namespace poslab::test
