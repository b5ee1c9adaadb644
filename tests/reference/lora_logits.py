#!/usr/bin/python3
"""Logits of a base model with a PEFT LoRA adapter folder, by the reference
(reference_llama's forward with PEFT's lora.Linear, make_lora_reference's
target matching): the check that an adapter PosLab trained and exported is
read by a PEFT-semantics implementation as PosLab reads it.

    /usr/bin/python3 tests/reference/lora_logits.py --base DIR --adapter DIR --ids 1,2,3 --out F.safetensors

Writes F32 "logits" [T, vocab]; prints the scale and the adapted modules.
"""

import argparse
import json
import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import make_lora_reference  # noqa: E402
import reference_llama as ref  # noqa: E402
import safetensors_io  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--adapter", required=True)
    ap.add_argument("--ids", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    cfg, w = ref.load_hf_folder(args.base)
    with open(os.path.join(args.adapter, "adapter_config.json")) as f:
        config = json.load(f)
    tensors, _ = safetensors_io.load(os.path.join(args.adapter, "adapter_model.safetensors"))
    r, alpha = config["r"], config["lora_alpha"]
    scale = alpha / math.sqrt(r) if config.get("use_rslora") else alpha / r
    modules = []
    for layer in range(cfg.num_hidden_layers):
        for p in make_lora_reference.PROJECTIONS:
            module = f"model.layers.{layer}.{p}"
            if not make_lora_reference.targeted(config, module):
                continue
            w[f"{module}.lora_A"] = tensors.pop(f"base_model.model.{module}.lora_A.weight").float()
            w[f"{module}.lora_B"] = tensors.pop(f"base_model.model.{module}.lora_B.weight").float()
            w[f"{module}.lora_scale"] = scale
            modules.append(module)
    if tensors:
        sys.exit(f"lora_logits: tensors the config does not target: {sorted(tensors)}")
    ids = torch.tensor([int(x) for x in args.ids.split(",")], dtype=torch.int64)
    logits = ref.forward(cfg, w, ids).float().contiguous()
    safetensors_io.save(args.out, {"logits": logits})
    print(json.dumps({"scale": scale, "modules": len(modules)}))


if __name__ == "__main__":
    main()
