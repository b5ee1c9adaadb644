"""Minimal GGUF v3 writer/reader plus the llama.cpp conventions we test.

Spec: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
All little-endian:
  header   "GGUF", u32 version (3), u64 tensor_count, u64 kv_count
  kv       string key, u32 value type, value
  tensor   string name, u32 n_dims, u64 ne[n_dims], u32 ggml type, u64 offset
  padding  to general.alignment, then the data section; each tensor's offset
           is relative to the data section and a multiple of the alignment.
A string is u64 byte length + UTF-8 bytes (no terminator). ne[0] is the
innermost (fastest-varying) dimension, i.e. the PyTorch shape reversed.
"""

import struct

import torch

from safetensors_io import tensor_bytes

GGUF_MAGIC = b"GGUF"
GGUF_VERSION = 3
ALIGNMENT = 32

# Metadata value types (gguf.md, enum gguf_metadata_value_type).
T_UINT8, T_INT8, T_UINT16, T_INT16, T_UINT32, T_INT32 = 0, 1, 2, 3, 4, 5
T_FLOAT32, T_BOOL, T_STRING, T_ARRAY, T_UINT64, T_INT64, T_FLOAT64 = 6, 7, 8, 9, 10, 11, 12
_SCALAR_FMT = {
    T_UINT8: "<B", T_INT8: "<b", T_UINT16: "<H", T_INT16: "<h",
    T_UINT32: "<I", T_INT32: "<i", T_FLOAT32: "<f", T_BOOL: "<?",
    T_UINT64: "<Q", T_INT64: "<q", T_FLOAT64: "<d",
}

# ggml tensor types (ggml.h, enum ggml_type).
GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8
QK8_0 = 32  # values per Q8_0 block
Q8_0_BLOCK_BYTES = 2 + QK8_0  # f16 scale + 32 int8


# ---------------------------------------------------------------------------
# Q8_0 quantisation, as gguf-py's quants.py / ggml's quantize_row_q8_0_ref.
# ---------------------------------------------------------------------------

def _roundf(x):
    """C roundf: half away from zero (torch.round is half-to-even)."""
    return torch.sign(x) * torch.floor(x.abs() + 0.5)


def quantize_q8_0(w):
    """w: fp32 tensor whose last dim (ne0) is a multiple of 32.
    Returns (scales f16 [n_blocks], quants int8 [n_blocks, 32]).
    d = max|x| / 127 in fp32; q = roundf(x / d) using the fp32 d; the f16
    rounding of d happens only when storing, so dequantised values are
    f16(d) * q (not exactly x * 127 / max|x|)."""
    blocks = w.float().reshape(-1, QK8_0)  # [n_blocks, 32]
    d = blocks.abs().amax(dim=1, keepdim=True) / 127.0  # [n_blocks, 1]
    safe_d = torch.where(d == 0, torch.ones_like(d), d)
    q = torch.where(d == 0, torch.zeros_like(blocks), _roundf(blocks / safe_d))
    return d.reshape(-1).to(torch.float16), q.to(torch.int8)


def dequantize_q8_0(d, q, shape):
    """Inverse of quantize_q8_0: value = f16 scale (as fp32) * int8."""
    return (d.float().reshape(-1, 1) * q.float()).reshape(shape)  # [*shape]


def q8_0_bytes(d, q):
    # Interleave per block: 2 bytes of f16 d, then 32 bytes of qs.
    d_bytes = tensor_bytes(d)
    q_bytes = tensor_bytes(q)
    out = bytearray()
    for b in range(d.numel()):
        out += d_bytes[2 * b : 2 * b + 2]
        out += q_bytes[QK8_0 * b : QK8_0 * (b + 1)]
    return bytes(out)


# ---------------------------------------------------------------------------
# llama.cpp's q/k row permutation (convert_hf_to_gguf.py, LlamaModel.permute).
# HF checkpoints order each head's rows as [first halves | second halves]
# for rotate_half RoPE; llama.cpp rotates adjacent pairs (2i, 2i+1), so the
# converter interleaves the two halves of every head.
# ---------------------------------------------------------------------------

def permute_hf_to_gguf(w, n_head):
    # w: [n_head * head_dim, ...] -> same shape, rows interleaved per head
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).transpose(1, 2).reshape(w.shape)


def unpermute_gguf_to_hf(w, n_head):
    # Exact inverse of permute_hf_to_gguf (what a GGUF loader applies).
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).transpose(1, 2).reshape(w.shape)


_GLOBAL_NAMES = {
    "model.embed_tokens.weight": "token_embd.weight",
    "model.norm.weight": "output_norm.weight",
    "lm_head.weight": "output.weight",
}
_LAYER_NAMES = {  # HF suffix after model.layers.N. -> GGUF suffix after blk.N.
    "input_layernorm.weight": "attn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight",
    "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.v_proj.weight": "attn_v.weight",
    "self_attn.o_proj.weight": "attn_output.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight",
    "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}


def hf_to_gguf_name(name):
    """HF Llama tensor name -> llama.cpp GGUF name."""
    if name in _GLOBAL_NAMES:
        return _GLOBAL_NAMES[name]
    if name.startswith("model.layers."):
        layer, rest = name[len("model.layers."):].split(".", 1)
        if rest in _LAYER_NAMES:
            return f"blk.{layer}.{_LAYER_NAMES[rest]}"
    raise KeyError(f"no GGUF name for '{name}'")


def gguf_to_hf_name(name):
    """llama.cpp GGUF tensor name -> HF Llama name."""
    for hf, gg in _GLOBAL_NAMES.items():
        if gg == name:
            return hf
    if name.startswith("blk."):
        layer, rest = name[len("blk."):].split(".", 1)
        for hf, gg in _LAYER_NAMES.items():
            if gg == rest:
                return f"model.layers.{layer}.{hf}"
    raise KeyError(f"no HF name for GGUF tensor '{name}'")


# ---------------------------------------------------------------------------
# Writer
# ---------------------------------------------------------------------------

def _string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _kv(key, vtype, value):
    out = _string(key) + struct.pack("<I", vtype)
    if vtype == T_STRING:
        return out + _string(value)
    if vtype == T_ARRAY:
        elem_type, items = value
        out += struct.pack("<IQ", elem_type, len(items))
        for item in items:
            out += _string(item) if elem_type == T_STRING else struct.pack(_SCALAR_FMT[elem_type], item)
        return out
    return out + struct.pack(_SCALAR_FMT[vtype], value)


def encode(metadata, tensors):
    """metadata: list of (key, type, value) in file order.
    tensors: list of (name, torch tensor in PyTorch shape, ggml type); F32
    tensors are stored as fp32, Q8_0 tensors are quantised here.
    Returns the file bytes."""
    alignment = ALIGNMENT
    for key, _, value in metadata:
        if key == "general.alignment":
            alignment = value
    infos = b""
    data = bytearray()
    for name, t, gtype in tensors:
        if len(data) % alignment:
            data += b"\0" * (-len(data) % alignment)
        ne = list(reversed(t.shape))  # ne0 = innermost
        if gtype == GGML_F32:
            payload = tensor_bytes(t.float())
        elif gtype == GGML_F16:
            payload = tensor_bytes(t.half())
        elif gtype == GGML_Q8_0:
            assert ne[0] % QK8_0 == 0, f"{name}: ne0 {ne[0]} not a multiple of {QK8_0}"
            payload = q8_0_bytes(*quantize_q8_0(t))
        else:
            raise ValueError(f"{name}: unsupported ggml type {gtype}")
        infos += _string(name) + struct.pack("<I", len(ne))
        infos += b"".join(struct.pack("<Q", n) for n in ne)
        infos += struct.pack("<IQ", gtype, len(data))
        data += payload
    head = GGUF_MAGIC + struct.pack("<IQQ", GGUF_VERSION, len(tensors), len(metadata))
    head += b"".join(_kv(*kv) for kv in metadata) + infos
    head += b"\0" * (-len(head) % alignment)
    return head + bytes(data)


# ---------------------------------------------------------------------------
# Reader (used by the self-check and to run the reference on real GGUFs)
# ---------------------------------------------------------------------------

class _Cursor:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def unpack(self, fmt):
        vals = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return vals if len(vals) > 1 else vals[0]

    def string(self):
        n = self.unpack("<Q")
        s = bytes(self.data[self.pos : self.pos + n]).decode("utf-8", errors="replace")
        self.pos += n
        return s

    def value(self, vtype):
        if vtype == T_STRING:
            return self.string()
        if vtype == T_ARRAY:
            elem_type, n = self.unpack("<IQ")
            return [self.value(elem_type) for _ in range(n)]
        return self.unpack(_SCALAR_FMT[vtype])


def read(path):
    """Return (metadata {key: value}, {name: (ggml type, fp32 tensor in
    PyTorch shape)}); Q8_0/F16 tensors are dequantised to fp32."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    cur = _Cursor(data)
    if bytes(data[:4]) != GGUF_MAGIC:
        raise ValueError(f"{path}: not a GGUF file")
    cur.pos = 4
    version, n_tensors, n_kv = cur.unpack("<IQQ")
    if version != 3:
        raise ValueError(f"{path}: GGUF version {version}, expected 3")
    metadata = {}
    for _ in range(n_kv):
        key = cur.string()
        vtype = cur.unpack("<I")
        metadata[key] = cur.value(vtype)
    alignment = metadata.get("general.alignment", ALIGNMENT)
    infos = []
    for _ in range(n_tensors):
        name = cur.string()
        n_dims = cur.unpack("<I")
        ne = [cur.unpack("<Q") for _ in range(n_dims)]
        gtype, offset = cur.unpack("<IQ")
        infos.append((name, ne, gtype, offset))
    base = cur.pos + (-cur.pos % alignment)
    tensors = {}
    for name, ne, gtype, offset in infos:
        if offset % alignment:
            raise ValueError(f"{path}: tensor '{name}' offset {offset} not aligned")
        shape = list(reversed(ne))  # PyTorch order
        numel = 1
        for n in ne:
            numel *= n
        start = base + offset
        if gtype == GGML_F32:
            t = torch.frombuffer(data, dtype=torch.float32, count=numel, offset=start).clone()
        elif gtype == GGML_F16:
            t = torch.frombuffer(data, dtype=torch.float16, count=numel, offset=start).float()
        elif gtype == GGML_Q8_0:
            n_blocks = numel // QK8_0
            raw = torch.frombuffer(data, dtype=torch.uint8, count=n_blocks * Q8_0_BLOCK_BYTES, offset=start)
            raw = raw.reshape(n_blocks, Q8_0_BLOCK_BYTES)  # [n_blocks, 34]
            d = raw[:, :2].contiguous().view(torch.float16).reshape(-1)  # [n_blocks]
            q = raw[:, 2:].contiguous().view(torch.int8)  # [n_blocks, 32]
            t = dequantize_q8_0(d, q, [numel])
        else:
            raise ValueError(f"{path}: tensor '{name}' has unsupported ggml type {gtype}")
        tensors[name] = (gtype, t.reshape(shape))
    return metadata, tensors


def llama_config_from_gguf(metadata, tensors):
    """HF-style config dict from llama.* GGUF metadata (what our C++ adapter
    must derive too). vocab_size falls back to token_embd's rows; a missing
    output.weight means tied embeddings."""
    arch = metadata["general.architecture"]
    if arch != "llama":
        raise ValueError(f"GGUF architecture '{arch}' not supported by the reference")
    n_head = metadata["llama.attention.head_count"]
    hidden = metadata["llama.embedding_length"]
    _, embd = tensors["token_embd.weight"]
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": hidden,
        "intermediate_size": metadata["llama.feed_forward_length"],
        "num_hidden_layers": metadata["llama.block_count"],
        "num_attention_heads": n_head,
        "num_key_value_heads": metadata.get("llama.attention.head_count_kv", n_head),
        "head_dim": metadata.get("llama.rope.dimension_count", hidden // n_head),
        "rms_norm_eps": metadata["llama.attention.layer_norm_rms_epsilon"],
        "rope_theta": metadata.get("llama.rope.freq_base", 10000.0),
        "rope_scaling": None,
        "max_position_embeddings": metadata["llama.context_length"],
        "vocab_size": metadata.get("llama.vocab_size", embd.shape[0]),
        "tie_word_embeddings": "output.weight" not in tensors,
    }


def hf_weights_from_gguf(metadata, tensors):
    """GGUF tensors -> HF-named fp32 weights with q/k rows un-permuted.
    A missing output.weight means tied embeddings."""
    n_head = metadata["llama.attention.head_count"]
    n_head_kv = metadata.get("llama.attention.head_count_kv", n_head)
    out = {}
    for name, (_, t) in tensors.items():
        hf = gguf_to_hf_name(name)
        if name.endswith("attn_q.weight"):
            t = unpermute_gguf_to_hf(t, n_head)
        elif name.endswith("attn_k.weight"):
            t = unpermute_gguf_to_hf(t, n_head_kv)
        out[hf] = t
    return out
