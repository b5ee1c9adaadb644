#pragma once
// Where a model's weights come from: a Hugging Face folder (model.safetensors,
// or shards listed by model.safetensors.index.json) or one .gguf file. Opens and
// validates every file, refuses pickle checkpoints (*.bin, *.pt: they can run
// code), and keeps all mappings alive for zero-copy tensors.
#include "core/weights/TensorView.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace poslab {

class GgufFile;
class MappedFile;

class WeightSource {
public:
  enum class Kind { HuggingFaceFolder, Gguf };

  // path: a folder or a .gguf file. Throws poslab::Error naming file and field.
  static std::shared_ptr<WeightSource> open(const std::string& path);

  Kind kind() const { return kind_; }
  const std::string& path() const { return path_; }
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find(std::string_view name) const;
  // The GGUF file (metadata, vocabulary) when kind() == Gguf, else nullptr.
  const GgufFile* gguf() const { return gguf_.get(); }
  // The mapping that holds a tensor's bytes (for zero-copy at::Tensors).
  std::shared_ptr<const MappedFile> mappingOf(const TensorView& tensor) const;

private:
  Kind kind_ = Kind::HuggingFaceFolder;
  std::string path_;
  std::vector<TensorView> tensors_;
  std::shared_ptr<GgufFile> gguf_;
  std::vector<std::shared_ptr<const MappedFile>> mappings_; // parallel to files below
  std::vector<std::string> files_;
};

} // namespace poslab
