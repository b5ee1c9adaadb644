#pragma once
// Activation checkpointing of one decoder layer (`--checkpoint-activations`):
// the forward keeps only the layer's input, not the dozen [B, T, ...] tensors
// and the [B, H, T, T] scores autograd would keep; the backward runs the layer
// again with gradients on and hands autograd the gradients of the input and of
// the layer's trainable weights. The same numbers as without it (one forward
// more per layer); peak activation memory falls from all layers' to about one
// layer's plus the layer inputs. What PyTorch's torch.utils.checkpoint does
// (reentrant variant), written for LibTorch, which has no such utility.
#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

namespace poslab {

class LlamaModel;

class LayerCheckpoint : public torch::autograd::Function<LayerCheckpoint> {
public:
  // x [B, T, d] -> the layer's output [B, T, d]. `trainable`: the layer's
  // weights that require gradients (they receive theirs through autograd).
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const LlamaModel* model, int64_t layer,
                            const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                            const c10::optional<at::Tensor>& mask, at::TensorList trainable);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list gradOutput);
  // The weights of `layer` that require gradients, in a fixed order.
  static std::vector<at::Tensor> trainableWeights(const LlamaModel& model, int64_t layer);
};

} // namespace poslab
