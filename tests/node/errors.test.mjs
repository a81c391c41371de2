// Bad input from JavaScript gives a ZkinferError with a stable code and a clear message, never
// a bare WebAssembly trap.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { createProver, modelId, verify } from '../../web/src/index.js';
import { heldoutRow, importExample, nativeOk, rejects, root, tempDir, withBalancedTrees } from './helpers.mjs';

const dir = tempDir();
const flagship = importExample('breast_cancer_xgboost', dir);
const iris = importExample('iris_xgboost_multiclass', dir);
const { input } = heldoutRow('breast_cancer_xgboost');
const prover = await createProver({ model: flagship.text });
const proof = await prover.prove(input, { context: 'nonce' });

test('inputs: wrong feature count, ±Infinity, strings, unknown or missing names', async () => {
  const values = prover.features.map((f) => input[f]);
  const first = prover.features[0];
  const cases = [
    [values.slice(1), /the model takes 30 features, the input has 29/],
    [[...values, 1], /the model takes 30 features, the input has 31/],
    [[], /the model takes 30 features, the input has 0/],
    [[Infinity, ...values.slice(1)], /feature "mean_radius" is inf/],
    [{ ...input, [first]: -Infinity }, /feature "mean_radius" is -inf; inputs must be finite numbers/],
    [{ ...input, [first]: '17.99' }, /feature "mean_radius": "17.99" is not a number/],
    [{ ...input, colour: 1 }, /no feature named "colour"/],
    [{ ...input, [first]: undefined }, /feature "mean_radius": "undefined" is not a number/],
    [Object.fromEntries(Object.entries(input).slice(1)), /no value for feature "mean_radius"/],
    ['17.99,10.38', /expected an array of numbers or an object of feature values/],
    [undefined, /expected an array of numbers or an object of feature values/],
    [42, /expected an array of numbers or an object of feature values/],
  ];
  for (const [bad, message] of cases) {
    await rejects(prover.prove(bad), 'BAD_INPUT', message);
  }
});

test('missing values: NaN and null take the default branch of a tree ensemble; a linear model refuses them', async () => {
  // The flagship, an XGBoost model, defines missing values (model format version 2).
  const values = prover.features.map((f) => input[f]);
  const first = prover.features[0];
  const missing = await prover.prove({ ...input, [first]: NaN }, { context: 'nonce' });
  const asNull = await prover.prove([null, ...values.slice(1)], { context: 'nonce' });
  assert.equal(asNull.output.class, missing.output.class);
  for (const proved of [missing, asNull]) {
    const verified = await verify(flagship.text, proved.envelope, { context: 'nonce' });
    assert.equal(verified.output.class, proved.output.class);
  }
  const logreg = importExample('breast_cancer_logreg', dir);
  const linear = await createProver({ model: logreg.text });
  await rejects(
    linear.prove({ ...input, [first]: NaN }),
    'BAD_INPUT',
    /feature "mean_radius" is missing \(NaN\), and this model defines no missing values/,
  );
  await rejects(linear.prove([null, ...values.slice(1)]), 'BAD_INPUT', /feature "mean_radius" is missing/);
});

test('options: unknown names, bad disclosures, thresholds, profiles and contexts', async () => {
  const cases = [
    [{ disclosure: 'class' }, /unknown prove options "disclosure"/],
    [{ signal: 'stop' }, /signal must be an AbortSignal/],
    [{ onProgress: 'bar' }, /onProgress must be a function/],
    [{ disclose: 'everything' }, /disclose must be "class", "scores" or \{atLeast/],
    [{ disclose: 'at-least' }, /needs a threshold/],
    [{ disclose: 'class', threshold: 0.5 }, /a threshold goes with disclose 'at-least'/],
    [{ threshold: NaN }, /disclose.atLeast: "NaN" is not a decimal number/],
    [{ threshold: 'half' }, /"half" is not a decimal number/],
    [{ threshold: 1e6 }, /outside the model's score range/],
    [{ profile: 'fast' }, /profile must be "default" or "high"/],
    [{ context: 42 }, /the context must be a string or a Uint8Array/],
    [{ context: 'x'.repeat(4097) }, /the context has 4097 bytes, more than 4096/],
    ['class', /the prove options must be an object/],
  ];
  for (const [options, message] of cases) {
    await rejects(prover.prove(input, options), 'BAD_INPUT', message);
  }
  await rejects(
    createProver({ model: flagship.text, threads: 2 }),
    'BAD_INPUT',
    /unknown createProver options "threads"/,
  );
  await rejects(
    createProver({ model: flagship.text, worker: 'yes' }),
    'BAD_INPUT',
    /the worker option must be true or false/,
  );
  await rejects(verify(prover, proof.envelope, { nonce: 'x' }), 'BAD_INPUT', /unknown verify/);
});

test('a disclosure that does not fit the model is unsupported', async () => {
  const multiclass = await createProver({ model: iris.text });
  const { input: flower } = heldoutRow('iris_xgboost_multiclass');
  await rejects(multiclass.prove(flower, { threshold: 0.5 }), 'UNSUPPORTED', /does not fit/);
  multiclass.close();
});

test('models: garbage, truncated, invalid, or a library format not yet imported', async () => {
  const model = JSON.parse(flagship.text);
  const cases = [
    ['garbage', /not a zkinfer model/],
    [flagship.text.slice(0, 1000), /not a zkinfer model: EOF while parsing/],
    ['', /not a zkinfer model/],
    [{ ...model, version: 4 }, /format version 4 is not supported/],
    [{ ...model, version: 1 }, /missing values need model format version 2/],
    [{ ...model, body: { trees: { base: [0], trees: [] } } }, /invalid zkinfer model/],
    [{ ...model, extra: 1 }, /unknown field `extra`/],
    [
      { ...model, input: { ...model.input, features: model.input.features.with(1, 'mean_radius') } },
      /invalid zkinfer model: feature name "mean_radius" appears twice/,
    ],
    [undefined, /a model is zkinfer model JSON/],
    [42, /a model is zkinfer model JSON/],
    [
      '{"learner": {}, "version": [3, 2, 0]}',
      /this is an XGBoost JSON model, not a zkinfer model: convert it once with `zkinfer import/,
    ],
  ];
  for (const [bad, message] of cases) {
    await rejects(createProver({ model: bad }), 'BAD_MODEL', message);
    await rejects(modelId(bad), 'BAD_MODEL', message);
    await rejects(verify(bad, proof.envelope, { context: 'nonce' }), 'BAD_MODEL', message);
  }
});

test('models beyond the limits: a file over 64 MiB, a trace over 2^21 cells', async () => {
  // MAX_MODEL_FILE_BYTES + 1: the flagship padded with blanks (valid JSON), and an XGBoost
  // file as large, which is not worth converting either.
  const max = 64 * 1024 * 1024;
  const padded = flagship.text + ' '.repeat(max + 1 - flagship.text.length);
  const xgboost = readFileSync(join(root, 'examples/models/breast_cancer_xgboost/model.json'), 'utf8');
  const large = /the model file has 67108865 bytes, more than zkinfer reads \(67108864\)$/;
  for (const bad of [padded, new TextEncoder().encode(padded), xgboost + ' '.repeat(max + 1 - xgboost.length)]) {
    await rejects(createProver({ model: bad }), 'BAD_MODEL', large);
    await rejects(modelId(bad), 'BAD_MODEL', large);
  }
  // The flagship's input with 200 balanced trees of 1023 splits: a table of 204,600 splits,
  // four to a row, needs a 2^16-row trace.
  const model = withBalancedTrees(flagship.text, 200, 1023);
  const tooLarge = /zkinfer model too large: the model needs a trace of 65536 rows × \d+ columns, more than the 2097152 cells/;
  await rejects(createProver({ model }), 'BAD_MODEL', tooLarge);
  await rejects(verify(model, proof.envelope, { context: 'nonce' }), 'BAD_MODEL', tooLarge);
});

test("a linear model refuses a feature outside its grid", async () => {
  const path = join(dir, 'logreg.zk.json');
  const example = join(root, 'examples/models/breast_cancer_logreg');
  nativeOk(
    'import',
    join(example, 'model.onnx'),
    '--calibrate',
    join(root, 'examples/data/breast_cancer-train.csv'),
    '-o',
    path,
  );
  const linear = await createProver({ model: readFileSync(path, 'utf8') });
  const { input: row } = heldoutRow('breast_cancer_logreg');
  await rejects(
    linear.prove({ ...row, mean_radius: 1e9 }),
    'BAD_INPUT',
    /feature "mean_radius" = 1000000000 is outside the model's input range \[-?[\d.e-]+, [\d.e-]+\]/,
  );
  linear.close();
});

test('envelopes: garbage, truncated, or tampered with', async () => {
  const envelope = JSON.parse(proof.envelope);
  const bad = [
    ['this is no envelope', /not a zkinfer proof envelope \(bad magic\)/],
    ['garbage', /the envelope is truncated/],
    ['', /the envelope is truncated/],
    [proof.envelope.slice(0, proof.envelope.length >> 1), /invalid JSON envelope: EOF/],
    [proof.envelope.slice(0, -1), /invalid JSON envelope/],
    [new TextEncoder().encode('ZKINFER\0\x06\x00'), /the envelope is truncated/],
    [{ ...envelope, version: 2 }, /envelope version 2 is not supported/],
    [{ ...envelope, proof: 'not base64!' }, /proof is not valid base64/],
    [{ ...envelope, input_commitment: 'ff'.repeat(32) }, /not a field element/],
    [{ ...envelope, output: { class: -1 } }, /invalid JSON envelope/],
    [{ ...envelope, extra: true }, /unknown field `extra`/],
    [42, /an envelope is JSON text, its parsed object, or the binary form/],
    [undefined, /an envelope is JSON text/],
    ['x'.repeat(2 * 1024 * 1024 + 1), /more than 2097152/],
    [
      { ...envelope, proof: Buffer.alloc(1024 * 1024 + 1).toString('base64') },
      /the proof has 1048577 bytes, more than 1048576/,
    ],
  ];
  for (const [value, message] of bad) {
    await rejects(verify(prover, value, { context: 'nonce' }), 'BAD_ENVELOPE', message);
  }
});

test('invalid proofs: wrong context, wrong model, another output, a changed proof', async () => {
  const envelope = JSON.parse(proof.envelope);
  await rejects(
    verify(prover, proof.envelope, { context: 'another nonce' }),
    'INVALID_PROOF',
    /the proof was made for another context/,
  );
  await rejects(verify(prover, proof.envelope), 'INVALID_PROOF', /another context/);
  await rejects(
    verify(iris.text, proof.envelope, { context: 'nonce' }),
    'INVALID_PROOF',
    /the proof is for model 58fe2035.*, not for this model \(89dfff58/,
  );
  const lie = { ...envelope, output: { class: 1 - envelope.output.class } };
  await rejects(verify(prover, lie, { context: 'nonce' }), 'INVALID_PROOF', /invalid/);
  const bytes = Buffer.from(envelope.proof, 'base64');
  bytes[bytes.length >> 1] ^= 1;
  const tampered = { ...envelope, proof: bytes.toString('base64') };
  await rejects(verify(prover, tampered, { context: 'nonce' }), 'INVALID_PROOF', /proof/);
  const truncated = { ...envelope, proof: bytes.subarray(0, 1000).toString('base64') };
  await rejects(verify(prover, truncated, { context: 'nonce' }), 'INVALID_PROOF', /proof/);
});

test('openings and commitments', async () => {
  await rejects(prover.open(input, 'garbage', proof.envelope), 'BAD_INPUT', /opening:/);
  await rejects(prover.open(input, 42, proof.envelope), 'BAD_INPUT', /an opening is the JSON/);
  await rejects(
    prover.open(input, proof.opening, 'ff'.repeat(32)),
    'BAD_INPUT',
    /not a field element/,
  );
  await rejects(prover.open(input, proof.opening, 'abc'), 'BAD_ENVELOPE', /truncated/);
  const other = await createProver({ model: iris.text });
  await rejects(
    other.open(heldoutRow('iris_xgboost_multiclass').input, proof.opening, proof.envelope),
    'BAD_ENVELOPE',
    /the envelope is for model 58fe2035/,
  );
  other.close();
});

test('a closed prover refuses to work', async () => {
  const closed = await createProver({ model: iris.text });
  closed.close();
  closed.close();
  await rejects(closed.prove([1, 2, 3, 4]), 'BAD_INPUT', /this prover is closed/);
  // What it tells about its public model stays readable.
  assert.equal(closed.modelId, await modelId(iris.text));
});

test('a model wider than a trace is refused at load, and the module keeps working', async () => {
  // The breast-cancer network with 240 classes (one score column each): more than the 254
  // columns a trace can have. A model this wide would load, then panic inside the prover and
  // leave the module unusable. (A wide hidden layer is no longer one: it is computed in passes.)
  const wide = JSON.parse(importExample('breast_cancer_mlp', dir).text);
  const { output } = wide.body.mlp;
  wide.output = { ...wide.output, task: 'multiclass', link: 'softmax', classes: [] };
  while (output.bias.length < 240) {
    output.weights.push(output.weights[0]);
    output.bias.push(output.bias[0]);
  }
  wide.output.classes = output.bias.map((_, c) => `c${c}`);
  const tooWide = /needs a trace of \d+ rows × \d+ columns, more than the 254 columns a trace can have/;
  await rejects(createProver({ model: wide }), 'BAD_MODEL', tooWide);
  await rejects(createProver({ model: wide, worker: true }), 'BAD_MODEL', tooWide);
  await rejects(verify(wide, proof.envelope, { context: 'nonce' }), 'BAD_MODEL', tooWide);
  const again = await prover.prove(input, { context: 'again' });
  const verified = await verify(flagship.text, again.envelope, { context: 'again' });
  assert.deepEqual(verified.output, again.output);
});

test('a call that traps leaves no trace: the next one runs on a fresh instance', async () => {
  const engine = await import('../../web/src/engine.js');
  // A real trap: a model handle pointing outside the module's memory.
  const trap = async () => {
    const broken = engine.loadModel(iris.text);
    broken.__wbg_ptr = 0xfffffff0;
    await rejects(Promise.resolve().then(() => engine.describe(broken)), 'INTERNAL', /aborted/);
    assert.ok(engine.hasTrapped());
  };
  // Three times, everything made before the trap works again: a prover made then, verify,
  // modelId; each time on a fresh instance.
  for (let renewal = 1; renewal <= 3; renewal += 1) {
    await trap();
    const proved = await prover.prove(input, { context: 'after a trap' });
    assert.equal(engine.instance(), renewal);
    assert.ok(!engine.hasTrapped());
    const verified = await verify(flagship.text, proved.envelope, { context: 'after a trap' });
    assert.equal(verified.modelId, prover.modelId);
    assert.equal(await modelId(iris.text), (await createProver({ model: iris.text })).modelId);
  }
  // A replaced instance's memory is never released: after three, a trap asks for a reload.
  await trap();
  await rejects(prover.prove(input), 'INTERNAL', /cannot be started again in this thread: reload/);
});
