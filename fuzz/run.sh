#!/usr/bin/env bash
# Fuzzes the WAV and AU decoders for a fixed time budget.
#
#   fuzz/run.sh [--seconds N] [--target all|wav|au] [--mode afl|mutate] [--seed S]
#
# --mode afl (default): coverage-guided, AFL++ (Debian's afl++) driving a SharpFuzz-instrumented Genre.dll
#   (only the Genre.Audio namespace is instrumented). Installs afl++ and the SharpFuzz.CommandLine tool if missing.
# --mode mutate: the seeded random mutator in fuzz/Genre.Fuzz/Mutator.cs (no coverage feedback; reproducible by seed).
# The seed corpus is fuzz/corpus/ (regenerate with: dotnet <bin>/Genre.Fuzz.dll seeds fuzz/corpus).
# Any crashing or hanging input is copied to tests/fixtures/fuzz/, which FuzzRegressionTests replays.
# Exit status: 0 when nothing was found, 1 when crashes or hangs were found.
set -euo pipefail
seconds=600 target=all mode=afl seed=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --mode) mode="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    *) echo "usage: fuzz/run.sh [--seconds N] [--target all|wav|au] [--mode afl|mutate] [--seed S]" >&2; exit 2 ;;
  esac
done
[[ "$target" =~ ^(all|wav|au)$ ]] || { echo "--target must be all, wav or au" >&2; exit 2; }
[[ "$mode" =~ ^(afl|mutate)$ ]] || { echo "--mode must be afl or mutate" >&2; exit 2; }

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/fuzz/.work"
fixtures="$root/tests/fixtures/fuzz"
mkdir -p "$work" "$fixtures"

# The machine is shared: builds take the project's build lock, the fuzz run itself is niced.
flock /tmp/genre-build.lock dotnet build "$root/fuzz/Genre.Fuzz" -c Release 2>&1 | grep -E " error |rror\(s\)|Elapsed" || true
bin="$root/fuzz/Genre.Fuzz/bin/Release/net10.0"
[[ -f "$bin/Genre.Fuzz.dll" ]] || { echo "build failed" >&2; exit 1; }

keep() { # keep <kind> <file>: copy a finding into the regression fixtures under a content-derived name
  local name="$1-$(sha256sum "$2" | cut -c1-16).bin"
  cp "$2" "$fixtures/$name" && echo "kept $fixtures/$name"
}

if [[ "$mode" == mutate ]]; then
  out="$work/mutate-findings"; rm -rf "$out"
  status=0
  nice -n 10 dotnet "$bin/Genre.Fuzz.dll" mutate "$root/fuzz/corpus" "$seconds" "$seed" "$out" "$target" || status=$?
  for f in "$out"/*.bin; do [[ -e "$f" ]] && keep "mutate-$(basename "$f" | cut -d- -f1)" "$f"; done
  exit $status
fi

export PATH="$PATH:$HOME/.dotnet/tools"
command -v afl-fuzz >/dev/null || apt-get install -y afl++ >/dev/null
command -v sharpfuzz >/dev/null || dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null
# Instrument a fresh copy of Genre.dll (the rest hard-linked: TorchSharp's natives are large), so the plain
# build stays usable for --mode mutate and replays.
rm -rf "$work/afl-bin" && cp -al "$bin" "$work/afl-bin" && rm "$work/afl-bin/Genre.dll" && cp "$bin/Genre.dll" "$work/afl-bin/"
sharpfuzz "$work/afl-bin/Genre.dll" Genre.Audio

out="$work/afl-findings"; rm -rf "$out"
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
# -t 5000: an input taking over 5 s is a hang; -m none: memory is checked by the harness (FuzzTarget.MaxAllocatedBytes).
nice -n 10 afl-fuzz -i "$root/fuzz/corpus" -o "$out" -t 5000 -m none -V "$seconds" -- \
  dotnet "$work/afl-bin/Genre.Fuzz.dll" afl "$target" > "$work/afl.log" 2>&1 || { tail -30 "$work/afl.log"; exit 1; }

stats="$out/default/fuzzer_stats"
stat() { awk -v k="$1" '$1 == k { print $3 }' "$stats"; }
echo "AFL++ $(stat afl_version) + SharpFuzz, target $target, $(stat run_time) s"
echo "fuzz executions: $(stat execs_done) ($(stat execs_per_sec)/s)"
echo "coverage: $(stat edges_found) edges of the instrumented Genre.Audio code, corpus $(stat corpus_count) inputs ($(stat corpus_found) found), stability $(stat stability)"
echo "crashes: $(stat saved_crashes), hangs: $(stat saved_hangs)"
for f in "$out"/default/crashes/id:* ; do [[ -e "$f" ]] && keep afl-crash "$f"; done
for f in "$out"/default/hangs/id:* ; do [[ -e "$f" ]] && keep afl-hang "$f"; done
[[ "$(stat saved_crashes)" == 0 && "$(stat saved_hangs)" == 0 ]]
