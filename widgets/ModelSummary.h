#pragma once
// What the model panel shows about one model: plain values, filled by app/
// from the engine's ModelInfo. widgets/ never sees core/ types (DESIGN.md).
#include <QMetaType>
#include <QString>

namespace poslab {

struct ModelSummary {
  QString path;         // the .gguf file or the Hugging Face folder
  QString format;       // "gguf" | "huggingface"
  QString architecture; // e.g. "LlamaForCausalLM"
  QString family;       // "llama" | "mistral" | "qwen2"
  qint64 parameters = 0;
  qint64 layers = 0;
  qint64 hiddenSize = 0;
  qint64 intermediateSize = 0;
  qint64 heads = 0;   // query heads
  qint64 kvHeads = 0; // key/value heads (GQA when fewer than heads)
  qint64 headDim = 0;
  qint64 vocabSize = 0;
  qint64 contextLength = 0;
  double ropeTheta = 0;
  QString ropeScaling; // "none" | "linear x2" | ...
  bool tiedEmbeddings = false;
  QString storedDtype;        // in the file(s)
  QString computeDtype;       // "f32" | "bf16" | "f16"
  QString device;             // "cpu" | "cuda:0"
  QString tokenizer;          // tokenizer kind, "none" when the model has none
  qint64 weightBytes = 0;     // resident weights in the compute dtype
  qint64 kvBytesPerToken = 0; // KV cache per token of one sequence
  bool loaded = false;        // false: an estimate from the config, weights not in memory

  // Weights plus a KV cache that holds the full context of one sequence.
  qint64 estimatedBytes() const { return weightBytes + kvBytesPerToken * contextLength; }
};

} // namespace poslab

Q_DECLARE_METATYPE(poslab::ModelSummary)
