// Fuzz target: Hugging Face tokenizer.json (BPE model, vocab and merges in both
// spellings, added tokens, normalizers, pre-tokenizers, decoders): a bad file
// is a poslab::Error; a loaded one must encode and decode without fault.
#include "core/tokenizer/BpeTokenizer.h"
#include "core/util/Error.h"
#include "tests/fuzz/FuzzInput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = poslab::fuzz::asFile(data, size, "tokenizer.json");
  try {
    const auto tokenizer = poslab::BpeTokenizer::fromTokenizerJson(path);
    for (const char* text : {"", "Hello world 123", "ab<sep>c [INST] hi \xC3\xA9 \xF0\x9F\x98\x80", "\xFF\xFE bad"})
      for (bool special : {false, true}) {
        const poslab::Encoding e = tokenizer->encode(text, {.parseSpecial = special});
        (void)tokenizer->decode(e.ids);
      }
  } catch (const poslab::Error&) {
  }
  return 0;
}
