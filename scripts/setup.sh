#!/usr/bin/env bash
# Installs what building and testing zkinfer needs on a fresh machine. Idempotent: every step
# checks first and skips what is already there.
#   scripts/setup.sh            Rust toolchain components for the test suite
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

if [ "${1:-}" = "--python" ]; then
  scripts/setup-python.sh
fi
log "ready ($(cargo --version))"
