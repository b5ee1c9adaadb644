// Fuzz target: a SentencePiece tokenizer.model (protobuf ModelProto) through the
// sentencepiece shim: our wire-format reader of the piece types, then
// libsentencepiece's own loader. A bad file is a poslab::Error naming it; a
// loaded model must encode, decode and list its pieces without fault.
#include "core/tokenizer/SentencePieceTokenizer.h"
#include "core/util/Error.h"
#include "tests/fuzz/FuzzInput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = poslab::fuzz::asFile(data, size, "tokenizer.model");
  try {
    const auto tokenizer = poslab::SentencePieceTokenizer::fromFile(path);
    // Every piece, as the vocabulary views and the converter list them.
    for (int32_t id = 0; id < tokenizer->vocabSize() && id < 4096; ++id) {
      (void)tokenizer->score(id);
      (void)tokenizer->pieceType(id);
      (void)tokenizer->pieceToId(tokenizer->piece(id));
    }
    for (const char* text :
         {"", "Hello world 123", "<s>a</s> [INST] hi \xC3\xA9 \xF0\x9F\x98\x80", "\xFF\xFE bad"})
      for (bool special : {false, true}) {
        const poslab::Encoding e = tokenizer->encode(text, {.parseSpecial = special});
        for (bool keep : {false, true})
          (void)tokenizer->decode(e.ids, keep);
      }
    (void)tokenizer->decode({-1, tokenizer->vocabSize(), 0}, true);
  } catch (const poslab::Error&) {
  }
  return 0;
}
