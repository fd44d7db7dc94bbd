#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets/) for SECONDS each and prints, per
# target and in total, the executions and the crashes. Exits 1 if any target crashed;
# a crash's input is kept in fuzz/artifacts/<target>/ to become a regression test.
# Needs nightly Rust and cargo-fuzz (`npm run setup` installs the pinned cargo-fuzz).
# Usage: pkg-scripts/fuzz.sh SECONDS
set -euo pipefail

seconds=${1:?usage: pkg-scripts/fuzz.sh SECONDS (per target)}
cd "$(dirname "$0")/.."
export PATH="${SHELFWISE_TOOLS:-$HOME/.cache/shelfwise-tools}/bin:$PATH"
targets=(stored_profile events tc_string import rank wire_rows)

build_log=$(mktemp)
if ! cargo +nightly fuzz build -O >"$build_log" 2>&1; then
  cat "$build_log" >&2
  exit 1
fi
rm -f "$build_log"

printf '%-16s %14s %8s\n' target executions crashes
total=0
crashed=0
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  artifacts="fuzz/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  before=$(find "$artifacts" -type f | wc -l)
  log=$(mktemp)
  # The committed seeds start the corpus; new inputs go to fuzz/corpus (not committed).
  cargo +nightly fuzz run -O "$target" "$corpus" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 >"$log" 2>&1 || true
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  crashes=$(( $(find "$artifacts" -type f | wc -l) - before ))
  if grep -q 'ERROR: libFuzzer' "$log" && (( crashes == 0 )); then crashes=1; fi
  printf '%-16s %14s %8s\n' "$target" "$runs" "$crashes"
  if (( crashes > 0 )); then grep -m1 -A3 'panicked\|ERROR' "$log" >&2 || true; fi
  total=$(( total + runs ))
  crashed=$(( crashed + crashes ))
  rm -f "$log"
done
echo "fuzz: $total executions, $crashed crashes ($seconds s per target)"
(( crashed == 0 ))
