#pragma once
// Writes a SentencePiece `tokenizer.model` (a serialized ModelProto) without a
// protobuf library: the wire format is hand-encoded. Used by `poslab-cli
// convert` to give a GGUF-embedded vocabulary a standard tokenizer.model.
// Schema: sentencepiece/src/sentencepiece_model.proto (field numbers below).
#include "core/tokenizer/SpmPieceType.h"

#include <cstdint>
#include <string>
#include <vector>

namespace poslab {

// Everything the writer puts in the model. Defaults are Llama's: BPE with byte
// fallback, a dummy prefix, spaces escaped as "▁", no NFKC and no whitespace
// squeezing (normalizer "identity").
struct SentencePieceModelSpec {
  std::vector<std::string> pieces; // [vocab]
  std::vector<float> scores;       // [vocab]
  std::vector<SpmPieceType> types; // [vocab]
  int32_t unkId = 0;               // must be the one Unknown piece
  int32_t bosId = 1;               // -1: none
  int32_t eosId = 2;               // -1: none
  int32_t padId = -1;              // -1: none
  bool byteFallback = true;        // <0xNN> pieces stand in for unknown bytes
  bool addDummyPrefix = true;      // "Hello" is encoded as "▁Hello"
  bool removeExtraWhitespaces = false;
  bool escapeWhitespaces = true; // ' ' -> "▁"
};

class SentencePieceModelWriter {
public:
  // The ModelProto bytes. Throws poslab::Error ("tokenizer.model: <field>: ...")
  // for a vocabulary sentencepiece would refuse (empty or duplicate pieces,
  // not exactly one Unknown piece, special ids out of range, size mismatch).
  static std::string serialize(const SentencePieceModelSpec& spec);
  // serialize() written to path; throws naming the path when it cannot write.
  static void write(const SentencePieceModelSpec& spec, const std::string& path);
};

} // namespace poslab
