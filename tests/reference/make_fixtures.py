#!/usr/bin/python3
"""Write the tiny random-weight fixture models and their golden outputs.

    /usr/bin/python3 tests/reference/make_fixtures.py --out DIR

Each fixture is DIR/<name>/, a Hugging Face folder (or a GGUF file) that
exercises one loader/forward feature, plus golden.safetensors:
    ids_0, ids_1, ids_2     int64 [T_i]          three sequences, T = 7, 20, 3
    logits_0..2             F32   [T_i, vocab]   reference logits, fp32 math
    greedy_prompt           int64 [5]
    greedy_ids              int64 [8]            8 greedy tokens, no EOS stop
DIR/MANIFEST.json lists the fixtures and what each covers. The fixtures in
ATTENTION_FIXTURES also get attention.safetensors (see attention_golden).

Deterministic (seeded per fixture, single-threaded math, sorted headers)
and idempotent (unchanged files are not rewritten). Runs as the ctest
setup step `make_reference_fixtures`, so it must stay fast; it ends with
the self-check in check_fixtures.py.
"""

import argparse
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import check_fixtures  # noqa: E402
import gguf_io  # noqa: E402
import reference_llama as ref  # noqa: E402
import safetensors_io  # noqa: E402

SEQ_LENGTHS = (7, 20, 3)  # different lengths; 20 reaches past llama3's original context (16)
GREEDY_PROMPT_LEN = 5
GREEDY_NEW = 8

# Shared tiny shape; hidden and intermediate are multiples of 32 so every
# matrix can be Q8_0-quantised along ne0. vocab 100 is deliberately not a
# power of two. llama_basic uses 2 KV heads so the GGUF k permutation is
# tested with n_head_kv != n_head.
BASE = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 64,
    "intermediate_size": 96,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "rope_scaling": None,
    "max_position_embeddings": 128,
    "vocab_size": 100,
    "tie_word_embeddings": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}

# name, seed, feature, config overrides, storage dtype, number of shards
HF_FIXTURES = [
    ("llama_basic", 101, "Llama, F32, single model.safetensors, GQA 4/2 heads", {}, torch.float32, 1),
    ("llama_sharded", 102, "two shards + model.safetensors.index.json", {}, torch.float32, 2),
    ("llama_bf16", 103, "BF16 weights (torch_dtype bfloat16); golden from upcast weights",
     {"torch_dtype": "bfloat16"}, torch.bfloat16, 1),
    ("llama_f16", 104, "F16 weights (torch_dtype float16); golden from upcast weights",
     {"torch_dtype": "float16"}, torch.float16, 1),
    ("llama3_scaling", 105, "rope_scaling llama3 (key rope_type), factor 8, low 1, high 4, original ctx 16",
     {"rope_theta": 500000.0,
      "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                       "high_freq_factor": 4.0, "original_max_position_embeddings": 16}},
     torch.float32, 1),
    ("llama_linear_scaling", 106, "rope_scaling linear (legacy key type), factor 2",
     {"rope_scaling": {"type": "linear", "factor": 2.0}}, torch.float32, 1),
    ("head_dim", 107, "explicit head_dim 16 != hidden 48 / 4 heads",
     {"hidden_size": 48, "head_dim": 16}, torch.float32, 1),
    ("qwen2_bias", 108, "Qwen2ForCausalLM: q/k/v biases, no o_proj bias",
     {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "rms_norm_eps": 1e-6,
      "rope_theta": 1000000.0, "use_sliding_window": False, "sliding_window": 128,
      "max_window_layers": 2},
     torch.float32, 1),
    ("tied", 109, "tie_word_embeddings true, no lm_head.weight tensor",
     {"tie_word_embeddings": True}, torch.float32, 1),
    ("mqa", 110, "multi-query attention, num_key_value_heads 1", {"num_key_value_heads": 1}, torch.float32, 1),
    ("gqa", 111, "grouped-query attention, 8 heads / 2 KV heads (head_dim 8)",
     {"num_attention_heads": 8, "num_key_value_heads": 2}, torch.float32, 1),
    ("mistral", 112, "MistralForCausalLM, sliding_window null",
     {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "sliding_window": None},
     torch.float32, 1),
]

# Attention probabilities and per-document masses (core/attention) for these.
ATTENTION_FIXTURES = ("gqa", "qwen2_bias")
# Token ranges [first, last) of three "documents" in ids_1 (T = 20); the second
# overlaps the first at token 4, which counts for the first (the earlier) only.
ATTENTION_DOCUMENTS = ((1, 5), (4, 9), (9, 14))
ATTENTION_QUERY_SPAN = (14, 20)

GGUF_FIXTURES = [
    ("gguf_f32", "llama_basic weights as GGUF v3, all F32, q/k rows permuted as llama.cpp", gguf_io.GGML_F32),
    ("gguf_q8_0", "llama_basic weights as GGUF v3, 2-D weights Q8_0, norms F32; golden from dequantised weights",
     gguf_io.GGML_Q8_0),
]


def random_weights(config, seed):
    """HF-named fp32 weights scaled so activations stay O(1) and logits
    are O(1..10): projections ~ N(0, 1/fan_in), norms ~ 1 + N(0, 0.1^2)
    (so a loader that ignores them fails), biases large enough to matter."""
    cfg = ref.config_from_dict(config)
    g = torch.Generator().manual_seed(seed)

    def normal(*shape, std):
        return torch.randn(*shape, generator=g) * std

    def linear(out_f, in_f):
        return normal(out_f, in_f, std=in_f ** -0.5)

    hid, inter, D = cfg.hidden_size, cfg.intermediate_size, cfg.head_dim
    H, KV = cfg.num_attention_heads, cfg.num_key_value_heads
    # With tied embeddings a large embedding makes every token predict
    # itself (greedy repeats one id); keep it small in the residual stream
    # and restore the logit scale through the final norm weight instead.
    tied = cfg.tie_word_embeddings
    w = {"model.embed_tokens.weight": normal(cfg.vocab_size, hid, std=0.15 if tied else 1.0)}
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}"
        w[f"{p}.input_layernorm.weight"] = 1.0 + normal(hid, std=0.1)
        w[f"{p}.self_attn.q_proj.weight"] = linear(H * D, hid)
        w[f"{p}.self_attn.k_proj.weight"] = linear(KV * D, hid)
        w[f"{p}.self_attn.v_proj.weight"] = linear(KV * D, hid)
        w[f"{p}.self_attn.o_proj.weight"] = linear(hid, H * D)
        if cfg.attention_bias:
            w[f"{p}.self_attn.q_proj.bias"] = normal(H * D, std=0.5)
            w[f"{p}.self_attn.k_proj.bias"] = normal(KV * D, std=0.5)
            w[f"{p}.self_attn.v_proj.bias"] = normal(KV * D, std=0.5)
        w[f"{p}.post_attention_layernorm.weight"] = 1.0 + normal(hid, std=0.1)
        w[f"{p}.mlp.gate_proj.weight"] = linear(inter, hid)
        w[f"{p}.mlp.up_proj.weight"] = linear(inter, hid)
        w[f"{p}.mlp.down_proj.weight"] = linear(hid, inter)
    w["model.norm.weight"] = (3.0 if tied else 1.0) * (1.0 + normal(hid, std=0.1))
    if not tied:
        w["lm_head.weight"] = normal(cfg.vocab_size, hid, std=0.4)
    return w, g


def golden(config, weights, g):
    """Reference outputs in fp32 for random sequences drawn from g."""
    cfg = ref.config_from_dict(config)
    w = {k: v.float() for k, v in weights.items()}
    out = {}
    for i, T in enumerate(SEQ_LENGTHS):
        ids = torch.randint(cfg.vocab_size, (T,), generator=g)
        out[f"ids_{i}"] = ids
        out[f"logits_{i}"] = ref.forward(cfg, w, ids).float()  # [T, vocab]
    # Random models like to repeat one token, and near-ties would let a
    # correct implementation flip a choice: draw prompts until the greedy
    # run is varied and every step has a clear winner.
    for _ in range(100):
        prompt = torch.randint(cfg.vocab_size, (GREEDY_PROMPT_LEN,), generator=g)
        new = ref.greedy(cfg, w, prompt, GREEDY_NEW)
        if (len(set(new.tolist())) >= check_fixtures.MIN_DISTINCT_GREEDY
                and check_fixtures.greedy_margin(cfg, w, prompt, new) >= check_fixtures.MIN_GREEDY_MARGIN):
            out["greedy_prompt"] = prompt
            out["greedy_ids"] = new
            return out
    raise RuntimeError(f"no varied, well-separated greedy run for {config['architectures'][0]} fixture")


def attention_golden(config, weights, ids):
    """The reference's fp32 attention probabilities for ids, and the mass of
    each document for two queries (the last token; rows 14..19), computed
    here from the probabilities:
        ids          int64 [T]
        probs        F32   [L, H, T, T]   layer, head, query, key
        documents    int64 [D, 2]         token ranges [first, last)
        mass_last    F32   [L, H, D]      row T-1: sum of probs over each document's keys
        outside_last F32   [L, H]         row T-1: keys in no document
        sink_last    F32   [L, H]         row T-1: keys 0..3
        query_span   int64 [2]            rows [first, last)
        mass_span, outside_span, sink_span  the same, averaged over the span's rows
    A key in two documents' ranges counts for the first only."""
    cfg = ref.config_from_dict(config)
    w = {k: v.float() for k, v in weights.items()}
    layers = []
    ref.forward(cfg, w, ids, attention_probs=layers)
    probs = torch.stack(layers)  # [L, H, T, T]
    T = ids.shape[0]
    owner = torch.full((T,), -1, dtype=torch.int64)  # key -> document, -1 outside
    for d, (first, last) in enumerate(ATTENTION_DOCUMENTS):
        for k in range(first, last):
            if owner[k] < 0:
                owner[k] = d

    def masses(rows):
        p = probs[:, :, rows[0]:rows[1], :].double()  # [L, H, R, T]
        per_doc = torch.stack([p[..., owner == d].sum(-1) for d in range(len(ATTENTION_DOCUMENTS))], -1)
        outside = p[..., owner < 0].sum(-1)  # [L, H, R]
        sink = p[..., :4].sum(-1)  # [L, H, R]
        return per_doc.mean(2).float(), outside.mean(2).float(), sink.mean(2).float()

    out = {"ids": ids, "probs": probs.float().contiguous(),
           "documents": torch.tensor(ATTENTION_DOCUMENTS, dtype=torch.int64),
           "query_span": torch.tensor(ATTENTION_QUERY_SPAN, dtype=torch.int64)}
    out["mass_last"], out["outside_last"], out["sink_last"] = masses((T - 1, T))
    out["mass_span"], out["outside_span"], out["sink_span"] = masses(ATTENTION_QUERY_SPAN)
    return out


GOLDEN_METADATA = {
    "generator": "tests/reference/make_fixtures.py",
    "math": "fp32, Hugging Face semantics (tests/reference/reference_llama.py)",
    "greedy_new_tokens": str(GREEDY_NEW),
}


def write_json(path, obj):
    safetensors_io.write_file(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())


def write_hf_fixture(folder, config, weights, dtype, shards):
    os.makedirs(folder, exist_ok=True)
    write_json(os.path.join(folder, "config.json"), config)
    stored = {k: v.to(dtype) for k, v in weights.items()}
    if shards == 1:
        safetensors_io.save(os.path.join(folder, "model.safetensors"), stored, {"format": "pt"})
        return
    # Split in model order like HF does (embedding first, head last); the
    # cut falls inside a layer, which a loader must also handle.
    names = sorted(stored, key=_hf_order)
    per = (len(names) + shards - 1) // shards
    weight_map = {}
    total = 0
    for s in range(shards):
        fname = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: stored[n] for n in names[s * per : (s + 1) * per]}
        safetensors_io.save(os.path.join(folder, fname), part, {"format": "pt"})
        for n, t in part.items():
            weight_map[n] = fname
            total += t.numel() * t.element_size()
    write_json(os.path.join(folder, "model.safetensors.index.json"),
               {"metadata": {"total_size": total}, "weight_map": weight_map})


def _hf_order(name):
    # embed, layers in numeric order, then final norm / head
    if name.startswith("model.layers."):
        return (1, int(name.split(".")[2]), name)
    return (0 if "embed" in name else 2, 0, name)


def gguf_metadata(config, file_type):
    c = config
    return [
        ("general.architecture", gguf_io.T_STRING, "llama"),
        ("general.name", gguf_io.T_STRING, "poslab-fixture"),
        ("general.alignment", gguf_io.T_UINT32, gguf_io.ALIGNMENT),
        ("general.file_type", gguf_io.T_UINT32, file_type),  # llama_ftype: 0 ALL_F32, 7 MOSTLY_Q8_0
        ("llama.context_length", gguf_io.T_UINT32, c["max_position_embeddings"]),
        ("llama.embedding_length", gguf_io.T_UINT32, c["hidden_size"]),
        ("llama.block_count", gguf_io.T_UINT32, c["num_hidden_layers"]),
        ("llama.feed_forward_length", gguf_io.T_UINT32, c["intermediate_size"]),
        ("llama.rope.dimension_count", gguf_io.T_UINT32, c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]),
        ("llama.attention.head_count", gguf_io.T_UINT32, c["num_attention_heads"]),
        ("llama.attention.head_count_kv", gguf_io.T_UINT32, c["num_key_value_heads"]),
        ("llama.attention.layer_norm_rms_epsilon", gguf_io.T_FLOAT32, c["rms_norm_eps"]),
        ("llama.rope.freq_base", gguf_io.T_FLOAT32, c["rope_theta"]),
        ("llama.vocab_size", gguf_io.T_UINT32, c["vocab_size"]),
    ]


def gguf_tensors(config, weights, quant_type):
    """(name, tensor, ggml type) in llama.cpp order, q/k permuted."""
    H, KV = config["num_attention_heads"], config["num_key_value_heads"]
    out = []
    for hf in sorted(weights, key=_hf_order):
        t = weights[hf].float()
        if hf.endswith("q_proj.weight"):
            t = gguf_io.permute_hf_to_gguf(t, H)
        elif hf.endswith("k_proj.weight"):
            t = gguf_io.permute_hf_to_gguf(t, KV)
        gtype = gguf_io.GGML_F32
        if quant_type == gguf_io.GGML_Q8_0 and t.dim() == 2 and t.shape[-1] % gguf_io.QK8_0 == 0:
            gtype = gguf_io.GGML_Q8_0
        out.append((gguf_io.hf_to_gguf_name(hf), t, gtype))
    return out


def write_gguf_fixture(folder, config, weights, quant_type, g):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.gguf")
    file_type = 7 if quant_type == gguf_io.GGML_Q8_0 else 0
    safetensors_io.write_file(path, gguf_io.encode(gguf_metadata(config, file_type),
                                                   gguf_tensors(config, weights, quant_type)))
    # Golden from what the file actually holds (dequantised, un-permuted),
    # so the C++ test compares like with like at 1e-3.
    meta, tensors = gguf_io.read(path)
    gcfg = gguf_io.llama_config_from_gguf(meta, tensors)
    safetensors_io.save(os.path.join(folder, "golden.safetensors"),
                        golden(gcfg, gguf_io.hf_weights_from_gguf(meta, tensors), g), GOLDEN_METADATA)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output folder (created if missing)")
    ap.add_argument("--no-check", action="store_true", help="skip the self-check")
    args = ap.parse_args()

    torch.set_num_threads(1)  # bit-stable goldens; the machine is shared
    start = time.time()
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    basic = None
    for name, seed, feature, overrides, dtype, shards in HF_FIXTURES:
        config = dict(BASE, **overrides)
        weights, g = random_weights(config, seed)
        # Golden uses the stored (possibly rounded) weights, upcast to fp32.
        stored = {k: v.to(dtype) for k, v in weights.items()}
        folder = os.path.join(args.out, name)
        write_hf_fixture(folder, config, weights, dtype, shards)
        gold = golden(config, stored, g)
        safetensors_io.save(os.path.join(folder, "golden.safetensors"), gold, GOLDEN_METADATA)
        if name in ATTENTION_FIXTURES:
            safetensors_io.save(os.path.join(folder, "attention.safetensors"),
                                attention_golden(config, stored, gold["ids_1"]), GOLDEN_METADATA)
        manifest.append({"name": name, "format": "hf", "feature": feature,
                         "architecture": config["architectures"][0], "dtype": config["torch_dtype"]})
        if name == "llama_basic":
            basic = (config, weights)

    for i, (name, feature, quant_type) in enumerate(GGUF_FIXTURES):
        g = torch.Generator().manual_seed(201 + i)
        write_gguf_fixture(os.path.join(args.out, name), basic[0], basic[1], quant_type, g)
        manifest.append({"name": name, "format": "gguf", "feature": feature, "architecture": "llama",
                         "dtype": "f32" if quant_type == gguf_io.GGML_F32 else "q8_0", "source": "llama_basic"})

    write_json(os.path.join(args.out, "MANIFEST.json"), {
        "generator": "tests/reference/make_fixtures.py",
        "golden": {
            "file": "golden.safetensors",
            "tensors": {
                "ids_0, ids_1, ids_2": f"int64 [T], T = {', '.join(map(str, SEQ_LENGTHS))}",
                "logits_0, logits_1, logits_2": "F32 [T, vocab], positions 0..T-1, fp32 reference",
                "greedy_prompt": f"int64 [{GREEDY_PROMPT_LEN}]",
                "greedy_ids": f"int64 [{GREEDY_NEW}] new tokens only, greedy argmax, no EOS stop",
            },
            "tolerance": "max |delta logit| <= 1e-3 in fp32",
        },
        "attention": {
            "file": "attention.safetensors",
            "fixtures": list(ATTENTION_FIXTURES),
            "tensors": {
                "ids": "int64 [20], golden ids_1",
                "probs": "F32 [layers, heads, query, key], fp32 softmax of the reference",
                "documents": f"int64 [D, 2] token ranges {list(ATTENTION_DOCUMENTS)}; a shared key counts for the first",
                "query_span": f"int64 [2] rows {list(ATTENTION_QUERY_SPAN)}",
                "mass_last, mass_span": "F32 [layers, heads, D]: query row(s) mass per document (span: mean over rows)",
                "outside_last, outside_span, sink_last, sink_span": "F32 [layers, heads]: keys in no document; keys 0..3",
            },
            "tolerance": "max |delta| <= 1e-4 in fp32",
        },
        "fixtures": manifest,
    })
    made = time.time() - start
    if not args.no_check:
        check_fixtures.check_all(args.out, quiet=True)
    print(f"make_fixtures: {len(manifest)} fixtures in {args.out} "
          f"(written in {made:.1f} s, checked in {time.time() - start - made:.1f} s)")


if __name__ == "__main__":
    main()
