#!/usr/bin/env bash
# Installs what building and testing zkinfer needs on a fresh machine. Idempotent: every step
# checks first and skips what is already there.
#   scripts/setup.sh            Rust toolchain components for the test suite, the WebAssembly
#                               target and wasm-bindgen-cli (for `npm run build`), Chromium and
#                               the npm devDependencies (for the browser tests)
#   scripts/setup.sh --python   also the Python environment that regenerates examples/
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*"; }

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "setup: cargo not found; install Rust with rustup first" >&2
    exit 1
  fi
fi

if command -v rustup >/dev/null 2>&1; then
  installed=$(rustup component list --installed 2>/dev/null || true)
  for component in rustfmt clippy; do
    if ! grep -q "^$component" <<<"$installed"; then
      log "adding rust component $component"
      rustup component add "$component"
    fi
  done
fi

# The WebAssembly build: the target, and wasm-bindgen-cli at exactly the version of the
# wasm-bindgen crate in Cargo.lock (the two must match), cached in cargo's bin directory. Built
# with --debug (about a minute on two cores): its output is the same as a release build's.
if command -v rustup >/dev/null 2>&1; then
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
fi
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
bindgen_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
if [ -z "$bindgen_version" ]; then
  echo "setup: no wasm-bindgen version in Cargo.lock" >&2
  exit 1
fi
if [ "$("$cargo_bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]; then
  log "installing wasm-bindgen-cli $bindgen_version into $cargo_bin (about a minute)"
  cargo install wasm-bindgen-cli --version "$bindgen_version" --debug --force \
    --root "${CARGO_HOME:-$HOME/.cargo}" --quiet
fi

# The fuzzers (scripts/fuzz.sh): cargo-fuzz, pinned and cached in cargo's bin directory. It
# builds libFuzzer with the machine's C++ compiler.
fuzz_version=0.13.2
if [ "$("$cargo_bin/cargo-fuzz" --version 2>/dev/null)" != "cargo-fuzz $fuzz_version" ]; then
  log "installing cargo-fuzz $fuzz_version into $cargo_bin (about a minute)"
  cargo install cargo-fuzz --version "$fuzz_version" --locked --debug --force \
    --root "${CARGO_HOME:-$HOME/.cargo}" --quiet
fi

# The browser tests (tests/browser/) drive the system's Chromium through playwright-core, which
# downloads no browser of its own: Debian's chromium package, unless $CHROMIUM names another
# (then nothing is installed: apt would not put it there).
if [ -n "${CHROMIUM:-}" ]; then
  [ -x "$CHROMIUM" ] || log "warning: \$CHROMIUM=$CHROMIUM is not executable; browser tests fail"
elif [ ! -x /usr/bin/chromium ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo=sudo; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "skipping chromium: no apt-get; install Chromium and set \$CHROMIUM for the browser tests"
  elif [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
    log "skipping chromium: not root and no sudo; apt-get install chromium for the browser tests"
  else
    log "installing chromium with apt-get (for the browser tests)"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
fi

# The npm devDependencies (playwright-core), exactly as package-lock.json pins them: installed
# when node_modules is missing or older than the lock file (npm records what it installed in
# node_modules/.package-lock.json).
if ! command -v npm >/dev/null 2>&1; then
  log "skipping npm devDependencies: no npm (Node 20 and npm run the npm package's tests)"
elif [ ! -f node_modules/.package-lock.json ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing the npm devDependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = "--python" ]; then
  scripts/setup-python.sh
fi
log "ready ($(cargo --version))"
