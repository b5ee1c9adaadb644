#pragma once
// The seven projections of a decoder layer a LoRA adapter can target, named as
// Hugging Face names them. Torch-free, so adapter_config.json's reader
// (LoraConfig) builds without LibTorch (its libFuzzer target does).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace poslab {

enum class LoraTarget { Q, K, V, O, Gate, Up, Down };
inline constexpr size_t kLoraTargets = 7;
inline constexpr std::array<LoraTarget, kLoraTargets> kAllLoraTargets{
    LoraTarget::Q,    LoraTarget::K,  LoraTarget::V,   LoraTarget::O,
    LoraTarget::Gate, LoraTarget::Up, LoraTarget::Down};

// "q_proj", ..., "down_proj": Hugging Face's module names.
const char* loraModuleName(LoraTarget t);
// "model.layers.3.self_attn.q_proj": the module's path in transformers' LlamaForCausalLM.
std::string loraModulePath(int64_t layer, LoraTarget t);

} // namespace poslab
