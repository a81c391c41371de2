"""zkinfer: prove the inference of a public model on private data, and verify such proofs.

    import zkinfer

    model = zkinfer.Model.load("model.zk.json")          # or an XGBoost, LightGBM, CatBoost, ONNX file
    envelope, opening = model.prove(x, at_least_probability=0.6, context=b"nonce 7f3a")
    verified = zkinfer.verify(model, envelope, context=b"nonce 7f3a")

`envelope` is public (send it with `envelope.to_json()`); `opening` is SECRET: with the input,
it opens the input commitment. Every failure raises a subclass of `ZkinferError` whose `code` is
one of the npm package's stable codes.
"""

from __future__ import annotations

import builtins
from typing import Any, Callable, Optional, Sequence, Union

from . import _native
from ._native import (
    BadEnvelopeError,
    BadInputError,
    BadModelError,
    Envelope,
    InternalError,
    InvalidProofError,
    UnsupportedError,
    ZkinferError,
)

__version__ = _native.__version__

__all__ = [
    "Model",
    "Envelope",
    "verify",
    "open",
    "ZkinferError",
    "BadModelError",
    "BadInputError",
    "UnsupportedError",
    "BadEnvelopeError",
    "InvalidProofError",
    "InternalError",
]


def _is_frame(x: Any) -> bool:
    return hasattr(x, "columns") and hasattr(x, "to_dict") and hasattr(x, "to_numpy")


def _rows(x: Any) -> list:
    """Rows of a 2-D input (a NumPy array, a pandas DataFrame, a list of rows or of mappings)
    as Python lists or dicts, each one input. A DataFrame's rows are keyed by its column names,
    or in column order when they are not all strings (a frame made from an array)."""
    if _is_frame(x):
        if all(isinstance(c, str) for c in x.columns):
            return x.to_dict("records")
        return x.to_numpy(dtype=object).tolist()
    if isinstance(x, (str, bytes, dict)):
        raise BadInputError("expected rows: a 2-D array, a DataFrame, or a list of rows")
    if hasattr(x, "tolist"):
        x = x.tolist()
    rows = list(x)
    if any(not isinstance(row, (list, tuple, dict)) for row in rows):
        raise BadInputError("expected rows: a 2-D array, a DataFrame, or a list of rows")
    return rows


def _row(x: Any) -> Any:
    """One input as `prove` reads it: a pandas Series becomes a mapping of its index, a
    DataFrame of one row that row, a NumPy row a list."""
    if _is_frame(x):
        rows = _rows(x)
        if len(rows) != 1:
            raise BadInputError(f"one input is one row; the DataFrame has {len(rows)}")
        return rows[0]
    if hasattr(x, "to_dict") and hasattr(x, "index"):
        if all(isinstance(k, str) for k in x.index):
            return x.to_dict()
        return x.tolist()
    if hasattr(x, "tolist"):
        return x.tolist()
    return x


class Model:
    """A validated zkinfer model: fixed-point, with its id (BLAKE3 of its canonical JSON)."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.Model) -> None:
        self._native = native

    @staticmethod
    def from_json(json: Union[str, bytes]) -> "Model":
        """Reads a zkinfer model's JSON."""
        return Model(_native.Model.from_json(json))

    @staticmethod
    def load(
        path: Any,
        calibrate: Any = None,
        headroom: Optional[float] = None,
        iterations: Optional[int] = None,
        class_labels: Optional[Sequence[str]] = None,
        feature_names: Optional[Sequence[str]] = None,
    ) -> "Model":
        """Reads a zkinfer model, or imports any file `zkinfer import` reads (ONNX, XGBoost
        JSON, LightGBM text, CatBoost JSON) with the same options: `calibrate` (a CSV path of
        typical inputs; linear models and networks need it), `headroom`, `iterations`,
        `class_labels`, `feature_names`."""
        return Model(
            _native.Model.load(
                str(path),
                None if calibrate is None else str(calibrate),
                headroom,
                iterations,
                None if class_labels is None else list(class_labels),
                None if feature_names is None else list(feature_names),
            )
        )

    @property
    def id(self) -> str:
        return self._native.id

    @property
    def features(self) -> list:
        return self._native.features

    @property
    def task(self) -> str:
        return self._native.task

    @property
    def classes(self) -> list:
        return self._native.classes

    @property
    def source(self) -> str:
        return self._native.source

    def to_json(self) -> str:
        """The canonical JSON."""
        return self._native.to_json()

    def save(self, path: Any) -> None:
        """Writes the canonical JSON to `path`."""
        with builtins.open(path, "w", encoding="utf-8") as f:
            f.write(self.to_json())

    def predict(self, x: Any) -> list:
        """The reference inference (what a proof attests) on each row of `x`: the class label
        for classifiers, the real score (a list, for several) for regression."""
        predictions = self._native.predict_rows(_rows(x))
        if self.task == "regression":
            return [s[0] if len(s) == 1 else s for _, s, _ in predictions]
        return [label for label, _, _ in predictions]

    def predict_proba(self, x: Any) -> list:
        """Each row's class probabilities, as the model's library reports them."""
        rows = self._native.predict_rows(_rows(x))
        if any(p is None for _, _, p in rows):
            raise UnsupportedError("this model's scores are not probabilities")
        return [p for _, _, p in rows]

    def decision_function(self, x: Any) -> list:
        """Each row's real scores (a binary classifier's one margin as a number)."""
        rows = self._native.predict_rows(_rows(x))
        return [s[0] if len(s) == 1 else s for _, s, _ in rows]

    def prove(
        self,
        x: Any,
        disclose: Optional[str] = None,
        at_least: Any = None,
        at_least_probability: Optional[float] = None,
        context: Union[str, bytes, None] = None,
        profile: Optional[str] = None,
        on_progress: Optional[Callable[[str, float], Any]] = None,
    ) -> tuple:
        """Proves the model's output on the private input `x` (a sequence in feature order, a
        mapping of feature names, a pandas Series). Discloses the class (classifiers) or the
        scores (regression), unless `disclose="class"|"scores"`, `at_least=T` (score ≥ T) or
        `at_least_probability=P` (probability of class 1 ≥ P, exactly as `predict_proba`)
        says otherwise. `context` binds the proof to bytes the verifier supplies (a nonce);
        `profile` is "default" or "high". `on_progress(phase, fraction)` is called as each
        phase starts. The interpreter is released while proving.

        Returns `(envelope, opening)`: the envelope is public; the opening (JSON) is SECRET."""
        return self._native.prove(
            _row(x), disclose, at_least, at_least_probability, context, profile, on_progress
        )

    def verify(self, envelope: Envelope, context: Union[str, bytes, None] = None) -> dict:
        """`zkinfer.verify(self, envelope, context)`."""
        return verify(self._native, envelope, context)

    def __repr__(self) -> str:
        return f"<zkinfer.Model {self.id[:16]}… {self.task}, {len(self.features)} features>"


def verify(model: Any, envelope: Any, context: Union[str, bytes, None] = None) -> dict:
    """Verifies `envelope` (an `Envelope`, its JSON, or its bytes, binary or JSON) against
    `model` and the context it must have been made for. Returns
    `{"model_id", "input_commitment", "output", "profile"}`; raises `BadEnvelopeError` for what
    is not an envelope and `InvalidProofError` for one that does not prove its statement."""
    native = model._native if isinstance(model, Model) else model
    return _native.verify(native, envelope, context)


def open(model: Any, x: Any, opening: str, commitment: Any) -> bool:  # noqa: A001
    """Whether input `x` and the secret `opening` open `commitment` (64 hexadecimal digits, or
    an envelope of this model)."""
    native = model._native if isinstance(model, Model) else model
    return _native.open(native, _row(x), opening, commitment)
