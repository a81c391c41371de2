#!/usr/bin/env bash
# Builds the WebAssembly module and its JavaScript bindings into web/pkg/ (what `npm run build`
# runs). Idempotent: the setup script installs the tools once, cargo rebuilds only what changed.
#   web/pkg/zkinfer_wasm.js          wasm-bindgen bindings (--target web: ES module, browsers,
#                                    bundlers and Node; web/src/index.js loads the module)
#   web/pkg/zkinfer_wasm_bg.wasm     the module
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh >/dev/null
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
target_dir="${CARGO_TARGET_DIR:-target}"

echo "build-wasm: cargo build --profile wasm --target wasm32-unknown-unknown -p zkinfer-wasm"
cargo build --locked --profile wasm --target wasm32-unknown-unknown -p zkinfer-wasm
rm -rf web/pkg
"$cargo_bin/wasm-bindgen" --target web --remove-name-section --remove-producers-section \
  --out-dir web/pkg "$target_dir/wasm32-unknown-unknown/wasm/zkinfer_wasm.wasm"
wasm=web/pkg/zkinfer_wasm_bg.wasm
echo "build-wasm: $wasm $(wc -c <"$wasm") bytes ($(gzip -9 -c "$wasm" | wc -c) gzipped)"
