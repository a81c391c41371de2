// The npm package's API in Node: prove and verify the flagship and a multiclass model, every
// disclosure, contexts, envelope forms, openings, model ids, the module's memory cap.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { createProver, modelId, open, verify, ZkinferError } from '../../web/src/index.js';
import { goldenModelId, heldoutRow, importExample, root, tempDir } from './helpers.mjs';

const dir = tempDir();
const flagship = importExample('breast_cancer_xgboost', dir);
const iris = importExample('iris_xgboost_multiclass', dir);
const digits = importExample('digits_mlp', dir);

describe('the flagship (XGBoost, 100 trees of depth 6)', () => {
  const { input, expected } = heldoutRow('breast_cancer_xgboost');

  test('proves the first held-out row in zero knowledge and verifies', async () => {
    const prover = await createProver({ model: flagship.text });
    assert.equal(prover.modelId, goldenModelId('breast_cancer_xgboost'));
    assert.equal(prover.task, 'binary');
    assert.equal(prover.features.length, 30);
    const proof = await prover.prove(input, { context: 'nonce 7f3a' });
    assert.equal(proof.output.kind, 'class');
    assert.equal(proof.output.class, expected.class);
    assert.equal(proof.output.label, String(expected.class));
    assert.match(proof.inputCommitment, /^[0-9a-f]{64}$/);
    const envelope = JSON.parse(proof.envelope);
    assert.equal(envelope.model_id, prover.modelId);
    assert.equal(envelope.input_commitment, proof.inputCommitment);
    assert.deepEqual(envelope.output, { class: expected.class });

    const verified = await verify(flagship.text, proof.envelope, { context: 'nonce 7f3a' });
    assert.deepEqual(verified, {
      ok: true,
      modelId: prover.modelId,
      inputCommitment: proof.inputCommitment,
      output: proof.output,
      profile: 'default',
    });
    // The prover itself, the parsed model and the model's bytes verify alike.
    const bytes = new TextEncoder().encode(flagship.text);
    for (const model of [prover, JSON.parse(flagship.text), bytes]) {
      const again = await verify(model, proof.envelope, { context: 'nonce 7f3a' });
      assert.equal(again.inputCommitment, proof.inputCommitment);
    }
    prover.close();
  });

  test('commitments and proofs are randomized; the opening opens only its input', async () => {
    const prover = await createProver({ model: flagship.text });
    const a = await prover.prove(input);
    const b = await prover.prove(input);
    assert.notEqual(a.inputCommitment, b.inputCommitment);
    assert.notEqual(a.envelope, b.envelope);
    assert.equal(await prover.open(input, a.opening, a.inputCommitment), true);
    assert.equal(await prover.open(input, a.opening, a.envelope), true);
    assert.equal(await open(flagship.text, input, JSON.parse(a.opening), a.envelope), true);
    assert.equal(await prover.open(input, b.opening, a.inputCommitment), false);
    const other = heldoutRow('breast_cancer_xgboost', 1).input;
    assert.equal(await prover.open(other, a.opening, a.inputCommitment), false);
    prover.close();
  });

  test('discloses whether the score reaches a threshold, exactly', async () => {
    const prover = await createProver({ model: flagship.text });
    // The margin of row 0, as XGBoost computed it.
    const margin = expected.score;
    for (const [threshold, holds] of [
      [margin - 0.5, true],
      [margin + 0.5, false],
      [String(margin - 0.5), true],
    ]) {
      const proof = await prover.prove(input, { disclose: 'at-least', threshold });
      assert.equal(proof.output.kind, 'atLeast');
      assert.equal(proof.output.holds, holds);
      const verified = await verify(prover, proof.envelope);
      assert.deepEqual(verified.output, proof.output);
    }
    // `threshold` alone implies at-least; 0.1 means the decimal 0.1: ceil(0.1 · 2^42).
    const proof = await prover.prove(input, { threshold: 0.1 });
    assert.equal(proof.output.fixedThreshold, 439_804_651_111);
    const direct = await prover.prove(input, { disclose: { atLeast: '0.1' } });
    assert.equal(direct.output.fixedThreshold, 439_804_651_111);
    prover.close();
  });

  test('discloses the score, under the high profile', async () => {
    const prover = await createProver({ model: flagship.text });
    const proof = await prover.prove(input, { disclose: 'scores', profile: 'high' });
    assert.equal(proof.output.kind, 'scores');
    assert.equal(proof.output.fixed.length, 1);
    assert.ok(Math.abs(proof.output.scores[0] - expected.score) < 1.3e-4);
    const verified = await verify(prover, proof.envelope);
    assert.equal(verified.profile, 'high');
    assert.deepEqual(verified.output, proof.output);
    prover.close();
  });

  test('binds the proof to a context given as text or bytes', async () => {
    const prover = await createProver({ model: flagship.text });
    const nonce = new Uint8Array([0, 1, 2, 0xfe, 0xff]);
    const proof = await prover.prove(input, { context: nonce });
    assert.equal(JSON.parse(proof.envelope).context, 'AAEC/v8=');
    await verify(prover, proof.envelope, { context: nonce });
    await verify(prover, proof.envelope, { context: nonce.buffer });
    const text = await prover.prove(input, { context: 'origin https://example.com' });
    await verify(prover, text.envelope, {
      context: new TextEncoder().encode('origin https://example.com'),
    });
    prover.close();
  });
});

describe('a multiclass model (XGBoost, iris)', () => {
  test('proves every held-out class the library predicted, as an array input', async () => {
    const prover = await createProver({ model: iris.text });
    assert.equal(prover.modelId, goldenModelId('iris_xgboost_multiclass'));
    assert.equal(prover.task, 'multiclass');
    assert.deepEqual(prover.classes, ['0', '1', '2']);
    for (const row of [0, 1, 2, 3, 4]) {
      const { input, expected } = heldoutRow('iris_xgboost_multiclass', row);
      const proof = await prover.prove(prover.features.map((f) => input[f]));
      assert.equal(proof.output.class, expected.class, `row ${row}`);
      const verified = await verify(iris.text, proof.envelope);
      assert.equal(verified.output.class, expected.class);
    }
    prover.close();
  });

  test('discloses the three scores, as a Float64Array input', async () => {
    const prover = await createProver({ model: iris.text });
    const { input, expected } = heldoutRow('iris_xgboost_multiclass');
    const values = Float64Array.from(prover.features, (f) => input[f]);
    const proof = await prover.prove(values, { disclose: 'scores' });
    assert.equal(proof.output.scores.length, 3);
    proof.output.scores.forEach((score, k) => {
      assert.ok(Math.abs(score - expected[`score_${k}`]) < 6.7e-5, `score ${k}`);
    });
    prover.close();
  });
});

describe('a neural network (scikit-learn MLP 64-32-10, digits)', () => {
  test('proves the class the library predicted for ten held-out images, and verifies', async () => {
    const prover = await createProver({ model: digits.text });
    assert.equal(prover.modelId, goldenModelId('digits_mlp'));
    assert.equal(prover.task, 'multiclass');
    assert.equal(prover.features.length, 64);
    for (let row = 0; row < 10; row += 1) {
      const { input, expected } = heldoutRow('digits_mlp', row);
      const proof = await prover.prove(input);
      assert.equal(proof.output.class, expected.class, `row ${row}`);
      const verified = await verify(digits.text, proof.envelope);
      assert.equal(verified.output.class, expected.class);
    }
    prover.close();
  });

  test("discloses the ten logits, each near scikit-learn's", async () => {
    const prover = await createProver({ model: digits.text });
    const { input, expected } = heldoutRow('digits_mlp', 1);
    const proof = await prover.prove(input, { disclose: 'scores' });
    assert.equal(proof.output.scores.length, 10);
    // 1.6e-2: the largest error `zkinfer import --check` measures over all 450 held-out rows
    // (the documented bound is 0.98).
    proof.output.scores.forEach((score, k) => {
      assert.ok(Math.abs(score - expected[`score_${k}`]) <= 1.6e-2, `score ${k}`);
    });
    prover.close();
  });
});

test('model ids are the native ones, whatever form the model is given in', async () => {
  for (const [model, name] of [
    [flagship, 'breast_cancer_xgboost'],
    [iris, 'iris_xgboost_multiclass'],
  ]) {
    const id = goldenModelId(name);
    assert.equal(await modelId(model.text), id);
    assert.equal(await modelId(JSON.parse(model.text)), id);
    // Whitespace and key order do not matter: the id is the canonical form's hash.
    assert.equal(await modelId(JSON.stringify(JSON.parse(model.text), null, 2)), id);
    assert.equal(await modelId(readFileSync(model.path)), id);
  }
});

test('errors are ZkinferErrors with a code', async () => {
  const error = await modelId('{').catch((e) => e);
  assert.ok(error instanceof ZkinferError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'ZkinferError');
  assert.equal(error.code, 'BAD_MODEL');
});

test("the module's memory is capped at 1 GiB", () => {
  const wasm = readFileSync(join(root, 'web/pkg/zkinfer_wasm_bg.wasm'));
  assert.equal(memoryLimits(wasm).maximum, (1 << 30) / 65536);
});

/** The limits of the module's own memory (section 5), read from the binary. */
function memoryLimits(wasm) {
  let at = 8;
  const leb = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = wasm[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return value;
    }
  };
  while (at < wasm.length) {
    const id = wasm[at++];
    const size = leb();
    const end = at + size;
    if (id === 5) {
      assert.equal(leb(), 1, 'one memory');
      const flags = leb();
      const minimum = leb();
      return { minimum, maximum: flags & 1 ? leb() : undefined };
    }
    at = end;
  }
  throw new Error('no memory section');
}

describe('categorical features (format version 3)', () => {
  // Probe rows of the categorical examples with the libraries' own classes: every category,
  // unseen, negative, fractional and huge codes, and NaN (an empty cell: null here).
  const probes = (name) => {
    const csv = readFileSync(join(root, 'examples/models', name, 'probes.csv'), 'utf8');
    const [header, ...rows] = csv.trim().split('\n').map((line) => line.split(','));
    return rows.map((cells) => {
      const input = {};
      header.forEach((column, i) => {
        if (!column.startsWith('expected_')) input[column] = cells[i] === '' ? null : Number(cells[i]);
      });
      return { input, expectedClass: Number(cells[header.indexOf('expected_class')]) };
    });
  };

  test('credit_strings_logreg: categories given by their strings, an unknown one as none', async () => {
    const name = 'credit_strings_logreg';
    const model = importExample(name, dir);
    const prover = await createProver({ model: model.text });
    const csv = readFileSync(join(root, 'examples/models', name, 'probes.csv'), 'utf8');
    const [header, ...rows] = csv.trim().split('\n').map((line) => line.split(','));
    const numbers = ['duration_months', 'credit_amount', 'age_years'];
    // Each probe row has one choice set to a string the encoder does not know.
    for (const k of [0, 3, 150, 279]) {
      const input = {};
      header.forEach((column, i) => {
        if (!column.startsWith('expected_')) {
          input[column] = numbers.includes(column) ? Number(rows[k][i]) : rows[k][i];
        }
      });
      const expectedClass = Number(rows[k][header.indexOf('expected_class')]);
      const proved = await prover.prove(input, { context: `row ${k}` });
      assert.equal(proved.output.class, expectedClass, `row ${k}: ${JSON.stringify(input)}`);
      const verified = await verify(model.text, proved.envelope, { context: `row ${k}` });
      assert.equal(verified.output.class, expectedClass);
    }
    const forest = importExample('credit_strings_random_forest', dir);
    const strict = await createProver({ model: forest.text });
    const input = {};
    header.forEach((column, i) => {
      if (!column.startsWith('expected_')) {
        input[column] = numbers.includes(column) ? Number(rows[0][i]) : rows[0][i];
      }
    });
    await assert.rejects(strict.prove({ ...input, housing: 'own', checking_account: 'a tent' }), {
      code: 'BAD_INPUT',
      message: /feature "checking_account" is none of the categories the model knows/,
    });
    await assert.rejects(strict.prove({ ...input, housing: 2 }), {
      code: 'BAD_INPUT',
      message: /feature "housing" takes the name of a category \(a string\), not 2/,
    });
  });

  for (const name of ['credit_missing_lightgbm', 'credit_missing_xgboost']) {
    test(`${name}: the library's class on probe rows, proved and verified`, async () => {
      const model = importExample(name, dir);
      const prover = await createProver({ model: model.text });
      const rows = probes(name);
      // Rows from the sweep of each categorical column's edge values, and from the mixed rows.
      for (const k of [1, 60, 130, 200, 320, 480, 560, 700, 848]) {
        const { input, expectedClass } = rows[k];
        const proved = await prover.prove(input, { context: `row ${k}` });
        assert.equal(proved.output.class, expectedClass, `row ${k}: ${JSON.stringify(input)}`);
        const verified = await verify(model.text, proved.envelope, { context: `row ${k}` });
        assert.equal(verified.output.class, expectedClass);
      }
    });
  }
});
