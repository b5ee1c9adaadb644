#pragma once
// The piece types of a SentencePiece vocabulary. The numbers are those of
// sentencepiece_model.proto (ModelProto.SentencePiece.Type) and of GGUF's
// tokenizer.ggml.token_type, which llama.cpp copied from it.
#include <cstdint>

namespace poslab {

enum class SpmPieceType : int32_t {
  Normal = 1,
  Unknown = 2,
  Control = 3,     // <s>, </s>, [INST]: never produced from text by the model itself
  UserDefined = 4, // always matched as a whole in the input
  Unused = 5,
  Byte = 6, // <0xNN> byte-fallback pieces
};

} // namespace poslab
