#!/bin/sh
# Retakes the README's pictures from the real app under Xvfb: docs/screenshots/*.png
# (every view on the bundled demo, the dark palette, stories260K on NQ) and
# docs/demo-curve.png (the sweep plot exported in paper colours).
#   packaging/screenshots.sh [BUILD_DIR]     run from the repository root; needs Xvfb
# Each shot loads the model, does its view's work (a sweep of 300 held-out examples
# is the longest: about two minutes on 2 cores), saves the 1200x800 window and quits.
set -eu
build=${1:-build}
out=docs/screenshots
tmp=$(mktemp -d)
display=:77
Xvfb "$display" -screen 0 1600x1000x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$xvfb"; rm -rf "$tmp"' EXIT
sleep 1

# One settings and workspace folder per model, so the dark shot compares two demo runs.
shot() {
  workspace=$1
  shift
  echo "poslab $*" >&2
  DISPLAY="$display" XDG_CONFIG_HOME="$tmp/$workspace/cfg" XDG_DATA_HOME="$tmp/$workspace/data" \
    "$build/bin/poslab" "$@"
}

shot demo --view sweep --limit 300 --screenshot "$out/sweep.png" --figure docs/demo-curve.png
shot demo --view sweep --limit 100 --compare --palette dark --screenshot "$out/dark.png"
shot demo --view explore --screenshot "$out/explore.png"
shot demo --view explore --token-layer 1 --screenshot "$out/token-map.png"
shot demo --view aggregate --examples 40 --screenshot "$out/aggregate.png"
shot demo --view depth --depth-docs 5,10,20 --limit 40 --screenshot "$out/depth.png"
prompt=$(printf 'Document [1](Title: Remi) Remi 56\nDocument [2](Title: Kola) Kola 88\n\nQuery: Remi')
shot demo --view generate --prompt "$prompt" --tokens 12 --screenshot "$out/generate.png"

# The Train view: a real demo Pos2Distill run (R1, --preset demo: minutes on 2 cores) in the
# workspace first, the command the launch dialog shows for the demo (one thread: faster on the
# 0.5 M-parameter demo, BENCHMARKS.md, and the numbers the README quotes).
runs="$tmp/train/data/PosLab/workspace/runs"
mkdir -p "$runs"
"$build/bin/poslab-cli" distill --preset demo --method r1 --threads 1 --model resources/demo/poslab-demo-llama \
  --data resources/demo/train.jsonl.gz --eval-data resources/demo/heldout.jsonl.gz --out "$runs/distill-r1-demo" \
  >/dev/null 2>&1
shot train --view train --section curves --screenshot "$out/train.png"
shot train --view train --section "before / after" --screenshot "$out/train-before-after.png"
shot train --view train --section "all positions" --screenshot "$out/train-all-positions.png"
shot train --view train --section attention --screenshot "$out/train-attention-mass.png"
shot train --view train --section checkpoints --screenshot "$out/train-checkpoints.png"
shot train --view train --section dialog --screenshot "$out/train-dialog.png"
shot train --view train --section cluster --screenshot "$out/train-cluster-job.png"

stories=../shared/models/stories260K/stories260K.gguf
nq=../shared/data/lost-in-the-middle/qa_data/nq-open-oracle.jsonl.gz
shot stories "$stories" "$nq" --docs 3 --view sweep --limit 50 --screenshot "$out/stories260k-nq-sweep.png"
shot stories "$stories" "$nq" --docs 3 --view explore --screenshot "$out/stories260k-nq-explore.png"
