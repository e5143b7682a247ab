#!/usr/bin/env bash
# Training and inference speed of the seed network (batch 32, 150x150, forward + backward + Adam):
# ours (TorchSharp) in fp32, channels-last, bf16 and bf16 + channels-last, and Debian's PyTorch 1.13 in
# the same four modes (bf16 = torch.autocast), one after the other in one run, then a side-by-side table.
# Usage: bench/train_step.sh [--arch seed] [--steps 5] [--warmup 2]
# Needs for the peer: apt-get install python3-torch
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$here/.genre/bench"
steps=5; warmup=2; arch=seed
while [ $# -gt 0 ]; do case "$1" in --steps) steps=$2; shift;; --warmup) warmup=$2; shift;; --arch) arch=$2; shift;; esac; shift; done
dotnet build "$here/bench/Genre.Bench/Genre.Bench.csproj" -c Release -o "$out" -nologo -v quiet -clp:ErrorsOnly >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
modes=fp32,cl,bf16,bf16cl
ours=$(dotnet "$out/Genre.Bench.dll" train-step --arch "$arch" --steps "$steps" --warmup "$warmup" --modes "$modes")
echo "$ours"
peer=""
if [ "$arch" = seed ] && [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  # PyTorch at its best: the same glibc tuning that genre applies in-process (TorchRuntime), through the environment
  peer=$(MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=2147483647 /usr/bin/python3 "$here/bench/pytorch_train_step.py" \
    --batch 32 --threads "$(nproc)" --warmup "$warmup" --steps "$steps" --modes "$modes" 2>/dev/null)
  echo "$peer"
else
  echo "pytorch: not run (needs --arch seed and apt-get install python3-torch)"
fi
# Table: medians in ms; ratio = ours / pytorch (below 1: we are faster). Peak: measured 512-bit FMA
# throughput of all cores (Genre.Bench prints it; bf16 is twice fp32), the ceiling of any convolution.
awk '
  function field(line, key,   m) { return match(line, " " key "=[0-9.]+") ? substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2) : "" }
  $1 == "torchsharp" { m = substr($3, 6); ot[m] = field($0, "train_ms_median"); oi[m] = field($0, "infer_ms_median"); gt = field($0, "gflop_train"); gi = field($0, "gflop_infer"); order[++n] = m }
  $1 == "peak"       { pk[substr($2, 7)] = field($0, "gflops") }
  $1 == "pytorch"    { m = substr($2, 6); pt[m] = field($0, "train_ms_median"); pi[m] = field($0, "infer_ms_median")
                       w = field($0, "infer_bf16_weights_ms_median"); if (w != "" && w + 0 < pi[m] + 0) { pi[m] = w; weights[m] = "*" } }
  END {
    printf "\n%-8s %12s %12s %7s %12s %12s %7s\n", "mode", "ours train", "torch train", "ratio", "ours infer", "torch infer", "ratio"
    for (i = 1; i <= n; i++) { m = order[i]
      printf "%-8s %10.1f ms %10s ms %7s %10.1f ms %10s ms%s %6s\n", m, ot[m], (m in pt) ? pt[m] : "-", (m in pt) ? sprintf("%.2f", ot[m] / pt[m]) : "-",
             oi[m], (m in pi) ? pi[m] : "-", (m in weights) ? "*" : " ", (m in pi) ? sprintf("%.2f", oi[m] / pi[m]) : "-"
      if (bot == "" || ot[m] + 0 < ot[bot] + 0) bot = m; if (boi == "" || oi[m] + 0 < oi[boi] + 0) boi = m }
    for (m in pt) { if (bpt == "" || pt[m] + 0 < pt[bpt] + 0) bpt = m; if (bpi == "" || pi[m] + 0 < pi[bpi] + 0) bpi = m }
    if (length(weights) > 0) print "* PyTorch inference with the model converted to bfloat16 once, faster here than autocast (which casts in every pass)"
    if (bpt != "") printf "best vs best: train %s %.1f ms / pytorch %s %.1f ms = %.2f; inference %s %.1f ms / pytorch %s %.1f ms = %.2f\n",
      bot, ot[bot], bpt, pt[bpt], ot[bot] / pt[bpt], boi, oi[boi], bpi, pi[bpi], oi[boi] / pi[bpi]
    peak32 = pk["fp32"]; peak16 = pk["bf16"]
    printf "throughput: %.1f GFLOP per training step, %.1f per inference batch; peak (measured FMA throughput) %.0f GFLOP/s fp32, %.0f bf16\n", gt, gi, peak32, peak16
    for (i = 1; i <= n; i++) { m = order[i]; peak = (m ~ /^bf16/) ? peak16 : peak32
      printf "  ours %-7s train %5.1f GFLOP/s (%4.1f %% of peak), inference %5.1f GFLOP/s (%4.1f %%)\n", m, gt / ot[m] * 1000, 100 * gt / ot[m] * 1000 / peak, gi / oi[m] * 1000, 100 * gi / oi[m] * 1000 / peak }
  }' <<<"$ours
$peer"
