#!/usr/bin/env bash
# The whole test suite: what the README's second command and CI run.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export CARGO_TERM_COLOR=never

echo "== format"
cargo fmt --all -- --check
echo "== lint"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The bindings exist only in WebAssembly. The wasm profile shares its build scripts and macros
# with `npm run build` below.
cargo clippy --locked --profile wasm --target wasm32-unknown-unknown -p zkinfer-wasm -- -D warnings

log=$(mktemp)
tap=$(mktemp)
pytest_log=$(mktemp)
trap 'rm -f "$log" "$tap" "$pytest_log"' EXIT
failed=0
echo "== tests"
cargo test --workspace --locked 2>&1 | tee "$log" || failed=1
echo "== npm package: WebAssembly build, Node and Chromium tests"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "test: Node 20 and npm are needed for the npm package's tests" >&2
  failed=1
# The WebAssembly module and its bindings, then the native CLI (dev profile, sharing cargo
# test's build) that the Node tests check envelopes against.
elif npm run build && cargo build --locked -p zkinfer --bin zkinfer; then
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" tests/node/ tests/browser/ || failed=1
else
  failed=1
fi
echo "== Python package: built into the venv by maturin, then pytest"
# The venv of scripts/setup-python.sh (pinned maturin, pytest and the libraries); the CLI built
# above verifies envelopes the package proves, and the other way round.
venv="${ZKINFER_VENV:-$HOME/.cache/zkinfer/venv}"
if scripts/setup-python.sh \
  && VIRTUAL_ENV="$venv" "$venv/bin/maturin" develop --locked --quiet -m python/Cargo.toml; then
  "$venv/bin/python" -m pytest -q -p no:cacheprovider python/tests 2>&1 | tee "$pytest_log" \
    || failed=1
else
  failed=1
fi
echo "== fuzzing: the short pass (every target for 20 s; scripts/fuzz.sh --help for the long one)"
scripts/fuzz.sh --seconds 20 --jobs 2 || failed=1
# One closing line with the totals of every cargo test binary (cargo's own last line is often an
# empty doc-test run), of the Node tests and of pytest.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     FILENAME == ARGV[2] && /^# pass / { p += $3 }
     FILENAME == ARGV[2] && /^# fail / { f += $3 }
     FILENAME == ARGV[3] && / in [0-9.]+s/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed,?$/) p += $(i-1); if ($i ~ /^(failed|errors?),?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log" "$tap" "$pytest_log"
exit "$failed"
