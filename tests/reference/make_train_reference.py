#!/usr/bin/python3
"""Reference numbers for PosLab's optimizer and gradient clipping, from torch.

    /usr/bin/python3 tests/reference/make_train_reference.py --out DIR

Writes DIR/train_reference/adamw.safetensors: three parameters (two decayed,
one in a no-decay group, as PosLab's trainer groups matrices vs norm gains),
four steps of torch.nn.utils.clip_grad_norm_ (max_norm 1.0) followed by
torch.optim.AdamW (betas 0.9/0.95, eps 1e-8, weight_decay 0.1) with a
different learning rate each step. Tensors:
    init_<p>                 F32    the parameters before step 0
    grad_<s>_<p>             F32    the raw gradient of step s
    norm_<s>                 F32 [1] clip_grad_norm_'s returned total norm
    clipped_<s>_<p>          F32    the gradient after clipping
    param_<s>_<p>            F32    the parameter after step s
    exp_avg_<p>, exp_avg_sq_<p>     AdamW state after the last step
    lr                       F32 [4] the learning rate of each step
Runs as the ctest setup step make_train_reference (fixture train_reference).
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import safetensors_io  # noqa: E402

SHAPES = {"w": (3, 4), "g": (4,), "e": (2, 3, 2)}
DECAY = {"w": True, "g": False, "e": True}
LRS = [1e-3, 2e-3, 5e-4, 1e-3]
GRAD_SCALES = [0.1, 3.0, 0.5, 10.0]  # steps 1 and 3 are clipped, 0 and 2 are not


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.manual_seed(1234)
    torch.set_num_threads(1)
    params = {n: torch.nn.Parameter(torch.randn(s)) for n, s in SHAPES.items()}
    out = {f"init_{n}": p.detach().clone() for n, p in params.items()}
    opt = torch.optim.AdamW(
        [{"params": [params[n] for n in SHAPES if DECAY[n]], "weight_decay": 0.1},
         {"params": [params[n] for n in SHAPES if not DECAY[n]], "weight_decay": 0.0}],
        lr=LRS[0], betas=(0.9, 0.95), eps=1e-8)
    for s, (lr, scale) in enumerate(zip(LRS, GRAD_SCALES)):
        for n, p in params.items():
            g = torch.randn(SHAPES[n]) * scale
            out[f"grad_{s}_{n}"] = g.clone()
            p.grad = g
        norm = torch.nn.utils.clip_grad_norm_(list(params.values()), max_norm=1.0)
        out[f"norm_{s}"] = norm.reshape(1).clone()
        for n, p in params.items():
            out[f"clipped_{s}_{n}"] = p.grad.clone()
        for group in opt.param_groups:
            group["lr"] = lr
        opt.step()
        for n, p in params.items():
            out[f"param_{s}_{n}"] = p.detach().clone()
    for n, p in params.items():
        out[f"exp_avg_{n}"] = opt.state[p]["exp_avg"].clone()
        out[f"exp_avg_sq_{n}"] = opt.state[p]["exp_avg_sq"].clone()
    out["lr"] = torch.tensor(LRS, dtype=torch.float32)
    folder = os.path.join(args.out, "train_reference")
    os.makedirs(folder, exist_ok=True)
    safetensors_io.save(os.path.join(folder, "adamw.safetensors"), out,
                        {"torch": torch.__version__})


if __name__ == "__main__":
    main()
