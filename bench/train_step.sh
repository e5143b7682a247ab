#!/usr/bin/env bash
# Training and inference speed of the seed network (batch 32, 150x150, forward + backward + Adam),
# ours (TorchSharp) and Debian's PyTorch 1.13 on the same machine, one after the other in one run.
# Usage: bench/train_step.sh [--arch seed] [--steps 5] [--warmup 2]
# Needs for the peer: apt-get install python3-torch
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$here/.genre/bench"
dotnet build "$here/bench/Genre.Bench/Genre.Bench.csproj" -c Release -o "$out" -nologo -v quiet -clp:ErrorsOnly >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
ours=$(dotnet "$out/Genre.Bench.dll" train-step "$@")
echo "$ours"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  steps=5; warmup=2
  while [ $# -gt 0 ]; do case "$1" in --steps) steps=$2; shift;; --warmup) warmup=$2; shift;; esac; shift; done
  peer=$(/usr/bin/python3 "$here/bench/pytorch_train_step.py" --batch 32 --threads "$(nproc)" --warmup "$warmup" --steps "$steps" --modes fp32 2>/dev/null)
  echo "$peer"
  # the same glibc tuning that genre applies in-process (TorchRuntime), given to PyTorch through the environment
  tuned=$(MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=2147483647 /usr/bin/python3 "$here/bench/pytorch_train_step.py" \
    --batch 32 --threads "$(nproc)" --warmup "$warmup" --steps "$steps" --modes fp32 2>/dev/null | sed 's/^pytorch /pytorch+malloc-tuning /')
  echo "$tuned"
  field() { sed -nE "s/.* $1=([0-9.]+).*/\1/p" <<<"$2"; }
  awk -v a="$(field train_ms_median "$ours")" -v b="$(field train_ms_median "$peer")" \
      -v c="$(field infer_ms_median "$ours")" -v d="$(field infer_ms_median "$peer")" \
      'BEGIN { printf "ours/pytorch (median, lower is faster): train %.2f, inference %.2f\n", a / b, c / d }'
  awk -v a="$(field train_ms_median "$ours")" -v b="$(field train_ms_median "$tuned")" \
      -v c="$(field infer_ms_median "$ours")" -v d="$(field infer_ms_median "$tuned")" \
      'BEGIN { printf "ours/pytorch+malloc-tuning (median): train %.2f, inference %.2f\n", a / b, c / d }'
else
  echo "pytorch: not installed (apt-get install python3-torch)"
fi
