"""The wheel maturin builds installs into a fresh virtual environment and works there with no
Rust toolchain on PATH: one abi3 wheel, nothing compiled at install time."""

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MATURIN = Path(sys.executable).with_name("maturin")

PROBE = """
import json, sys, zkinfer
model = zkinfer.Model.load(sys.argv[1])
x = [float(v) for v in open(sys.argv[2]).read().splitlines()[1].split(",")[:len(model.features)]]
envelope, opening = model.prove(x, context=b"fresh")
verified = zkinfer.verify(model, envelope, context=b"fresh")
print(json.dumps({"id": model.id, "class": verified["output"]["class"]}))
"""


def test_the_wheel_installs_and_proves_without_rust(tmp_path):
    built = subprocess.run(
        [MATURIN, "build", "--locked", "--quiet", "-m", ROOT / "python" / "Cargo.toml",
         "--out", tmp_path / "dist"],
        capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("zkinfer-*.whl")
    assert "-cp39-abi3-" in wheel.name, wheel.name
    # The package, its stubs and one compiled extension: nothing to build at install time.
    names = zipfile.ZipFile(wheel).namelist()
    for member in ("zkinfer/__init__.py", "zkinfer/_native.pyi", "zkinfer/py.typed"):
        assert member in names, names
    assert [n for n in names if n.endswith(".so")] == ["zkinfer/_native.abi3.so"], names
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=True)
    python = fresh / "bin" / "python"
    # No index, no build: the wheel alone, with nothing on PATH but the system's own tools.
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    installed = subprocess.run(
        [python, "-m", "pip", "install", "--no-index", "--no-deps", "--quiet",
         "--disable-pip-version-check", wheel],
        capture_output=True, text=True, env=bare)
    assert installed.returncode == 0, installed.stderr
    for tool in ("cargo", "rustc", "maturin"):
        found = subprocess.run(["sh", "-c", f"command -v {tool}"], env=bare, capture_output=True)
        assert found.returncode != 0, f"{tool} is on the bare PATH"
    example = ROOT / "examples" / "models" / "credit_xgboost"
    ran = subprocess.run([python, "-c", PROBE, example / "model.json", example / "heldout.csv"],
                         capture_output=True, text=True, env=bare, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert '"class": ' in ran.stdout
