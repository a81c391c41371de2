#!/usr/bin/env bash
# Production-size models (README, "Production-size models"): trains them with the real libraries
# (scripts/production-models.py), imports each, proves and verifies its first calibration row
# natively, default profile, one thread, and prints a markdown table. A benchmark, not a test.
#   scripts/bench-production.sh [DIR]        (default target/production)
# Needs the Python environment of scripts/setup-python.sh (ZKINFER_VENV to use another).
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${1:-target/production}"
python="${ZKINFER_VENV:-$HOME/.cache/zkinfer/venv}/bin/python"
mkdir -p "$dir"
[ -f "$dir/random_forest_default.onnx" ] || "$python" scripts/production-models.py "$dir" >&2
cargo build --release --locked -p zkinfer --bin zkinfer >&2
zkinfer=target/release/zkinfer

echo "| model | splits | trace (largest) | prove s | peak RSS MB | verify s | proof KB |"
echo "|---|---|---|---|---|---|---|"
for file in xgboost_1000x6.json lightgbm_400x31.txt random_forest_default.onnx \
  xgboost_100x6_30f.json xgboost_100x6_100f.json xgboost_100x6_200f.json xgboost_100x6_400f.json; do
  name="${file%.*}"
  model="$dir/$name.zk.json"
  if ! "$zkinfer" import "$dir/$file" -o "$model" --calibrate "$dir/$name.csv" >/dev/null 2>"$dir/$name.err"; then
    echo "| $name | | refused: $(tail -1 "$dir/$name.err") | | | | |"
    continue
  fi
  report=$("$zkinfer" inspect "$model")
  splits=$(sed -n 's/^body .* \([0-9]*\) splits.*/\1/p' <<<"$report")
  trace=$(sed -n 's/^trace *at most \([0-9]* rows × [0-9]* base columns\).*/\1/p' <<<"$report")
  envelope="$dir/$name.envelope.json"
  prove=$(/usr/bin/time -f '%e %M' "$zkinfer" prove "$model" "$dir/$name.csv" -o "$envelope" 2>&1 >/dev/null | tail -1)
  verify=$(/usr/bin/time -f '%e' "$zkinfer" verify "$model" "$envelope" 2>&1 >/dev/null | tail -1)
  proof=$("$python" -c "import json,base64,sys; print(f'{len(base64.b64decode(json.load(open(sys.argv[1]))[\"proof\"]))/1000:.1f}')" "$envelope")
  read -r seconds rss <<<"$prove"
  echo "| $name | $splits | $trace | $seconds | $((rss / 1024)) | $verify | $proof |"
done
