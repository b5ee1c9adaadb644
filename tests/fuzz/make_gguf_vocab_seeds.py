#!/usr/bin/env python3
"""Writes the gguf_vocab fuzz target's seeds: GGUF files with no tensors and a
small tokenizer in their metadata, one SentencePiece ("llama") and one
byte-level BPE ("gpt2"). The real vocabularies (32000 and 50257 tokens) would
make every fuzz input hundreds of kilobytes; these reach the same code.
Usage: make_gguf_vocab_seeds.py OUT_DIR"""
import struct
import sys
from pathlib import Path

U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)


def text(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def value(kind, v):
    if kind == STRING:
        return text(v)
    if kind == ARRAY:
        item_kind, items = v
        return struct.pack("<IQ", item_kind, len(items)) + b"".join(value(item_kind, x) for x in items)
    return struct.pack({U32: "<I", I32: "<i", F32: "<f", BOOL: "<?", U64: "<Q"}[kind], v)


def gguf(metadata):
    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(metadata))
    for key, (kind, v) in metadata.items():
        out += text(key) + struct.pack("<I", kind) + value(kind, v)
    return out + b"\0" * (-len(out) % 32)


def spm():
    pieces = ["<unk>", "<s>", "</s>", "<0x0A>", "<0x41>", "\u2581", "a", "b", "\u2581a", "ab", "\u2581ab", "[INST]"]
    types = [2, 3, 3, 6, 6, 1, 1, 1, 1, 1, 1, 4]
    return gguf({
        "general.architecture": (STRING, "llama"),
        "tokenizer.ggml.model": (STRING, "llama"),
        "tokenizer.ggml.tokens": (ARRAY, (STRING, pieces)),
        "tokenizer.ggml.scores": (ARRAY, (F32, [0.0, 0.0, 0.0, 0.0, 0.0, -1.0, -2.0, -2.5, -1.5, -1.2, -0.5, 0.0])),
        "tokenizer.ggml.token_type": (ARRAY, (I32, types)),
        "tokenizer.ggml.bos_token_id": (U32, 1),
        "tokenizer.ggml.eos_token_id": (U32, 2),
        "tokenizer.ggml.unknown_token_id": (U32, 0),
        "tokenizer.ggml.padding_token_id": (U32, 0xFFFFFFFF),
        "tokenizer.ggml.add_bos_token": (BOOL, True),
        "tokenizer.ggml.add_space_prefix": (BOOL, True),
    })


def bpe():
    pieces = ["a", "b", "c", "\u0120", "ab", "\u0120a", "abc", "<|endoftext|>", "<|user|>"]
    return gguf({
        "general.architecture": (STRING, "qwen2"),
        "tokenizer.ggml.model": (STRING, "gpt2"),
        "tokenizer.ggml.pre": (STRING, "qwen2"),
        "tokenizer.ggml.tokens": (ARRAY, (STRING, pieces)),
        "tokenizer.ggml.merges": (ARRAY, (STRING, ["a b", "\u0120 a", "ab c"])),
        "tokenizer.ggml.token_type": (ARRAY, (I32, [1, 1, 1, 1, 1, 1, 1, 3, 4])),
        "tokenizer.ggml.bos_token_id": (U32, 7),
        "tokenizer.ggml.eos_token_id": (U32, 7),
        "tokenizer.ggml.eot_token_id": (U32, 8),
        "tokenizer.ggml.add_bos_token": (BOOL, False),
    })


out = Path(sys.argv[1])
(out / "seed-llama-spm").write_bytes(spm())
(out / "seed-gpt2-bpe").write_bytes(bpe())
