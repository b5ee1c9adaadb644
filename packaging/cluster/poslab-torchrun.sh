#!/usr/bin/env bash
# Data-parallel Pos2Distill on one machine (or, with NNODES/NODE_RANK, on several)
# with PyTorch's own launcher: torchrun starts NPROC poslab-cli processes, hosts
# their rendezvous store and ends them all when one fails.
#   RUN=runs/llama8b-r1 NPROC=8 packaging/cluster/poslab-torchrun.sh \
#       --model models/Llama-3.1-8B-Instruct --data nq-train.jsonl.gz --method r1 --preset paper
# Run again to continue (RUN/run.json present: --resume). CPU-only: DEVICE=cpu
# (Gloo; NPROC processes of THREADS threads each).
set -euo pipefail
: "${RUN:?set RUN to the run folder}"
POSLAB_CLI="${POSLAB_CLI:-poslab-cli}"
PYTHON="${PYTHON:-/usr/bin/python3}" # a Python with torch (Debian: python3-torch)
DEVICE="${DEVICE:-cuda}"
if [ -z "${NPROC:-}" ]; then
  NPROC=$(nvidia-smi -L 2>/dev/null | wc -l || true)
  [ "${NPROC:-0}" -gt 0 ] || NPROC=2
fi
THREADS="${THREADS:-$(($(nproc) / NPROC > 0 ? $(nproc) / NPROC : 1))}"
if [ -f "$RUN/run.json" ]; then
  set -- --resume
fi
# torchrun 1.13 (Debian 12) spells it --no_python and needs -r/-t on Python 3.11 (BUILD-NOTES.md).
exec "$PYTHON" -m torch.distributed.run --no_python -r 1 -t 1 \
  --nnodes "${NNODES:-1}" --node_rank "${NODE_RANK:-0}" --nproc_per_node "$NPROC" \
  --master_addr "${MASTER_ADDR:-127.0.0.1}" --master_port "${MASTER_PORT:-29500}" \
  "$POSLAB_CLI" distill --device "$DEVICE" --threads "$THREADS" --out "$RUN" "$@"
