#!/usr/bin/env bash
# Feature throughput: `genre prepare` against Debian's torchaudio doing the same work
# (read 22.05 kHz mono WAV, 4-s chunks with 2-s overlap, librosa-equal mel, dB, 150x150 bilinear),
# side by side in one run on the same files. Usage: bench/features.sh [CLIPS] (default 120).
# Needs: apt-get install python3-torch python3-torchaudio python3-numpy
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clips=${1:-120}
# in memory (tmpfs) when available, so the figure measures the computation, not the disk
work=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )")
trap 'rm -rf "$work"' EXIT
"$here/genre" synth --out "$work/data" --genres 6 --clips $(( (clips + 5) / 6 )) --seconds 30 --seed 5 >/dev/null 2>&1
line=$("$here/genre" prepare --data "$work/data" --out "$work/cache" 2>&1 | grep -E 'computed' | tail -n 1)
seconds=$(sed -nE 's/.* in ([0-9.]+) s.*/\1/p' <<<"$line")
songs=$(sed -nE 's/.*: ([0-9]+) songs.*/\1/p' <<<"$line")
ours_rt=$(awk -v n="$songs" -v s="$seconds" 'BEGIN { printf "%.0f", n * 30 / s }')
ours_ms=$(awk -v n="$songs" -v s="$seconds" 'BEGIN { printf "%.1f", s * 1000 / n }')
echo "genre prepare: files=$songs audio_seconds=$((songs * 30)) wall_seconds=$seconds realtime=${ours_rt} ms_per_30s_clip=${ours_ms}"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torchaudio' 2>/dev/null; then
  peer=$(/usr/bin/python3 "$here/bench/torchaudio_features.py" "$work/data" --threads "$(nproc)" 2>/dev/null)
  echo "$peer"
  peer_ms=$(sed -nE 's/.*ms_per_30s_clip=([0-9.]+).*/\1/p' <<<"$peer")
  awk -v a="$peer_ms" -v b="$ours_ms" 'BEGIN { printf "speed-up over torchaudio: %.1fx\n", a / b }'
else
  echo "torchaudio: not installed (apt-get install python3-torch python3-torchaudio)"
fi
