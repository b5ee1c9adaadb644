#pragma once
// Reads a Hugging Face tokenizer.json with model.type "BPE" into a
// BpeTokenizer::Config (format: huggingface/tokenizers, tokenizers/src/*/serialization).
// Supported: normalizers Prepend, Replace (string pattern), NFC (taken as
// already applied), Sequence; pre-tokenizers ByteLevel, Split (Regex or String
// pattern, every behavior, invert), Digits, Metaspace, Sequence; model fields
// vocab, merges ("a b" strings or ["a", "b"] pairs), unk_token, byte_fallback,
// fuse_unk, ignore_merges; added_tokens; BOS from a TemplateProcessing
// post-processor. Anything else is refused with a message naming the field,
// never silently skipped.
#include "core/tokenizer/BpeTokenizer.h"

#include <memory>
#include <string>

namespace poslab {

class TokenizerJsonLoader {
public:
  static std::unique_ptr<BpeTokenizer> load(const std::string& path);
};

} // namespace poslab
