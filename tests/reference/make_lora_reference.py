#!/usr/bin/python3
"""PEFT LoRA adapters for the tiny fixture models, with the logits PEFT's
semantics give, from torch (an implementation independent of PosLab's).

    /usr/bin/python3 tests/reference/make_lora_reference.py --fixtures DIR

Needs make_fixtures.py's output in DIR (the base models). Writes

DIR/lora/<name>/adapter_config.json       as PEFT's save_pretrained writes it
DIR/lora/<name>/adapter_model.safetensors base_model.model.<module>.lora_A.weight [r, in],
                                          .lora_B.weight [out, r]
DIR/lora/<name>/expected.safetensors      "ids" int64 [20] (the base's golden ids_1) and
                                          "logits" F32 [20, vocab]: the adapted model's
DIR/lora/MANIFEST.json                    name -> base fixture, scale, adapted modules

The adapted forward is reference_llama's with PEFT's lora.Linear on each
targeted projection: W x + b + s * B (A x), s = lora_alpha / r (use_rslora:
lora_alpha / sqrt(r)); which modules are targeted follows PEFT's
check_target_module_exists (a list: equal or ending in "." + name, then
layers_to_transform; a string: re.fullmatch; exclude_modules first;
"all-linear": every Linear but lm_head; null: q_proj and v_proj for llama and
qwen2). B is random (PEFT starts it at zero) so the adapters change the logits.
Runs as the ctest setup step make_lora_reference (fixture lora_reference).
"""

import argparse
import json
import math
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import reference_llama as ref  # noqa: E402
import safetensors_io  # noqa: E402

PROJECTIONS = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
               "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]

# name, base fixture, config fields, storage dtype, seed
ADAPTERS = [
    ("qv", "llama_basic", {"r": 4, "lora_alpha": 8, "target_modules": ["q_proj", "v_proj"]}, torch.float32, 1),
    ("all_rslora", "llama_basic", {"r": 8, "lora_alpha": 16, "use_rslora": True, "target_modules": "all-linear"},
     torch.float32, 2),
    ("regex", "llama_basic", {"r": 2, "lora_alpha": 3,
                              "target_modules": r"model\.layers\.1\.(self_attn\.(k|o)_proj|mlp\.down_proj)"},
     torch.float32, 3),
    ("layers_bf16", "llama_basic", {"r": 3, "lora_alpha": 5, "target_modules": ["gate_proj", "up_proj", "o_proj"],
                                    "layers_to_transform": [0]}, torch.bfloat16, 4),
    ("qwen_default", "qwen2_bias", {"r": 4, "lora_alpha": 4, "target_modules": None}, torch.float32, 5),
    ("gqa_exclude", "gqa", {"r": 2, "lora_alpha": 2, "target_modules": ["k_proj", "v_proj", "down_proj"],
                            "exclude_modules": ["model.layers.0.mlp.down_proj"]}, torch.float32, 6),
]


def targeted(cfg_fields, key):
    """PEFT's check_target_module_exists for one module path."""
    exclude = cfg_fields.get("exclude_modules")
    if exclude:
        if isinstance(exclude, str):
            if re.fullmatch(exclude, key):
                return False
        elif key in exclude or any(key.endswith("." + e) for e in exclude):
            return False
    targets = cfg_fields.get("target_modules")
    if targets is None:
        targets = ["q_proj", "v_proj"]  # PEFT's default for llama / qwen2
    elif targets == "all-linear":
        targets = [p.split(".")[1] for p in PROJECTIONS]
    if isinstance(targets, str):
        return re.fullmatch(targets, key) is not None
    if key in targets:
        return True
    found = any(key.endswith("." + t) for t in targets)
    layers = cfg_fields.get("layers_to_transform")
    if found and layers is not None:
        m = re.match(r".*\.[^.]*\.(\d+)\.", key)
        layers = [layers] if isinstance(layers, int) else layers
        found = m is not None and int(m.group(1)) in layers
    return found


def peft_config(fields, base):
    c = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": base, "r": 8,
         "lora_alpha": 8, "lora_dropout": 0.0, "use_rslora": False, "target_modules": None,
         "exclude_modules": None, "layers_to_transform": None, "layers_pattern": None, "bias": "none",
         "fan_in_fan_out": False, "modules_to_save": None, "init_lora_weights": True, "use_dora": False,
         "rank_pattern": {}, "alpha_pattern": {}, "inference_mode": True, "revision": None}
    c.update(fields)
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fixtures", required=True, help="make_fixtures.py's output folder")
    args = ap.parse_args()
    torch.set_num_threads(1)
    out_root = os.path.join(args.fixtures, "lora")
    os.makedirs(out_root, exist_ok=True)
    manifest = {}
    for name, base, fields, dtype, seed in ADAPTERS:
        base_dir = os.path.join(args.fixtures, base)
        cfg, w = ref.load_hf_folder(base_dir)
        golden, _ = safetensors_io.load(os.path.join(base_dir, "golden.safetensors"))
        ids = golden["ids_1"]
        g = torch.Generator().manual_seed(seed)
        config = peft_config(fields, os.path.join("..", "..", base))
        r, alpha = config["r"], config["lora_alpha"]
        scale = alpha / math.sqrt(r) if config["use_rslora"] else alpha / r
        tensors, modules = {}, []
        for layer in range(cfg.num_hidden_layers):
            for p in PROJECTIONS:
                module = f"model.layers.{layer}.{p}"
                if not targeted(config, module):
                    continue
                out_f, in_f = w[f"{module}.weight"].shape
                bound = 1.0 / math.sqrt(in_f)
                a = (torch.rand(r, in_f, generator=g) * 2 - 1) * bound  # [r, in]
                b = torch.randn(out_f, r, generator=g) * 0.2  # [out, r]
                a, b = a.to(dtype), b.to(dtype)
                tensors[f"base_model.model.{module}.lora_A.weight"] = a
                tensors[f"base_model.model.{module}.lora_B.weight"] = b
                # PEFT upcasts bf16/f16 adapters to fp32 (autocast_adapter_dtype).
                w[f"{module}.lora_A"], w[f"{module}.lora_B"] = a.float(), b.float()
                w[f"{module}.lora_scale"] = scale
                modules.append(module)
        folder = os.path.join(out_root, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "adapter_config.json"), "w") as f:
            json.dump(config, f, indent=2)
        safetensors_io.save(os.path.join(folder, "adapter_model.safetensors"), tensors, {"format": "pt"})
        logits = ref.forward(cfg, w, ids)  # [T, vocab]
        safetensors_io.save(os.path.join(folder, "expected.safetensors"),
                            {"ids": ids, "logits": logits.float().contiguous()}, {"source": "make_lora_reference.py"})
        base_shift = float((logits - golden["logits_1"]).abs().max())
        manifest[name] = {"base": base, "scale": scale, "modules": modules, "max_logit_change": base_shift}
    with open(os.path.join(out_root, "MANIFEST.json"), "w") as f:
        json.dump({"generator": "tests/reference/make_lora_reference.py", "tolerance": "max |delta logit| <= 1e-3",
                   "adapters": manifest}, f, indent=2)
    print(f"make_lora_reference: {len(manifest)} adapters in {out_root}")


if __name__ == "__main__":
    main()
