#pragma once
// A small byte-level BPE tokenizer.json that holds the control texts of the
// built-in chat templates, for targets whose parser needs a vocabulary beside
// the file under test (a model folder, ChatTemplate::encode): with it those
// targets reach the code after the tokenizer has loaded.
namespace poslab::fuzz {

inline constexpr const char* kTokenizerJson = R"({
  "added_tokens": [
    {"id": 9, "content": "<s>", "special": true},
    {"id": 10, "content": "</s>", "special": true},
    {"id": 11, "content": "[INST]", "special": true},
    {"id": 12, "content": "[/INST]", "special": true},
    {"id": 13, "content": "<|im_start|>", "special": true},
    {"id": 14, "content": "<|im_end|>", "special": true},
    {"id": 15, "content": "<|begin_of_text|>", "special": true},
    {"id": 16, "content": "<|start_header_id|>", "special": true},
    {"id": 17, "content": "<|end_header_id|>", "special": true},
    {"id": 18, "content": "<|eot_id|>", "special": true},
    {"id": 19, "content": "<|user|>", "special": true},
    {"id": 20, "content": "<|end|>", "special": true}],
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
  "decoder": {"type": "ByteLevel"},
  "model": {"type": "BPE", "unk_token": "<unk>",
            "vocab": {"a": 0, "b": 1, "c": 2, "\u0120": 3, "ab": 4, "\u0120a": 5, "\n": 6, "\u010a": 7, "<unk>": 8},
            "merges": ["a b", "\u0120 a"]}
})";

} // namespace poslab::fuzz
