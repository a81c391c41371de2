"""The production-size models of the README's "Production-size models" table (issue 16's), trained
with the real libraries on synthetic data: a benchmark's inputs, not examples (they are large and
say nothing about any real data set). Writes each model and a 50-row calibration CSV to DIR.

    python scripts/production-models.py DIR
"""

import sys
from pathlib import Path

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from skl2onnx import to_onnx
from sklearn.ensemble import RandomForestClassifier

rng = np.random.default_rng(16)
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)


def data(rows, features):
    """A binary task on normal features: a noisy linear rule with one nonlinear term."""
    x = rng.normal(size=(rows, features)).astype(np.float32)
    w = rng.normal(size=features)
    y = x @ w + 0.5 * np.sin(3 * x[:, 0]) + rng.normal(scale=0.5, size=rows)
    return x, (y > 0).astype(int)


def calibration(name, x, header):
    np.savetxt(out / f"{name}.csv", x[:50], delimiter=",", header=",".join(header), comments="")


def names(features):
    return [f"f{i}" for i in range(features)]


x, y = data(20000, 24)
booster = xgb.XGBClassifier(n_estimators=1000, max_depth=6, learning_rate=0.05, n_jobs=2)
booster.fit(x, y)
booster.get_booster().save_model(out / "xgboost_1000x6.json")
calibration("xgboost_1000x6", x, names(24))

for features in (30, 100, 200, 400):
    x, y = data(10000, features)
    booster = xgb.XGBClassifier(n_estimators=100, max_depth=6, n_jobs=2)
    booster.fit(x, y)
    booster.get_booster().save_model(out / f"xgboost_100x6_{features}f.json")
    calibration(f"xgboost_100x6_{features}f", x, names(features))

x, y = data(20000, 24)
leaves = lgb.LGBMClassifier(n_estimators=400, num_leaves=31, verbose=-1, n_jobs=2)
leaves.fit(x, y)
leaves.booster_.save_model(out / "lightgbm_400x31.txt")
calibration("lightgbm_400x31", x, [f"Column_{i}" for i in range(24)])

x, y = data(4000, 24)
forest = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=2)
forest.fit(x, y)
onnx = to_onnx(forest, x[:1], options={id(forest): {"zipmap": False}})
(out / "random_forest_default.onnx").write_bytes(onnx.SerializeToString())
calibration("random_forest_default", x, names(24))
