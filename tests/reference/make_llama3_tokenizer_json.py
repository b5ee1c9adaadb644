#!/usr/bin/python3
"""Builds a Hugging Face tokenizer.json for Llama 3.1 from the GPT-2-layout
files in data/tokenizers/llama-3/ (encoder.json + vocab.bpe, see its SOURCE.md).

The real Meta-Llama-3.1 tokenizer.json (about 9 MB) is not available offline;
this one has the same structure: the Llama-3 Split regex followed by ByteLevel
(no prefix space, no regex), a BPE model with ignore_merges, the 256 special
tokens 128000..128255 with Llama 3.1's names, and a TemplateProcessing
post-processor that adds <|begin_of_text|>. Merges are written as "left right"
strings, as Meta's file has them. Standard library only.

usage: make_llama3_tokenizer_json.py --llama3 DIR --out DIR
"""
import argparse
import json
import os

PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
           r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def special_tokens():
    """Llama 3.1's names for ids 128000..128255 (meta-llama/Llama-3.1-8B-Instruct)."""
    named = {
        128000: "<|begin_of_text|>",
        128001: "<|end_of_text|>",
        128002: "<|reserved_special_token_0|>",
        128003: "<|reserved_special_token_1|>",
        128004: "<|finetune_right_pad_id|>",
        128005: "<|reserved_special_token_2|>",
        128006: "<|start_header_id|>",
        128007: "<|end_header_id|>",
        128008: "<|eom_id|>",
        128009: "<|eot_id|>",
        128010: "<|python_tag|>",
    }
    tokens = []
    for i in range(128000, 128256):
        name = named.get(i, "<|reserved_special_token_%d|>" % (i - 128011 + 3))
        tokens.append({"id": i, "content": name, "single_word": False, "lstrip": False, "rstrip": False,
                       "normalized": False, "special": True})
    return tokens


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--llama3", required=True, help="folder with encoder.json and vocab.bpe")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    with open(os.path.join(args.llama3, "encoder.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    merges = []
    with open(os.path.join(args.llama3, "vocab.bpe"), encoding="utf-8", newline="\n") as f:
        for number, line in enumerate(f.read().split("\n")):
            # Every line is a merge, also those starting with '#' (SOURCE.md).
            if line == "" or (number == 0 and line.startswith("#version")):
                continue
            left, right = line.split(" ")
            assert left + right in vocab, line
            merges.append(left + " " + right)
    assert len(vocab) == 128000 and len(merges) == 280147, (len(vocab), len(merges))

    document = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special_tokens(),
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        ]},
        "post_processor": {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                        {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                      {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}},
                      {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [128000],
                                                      "tokens": ["<|begin_of_text|>"]}}},
        ]},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                  "vocab": vocab, "merges": merges},
    }
    os.makedirs(args.out, exist_ok=True)
    target = os.path.join(args.out, "tokenizer.json")
    with open(target + ".tmp", "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False)
    os.replace(target + ".tmp", target)
    print("wrote %s: %d tokens, %d merges, 256 special tokens" % (target, len(vocab), len(merges)))


if __name__ == "__main__":
    main()
