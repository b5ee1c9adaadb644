#include "core/train/MemoryPlan.h"

#include "core/engine/DeviceMemory.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace poslab {

namespace {

std::string mib(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

} // namespace

MemoryPlan MemoryPlan::estimate(const ModelConfig& c, const Inputs& in, const std::string& device) {
  MemoryPlan p;
  p.device = device;
  const int64_t P = c.parameterCount();
  const int64_t e = in.bf16 ? 2 : 4;
  if (in.loraParameters > 0) {
    // The base frozen as loaded (fp32) with no gradients or moments; the adapter fp32.
    const int64_t A = in.loraParameters;
    p.weights = P * 4 + A * 4 + (in.bf16 ? A * 2 : 0);
    p.gradients = A * e + A * 4;
    p.optimizer = 2 * A * 4;
  } else {
    p.weights = P * e + (in.bf16 ? P * 4 : 0);
    p.gradients = P * e + P * 4;
    p.optimizer = 2 * P * 4;
  }
  // Tensors autograd keeps per layer for B × T tokens (norm inputs and outputs,
  // q/k/v and their rotated copies, attention output, the SwiGLU's three
  // [ff]-wide tensors, residuals), plus scores and probabilities [B, H, T, T].
  const int64_t B = std::max<int64_t>(1, in.microBatch), T = std::max<int64_t>(1, in.longestSequence);
  const int64_t d = c.hiddenSize, ff = c.intermediateSize, hd = c.headDim;
  const int64_t perToken = 8 * d + 5 * ff + 3 * (c.numHeads + c.numKvHeads) * hd;
  const int64_t perLayer = B * T * perToken * e + 3 * B * c.numHeads * T * T * 4;
  // With checkpointing only each layer's input stays, and one layer's tensors
  // live at a time while backward recomputes it.
  p.activations = in.checkpointLayers ? c.numLayers * B * T * d * e + perLayer + B * T * d * e
                                      : c.numLayers * perLayer + B * T * d * e;
  // Logits, log-softmax and their gradients in fp32 for the predicting rows.
  p.lossRows = 3 * in.targetsPerPass * c.vocabSize * 4;
  // A LoRA run's live teacher is its own base with the adapter off: no copy.
  p.teacher = in.liveTeacher ? (in.loraParameters > 0 ? 0 : P * 4) : in.teacherCacheBytes;
  p.available = DeviceMemory::availableBytes(device); // -1: unknown (a CUDA runtime not in this process)
  return p;
}

int64_t MemoryPlan::loraParameterCount(const ModelConfig& c, int64_t r,
                                       const std::vector<std::string>& targets) {
  const int64_t d = c.hiddenSize, q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim,
                ff = c.intermediateSize;
  auto wanted = [&](const char* name) {
    return targets.empty() || std::find(targets.begin(), targets.end(), name) != targets.end();
  };
  int64_t perLayer = 0; // r × (in + out) per adapted projection
  if (wanted("q_proj")) perLayer += r * (d + q);
  if (wanted("k_proj")) perLayer += r * (d + kv);
  if (wanted("v_proj")) perLayer += r * (d + kv);
  if (wanted("o_proj")) perLayer += r * (q + d);
  if (wanted("gate_proj")) perLayer += r * (d + ff);
  if (wanted("up_proj")) perLayer += r * (d + ff);
  if (wanted("down_proj")) perLayer += r * (ff + d);
  return c.numLayers * perLayer;
}

nlohmann::json MemoryPlan::toJson() const {
  return {{"weights", weights},     {"gradients", gradients},
          {"optimizer", optimizer}, {"activations", activations},
          {"loss_rows", lossRows},  {"teacher", teacher},
          {"total", total()},       {"available", available},
          {"device", device},       {"fits", fits()}};
}

std::string MemoryPlan::text() const {
  std::ostringstream o;
  o << "weights      " << mib(weights) << "\n"
    << "gradients    " << mib(gradients) << "\n"
    << "optimizer    " << mib(optimizer) << " (AdamW moments, fp32)\n"
    << "activations  " << mib(activations) << " (one micro-batch at the longest sequence, estimated)\n"
    << "loss rows    " << mib(lossRows) << "\n"
    << "teacher      " << mib(teacher) << "\n"
    << "total        " << mib(total()) << "\n"
    << device << " available  " << (available < 0 ? std::string("unknown") : mib(available)) << "\n";
  return o.str();
}

} // namespace poslab
