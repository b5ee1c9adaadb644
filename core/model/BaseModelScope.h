#pragma once
// Switches a model's LoRA adapter off for a scope and back to what it was:
// the base model's numbers from a model that carries an adapter. The distill
// teacher of a LoRA run is the base this way, without a second copy.
#include "core/model/LlamaModel.h"

namespace poslab {

class BaseModelScope {
public:
  explicit BaseModelScope(const LlamaModel& model) : model_(model), was_(model.adapterActive()) {
    model_.setAdapterEnabled(false);
  }
  ~BaseModelScope() {
    if (was_) model_.setAdapterEnabled(true);
  }
  BaseModelScope(const BaseModelScope&) = delete;
  BaseModelScope& operator=(const BaseModelScope&) = delete;

private:
  const LlamaModel& model_;
  bool was_;
};

} // namespace poslab
