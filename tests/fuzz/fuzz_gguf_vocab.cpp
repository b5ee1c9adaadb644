// Fuzz target: the tokenizer a GGUF file carries in its metadata
// (tokenizer.ggml.*): SentencePiece ("llama", GgufSpmTokenizer) and byte-level
// BPE ("gpt2", BpeTokenizer::fromGguf) with their token types, scores, merges
// and special ids. A bad vocabulary is a poslab::Error naming file and key; a
// loaded one must encode, decode and convert without fault.
#include "core/tokenizer/BpeTokenizer.h"
#include "core/tokenizer/GgufSpmTokenizer.h"
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "tests/fuzz/FuzzInput.h"

namespace {

void exercise(const poslab::Tokenizer& tokenizer) {
  for (const char* text :
       {"", "Hello world 123", "<s>ab</s> [INST] hi \xC3\xA9 \xF0\x9F\x98\x80", "\xFF\xFE bad"})
    for (bool special : {false, true}) {
      const poslab::Encoding e = tokenizer.encode(text, {.addBos = true, .parseSpecial = special});
      for (bool keep : {false, true})
        (void)tokenizer.decode(e.ids, keep);
    }
  const poslab::SpecialTokens& s = tokenizer.specialTokens();
  for (int32_t id : {s.bos, s.eos, s.unk, s.pad})
    if (id >= 0) (void)tokenizer.decode({id}, true);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = poslab::fuzz::asFile(data, size, "vocab.gguf");
  try {
    const poslab::GgufFile gguf(path);
    // Both readers, whatever tokenizer.ggml.model says: each must refuse the
    // other's vocabulary by name rather than misread it.
    try {
      const auto spm = poslab::GgufSpmTokenizer::fromGguf(gguf);
      exercise(*spm);
      (void)spm->modelSpec();
    } catch (const poslab::Error&) {
    }
    const auto bpe = poslab::BpeTokenizer::fromGguf(gguf);
    exercise(*bpe);
  } catch (const poslab::Error&) {
  }
  return 0;
}
