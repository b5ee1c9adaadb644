#!/usr/bin/python3
"""Eager-PyTorch training step, the baseline of `poslab-cli bench train`.

    /usr/bin/python3 tests/reference/bench_train_reference.py --model DIR --batch B --tokens T \
        --threads N --dtype f32|bf16 --steps S

The step PosLab's Trainer takes, written as a PyTorch user would in eager mode:
a batched Llama forward with Hugging Face's eager semantics (reference_llama's
RoPE and RMSNorm; matmul + fp32 softmax attention; fp32 logits), next-token
cross-entropy on every token, backward, global-norm clipping at 1.0 and
torch.optim.AdamW (weight decay 0.01 on matrices only, betas 0.9/0.95). In
bf16 the compute weights are bf16 copies of fp32 master weights whose
gradients and AdamW state are fp32, copied back after each step: the same
mixed precision as PosLab's. B random sequences of T tokens (seeded); one
warm-up step, then S timed steps. Prints one JSON line: {"impl", "dtype",
"threads", "batch", "tokens", "seconds" (best step), "median_seconds",
"tokens_per_s" (from the best), "loss_first", "loss_last"}.

--objective r1 takes Pos2Distill's R1 step instead (METHOD.md §2b), on the
rows PosLab's DistillStepBenchmark builds from the same ids: teacher prompt =
the first T - R ids, response = the last R, student prompt = the teacher
prompt rolled left by b + 1, gold position b (one instance per bin). The
teacher's log-probabilities over the response (fp32 log_softmax, full
vocabulary) come from the initial fp32 weights: computed once before the steps
(--teacher cache; "teacher_fill_seconds" reported) or by a frozen copy in every
step (--teacher live). Loss: KL_i = mean_t sum_v p_T (log p_T - log p_S), then
the `paper` weighting, which with one instance per bin is softmax(KL) . KL.
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
import torch.nn.functional as F  # noqa: E402

import reference_llama as ref  # noqa: E402


def forward(cfg, w, ids, cos, sin, mask):
    """ids [B, T] -> fp32 logits [B, T, vocab]."""
    B, T = ids.shape
    H, KV, D = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
    h = F.embedding(ids, w["model.embed_tokens.weight"])  # [B, T, d]
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}"
        x = ref.rms_norm(h, w[f"{p}.input_layernorm.weight"], cfg.rms_norm_eps)
        q = F.linear(x, w[f"{p}.self_attn.q_proj.weight"]).view(B, T, H, D).transpose(1, 2)  # [B, H, T, D]
        k = F.linear(x, w[f"{p}.self_attn.k_proj.weight"]).view(B, T, KV, D).transpose(1, 2)  # [B, KV, T, D]
        v = F.linear(x, w[f"{p}.self_attn.v_proj.weight"]).view(B, T, KV, D).transpose(1, 2)
        q, k = ref.apply_rope(q, cos, sin), ref.apply_rope(k, cos, sin)
        k = k.repeat_interleave(H // KV, dim=1)  # [B, H, T, D]
        v = v.repeat_interleave(H // KV, dim=1)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (D ** -0.5) + mask  # [B, H, T, T]
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(B, T, H * D)  # [B, T, H*D]
        h = h + F.linear(out, w[f"{p}.self_attn.o_proj.weight"])
        x = ref.rms_norm(h, w[f"{p}.post_attention_layernorm.weight"], cfg.rms_norm_eps)
        gate = F.linear(x, w[f"{p}.mlp.gate_proj.weight"])
        up = F.linear(x, w[f"{p}.mlp.up_proj.weight"])
        h = h + F.linear(F.silu(gate) * up, w[f"{p}.mlp.down_proj.weight"])
    h = ref.rms_norm(h, w["model.norm.weight"], cfg.rms_norm_eps)
    head = w["model.embed_tokens.weight"] if cfg.tie_word_embeddings else w["lm_head.weight"]
    return F.linear(h, head).float()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--tokens", type=int, default=512)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dtype", choices=["f32", "bf16"], default="f32")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--objective", choices=["ce", "r1"], default="ce")
    ap.add_argument("--response-tokens", type=int, default=32)
    ap.add_argument("--teacher", choices=["cache", "live"], default="cache")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    cfg, masters = ref.load_hf_folder(args.model, dtype=torch.float32)
    if cfg.tie_word_embeddings:
        masters.pop("lm_head.weight", None)
    for t in masters.values():
        t.requires_grad_(True)
    bf16 = args.dtype == "bf16"
    dtype = torch.bfloat16 if bf16 else torch.float32
    compute = {k: v.detach().to(dtype).requires_grad_(True) for k, v in masters.items()} if bf16 else masters
    opt = torch.optim.AdamW([{"params": [t for t in masters.values() if t.dim() >= 2], "weight_decay": 0.01},
                             {"params": [t for t in masters.values() if t.dim() < 2], "weight_decay": 0.0}],
                            lr=1e-5, betas=(0.9, 0.95), eps=1e-8)

    g = torch.Generator().manual_seed(7)
    ids = torch.randint(3, cfg.vocab_size, (args.batch, args.tokens), generator=g)
    cos, sin = ref.rope_cos_sin(cfg, torch.arange(args.tokens))
    cos, sin = cos.to(dtype), sin.to(dtype)
    mask = torch.full((args.tokens, args.tokens), float("-inf")).triu(1).to(dtype)  # [T, T] causal

    r1 = args.objective == "r1"
    R, P = args.response_tokens, args.tokens - args.response_tokens
    fill_seconds = 0.0
    if r1:
        teacher_ids = ids
        student_ids = torch.stack([torch.cat([torch.roll(ids[b, :P], -((b + 1) % P)), ids[b, P:]])
                                   for b in range(args.batch)])  # [B, T]
        frozen = {k: v.detach().clone() for k, v in masters.items()}  # the original model, fp32
        cos32, sin32 = ref.rope_cos_sin(cfg, torch.arange(args.tokens))
        mask32 = torch.full((args.tokens, args.tokens), float("-inf")).triu(1)

        def teacher_log_probs():
            with torch.no_grad():  # positions P-1 .. T-2 predict the response
                return forward(cfg, frozen, teacher_ids, cos32, sin32, mask32)[:, P - 1:-1].log_softmax(-1)

        if args.teacher == "cache":
            start = time.perf_counter()
            cached = teacher_log_probs()  # [B, R, V]
            fill_seconds = time.perf_counter() - start

    def objective():
        if not r1:
            logits = forward(cfg, compute, ids, cos, sin, mask)  # [B, T, V]
            return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
        log_t = cached if args.teacher == "cache" else teacher_log_probs()  # [B, R, V]
        log_s = forward(cfg, compute, student_ids, cos, sin, mask)[:, P - 1:-1].log_softmax(-1)
        kl = (log_t.exp() * (log_t - log_s)).sum(-1).mean(-1)  # [B]
        return (torch.softmax(kl.detach(), 0) * kl).sum()

    def step():
        opt.zero_grad(set_to_none=True)
        if bf16:
            for t in compute.values():
                t.grad = None
        loss = objective()
        loss.backward()
        if bf16:
            for k, m in masters.items():
                m.grad = compute[k].grad.float()
        torch.nn.utils.clip_grad_norm_(list(masters.values()), 1.0)
        opt.step()
        if bf16:
            with torch.no_grad():
                for k, m in masters.items():
                    compute[k].copy_(m)
        return float(loss)

    losses = [step()]  # warm-up
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        losses.append(step())
        times.append(time.perf_counter() - start)
    best = min(times)
    print(json.dumps({"impl": "python-eager", "dtype": args.dtype, "threads": args.threads, "batch": args.batch,
                      "tokens": args.tokens, "seconds": round(best, 6),
                      "median_seconds": round(statistics.median(times), 6),
                      "tokens_per_s": round(args.batch * args.tokens / best, 2),
                      "loss_first": losses[0], "loss_last": losses[-1], "objective": args.objective,
                      **({"teacher": args.teacher, "teacher_fill_seconds": round(fill_seconds, 6)} if r1 else {})}))


if __name__ == "__main__":
    main()
