#!/usr/bin/env bash
# The web server under load and abuse, on loopback only: starts `genre serve`, then per round sends
# 50 uploads of real 30-s WAVs at once (8 of them under path-like names) together with every abusive
# request of the tests' catalogue (malformed multipart, non-audio, oversized, a trickling upload),
# checks every answer against the song's prediction when sent alone, and prints requests sent,
# answered correctly, refused as expected, failures, p50/p95 latency, throughput and the server's
# peak RSS (VmHWM from /proc/PID/status).
# Usage: bench/web_load.sh [--model MODEL_DIR --songs DIR] [--uploads 50] [--rounds 3]
# Without --model it trains a compact model for 1 epoch on `genre synth` data (3 genres x 6 clips x 30 s).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$here/.genre/bench"
work="$here/.genre/web-load"
model=""; songs=""; uploads=50; rounds=3
while [ $# -gt 0 ]; do case "$1" in --model) model=$2; shift;; --songs) songs=$2; shift;; --uploads) uploads=$2; shift;; --rounds) rounds=$2; shift;; esac; shift; done
"$here/genre" --help >/dev/null
dotnet build "$here/bench/Genre.Bench/Genre.Bench.csproj" -c Release -o "$out" -nologo -v quiet -clp:ErrorsOnly >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
if [ -z "$songs" ]; then
  songs="$work/data"
  [ -d "$songs" ] || "$here/genre" synth --out "$songs" --genres 3 --clips 6 --seconds 30 >/dev/null
fi
if [ -z "$model" ]; then
  model="$work/model"
  [ -f "$model/model.safetensors" ] || "$here/genre" train --data "$songs" --out "$model" --arch compact --epochs 1 >/dev/null
fi
exec dotnet "$out/Genre.Bench.dll" web-load --genre "$here/genre" --model "$model" --songs "$songs" --uploads "$uploads" --rounds "$rounds"
