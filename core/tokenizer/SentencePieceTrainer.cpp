#include "core/tokenizer/SentencePieceTrainer.h"

#include "core/tokenizer/SpmShimLibrary.h"
#include "core/util/Error.h"

namespace poslab {

std::string SentencePieceTrainer::train(const std::vector<std::string>& sentences, const Options& options,
                                        uint32_t seed) {
  if (options.count("input"))
    fail("sentencepiece trainer", "input", "sentences are passed in memory, not as a file");
  if (sentences.empty()) fail("sentencepiece trainer", "input", "no sentences");
  std::vector<const char*> lines;
  for (size_t i = 0; i < sentences.size(); ++i) {
    if (sentences[i].find('\n') != std::string::npos)
      fail("sentencepiece trainer", "sentence " + std::to_string(i), "contains a newline");
    lines.push_back(sentences[i].c_str());
  }
  Options all = options;
  // The trainer's threads would make piece scores order-dependent. (insert_or_assign
  // with std::string: GCC 12 raises a -Wrestrict false positive on operator=(const char*).)
  all.insert_or_assign("num_threads", std::string(1, '1'));
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : all) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  const auto shim = SpmShimLibrary::shared();
  char* model = nullptr;
  size_t length = 0;
  char* error = nullptr;
  const int rc = shim->train(lines.data(), lines.size(), keys.data(), values.data(), keys.size(), seed,
                             /*quiet=*/1, &model, &length, &error);
  if (rc != 0) fail("sentencepiece trainer", "", shim->takeError(error));
  std::string out(model, length);
  shim->freeString(model);
  return out;
}

} // namespace poslab
