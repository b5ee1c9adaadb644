"""Plain reference forward pass with Hugging Face semantics for
LlamaForCausalLM, MistralForCausalLM and Qwen2ForCausalLM.

This is the oracle the C++ engine is tested against, so it favours being
obviously right over being fast: one sequence at a time, no KV cache,
positions 0..T-1, and every step written out as in the HF modelling code
(transformers/models/llama/modeling_llama.py, eager attention path).

Precision follows HF: RMSNorm and softmax are computed in fp32 and cast
back; RoPE cos/sin are computed in fp32 and cast to the activation dtype;
everything else runs in the dtype of the weights handed in.
"""

import json
import math
import os
from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn.functional as F

import safetensors_io

SUPPORTED_ARCHITECTURES = ("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM")


@dataclass
class Config:
    architecture: str  # e.g. "LlamaForCausalLM"
    hidden_size: int  # residual stream width
    intermediate_size: int  # SwiGLU inner width
    num_hidden_layers: int
    num_attention_heads: int  # query heads
    num_key_value_heads: int  # < heads for GQA, 1 for MQA
    head_dim: int  # may differ from hidden_size / heads when explicit
    rms_norm_eps: float
    rope_theta: float
    rope_scaling: Optional[dict]  # None, {"rope_type": "linear"|"llama3", ...}
    vocab_size: int
    tie_word_embeddings: bool  # lm_head shares model.embed_tokens.weight
    attention_bias: bool  # q/k/v biases (Qwen2 always; Llama if attention_bias)
    sliding_window: Optional[int]  # Mistral; None = full causal attention


def config_from_dict(d):
    """The one place HF config.json keys are interpreted."""
    arch = d["architectures"][0]
    if arch not in SUPPORTED_ARCHITECTURES:
        raise ValueError(f"config.json: architecture '{arch}' not supported")
    heads = d["num_attention_heads"]
    # HF: `getattr(config, "head_dim", None) or hidden_size // heads`.
    head_dim = d.get("head_dim") or d["hidden_size"] // heads
    window = None
    if arch == "MistralForCausalLM":
        window = d.get("sliding_window")
    elif arch == "Qwen2ForCausalLM" and d.get("use_sliding_window"):
        raise NotImplementedError("Qwen2 use_sliding_window (per-layer windows) is not modelled")
    return Config(
        architecture=arch,
        hidden_size=d["hidden_size"],
        intermediate_size=d["intermediate_size"],
        num_hidden_layers=d["num_hidden_layers"],
        num_attention_heads=heads,
        num_key_value_heads=d.get("num_key_value_heads") or heads,
        head_dim=head_dim,
        rms_norm_eps=d["rms_norm_eps"],
        rope_theta=d.get("rope_theta", 10000.0),
        rope_scaling=d.get("rope_scaling"),
        vocab_size=d["vocab_size"],
        # HF's PretrainedConfig default is True; every real config sets it.
        tie_word_embeddings=d.get("tie_word_embeddings", True),
        attention_bias=arch == "Qwen2ForCausalLM" or bool(d.get("attention_bias", False)),
        sliding_window=window,
    )


def load_hf_folder(path, dtype=torch.float32):
    """Read config.json and model.safetensors (or the shards named in
    model.safetensors.index.json); weights are cast to `dtype`."""
    with open(os.path.join(path, "config.json")) as f:
        cfg = config_from_dict(json.load(f))
    index = os.path.join(path, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    weights = {}
    for name in files:
        tensors, _ = safetensors_io.load(os.path.join(path, name))
        weights.update({k: v.to(dtype) for k, v in tensors.items()})
    return cfg, weights


# ---------------------------------------------------------------------------
# RoPE
# ---------------------------------------------------------------------------

def rope_inv_freq(cfg):
    """Inverse frequencies [head_dim / 2], fp32, including rope_scaling.
    Mirrors transformers' modeling_rope_utils (default, linear, llama3)."""
    dim = cfg.head_dim
    inv_freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))  # [dim/2]
    scaling = cfg.rope_scaling
    if not scaling:
        return inv_freq
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "default":
        return inv_freq
    if kind == "linear":
        # Positions divided by factor == inv_freq divided by factor.
        return inv_freq / scaling["factor"]
    if kind == "llama3":
        # _compute_llama3_parameters: long wavelengths are slowed by
        # `factor`, short ones kept, the band between interpolated.
        factor = scaling["factor"]
        low_freq_factor = scaling["low_freq_factor"]
        high_freq_factor = scaling["high_freq_factor"]
        old_context_len = scaling["original_max_position_embeddings"]
        low_freq_wavelen = old_context_len / low_freq_factor
        high_freq_wavelen = old_context_len / high_freq_factor
        wavelen = 2 * math.pi / inv_freq  # [dim/2]
        inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
        smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
        smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
        is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
        return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)
    raise ValueError(f"config.json: rope_scaling type '{kind}' not supported")


def rope_cos_sin(cfg, positions):
    """cos, sin [T, head_dim] in fp32, HF layout: the dim/2 frequencies are
    repeated over the two concatenated halves (cat(freqs, freqs))."""
    inv_freq = rope_inv_freq(cfg)  # [dim/2]
    freqs = positions.float()[:, None] * inv_freq[None, :]  # [T, dim/2]
    emb = torch.cat((freqs, freqs), dim=-1)  # [T, dim]
    return emb.cos(), emb.sin()


def rotate_half(x):
    # [..., dim] -> [..., dim]: (x1, x2) -> (-x2, x1) over the two halves
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rope(x, cos, sin):
    # x: [heads, T, dim]; cos/sin: [T, dim] (broadcast over heads)
    return x * cos + rotate_half(x) * sin


# ---------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------

def rms_norm(x, weight, eps):
    # x: [T, hidden]. HF LlamaRMSNorm: statistics in fp32, cast back to the
    # input dtype *before* multiplying by the weight.
    dtype = x.dtype
    h = x.float()
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return weight * h.to(dtype)


def proj(w, module, x, bias=None):
    """The Linear `module` (e.g. "model.layers.0.self_attn.q_proj") on x, as
    PEFT's lora.Linear when w also holds "<module>.lora_A" [r, in],
    "<module>.lora_B" [out, r] and "<module>.lora_scale":
    W x + b + scale * B (A x), the adapter path in its own dtype."""
    y = F.linear(x, w[f"{module}.weight"], bias)
    a = w.get(f"{module}.lora_A")
    if a is None:
        return y
    b, scale = w[f"{module}.lora_B"], w[f"{module}.lora_scale"]
    return y + (F.linear(F.linear(x.to(a.dtype), a), b) * scale).to(y.dtype)


def attention(cfg, w, prefix, x, cos, sin, probs_out=None):
    """x: [T, hidden] (already normed) -> [T, hidden]. With probs_out (a list),
    appends this layer's fp32 attention probabilities [H, T, T]."""
    T = x.shape[0]
    H, KV, D = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
    bias = (lambda n: w[f"{prefix}.{n}_proj.bias"]) if cfg.attention_bias else (lambda n: None)
    q = proj(w, f"{prefix}.q_proj", x, bias("q"))  # [T, H*D]
    k = proj(w, f"{prefix}.k_proj", x, bias("k"))  # [T, KV*D]
    v = proj(w, f"{prefix}.v_proj", x, bias("v"))  # [T, KV*D]
    q = q.view(T, H, D).transpose(0, 1)  # [H, T, D]
    k = k.view(T, KV, D).transpose(0, 1)  # [KV, T, D]
    v = v.view(T, KV, D).transpose(0, 1)  # [KV, T, D]

    cos, sin = cos.to(x.dtype), sin.to(x.dtype)  # HF casts cos/sin to the activation dtype
    q = apply_rope(q, cos, sin)
    k = apply_rope(k, cos, sin)

    # GQA/MQA: query head h reads kv head h // (H / KV) (HF repeat_kv).
    k = k.repeat_interleave(H // KV, dim=0)  # [H, T, D]
    v = v.repeat_interleave(H // KV, dim=0)  # [H, T, D]

    scores = torch.matmul(q, k.transpose(1, 2)) * (D ** -0.5)  # [H, T, T]
    qi = torch.arange(T)[:, None]
    ki = torch.arange(T)[None, :]
    allowed = ki <= qi  # [T, T] causal
    if cfg.sliding_window is not None:
        allowed = allowed & (qi - ki < cfg.sliding_window)
    scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
    probs = torch.softmax(scores, dim=-1, dtype=torch.float32)  # [H, T, T] fp32
    if probs_out is not None:
        probs_out.append(probs.clone())
    probs = probs.to(q.dtype)
    out = torch.matmul(probs, v)  # [H, T, D]
    out = out.transpose(0, 1).reshape(T, H * D)  # [T, H*D]
    return proj(w, f"{prefix}.o_proj", out)  # [T, hidden]


def mlp(w, prefix, x):
    # SwiGLU: down(silu(gate x) * up x); x: [T, hidden] -> [T, hidden]
    gate = proj(w, f"{prefix}.gate_proj", x)  # [T, inter]
    up = proj(w, f"{prefix}.up_proj", x)  # [T, inter]
    return proj(w, f"{prefix}.down_proj", F.silu(gate) * up)


def forward(cfg, w, ids, attention_probs=None):
    """ids: int64 [T] -> logits [T, vocab] in the weights' dtype.
    Positions are 0..T-1 (each sequence starts at position 0).
    attention_probs: an optional list that receives each layer's fp32
    attention probabilities [H, T, T], layer by layer."""
    ids = torch.as_tensor(ids, dtype=torch.int64)
    positions = torch.arange(ids.shape[0])  # [T]
    cos, sin = rope_cos_sin(cfg, positions)  # [T, head_dim] each, fp32
    h = F.embedding(ids, w["model.embed_tokens.weight"])  # [T, hidden]
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}"
        h = h + attention(cfg, w, f"{p}.self_attn", rms_norm(h, w[f"{p}.input_layernorm.weight"], cfg.rms_norm_eps), cos, sin,
                          attention_probs)
        h = h + mlp(w, f"{p}.mlp", rms_norm(h, w[f"{p}.post_attention_layernorm.weight"], cfg.rms_norm_eps))
    h = rms_norm(h, w["model.norm.weight"], cfg.rms_norm_eps)  # [T, hidden]
    head = w["model.embed_tokens.weight"] if cfg.tie_word_embeddings else w["lm_head.weight"]
    return F.linear(h, head)  # [T, vocab]


def greedy(cfg, w, prompt, n_new):
    """Greedy decoding by full recomputation; does not stop at EOS.
    Returns only the n_new generated ids (int64 [n_new])."""
    ids = torch.as_tensor(prompt, dtype=torch.int64)
    new = []
    for _ in range(n_new):
        nxt = int(forward(cfg, w, ids)[-1].argmax())
        new.append(nxt)
        ids = torch.cat((ids, torch.tensor([nxt])))
    return torch.tensor(new, dtype=torch.int64)
