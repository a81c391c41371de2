#!/usr/bin/env bash
# Creates the Python environment that regenerates examples/ (examples/train.py) and builds and
# tests the Python package (python/, with maturin and pytest). Idempotent: the venv is created
# only if missing, and pip runs only if some pinned requirement is not installed at exactly its
# pinned version.
#   scripts/setup-python.sh
#   ZKINFER_VENV=/path/to/venv scripts/setup-python.sh      (default ~/.cache/zkinfer/venv)
#   PYTHON=python3.12 scripts/setup-python.sh                (interpreter that creates the venv)
# Then: "$VENV/bin/python" examples/train.py; scripts/test.sh runs it for the package's tests.
# The Rust tests never need it: they read only the committed files.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup-python: %s\n' "$*"; }

venv="${ZKINFER_VENV:-$HOME/.cache/zkinfer/venv}"
# What regenerates examples/, and what builds and tests the Python package (python/).
requirements=(examples/requirements.txt python/requirements-test.txt)
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "setup-python: $python not found; install Python 3.11 or newer" >&2
    exit 1
  fi
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup-python: $python is $("$python" --version 2>&1); Python 3.11 or newer is needed" >&2
    exit 1
  fi
  log "creating venv $venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
fi

# Exit 0 when every "name==version" line of the requirements is installed at that version.
satisfied() {
  "$venv/bin/python" - "${requirements[@]}" <<'EOF'
import sys
from importlib import metadata

missing = []
lines = [line for path in sys.argv[1:] for line in open(path, encoding="utf-8")]
for line in lines:
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, want = line.partition("==")
    try:
        have = metadata.version(name.strip())
    except metadata.PackageNotFoundError:
        have = None
    if have != want.strip():
        missing.append(f"{name.strip()}=={want.strip()} (have {have})")
if missing:
    print("setup-python: to install: " + ", ".join(missing))
    sys.exit(1)
EOF
}

if satisfied; then
  log "requirements already satisfied in $venv"
else
  log "installing ${requirements[*]} into $venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
    -r "${requirements[0]}" -r "${requirements[1]}"
  satisfied
fi
log "ready: $venv/bin/python examples/train.py"
