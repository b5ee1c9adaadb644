#!/usr/bin/python3
"""Eager-PyTorch prefill throughput of the reference forward pass.

    /usr/bin/python3 tests/reference/bench_reference.py --model DIR --tokens N \
        --threads T --dtype f32|bf16 --repeats R

Times reference_llama.forward (embedding through lm_head, one sequence of N
random tokens) after one warm-up run, and prints one JSON line:
{"impl": "python-eager", "dtype", "threads", "tokens", "seconds" (best of
the repeats), "median_seconds", "tokens_per_s" (from the best)}.
In bf16 the weights and activations are bf16; RMSNorm statistics and
softmax run in fp32 as in Hugging Face, because the reference does that.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import reference_llama as ref  # noqa: E402

DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="Hugging Face folder (e.g. from make_bench_model.py)")
    ap.add_argument("--tokens", type=int, default=256, help="prompt length to prefill")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="f32", help="compute dtype")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs after one warm-up")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    cfg, weights = ref.load_hf_folder(args.model, dtype=DTYPES[args.dtype])
    ids = torch.randint(cfg.vocab_size, (args.tokens,), generator=torch.Generator().manual_seed(0))
    times = []
    with torch.inference_mode():
        ref.forward(cfg, weights, ids)  # warm-up: allocator, BLAS packing
        for _ in range(args.repeats):
            start = time.perf_counter()
            ref.forward(cfg, weights, ids)
            times.append(time.perf_counter() - start)
    best = min(times)
    print(json.dumps({
        "impl": "python-eager",
        "dtype": args.dtype,
        "threads": args.threads,
        "tokens": args.tokens,
        "seconds": round(best, 6),
        "median_seconds": round(statistics.median(times), 6),
        "tokens_per_s": round(args.tokens / best, 2),
    }))


if __name__ == "__main__":
    main()
