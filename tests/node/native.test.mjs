// Cross-compatibility with the native CLI: envelopes proved in Node verify natively and the
// other way round, openings open on both sides, model ids agree.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { createProver, modelId, verify } from '../../web/src/index.js';
import {
  heldoutRow,
  importExample,
  native,
  nativeModelId,
  nativeOk,
  tempDir,
} from './helpers.mjs';

const dir = tempDir();
const examples = ['breast_cancer_xgboost', 'iris_xgboost_multiclass', 'digits_mlp'];
const models = Object.fromEntries(examples.map((name) => [name, importExample(name, dir)]));
const CONTEXT = 'nonce 7f3a; origin https://lender.example';

for (const name of examples) {
  const model = models[name];
  const { input } = heldoutRow(name);
  const inputPath = join(dir, `${name}.input.json`);
  writeFileSync(inputPath, JSON.stringify(input));

  test(`${name}: the same model id as natively`, async () => {
    assert.equal(await modelId(model.text), nativeModelId(nativeOk('inspect', model.path)));
  });

  test(`${name}: an envelope proved in Node verifies natively, its opening opens`, async () => {
    const prover = await createProver({ model: model.text });
    for (const profile of ['default', 'high']) {
      const proof = await prover.prove(input, { context: CONTEXT, profile });
      const envelope = join(dir, `${name}.${profile}.node.json`);
      const opening = join(dir, `${name}.${profile}.node.opening.json`);
      writeFileSync(envelope, proof.envelope);
      writeFileSync(opening, proof.opening);
      const out = nativeOk('verify', model.path, envelope, '--context', CONTEXT);
      assert.match(out, /^valid: class /m);
      assert.equal(nativeModelId(out), prover.modelId);
      assert.match(out, new RegExp(`^commitment +${proof.inputCommitment}$`, 'm'));
      assert.match(out, new RegExp(`^profile +${profile} `, 'm'));
      assert.match(nativeOk('open', model.path, inputPath, opening, envelope), /^opens: /);
      // The native verifier refuses it under another context.
      const wrong = native('verify', model.path, envelope, '--context', 'another nonce');
      assert.equal(wrong.status, 1);
      assert.match(wrong.stderr, /another context/);
    }
    prover.close();
  });

  test(`${name}: envelopes proved natively (JSON and binary) verify in Node`, async () => {
    for (const binary of [false, true]) {
      const envelope = join(dir, `${name}.native.${binary ? 'bin' : 'json'}`);
      const args = ['prove', model.path, inputPath, '--context', CONTEXT, '-o', envelope];
      const out = nativeOk(...args, ...(binary ? ['--binary'] : []));
      const commitment = out.match(/^commitment +([0-9a-f]{64})$/m)[1];
      const bytes = readFileSync(envelope);
      const verified = await verify(model.text, binary ? bytes : bytes.toString('utf8'), {
        context: CONTEXT,
      });
      assert.equal(verified.inputCommitment, commitment);
      assert.equal(verified.modelId, nativeModelId(out));
      const opening = readFileSync(`${envelope}.opening.json`, 'utf8');
      const prover = await createProver({ model: model.text });
      assert.equal(await prover.open(input, opening, commitment), true);
      assert.equal(await prover.open(input, opening, bytes), true);
      prover.close();
    }
  });
}
