// Fuzz target: a Hugging Face model folder's settings: config.json
// (ModelConfig::fromHuggingFaceJson), tokenizer_config.json and
// generation_config.json (the special tokens TokenizerLoader lays over the
// vocabulary). The input is the three files joined by NUL bytes. A bad file is
// a poslab::Error naming it and the field; the tokenizer they configure must
// still encode and decode without fault.
#include "core/engine/TokenizerLoader.h"
#include "core/model/ModelConfig.h"
#include "core/util/Error.h"
#include "tests/fuzz/FuzzInput.h"
#include "tests/fuzz/FuzzTokenizerJson.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto files = poslab::fuzz::parts(data, size);
  poslab::fuzz::partAsFile(files, 0, "model/config.json");
  poslab::fuzz::partAsFile(files, 1, "model/tokenizer_config.json");
  poslab::fuzz::partAsFile(files, 2, "model/generation_config.json");
  const std::string_view vocabulary = poslab::fuzz::kTokenizerJson;
  const std::string dir = (poslab::fuzz::folder() / "model").string();
  poslab::fuzz::asFile(reinterpret_cast<const uint8_t*>(vocabulary.data()), vocabulary.size(),
                       "model/tokenizer.json");
  try {
    const poslab::ModelConfig config = poslab::ModelConfig::fromHuggingFaceJson(dir + "/config.json");
    (void)config.parameterCount();
  } catch (const poslab::Error&) {
  }
  try {
    const auto tokenizer = poslab::TokenizerLoader::load(dir);
    if (!tokenizer) return 0; // cannot happen: the folder has its tokenizer.json
    const poslab::SpecialTokens& s = tokenizer->specialTokens();
    const poslab::Encoding e = tokenizer->encode("ab a</s>", {.addBos = s.addBos, .parseSpecial = true});
    (void)tokenizer->decode(e.ids, true);
    std::vector<int32_t> special = {s.bos, s.eos, s.unk, s.pad};
    special.insert(special.end(), s.extraEos.begin(), s.extraEos.end());
    for (int32_t id : special)
      if (id >= 0) (void)tokenizer->decode({id}, true);
  } catch (const poslab::Error&) {
  }
  return 0;
}
