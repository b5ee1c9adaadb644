#include "core/model/LayerCheckpoint.h"

#include "core/model/LlamaModel.h"

#include <torch/csrc/autograd/autograd.h>

namespace poslab {

std::vector<at::Tensor> LayerCheckpoint::trainableWeights(const LlamaModel& model, int64_t layer) {
  const LayerWeights& w = model.weights().layers[static_cast<size_t>(layer)];
  std::vector<at::Tensor> out;
  for (const at::Tensor& t : {w.attnNorm, w.wqkv, w.bqkv, w.wo, w.ffnNorm, w.wGateUp, w.wDown})
    if (t.defined() && t.requires_grad()) out.push_back(t);
  if (model.adapterActive())
    for (const LoraPair& p : model.adapter()->layers[static_cast<size_t>(layer)])
      for (const at::Tensor& t : {p.a, p.b})
        if (t.defined() && t.requires_grad()) out.push_back(t);
  return out;
}

at::Tensor LayerCheckpoint::forward(torch::autograd::AutogradContext* ctx, const LlamaModel* model,
                                    int64_t layer, const at::Tensor& x, const at::Tensor& cos,
                                    const at::Tensor& sin, const c10::optional<at::Tensor>& mask,
                                    at::TensorList trainable) {
  // Function::apply runs this with gradients off: nothing inside is kept.
  ctx->save_for_backward({x, cos, sin, mask.value_or(at::Tensor())});
  ctx->saved_data["model"] = reinterpret_cast<int64_t>(model); // outlives the step's backward
  ctx->saved_data["layer"] = layer;
  ctx->saved_data["trainable"] = static_cast<int64_t>(trainable.size());
  return model->layer(layer, x, cos, sin, mask.value_or(at::Tensor()));
}

torch::autograd::variable_list LayerCheckpoint::backward(torch::autograd::AutogradContext* ctx,
                                                         torch::autograd::variable_list gradOutput) {
  const auto* model = reinterpret_cast<const LlamaModel*>(ctx->saved_data["model"].toInt());
  const int64_t layer = ctx->saved_data["layer"].toInt();
  const torch::autograd::variable_list saved = ctx->get_saved_variables();
  const std::vector<at::Tensor> weights = trainableWeights(*model, layer);
  if (static_cast<int64_t>(weights.size()) != ctx->saved_data["trainable"].toInt())
    throw std::logic_error(
        "LayerCheckpoint: the layer's trainable weights changed between forward and backward");

  at::AutoGradMode gradOn(true);
  at::Tensor x = saved[0].detach().requires_grad_(true); // [B, T, d]
  at::Tensor out = model->layer(layer, x, saved[1], saved[2], saved[3]);
  std::vector<at::Tensor> inputs{x};
  inputs.insert(inputs.end(), weights.begin(), weights.end());
  const torch::autograd::variable_list grads =
      torch::autograd::grad({out}, inputs, {gradOutput[0]}, /*retain_graph=*/false, /*create_graph=*/false,
                            /*allow_unused=*/true);
  // One entry per forward argument: model, layer, x, cos, sin, mask, then each trainable weight.
  torch::autograd::variable_list result{at::Tensor(), at::Tensor(), grads[0],
                                        at::Tensor(), at::Tensor(), at::Tensor()};
  result.insert(result.end(), grads.begin() + 1, grads.end());
  return result;
}

} // namespace poslab
