"""Minimal safetensors reader/writer, written from the format description.

Format (https://huggingface.co/docs/safetensors): u64 little-endian header
length N, then N bytes of JSON {name: {"dtype", "shape", "data_offsets":
[begin, end]}, "__metadata__": {str: str}}, then the raw tensor bytes;
offsets are relative to the end of the header. We pad the header with
spaces to a multiple of 8 bytes, as the reference library does, so that
every tensor starts 8-byte aligned.

Deliberately independent of the `safetensors` package: the C++ loader is
tested against files this module writes, so both sides must follow the
spec, not one library.
"""

import filecmp
import json
import os
import struct
import sys

import torch

assert sys.byteorder == "little", "safetensors and GGUF are little-endian"

DTYPE_TO_NAME = {
    torch.float32: "F32",
    torch.bfloat16: "BF16",
    torch.float16: "F16",
    torch.int64: "I64",
    torch.int32: "I32",
}
NAME_TO_DTYPE = {v: k for k, v in DTYPE_TO_NAME.items()}


def tensor_bytes(t):
    """Raw little-endian bytes of a tensor (a bytearray), without numpy."""
    t = t.detach().contiguous().cpu()
    if t.numel() == 0:
        return b""
    buf = bytearray(t.numel() * t.element_size())
    torch.frombuffer(buf, dtype=t.dtype).copy_(t.reshape(-1))
    return buf


def _layout(tensors, metadata):
    """Header bytes (padded) and the tensors in data order. Names are
    sorted so the file depends only on the contents (deterministic)."""
    header = {}
    ordered = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        if t.dtype not in DTYPE_TO_NAME:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        size = t.numel() * t.element_size()
        header[name] = {
            "dtype": DTYPE_TO_NAME[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + size],
        }
        ordered.append(t)
        offset += size
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    header_json = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    header_json += b" " * (-len(header_json) % 8)
    return struct.pack("<Q", len(header_json)) + header_json, ordered


def encode(tensors, metadata=None):
    """Serialise {name: tensor} to safetensors bytes (small files)."""
    head, ordered = _layout(tensors, metadata)
    return head + b"".join(tensor_bytes(t) for t in ordered)


def _replace_if_changed(tmp, path):
    # Leave an identical existing file untouched so repeated fixture runs
    # do not churn mtimes (and dependent build steps).
    if os.path.exists(path) and filecmp.cmp(tmp, path, shallow=False):
        os.remove(tmp)
    else:
        os.replace(tmp, path)


def write_file(path, data):
    """Atomically write bytes."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    _replace_if_changed(tmp, path)


def save(path, tensors, metadata=None):
    """Atomically write a safetensors file, one tensor at a time (the
    benchmark model is ~0.5 GB, so no whole-file buffer)."""
    head, ordered = _layout(tensors, metadata)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(head)
        for t in ordered:
            f.write(tensor_bytes(t))
    _replace_if_changed(tmp, path)


def load(path):
    """Return ({name: tensor}, metadata). Tensors are copies (independent of
    the file buffer) so callers may modify them."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8 : 8 + n].decode())
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        dtype = NAME_TO_DTYPE[info["dtype"]]
        begin, end = info["data_offsets"]
        shape = info["shape"]
        numel = 1
        for s in shape:
            numel *= s
        item = torch.empty((), dtype=dtype).element_size()
        if end - begin != numel * item or base + end > len(data):
            raise ValueError(f"{path}: tensor '{name}' has inconsistent offsets")
        if numel == 0:
            t = torch.empty(shape, dtype=dtype)
        else:
            t = torch.frombuffer(data, dtype=dtype, count=numel, offset=base + begin)
        tensors[name] = t.reshape(shape).clone()
    return tensors, metadata
