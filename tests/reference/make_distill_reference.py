#!/usr/bin/python3
"""Reference numbers for PosLab's Pos2Distill objective (METHOD.md §2b), from torch.

    /usr/bin/python3 tests/reference/make_distill_reference.py --out DIR

Written independently of the C++ code, from METHOD.md §2b alone, on a tiny
random Llama (reference_llama's forward, fp32 weights, float64 arithmetic for
the losses so these numbers are the truth our fp32 code is held to):

DIR/distill_reference/
    teacher/       a tiny Llama (HF folder): the frozen original model
    student/       the same model with every weight perturbed: the model in training
    r1-set.jsonl   KL instances: gold-position bins of 1-3 activations each, anchors
                   (one question without), responses of 1-4 tokens, one activation whose
                   student prompt equals its teacher prompt
    seq-set.jsonl  sequence instances (cross-entropy)
    expected.json  per instance KL_i and per-token KL, the factors and the loss of
                   each weighting (paper, code, uniform) for lambda 1 and 0.5, the
                   cross-entropy loss of seq-set; gradient names
    grads.safetensors  d loss / d weight for a few student weights: "paper_<name>"
                   (paper weighting, lambda 0.5, the whole set as one batch) and
                   "ce_<name>" (seq-set)
Runs as the ctest setup step make_distill_reference (fixture distill_reference).
"""

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import make_fixtures  # noqa: E402
import reference_llama as ref  # noqa: E402
import safetensors_io  # noqa: E402

CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 32,
    "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
    "num_key_value_heads": 2, "head_dim": 8, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
    "vocab_size": 48, "max_position_embeddings": 128, "tie_word_embeddings": False,
    "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "torch_dtype": "float32",
}
GRAD_NAMES = ["model.layers.0.self_attn.q_proj.weight", "model.layers.1.mlp.down_proj.weight",
              "model.embed_tokens.weight", "lm_head.weight", "model.norm.weight"]


def instances(g):
    """Hand-made R1 instances: (question, kind, gold, teacher prompt, student prompt, response)."""
    def ids(n):
        return torch.randint(3, CONFIG["vocab_size"], (n,), generator=g).tolist()
    out = []
    for q, (positions, rlen) in enumerate([((1, 3, 3), 3), ((1, 5), 1), ((3, 5, 5), 4), ((7,), 2)]):
        teacher = ids(9 + q)
        response = ids(rlen)
        for p in positions:
            student = teacher if q == 3 else ids(7 + p)  # question 3: the teacher's own prompt
            out.append({"question": q, "kind": "activation", "gold_position": p,
                        "teacher_prompt_ids": teacher, "student_prompt_ids": student, "response_ids": response})
        if q != 1:  # question 1 has no anchor
            out.append({"question": q, "kind": "anchor", "gold_position": 0,
                        "teacher_prompt_ids": teacher, "student_prompt_ids": teacher, "response_ids": response})
    return out


def response_log_probs(cfg, w, prompt, response):
    """log p(v | prompt, r_<t) for t in r: float64 [|r|, vocab]. The distribution that
    predicts r_t sits at the position before r_t (the last prompt token for t = 0)."""
    ids = torch.tensor(prompt + response, dtype=torch.int64)
    logits = ref.forward(cfg, w, ids).to(torch.float64)  # [T, vocab]
    rows = logits[len(prompt) - 1: len(prompt) - 1 + len(response)]
    return torch.log_softmax(rows, dim=-1)


def kls(cfg, teacher, student, inst):
    """Per instance: KL_i (mean over response tokens) and the per-token KLs."""
    out = []
    for d in inst:
        lt = response_log_probs(cfg, teacher, d["teacher_prompt_ids"], d["response_ids"]).detach()
        ls = response_log_probs(cfg, student, d["student_prompt_ids"], d["response_ids"])
        per_token = (lt.exp() * (lt - ls)).sum(-1)  # [|r|]
        out.append((per_token.mean(), per_token))
    return out


def factors(inst, kl, weighting, lam):
    """METHOD.md §2b, written from its text."""
    vals = [float(k) for k in kl]
    act = [i for i, d in enumerate(inst) if d["kind"] == "activation"]
    anc = [i for i, d in enumerate(inst) if d["kind"] == "anchor"]
    bins = {}
    for i in act:
        bins.setdefault(inst[i]["gold_position"], []).append(i)
    means = {p: sum(vals[i] for i in b) / len(b) for p, b in bins.items()}
    z = torch.softmax(torch.tensor([means[p] for p in sorted(bins)], dtype=torch.float64), 0)
    s = {p: float(z[j]) for j, p in enumerate(sorted(bins))}
    f = [0.0] * len(inst)
    for p, b in bins.items():
        mx = max(vals[i] for i in b)
        for i in b:
            if weighting == "uniform":
                f[i] = 1.0 / len(act)
            elif weighting == "paper":
                f[i] = s[p] * vals[i] / mx if mx > 0 else 0.0
            else:  # code
                f[i] = s[p] * len(bins) / len(b) * vals[i] / mx if mx > 0 else 0.0
    for i in anc:
        f[i] = lam if weighting == "code" else lam / len(anc)
    return f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    folder = os.path.join(args.out, "distill_reference")
    cfg = ref.config_from_dict(CONFIG)
    teacher, g = make_fixtures.random_weights(CONFIG, 4242)
    student = {k: v + 0.15 * torch.randn(v.shape, generator=g) * v.std() for k, v in teacher.items()}
    make_fixtures.write_hf_fixture(os.path.join(folder, "teacher"), CONFIG, teacher, torch.float32, 1)
    make_fixtures.write_hf_fixture(os.path.join(folder, "student"), CONFIG, student, torch.float32, 1)

    inst = instances(g)
    with open(os.path.join(folder, "r1-set.jsonl"), "w") as f:
        for d in inst:
            f.write(json.dumps(d) + "\n")
    seq = [{"question": q, "kind": "sequence", "gold_position": q,
            "student_prompt_ids": torch.randint(3, 48, (6 + q,), generator=g).tolist(),
            "response_ids": torch.randint(3, 48, (1 + q % 3,), generator=g).tolist()} for q in range(5)]
    with open(os.path.join(folder, "seq-set.jsonl"), "w") as f:
        for d in seq:
            f.write(json.dumps(d) + "\n")

    w64 = {k: v.to(torch.float64) for k, v in teacher.items()}
    s64 = {k: v.to(torch.float64).requires_grad_(True) for k, v in student.items()}
    per = kls(cfg, w64, s64, inst)
    kl = [k for k, _ in per]
    expected = {"kl": [float(k) for k in kl], "token_kl": [[float(x) for x in t] for _, t in per],
                "weightings": {}, "grad_names": GRAD_NAMES}
    grads = {}
    for weighting in ("paper", "code", "uniform"):
        for lam in (1.0, 0.5):
            f = factors(inst, kl, weighting, lam)
            loss = sum(fi * k for fi, k in zip(f, kl))
            expected["weightings"][f"{weighting}/{lam}"] = {"factors": f, "loss": float(loss)}
            if weighting == "paper" and lam == 0.5:
                loss.backward()
                for n in GRAD_NAMES:
                    grads[f"paper_{n}"] = s64[n].grad.to(torch.float32).clone()
                    s64[n].grad = None

    # Sequence instances: token cross-entropy, mean over every response token of the batch.
    total, count = 0.0, 0
    for d in seq:
        lp = response_log_probs(cfg, s64, d["student_prompt_ids"], d["response_ids"])
        total = total - lp[torch.arange(len(d["response_ids"])), torch.tensor(d["response_ids"])].sum()
        count += len(d["response_ids"])
    ce = total / count
    ce.backward()
    for n in GRAD_NAMES:
        grads[f"ce_{n}"] = s64[n].grad.to(torch.float32).clone()
    expected["ce_loss"] = float(ce)
    make_fixtures.write_json(os.path.join(folder, "expected.json"), expected)
    safetensors_io.save(os.path.join(folder, "grads.safetensors"), grads, {"torch": torch.__version__})


if __name__ == "__main__":
    main()
