#!/usr/bin/env bash
# Tagging a library from a results file against tagging that predicts: 1,000 synthetic 10-s WAV clips (5 genres), a
# network trained for one epoch (its quality does not change the work). Times, on two identical copies of the library:
#   tag             genre tag --model M LIBRARY               (decodes and classifies every song, then tags)
#   predict         genre predict --model M LIBRARY --results R.jsonl
#   from-results    genre tag --from-results R.jsonl          (reads R, checks each file's size and mtime, tags; no network)
# Usage: bench/tag.sh [CLIPS] [SECONDS]   (defaults 1000 clips of 10 s; a few minutes on 2 cores)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clips=${1:-1000}
seconds=${2:-10}
work=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )")
trap 'rm -rf "$work"' EXIT
genre="${GENRE:-$here/genre}"

"$genre" synth --out "$work/train" --genres 5 --clips 6 --seconds "$seconds" --seed 7 >/dev/null 2>&1
"$genre" train --data "$work/train" --out "$work/model" --epochs 1 >/dev/null 2>&1
"$genre" synth --out "$work/a" --genres 5 --clips $(( (clips + 4) / 5 )) --seconds "$seconds" --seed 11 >/dev/null 2>&1
cp -a "$work/a" "$work/b"
echo "library: $(find "$work/a" -name '*.wav' | wc -l) clips of $seconds s (WAV, in memory), $(nproc) cores, default network"

timed() { # label, command... -> "label seconds" and the command's last line
  local label=$1 start end last; shift
  start=$(date +%s.%N)
  last=$("$@" 2>&1 | tail -n 1)
  end=$(date +%s.%N)
  printf '%-13s %6.1f s   (%s)\n' "$label" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$last"
}
timed tag "$genre" tag --model "$work/model" --min-confidence 0 --journal "$work/a.journal.json" "$work/a" | tee "$work/t1"
timed predict "$genre" predict --model "$work/model" --results "$work/b.jsonl" --format csv "$work/b" | tee "$work/t2"
timed from-results "$genre" tag --from-results "$work/b.jsonl" --min-confidence 0 --journal "$work/b.journal.json" | tee "$work/t3"
awk '{ t[NR] = $2 } END { printf "ratio tag / tag --from-results: %.0f; tag / (predict + tag --from-results): %.2f\n", t[1] / t[3], t[1] / (t[2] + t[3]) }' \
  "$work/t1" "$work/t2" "$work/t3"
