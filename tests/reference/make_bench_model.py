#!/usr/bin/python3
"""Write a random-weight Llama of realistic shape (~125 M parameters) as a
Hugging Face folder, for throughput benchmarks (not for tests).

    /usr/bin/python3 tests/reference/make_bench_model.py --out DIR [--dtype f32|bf16]

Shape: hidden 768, 12 layers, 12 heads / 4 KV heads (head_dim 64),
intermediate 2048, vocab 32000, untied lm_head. Weights are drawn with the
same scaling as the test fixtures, so activations stay in a sane range.
"""

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import safetensors_io  # noqa: E402
from make_fixtures import random_weights  # noqa: E402

DTYPES = {"f32": (torch.float32, "float32"), "bf16": (torch.bfloat16, "bfloat16")}

BENCH_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 768,
    "intermediate_size": 2048,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "num_key_value_heads": 4,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "rope_scaling": None,
    "max_position_embeddings": 4096,
    "vocab_size": 32000,
    "tie_word_embeddings": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output folder (created if missing)")
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="f32", help="stored weight dtype")
    args = ap.parse_args()

    dtype, dtype_name = DTYPES[args.dtype]
    config = dict(BENCH_CONFIG, torch_dtype=dtype_name)
    weights, _ = random_weights(config, seed=4242)
    n_params = sum(t.numel() for t in weights.values())
    os.makedirs(args.out, exist_ok=True)
    safetensors_io.write_file(os.path.join(args.out, "config.json"),
                              (json.dumps(config, indent=2, sort_keys=True) + "\n").encode())
    stored = {}
    for name in list(weights):  # cast one at a time to bound peak memory
        stored[name] = weights.pop(name).to(dtype)
    safetensors_io.save(os.path.join(args.out, "model.safetensors"), stored, {"format": "pt"})
    print(f"make_bench_model: {n_params / 1e6:.1f} M parameters, {args.dtype}, in {args.out}")


if __name__ == "__main__":
    main()
