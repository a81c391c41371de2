"""The Python package on the committed example models: loading and importing, the reference
inference against the libraries' recorded predictions, proving and verifying, typed errors,
openings, envelopes in both encodings, and the interpreter released while proving."""

import csv
import json
import math
import subprocess
import threading
import time
from pathlib import Path

import pytest

import zkinfer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLI = ROOT / "target" / "debug" / "zkinfer"
CONTEXT = b"nonce 7f3a; origin https://lender.example"


def example(name):
    """The example's manifest entry, model (imported as the CLI imports it) and held-out rows
    (feature values as strings, the CSV's own text, and the libraries' expected columns)."""
    entry = next(e for e in json.loads((EXAMPLES / "models.json").read_text()) if e["name"] == name)
    model = zkinfer.Model.load(EXAMPLES / entry["model_file"], calibrate=EXAMPLES / entry["calibration_csv"])
    with open(EXAMPLES / entry["heldout_csv"], newline="") as f:
        rows = list(csv.DictReader(f))
    return entry, model, rows


def features_of(model, row, numbers=True):
    """A held-out row's input: a mapping of the model's features (numbers parsed, unless the
    feature takes category names)."""
    def value(name):
        text = row[name]
        try:
            return float(text) if numbers else text
        except ValueError:
            return text
    return {name: value(name) for name in model.features}


def golden_id(name):
    for line in (ROOT / "tests" / "golden" / "model-ids.txt").read_text().splitlines():
        if line.startswith(name + " "):
            return line.split()[1]
    raise KeyError(name)


@pytest.fixture(scope="module")
def credit():
    return example("credit_xgboost")


def test_models_load_with_the_cli_s_ids(credit):
    entry, model, _ = credit
    assert model.id == golden_id("credit_xgboost")
    assert model.task == "binary" and model.classes == ["0", "1"]
    assert len(model.features) == entry["n_features"]
    # The canonical JSON reads back as the same model.
    assert zkinfer.Model.from_json(model.to_json()).id == model.id
    assert zkinfer.Model.from_json(model.to_json().encode()).id == model.id


def test_predictions_are_the_library_s_on_every_heldout_row(credit):
    _, model, rows = credit
    inputs = [features_of(model, row) for row in rows]
    assert model.predict(inputs) == [row["expected_class"] for row in rows]
    margins = model.decision_function(inputs)
    for margin, row in zip(margins, rows):
        assert abs(margin - float(row["expected_score"])) < 1e-4
    for p, margin in zip(model.predict_proba(inputs), margins):
        assert abs(p[1] - 1 / (1 + math.exp(-margin))) < 1e-12 and abs(sum(p) - 1) < 1e-12


def test_a_proof_verifies_and_discloses_what_was_asked(credit):
    _, model, rows = credit
    x = features_of(model, rows[0])
    envelope, opening = model.prove(x, context=CONTEXT)
    verified = zkinfer.verify(model, envelope, context=CONTEXT)
    assert verified["model_id"] == model.id
    assert verified["input_commitment"] == envelope.input_commitment
    assert verified["output"] == {"kind": "class", "class": int(rows[0]["expected_class"]),
                                  "label": rows[0]["expected_class"]}
    assert verified["profile"] == "default"
    # A probability cut-off is decided exactly as predict_proba decides it.
    p = model.predict_proba([x])[0][1]
    for cut in (0.6, p, min(p + 1e-9, 0.999999)):
        envelope, _ = model.prove(x, at_least_probability=cut, context=CONTEXT)
        output = zkinfer.verify(model, envelope, context=CONTEXT)["output"]
        assert output["kind"] == "at_least"
        assert output["holds"] == (p >= cut), (p, cut)
    # Scores, with the exact fixed-point value beside the real one.
    envelope, _ = model.prove(list(x.values()), disclose="scores", context=CONTEXT)
    output = zkinfer.verify(model, envelope, context=CONTEXT)["output"]
    assert abs(output["scores"][0] - model.decision_function([x])[0]) < 1e-12
    assert isinstance(output["fixed"][0], int)


def test_envelopes_round_trip_and_tampering_is_refused_with_its_code(credit):
    _, model, rows = credit
    x = features_of(model, rows[1])
    envelope, _ = model.prove(x, context=CONTEXT)
    for copy in (zkinfer.Envelope.from_json(envelope.to_json()),
                 zkinfer.Envelope.from_bytes(envelope.to_bytes())):
        assert zkinfer.verify(model, copy, context=CONTEXT)["input_commitment"] == envelope.input_commitment
    with pytest.raises(zkinfer.InvalidProofError) as wrong_context:
        zkinfer.verify(model, envelope, context=b"another nonce")
    assert wrong_context.value.code == "INVALID_PROOF"
    assert isinstance(wrong_context.value, zkinfer.ZkinferError)
    lie = json.loads(envelope.to_json())
    lie["output"]["class"] = 1 - lie["output"]["class"]
    with pytest.raises(zkinfer.InvalidProofError):
        zkinfer.verify(model, zkinfer.Envelope.from_json(json.dumps(lie)), context=CONTEXT)
    for garbage in ("{}", "not json", json.dumps({**lie, "version": 99})):
        with pytest.raises(zkinfer.BadEnvelopeError) as bad:
            zkinfer.verify(model, zkinfer.Envelope.from_json(garbage), context=CONTEXT)
        assert bad.value.code == "BAD_ENVELOPE"
    data = envelope.to_bytes()
    for cut in (0, 10, len(data) // 2, len(data) - 1):
        with pytest.raises(zkinfer.ZkinferError):
            zkinfer.verify(model, zkinfer.Envelope.from_bytes(data[:cut]), context=CONTEXT)


def test_an_opening_opens_only_its_own_input(credit):
    _, model, rows = credit
    x, other = features_of(model, rows[2]), features_of(model, rows[3])
    envelope, opening = model.prove(x)
    assert zkinfer.open(model, x, opening, envelope)
    assert zkinfer.open(model, x, opening, envelope.input_commitment)
    assert not zkinfer.open(model, other, opening, envelope)
    with pytest.raises(zkinfer.BadInputError):
        zkinfer.open(model, x, "{}", envelope)


def test_bad_inputs_and_options_get_typed_errors(credit):
    _, model, rows = credit
    x = features_of(model, rows[0])
    name = model.features[0]
    cases = [
        (list(x.values())[:-1], "takes 10 features"),
        ({**x, name: "1.5"}, "is not a number"),
        ({**x, name: True}, "is not a number"),
        ({**x, "colour": 1.0}, "no feature named"),
        ({k: v for k, v in x.items() if k != name}, "no value for feature"),
        ("a string", "a sequence of feature values"),
        (42, "a sequence of feature values"),
        ({**x, name: math.inf}, "inputs must be finite"),
    ]
    for bad, message in cases:
        with pytest.raises(zkinfer.BadInputError, match=message) as error:
            model.prove(bad)
        assert error.value.code == "BAD_INPUT"
    for options, message in [
        (dict(disclose="label"), "expected \"class\" or \"scores\""),
        (dict(disclose="class", at_least=0.5), "give one of"),
        (dict(at_least_probability=1.0), "strictly between 0 and 1"),
        (dict(at_least="half"), "not a decimal number"),
        (dict(profile="fast"), "\"default\" or \"high\""),
        (dict(context="x" * 4097), "more than 4096"),
    ]:
        with pytest.raises(zkinfer.BadInputError, match=message):
            model.prove(x, **options)
    # A linear model refuses a missing value, naming the feature; the row is named by predict.
    _, linear, linear_rows = example("breast_cancer_logreg")
    row = features_of(linear, linear_rows[0])
    with pytest.raises(zkinfer.BadInputError, match="missing"):
        linear.prove({**row, linear.features[3]: None})
    with pytest.raises(zkinfer.BadInputError, match="row 1: .*outside the model's input range"):
        linear.predict([row, {**row, linear.features[0]: 1e9}])
    with pytest.raises(zkinfer.UnsupportedError) as unsupported:
        example("diabetes_linear_regression")[1].prove([0.0] * 10, disclose="class")
    assert unsupported.value.code == "UNSUPPORTED"


def test_bad_model_files_get_typed_errors(tmp_path):
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"format": "zkinfer-model", "version": 7}')
    for path in (garbage, tmp_path / "absent.json"):
        with pytest.raises(zkinfer.BadModelError) as error:
            zkinfer.Model.load(path)
        assert error.value.code == "BAD_MODEL"
    with pytest.raises(zkinfer.BadModelError, match="calibrat"):
        zkinfer.Model.load(EXAMPLES / "models" / "breast_cancer_logreg" / "model.onnx")
    with pytest.raises(zkinfer.BadModelError):
        zkinfer.Model.from_json(b"\xff\xfe")


def test_string_categories_are_given_by_name():
    _, model, rows = example("credit_strings_logreg")
    inputs = [features_of(model, row) for row in rows[:50]]
    assert model.predict(inputs) == [row["expected_class"] for row in rows[:50]]
    x = inputs[0]
    envelope, _ = model.prove(x)
    assert zkinfer.verify(model, envelope)["output"]["label"] == rows[0]["expected_class"]
    with pytest.raises(zkinfer.BadInputError, match="takes the name of a category"):
        model.prove({**x, "housing": 1.0})


def test_the_interpreter_runs_other_threads_while_proving(credit):
    _, model, rows = credit
    x = features_of(model, rows[0])
    phases = []
    ticks = []
    started = threading.Event()

    def progress(phase, fraction):
        phases.append((phase, fraction, time.perf_counter()))
        started.set()

    prover = threading.Thread(target=lambda: model.prove(x, profile="high", on_progress=progress))
    prover.start()
    started.wait()
    while prover.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.0005)
    prover.join()
    assert phases[0][:2] == ("trace", 0.0) and phases[-1][:2] == ("done", 1.0)
    assert all(a[1] <= b[1] for a, b in zip(phases, phases[1:]))
    # Between two callbacks the proof runs without the interpreter: this thread, which needs
    # it to tick, ticked inside the longest phase. Had the proof held the interpreter, no tick
    # could fall strictly between that phase's two callbacks.
    begin, end = max(((a[2], b[2]) for a, b in zip(phases, phases[1:])), key=lambda p: p[1] - p[0])
    assert end - begin > 0.02, "the longest phase is too short to tell"
    inside = [t for t in ticks if begin < t < end]
    assert len(inside) >= 5, (end - begin, len(inside))


def test_a_raising_progress_callback_fails_the_proof(credit):
    _, model, rows = credit
    x = features_of(model, rows[0])

    def stop(phase, fraction):
        if phase == "commit-trace":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.prove(x, on_progress=stop)
    with pytest.raises(zkinfer.BadInputError, match="on_progress"):
        model.prove(x, on_progress=5)


def test_numpy_pandas_and_bytes_like_values_are_read_as_python_s(credit):
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    _, model, rows = credit
    inputs = [features_of(model, row) for row in rows[:20]]
    expected = [row["expected_class"] for row in rows[:20]]
    frame = pd.DataFrame(inputs)
    array = frame.to_numpy()
    assert model.predict(frame) == expected
    assert model.predict(array) == expected
    assert model.predict(pd.DataFrame(array)) == expected
    assert model.predict(array.astype(np.float32)) == model.predict(frame.astype(np.float32))
    for one in (frame.iloc[0], frame.iloc[[0]], array[0], pd.DataFrame(array).iloc[0]):
        envelope, _ = model.prove(one)
        assert zkinfer.verify(model, envelope)["output"]["label"] == expected[0]
    # A boolean is no number, NumPy's neither; pandas' NA is missing (XGBoost takes it).
    name = model.features[0]
    for boolean in (True, np.bool_(True)):
        with pytest.raises(zkinfer.BadInputError, match="is not a number"):
            model.prove({**inputs[0], name: boolean})
    assert model.predict([{**inputs[0], name: pd.NA}]) == model.predict([{**inputs[0], name: None}])
    with pytest.raises(zkinfer.BadInputError, match="one input is one row"):
        model.prove(frame)
    with pytest.raises(zkinfer.BadInputError, match="expected rows"):
        model.predict(array[0])
    # Envelopes and contexts as any bytes-like value.
    envelope, _ = model.prove(inputs[0], context=bytearray(b"ctx"))
    data = envelope.to_bytes()
    for form in (data, bytearray(data), memoryview(data), envelope.to_json()):
        assert zkinfer.verify(model, form, context=memoryview(b"ctx"))["model_id"] == model.id
    assert envelope.output(model) == zkinfer.verify(model, envelope, context=b"ctx")["output"]
    assert zkinfer.Envelope.from_bytes(bytearray(data)).input_commitment == envelope.input_commitment


def test_at_least_compares_the_real_score_exactly(credit):
    _, model, rows = credit
    x = features_of(model, rows[0])
    margin = model.decision_function([x])[0]
    for threshold, holds in ((margin - 0.01, True), (margin + 0.01, False), ("-1.5e1", True), (15, False)):
        envelope, _ = model.prove(x, at_least=threshold)
        output = zkinfer.verify(model, envelope)["output"]
        assert output["kind"] == "at_least" and output["holds"] == holds, threshold
    with pytest.raises(zkinfer.BadInputError, match="at_least is a real score"):
        model.prove(x, at_least=True)


def test_codes_are_the_npm_package_s_for_the_same_failures(credit):
    _, model, rows = credit
    x = features_of(model, rows[0])
    envelope, opening = model.prove(x)
    for call, error in [
        (lambda: zkinfer.Model.from_json(123), zkinfer.BadModelError),
        (lambda: zkinfer.Envelope.from_json(123), zkinfer.BadEnvelopeError),
        (lambda: zkinfer.Envelope.from_bytes(123), zkinfer.BadEnvelopeError),
        (lambda: zkinfer.verify(model, "not an envelope"), zkinfer.BadEnvelopeError),
        (lambda: zkinfer.open(model, x, opening, "garbage"), zkinfer.BadEnvelopeError),
        (lambda: zkinfer.open(model, x, 42, envelope), zkinfer.BadInputError),
        (lambda: model.prove(x, disclose=5), zkinfer.BadInputError),
        (lambda: model.prove(x, profile=5), zkinfer.BadInputError),
        (lambda: model.prove(x, at_least_probability="high"), zkinfer.BadInputError),
        (lambda: zkinfer.verify(model, envelope, context="\ud800"), zkinfer.BadInputError),
    ]:
        with pytest.raises(error):
            call()
    _, other, other_rows = example("breast_cancer_xgboost")
    with pytest.raises(zkinfer.BadEnvelopeError, match="not for this model"):
        envelope.output(other)
    with pytest.raises(zkinfer.BadEnvelopeError, match="not for this model"):
        zkinfer.open(other, features_of(other, other_rows[0]), opening, envelope)


def test_envelopes_cross_between_python_and_the_cli(credit, tmp_path):
    entry, model, rows = credit
    model_path = tmp_path / "credit.zk.json"
    model.save(model_path)
    x = features_of(model, rows[4])
    envelope, _ = model.prove(x, context=CONTEXT)
    envelope_path = tmp_path / "python.envelope.json"
    envelope_path.write_text(envelope.to_json())
    verified = subprocess.run(
        [CLI, "verify", model_path, envelope_path, "--context", CONTEXT.decode()],
        capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    input_path = tmp_path / "input.json"
    input_path.write_text(json.dumps(x))
    cli_envelope = tmp_path / "cli.envelope"
    proved = subprocess.run(
        [CLI, "prove", model_path, input_path, "--context", CONTEXT.decode(), "--binary",
         "--output", cli_envelope, "--opening", tmp_path / "cli.opening.json"],
        capture_output=True, text=True)
    assert proved.returncode == 0, proved.stderr
    from_cli = zkinfer.Envelope.from_bytes(cli_envelope.read_bytes())
    assert zkinfer.verify(model, from_cli, context=CONTEXT)["output"]["class"] == int(rows[4]["expected_class"])
