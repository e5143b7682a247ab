#!/usr/bin/env bash
# A music library at scale: `genre predict FOLDER --results FILE` over 1,000 synthetic clips with the compact and
# the seed networks; prints songs per second, the cost per song in core-seconds (to size a cluster) and the peak
# memory of the whole command, at 100 and at 1,000 songs (memory should not grow with the folder).
# Usage: bench/library.sh [CLIPS] [SECONDS] [PRECISION]   (defaults 1000 clips of 10 s, --precision auto:
# a few minutes on 2 cores)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clips=${1:-1000}
seconds=${2:-10}
precision=${3:-auto}
work=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )")
trap 'rm -rf "$work"' EXIT
genre() { "$here/genre" "$@"; }

# Models: one epoch on a small set is enough to measure speed (the weights' quality does not change the work).
genre synth --out "$work/train" --genres 5 --clips 6 --seconds "$seconds" --seed 7 >/dev/null 2>&1
for arch in compact seed; do
  genre train --data "$work/train" --out "$work/model-$arch" --arch "$arch" --epochs 1 >/dev/null 2>&1
done
genre synth --out "$work/library" --genres 5 --clips $(( (clips + 4) / 5 )) --seconds "$seconds" --seed 11 >/dev/null 2>&1
mkdir -p "$work/small"
find "$work/library" -name '*.wav' | sort | sed -n '1,100p' | xargs -I{} cp {} "$work/small/"
total=$(find "$work/library" -name '*.wav' | wc -l)
echo "library: $total clips of $seconds s (22.05 kHz mono WAV, in memory), $(nproc) cores, --precision $precision"

run() { # arch folder songs -> "songs_per_s core_ms_per_song peak_mb"
  local arch=$1 folder=$2 songs=$3 start end rss
  rm -f "$work/results.jsonl"
  start=$(date +%s.%N)
  /usr/bin/time -o "$work/rss" -f '%M' "$here/genre" predict --model "$work/model-$arch" "$folder" --results "$work/results.jsonl" --format csv --precision "$precision" >/dev/null 2>"$work/err"
  rss=$(tail -n 1 "$work/rss")
  end=$(date +%s.%N)
  [ "$(wc -l < "$work/results.jsonl")" -eq "$songs" ] || { echo "expected $songs results lines" >&2; exit 1; }
  awk -v n="$songs" -v a="$start" -v b="$end" -v r="$rss" -v c="$(nproc)" \
    'BEGIN { w = b - a; printf "%.1f %.0f %.0f %.1f", n / w, w * c * 1000 / n, r / 1024, w }'
}

GENRE_NO_BUILD=1 genre --help >/dev/null 2>&1 || genre --help >/dev/null
for arch in compact seed; do
  read -r _ _ small_mb _ <<<"$(run "$arch" "$work/small" 100)"
  read -r rate core_ms peak_mb wall <<<"$(run "$arch" "$work/library" "$total")"
  grep -m1 '^precision' "$work/err" | sed "s/^/$arch: /"
  # scaled to a 30-s song by the chunk count (4-s chunks, 2-s hop: 14 chunks in 30 s)
  per30=$(awk -v m="$core_ms" -v s="$seconds" 'BEGIN { c = s <= 4 ? 1 : int((s - 4) / 2 + 0.999999) + 1; printf "%.0f", m * 14 / c }')
  echo "$arch: songs=$total wall_s=$wall songs_per_s=$rate core_ms_per_song=$core_ms core_ms_per_30s_song~$per30 peak_rss_mb=$peak_mb (100 songs: $small_mb)"
done
# a re-run finds every song in the results file and classifies none
rm -f "$work/results.jsonl"
genre predict --model "$work/model-compact" "$work/small" --results "$work/results.jsonl" >/dev/null 2>&1
start=$(date +%s.%N)
again=$(genre predict --model "$work/model-compact" "$work/small" --results "$work/results.jsonl" 2>&1 >/dev/null | tail -n 1)
end=$(date +%s.%N)
echo "re-run of 100 songs already in the results file: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s ($again)"
