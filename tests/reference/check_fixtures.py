#!/usr/bin/python3
"""Self-check of the fixtures written by make_fixtures.py.

    /usr/bin/python3 tests/reference/check_fixtures.py DIR [--stories model.gguf]

Re-reads every file with this folder's own readers and re-runs the
reference, so a broken writer, a wrong golden or a fixture whose feature
does not actually change the output fails loudly. With --stories it also
runs the reference on a trained GGUF (stories260K) after un-permuting q/k,
which checks the GGUF RoPE convention end to end: only the right inverse
permutation gives fluent text.
"""

import argparse
import json
import os
import sys
from dataclasses import replace

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import gguf_io  # noqa: E402
import reference_llama as ref  # noqa: E402
import safetensors_io  # noqa: E402

REPRO_TOL = 1e-6  # re-running the same code on the same weights
CAUSAL_TOL = 1e-4  # a prefix gives the same logits up to fp32 matmul blocking noise


MIN_DISTINCT_GREEDY = 4
MIN_GREEDY_MARGIN = 0.05  # top-1 minus top-2 logit at every greedy step; >> 1e-3 tolerance


def greedy_margin(cfg, w, prompt, new_ids):
    """Smallest top-1/top-2 logit gap over the greedy steps, so an
    implementation within tolerance cannot flip a greedy choice."""
    logits = ref.forward(cfg, w, torch.cat((prompt, new_ids[:-1])))  # [P + n - 1, vocab]
    top2 = logits[prompt.numel() - 1 :].topk(2, dim=-1).values  # [n, 2]
    return float((top2[:, 0] - top2[:, 1]).min())


class CheckError(AssertionError):
    pass


def expect(cond, msg):
    if not cond:
        raise CheckError(msg)


def max_diff(a, b):
    return float((a.float() - b.float()).abs().max())


def check_golden(name, cfg, w, gold):
    """Golden logits and greedy ids reproduce; prefixes are causal;
    logits are in a useful range and greedy is not degenerate."""
    for i in range(3):
        ids, logits = gold[f"ids_{i}"], gold[f"logits_{i}"]
        expect(ids.dtype == torch.int64 and logits.dtype == torch.float32, f"{name}: golden dtypes")
        expect(logits.shape == (ids.shape[0], cfg.vocab_size), f"{name}: logits_{i} shape {tuple(logits.shape)}")
        again = ref.forward(cfg, w, ids)
        expect(max_diff(again, logits) <= REPRO_TOL, f"{name}: logits_{i} do not reproduce")
        k = max(1, ids.shape[0] // 2)
        expect(max_diff(ref.forward(cfg, w, ids[:k]), logits[:k]) <= CAUSAL_TOL, f"{name}: logits_{i} not causal")
        peak = float(logits.abs().max())
        expect(1.0 < peak < 40.0, f"{name}: logits_{i} peak |logit| {peak:.2f} outside O(1..10)")
    again = ref.greedy(cfg, w, gold["greedy_prompt"], gold["greedy_ids"].numel())
    expect(torch.equal(again, gold["greedy_ids"]), f"{name}: greedy ids do not reproduce")
    expect(len(set(gold["greedy_ids"].tolist())) >= MIN_DISTINCT_GREEDY, f"{name}: greedy output is degenerate")
    margin = greedy_margin(cfg, w, gold["greedy_prompt"], gold["greedy_ids"])
    expect(margin >= MIN_GREEDY_MARGIN, f"{name}: greedy top-2 margin {margin:.3f} too small to be robust")
    # Lengths must differ so padding/per-sequence positions are exercised.
    expect(len({gold[f"ids_{i}"].numel() for i in range(3)}) == 3, f"{name}: sequence lengths not distinct")


def changes_output(cfg, w, gold, **overrides):
    """Largest logit change when a config feature is switched off."""
    alt = replace(cfg, **overrides)
    return max(max_diff(ref.forward(alt, w, gold[f"ids_{i}"]), gold[f"logits_{i}"]) for i in range(3))


def stored_tensors(folder):
    """{name: (dtype, file)} straight from the safetensors headers."""
    out = {}
    for fname in sorted(os.listdir(folder)):
        if fname.endswith(".safetensors") and fname not in ("golden.safetensors", "attention.safetensors"):
            tensors, _ = safetensors_io.load(os.path.join(folder, fname))
            for n, t in tensors.items():
                expect(n not in out, f"{folder}: tensor {n} stored twice")
                out[n] = (t, fname)
    return out


def check_attention(name, cfg, w, folder):
    """attention.safetensors: probabilities reproduce, are causal, rows sum
    to 1, and every query's document masses plus the outside mass sum to 1."""
    att, _ = safetensors_io.load(os.path.join(folder, "attention.safetensors"))
    layers = []
    ref.forward(cfg, w, att["ids"], attention_probs=layers)
    probs = att["probs"]
    expect(max_diff(torch.stack(layers), probs) <= REPRO_TOL, f"{name}: attention probs do not reproduce")
    T = probs.shape[-1]
    expect(max_diff(probs.sum(-1), torch.ones(probs.shape[:-1])) <= 1e-5, f"{name}: attention rows do not sum to 1")
    expect(float(probs.triu(1).abs().max()) == 0.0, f"{name}: attention is not causal")
    for q in ("last", "span"):
        total = att[f"mass_{q}"].sum(-1) + att[f"outside_{q}"]
        expect(max_diff(total, torch.ones_like(total)) <= 1e-5, f"{name}: mass_{q} + outside_{q} is not 1")
    expect(T == att["ids"].numel(), f"{name}: attention ids and probs disagree")


def check_hf(out_dir, entry):
    name = entry["name"]
    folder = os.path.join(out_dir, name)
    cfg, w = ref.load_hf_folder(folder)
    gold, _ = safetensors_io.load(os.path.join(folder, "golden.safetensors"))
    check_golden(name, cfg, w, gold)
    if os.path.exists(os.path.join(folder, "attention.safetensors")):
        check_attention(name, cfg, w, folder)
    stored = stored_tensors(folder)
    want_dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[entry["dtype"]]
    expect(all(t.dtype == want_dtype for t, _ in stored.values()), f"{name}: stored dtype is not {entry['dtype']}")

    if name == "llama_sharded":
        with open(os.path.join(folder, "model.safetensors.index.json")) as f:
            index = json.load(f)
        files = {fn for _, fn in stored.values()}
        expect(len(files) == 2, f"{name}: expected 2 shards, found {sorted(files)}")
        expect(index["weight_map"] == {n: fn for n, (_, fn) in stored.items()}, f"{name}: weight_map mismatch")
        total = sum(t.numel() * t.element_size() for t, _ in stored.values())
        expect(index["metadata"]["total_size"] == total, f"{name}: total_size mismatch")
    if name == "tied":
        expect("lm_head.weight" not in stored and cfg.tie_word_embeddings, f"{name}: lm_head must be absent")
    if name in ("llama3_scaling", "llama_linear_scaling"):
        d = changes_output(cfg, w, gold, rope_scaling=None)
        expect(d > 1e-2, f"{name}: rope_scaling barely changes logits ({d:.2e})")
    if name == "head_dim":
        expect(cfg.head_dim * cfg.num_attention_heads != cfg.hidden_size, f"{name}: head_dim is not explicit")
        expect(w["model.layers.0.self_attn.q_proj.weight"].shape[0] == cfg.head_dim * cfg.num_attention_heads,
               f"{name}: q_proj rows")
    if name == "qwen2_bias":
        expect("model.layers.0.self_attn.q_proj.bias" in stored, f"{name}: q bias missing")
        expect("model.layers.0.self_attn.o_proj.bias" not in stored, f"{name}: unexpected o bias")
        expect(changes_output(cfg, w, gold, attention_bias=False) > 1e-2, f"{name}: biases barely matter")
    if name == "mqa":
        expect(cfg.num_key_value_heads == 1, f"{name}: not MQA")
    if name == "gqa":
        expect(cfg.num_attention_heads // cfg.num_key_value_heads == 4, f"{name}: not GQA 8/2")
    return cfg, w


def adjacent_pair_rope(x, cos_half, sin_half):
    """llama.cpp 'normal' RoPE: rotate pairs (2i, 2i+1) by angle i.
    x: [heads, T, D]; cos_half/sin_half: [T, D/2]."""
    x0, x1 = x[..., 0::2], x[..., 1::2]  # [heads, T, D/2] each
    r0 = x0 * cos_half - x1 * sin_half
    r1 = x0 * sin_half + x1 * cos_half
    return torch.stack((r0, r1), dim=-1).flatten(-2)  # [heads, T, D]


def check_permutation_semantics(cfg, w):
    """Permuting q rows HF->GGUF turns rotate_half RoPE into adjacent-pair
    RoPE: permute(rope_hf(q)) == rope_pairs(permute(q)). This is why a
    GGUF loader that uses HF-style RoPE must un-permute q and k."""
    H, D = cfg.num_attention_heads, cfg.head_dim
    T = 9
    x = torch.randn(T, cfg.hidden_size, generator=torch.Generator().manual_seed(7))
    wq = w["model.layers.0.self_attn.q_proj.weight"]
    cos, sin = ref.rope_cos_sin(cfg, torch.arange(T))  # [T, D]
    q_hf = (x @ wq.T).view(T, H, D).transpose(0, 1)  # [H, T, D]
    hf_then_perm = gguf_io.permute_hf_to_gguf(ref.apply_rope(q_hf, cos, sin).transpose(0, 1).reshape(T, H * D).T, H)
    q_gg = (x @ gguf_io.permute_hf_to_gguf(wq, H).T).view(T, H, D).transpose(0, 1)  # [H, T, D]
    perm_then_pairs = adjacent_pair_rope(q_gg, cos[:, : D // 2], sin[:, : D // 2]).transpose(0, 1).reshape(T, H * D).T
    expect(max_diff(hf_then_perm, perm_then_pairs) < 1e-5, "GGUF permutation does not map rotate_half to pair RoPE")
    expect(torch.equal(gguf_io.unpermute_gguf_to_hf(gguf_io.permute_hf_to_gguf(wq, H), H), wq), "unpermute(permute) != id")


def check_gguf(out_dir, entry, basic):
    name = entry["name"]
    folder = os.path.join(out_dir, name)
    meta, tensors = gguf_io.read(os.path.join(folder, "model.gguf"))
    basic_cfg, basic_w = basic
    gcfg = ref.config_from_dict(gguf_io.llama_config_from_gguf(meta, tensors))
    for field in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                  "num_key_value_heads", "head_dim", "vocab_size", "rope_theta", "tie_word_embeddings"):
        expect(getattr(gcfg, field) == getattr(basic_cfg, field), f"{name}: metadata {field} mismatch")
    expect(set(gguf_io.gguf_to_hf_name(n) for n in tensors) == set(basic_w), f"{name}: tensor set mismatch")
    w = gguf_io.hf_weights_from_gguf(meta, tensors)
    H, KV = gcfg.num_attention_heads, gcfg.num_key_value_heads
    for hf, t in w.items():
        ref_t = basic_w[hf]
        gtype = tensors[gguf_io.hf_to_gguf_name(hf)][0]
        if entry["dtype"] == "f32" or gtype == gguf_io.GGML_F32:
            expect(gtype == gguf_io.GGML_F32 and torch.equal(t, ref_t), f"{name}: {hf} differs from HF weights")
            continue
        expect(gtype == gguf_io.GGML_Q8_0, f"{name}: {hf} should be Q8_0")
        # Exactly what quantising the permuted HF weight and undoing it gives ...
        n_perm = H if hf.endswith("q_proj.weight") else KV if hf.endswith("k_proj.weight") else None
        src = gguf_io.permute_hf_to_gguf(ref_t, n_perm) if n_perm else ref_t
        dq = gguf_io.dequantize_q8_0(*gguf_io.quantize_q8_0(src), src.shape)
        expect(torch.equal(t, gguf_io.unpermute_gguf_to_hf(dq, n_perm) if n_perm else dq), f"{name}: {hf} Q8_0 mismatch")
        # ... and within half a quantisation step (+ f16 scale rounding) of the original.
        step = ref_t.abs().reshape(-1, gguf_io.QK8_0).amax(1, keepdim=True) / 127
        err = (t - ref_t).abs().reshape(-1, gguf_io.QK8_0)
        expect(bool((err <= step * 0.5 + ref_t.abs().reshape(-1, gguf_io.QK8_0) * 2e-3 + 1e-12).all()),
               f"{name}: {hf} Q8_0 error too large")
    gold, _ = safetensors_io.load(os.path.join(folder, "golden.safetensors"))
    check_golden(name, gcfg, w, gold)
    if entry["dtype"] == "q8_0":
        # Quantisation must move the logits, or the fixture cannot tell a
        # Q8_0 reader from one that silently reads F32 weights.
        d = max(max_diff(ref.forward(basic_cfg, basic_w, gold[f"ids_{i}"]), gold[f"logits_{i}"]) for i in range(3))
        expect(1e-3 < d < 1.0, f"{name}: Q8_0 golden differs from F32 by {d:.2e}")
    check_permutation_semantics(gcfg, basic_w)


def check_all(out_dir, quiet=False):
    torch.set_num_threads(1)
    with open(os.path.join(out_dir, "MANIFEST.json")) as f:
        manifest = json.load(f)
    basic = None
    for entry in manifest["fixtures"]:
        if entry["format"] == "hf":
            cfg_w = check_hf(out_dir, entry)
            if entry["name"] == "llama_basic":
                basic = cfg_w
        else:
            check_gguf(out_dir, entry, basic)
        if not quiet:
            print(f"ok  {entry['name']:22s} {entry['feature']}")


def check_stories(path, n_new=40):
    """Greedy from BOS on a trained GGUF via un-permute + HF reference."""
    meta, tensors = gguf_io.read(path)
    cfg = ref.config_from_dict(gguf_io.llama_config_from_gguf(meta, tensors))
    w = gguf_io.hf_weights_from_gguf(meta, tensors)
    tokens = meta["tokenizer.ggml.tokens"]
    bos = meta.get("tokenizer.ggml.bos_token_id", 1)
    new = ref.greedy(cfg, w, [bos], n_new).tolist()
    text = "".join(tokens[t] for t in new).replace("\u2581", " ")
    print(f"stories greedy: {new[:12]}... -> {text!r}")
    expect(text.strip().startswith("Once upon a time"), "stories260K: reference did not produce fluent text")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="folder written by make_fixtures.py")
    ap.add_argument("--stories", help="optional trained llama GGUF (e.g. stories260K.gguf) to sanity-check")
    args = ap.parse_args()
    check_all(args.out)
    if args.stories:
        check_stories(args.stories)
    print("all fixture checks passed")


if __name__ == "__main__":
    main()
