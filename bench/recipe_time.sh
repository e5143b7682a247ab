#!/usr/bin/env bash
# Time and accuracy of the two recipes on data shaped like the held-out check of issue 17 (100 songs of 15-20 s,
# one 80/20 split by song): the hard synthetic set, 8 genres x 12 clips of 17.5 s (96 songs), one run of each recipe
# on the same split, the same machine, one after the other. Prints each run's seconds per epoch (median), kept epoch,
# seconds to it, whole-command wall time and song-level validation accuracy, then the ratio tutorial / default.
# Usage: bench/recipe_time.sh [--epochs-tutorial 30] [--epochs-default 40]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${WORK:-$here/.genre/recipe-time}"
rm -rf "$work" && mkdir -p "$work"
genre="${GENRE:-$here/genre}"
"$genre" synth --hard --genres 8 --clips 12 --seconds 17.5 --seed 5 --out "$work/data" >/dev/null 2>&1
run() { # recipe, out dir
  local start end
  start=$(date +%s.%N)
  "$genre" train --data "$work/data" --recipe "$1" --out "$work/$1" >"$work/$1.log" 2>&1
  end=$(date +%s.%N)
  /usr/bin/python3 - "$work/$1" "$1" "$start" "$end" <<'PY'
import json, sys, statistics
d, name, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
h = json.load(open(d + "/history.json")); c = json.load(open(d + "/config.json"))
best = c["best_epoch"]
print(f"recipe={name} epochs={len(h['loss'])} s_per_epoch_median={statistics.median(h['seconds']):.1f} kept_epoch={best} "
      f"s_to_kept={sum(h['seconds'][:best]):.0f} wall_s={end - start:.0f} val_song_accuracy={h['val_song_accuracy'][best - 1]:.3f}")
PY
}
a=$(run tutorial); echo "$a"
b=$(run default); echo "$b"
awk -v a="$a" -v b="$b" 'function f(l, k) { match(l, k "=[0-9.]+"); return substr(l, RSTART + length(k) + 1, RLENGTH - length(k) - 1) }
  BEGIN { printf "ratio tutorial/default: s_per_epoch %.2f, s_to_kept %.2f, wall %.2f\n", f(a, "s_per_epoch_median") / f(b, "s_per_epoch_median"),
          f(a, "s_to_kept") / f(b, "s_to_kept"), f(a, "wall_s") / f(b, "wall_s") }'
