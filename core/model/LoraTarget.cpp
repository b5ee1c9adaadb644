#include "core/model/LoraTarget.h"

namespace poslab {

const char* loraModuleName(LoraTarget t) {
  switch (t) {
  case LoraTarget::Q:
    return "q_proj";
  case LoraTarget::K:
    return "k_proj";
  case LoraTarget::V:
    return "v_proj";
  case LoraTarget::O:
    return "o_proj";
  case LoraTarget::Gate:
    return "gate_proj";
  case LoraTarget::Up:
    return "up_proj";
  case LoraTarget::Down:
    return "down_proj";
  }
  return "";
}

std::string loraModulePath(int64_t layer, LoraTarget t) {
  const bool attention = t == LoraTarget::Q || t == LoraTarget::K || t == LoraTarget::V || t == LoraTarget::O;
  return "model.layers." + std::to_string(layer) + (attention ? ".self_attn." : ".mlp.") + loraModuleName(t);
}

} // namespace poslab
