#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/fuzz_targets/) for a bounded time and prints a table of
# executions and coverage per target. Exits 1 if any target crashed, hung or ran out of memory;
# the input that did it is kept in target/fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh                      the short pass CI runs: 20 s per target
#   scripts/fuzz.sh --seconds 600 --jobs 2
#                                        the long pass (10 min per target, two at a time)
#   scripts/fuzz.sh --seconds 60 proof_verify http_request
#                                        some targets only
#
# Corpora grow in target/fuzz/corpus/<target>/, seeded from tests/fuzz/seeds/ and examples/ by
# the `fuzz-corpora` tool. A crash found here is fixed with its input committed to
# tests/fuzz/regressions/<target>/, which the ordinary test suite replays (tests/fuzz_corpora.rs).
#
# cargo-fuzz needs nightly compiler flags; on a stable toolchain RUSTC_BOOTSTRAP=1 allows them.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
jobs=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

fuzz_dir=tests/fuzz
out=target/fuzz
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list --fuzz-dir "$fuzz_dir")
fi

echo "fuzz: building the targets (release, debug assertions, AddressSanitizer)"
RUSTC_BOOTSTRAP=1 cargo fuzz build --fuzz-dir "$fuzz_dir" --target-dir "$out"
bin_dir="$out/x86_64-unknown-linux-gnu/release"

cargo run -q -p zkinfer-integration --bin fuzz-corpora -- "$out/corpus"

run_target() {
  local target=$1 log="$out/logs/$1.log"
  mkdir -p "$out/artifacts/$target" "$out/logs"
  local status=0
  "$bin_dir/$target" "$out/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/$target/" >"$log" 2>&1 || status=$?
  echo "$status" >"$out/logs/$target.status"
}

running=0
for target in "${targets[@]}"; do
  run_target "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

failed=0
printf '%-16s %10s %9s %8s %8s %7s  %s\n' target seconds execs exec/s cov features result
for target in "${targets[@]}"; do
  log="$out/logs/$target.log"
  status=$(cat "$out/logs/$target.status")
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  result=ok
  if [ "$status" != 0 ]; then
    result="FAILED (exit $status; see $log)"
    failed=1
  fi
  printf '%-16s %10s %9s %8s %8s %7s  %s\n' "$target" "$seconds" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "$result"
done
exit "$failed"
