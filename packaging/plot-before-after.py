#!/usr/bin/python3
"""One figure of accuracy by gold position for two or more sweeps (the README's
before/after of Pos2Distill on the demo), drawn from their summary.json numbers
with the Wilson 95 % intervals PosLab wrote. Debian's python3 with python3-matplotlib.

  packaging/plot-before-after.py --out docs/demo-distill.png \
      "base=RUN_A" "Pos2Distill R1=RUN_B"
"""
import argparse
import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(run):
    path = pathlib.Path(run) / "summary.json"
    try:
        summary = json.loads(path.read_text())
        rows = sorted(summary["positions"], key=lambda p: p["position"])
        return [(p["position"] + 1, 100 * p["accuracy"], 100 * p["ci_low"], 100 * p["ci_high"], p["n"]) for p in rows]
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"{path}: not a sweep summary ({e})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help=".png (200 dpi), .pdf or .svg")
    ap.add_argument("--title", default="")
    ap.add_argument("--xlabel", default="Position of the gold document (1 = first)",
                    help="x axis label (two-hop sweeps: the hop pair's place)")
    ap.add_argument("runs", nargs="+", help="LABEL=RUN_FOLDER")
    args = ap.parse_args()
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for spec in args.runs:
        label, sep, run = spec.partition("=")
        if not sep:
            sys.exit(f"{spec}: write LABEL=RUN_FOLDER")
        rows = load(run)
        x = [r[0] for r in rows]
        y = [r[1] for r in rows]
        err = [[r[1] - r[2] for r in rows], [r[3] - r[1] for r in rows]]
        mean = sum(y) / len(y)
        ax.errorbar(x, y, yerr=err, marker="o", markersize=4, capsize=2, linewidth=1.5,
                    label=f"{label} (mean {mean:.1f} %, n = {rows[0][4]} per position)")
    ax.set_xlabel(args.xlabel)
    ax.set_ylabel("Accuracy (%)")
    ax.set_ylim(0, 102)
    ax.set_xticks(range(1, max(x) + 1))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    if args.title:
        ax.set_title(args.title, fontsize=10)
    fig.tight_layout()
    fig.savefig(args.out, dpi=200)


if __name__ == "__main__":
    main()
