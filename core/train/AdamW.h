#pragma once
// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019)
// with exactly the arithmetic of torch.optim.AdamW (PyTorch 1.13,
// _single_tensor_adamw, amsgrad off): decoupled decay, then the moment updates,
// then the bias-corrected step. Tested against torch's numbers (tests/train).
// Parameters are fp32 tensors updated in place; the state exports to named
// tensors for checkpoints.
#include <ATen/ATen.h>
#include <map>
#include <string>
#include <vector>

namespace poslab {

struct OptimizedParameter {
  std::string name;  // Hugging Face tensor name, the key of its state in checkpoints
  at::Tensor value;  // fp32 leaf, updated in place
  bool decay = true; // weight decay applies (matrices, embeddings) or not (norms, biases)
};

class AdamW {
public:
  struct Options {
    double beta1 = 0.9;
    double beta2 = 0.95;
    double eps = 1e-8;
    double weightDecay = 0.01;
  };

  AdamW(std::vector<OptimizedParameter> parameters, Options options);

  // One update with `grads` (fp32, one per parameter, same order and shapes).
  void step(const std::vector<at::Tensor>& grads, double lr);

  int64_t steps() const { return steps_; }
  const std::vector<OptimizedParameter>& parameters() const { return params_; }

  // "exp_avg.<name>" and "exp_avg_sq.<name>" for every parameter.
  std::vector<std::pair<std::string, at::Tensor>> stateTensors() const;
  // Restores what stateTensors() exported; throws poslab::Error naming `source`
  // and the missing or mis-shaped tensor.
  void loadState(int64_t steps, const std::map<std::string, at::Tensor>& tensors, const std::string& source);

private:
  std::vector<OptimizedParameter> params_;
  Options options_;
  std::vector<at::Tensor> expAvg_, expAvgSq_;
  int64_t steps_ = 0;
};

} // namespace poslab
