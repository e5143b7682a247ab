#!/usr/bin/env bash
# Explaining a song against predicting it, in process (start-up left out): medians of 5.
# Usage: bench/explain.sh MODEL_DIR SONG [--repeat 5]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$here/.genre/bench"
[ $# -ge 2 ] || { echo "usage: bench/explain.sh MODEL_DIR SONG [--repeat 5]" >&2; exit 2; }
model=$1 song=$2; shift 2
dotnet build "$here/bench/Genre.Bench/Genre.Bench.csproj" -c Release -o "$out" -nologo -v quiet -clp:ErrorsOnly >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
dotnet "$out/Genre.Bench.dll" explain --model "$model" --song "$song" "$@"
