// Proving off the calling thread (a worker_threads worker in Node, the same worker script a page
// runs as a Web Worker), progress reports, cancellation through an AbortSignal, and the typed
// out-of-memory error when a proof needs more than the module's 1 GiB.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createProver, verify } from '../../web/src/index.js';
import { heldoutRow, importExample, PHASES, rejects, tempDir } from './helpers.mjs';

const dir = tempDir();
const flagship = importExample('breast_cancer_xgboost', dir);
const iris = importExample('iris_xgboost_multiclass', dir);
const { input, expected } = heldoutRow('breast_cancer_xgboost');

/** Asserts one report per phase, in order, with growing fractions from 0 to 1. */
function assertProgress(reports) {
  assert.deepEqual(
    reports.map((r) => r.phase),
    PHASES,
  );
  const fractions = reports.map((r) => r.fraction);
  assert.equal(fractions[0], 0);
  assert.equal(fractions.at(-1), 1);
  for (let i = 1; i < fractions.length; i++) assert.ok(fractions[i] > fractions[i - 1], fractions);
}

for (const worker of [true, false]) {
  describe(worker ? 'in a worker' : 'in the calling thread', () => {
    test('proves with a progress report per phase, and the proof verifies', async () => {
      const prover = await createProver({ model: flagship.text, worker });
      assert.equal(prover.mode, worker ? 'worker' : 'thread');
      const reports = [];
      const proof = await prover.prove(input, { onProgress: (r) => reports.push(r) });
      assertProgress(reports);
      assert.equal(proof.output.class, expected.class);
      const verified = await verify(prover, proof.envelope);
      assert.equal(verified.inputCommitment, proof.inputCommitment);
      prover.close();
    });

    test('an already aborted signal stops the proof before it starts', async () => {
      const prover = await createProver({ model: iris.text, worker });
      const reason = new Error('the user left');
      const error = await rejects(
        prover.prove([5, 3, 1, 0.2], { signal: AbortSignal.abort(reason) }),
        'ABORTED',
        /the proof was aborted/,
      );
      assert.equal(error.cause, reason);
      prover.close();
    });

    test('an exception thrown by onProgress rejects the proof; the prover still works', async () => {
      const prover = await createProver({ model: iris.text, worker });
      const thrown = new Error('a broken progress bar');
      const onProgress = () => {
        throw thrown;
      };
      await assert.rejects(prover.prove([5, 3, 1, 0.2], { onProgress }), (e) => e === thrown);
      assert.equal((await prover.prove([5, 3, 1, 0.2])).output.kind, 'class');
      prover.close();
    });
  });
}

describe('in a worker', () => {
  test('aborting a running proof terminates it; the prover proves again with a new worker', async () => {
    const prover = await createProver({ model: flagship.text, worker: true });
    const controller = new AbortController();
    const reports = [];
    const onProgress = (report) => {
      reports.push(report);
      // Mid-proof: the trace is built, the worker is committing to it.
      if (report.phase === 'commit-trace') controller.abort();
    };
    await rejects(
      prover.prove(input, { onProgress, signal: controller.signal }),
      'ABORTED',
      /aborted/,
    );
    assert.deepEqual(
      reports.map((r) => r.phase),
      ['trace', 'commit-trace'],
    );
    const proof = await prover.prove(input);
    assert.equal(proof.output.class, expected.class);
    assert.ok((await verify(flagship.text, proof.envelope)).ok);
    prover.close();
  });

  test('aborting a queued proof takes it out of the queue; the running one finishes', async () => {
    const prover = await createProver({ model: flagship.text, worker: true });
    const controller = new AbortController();
    const running = prover.prove(input);
    const queued = prover.prove(input, { signal: controller.signal });
    controller.abort();
    await rejects(queued, 'ABORTED', /aborted/);
    assert.equal((await running).output.class, expected.class);
    prover.close();
  });

  test('errors cross the worker as ZkinferErrors; closing rejects what is left', async () => {
    await rejects(createProver({ model: '{"format": 1}', worker: true }), 'BAD_MODEL', /./);
    const prover = await createProver({ model: iris.text, worker: true });
    await rejects(prover.prove([1, 2, 3]), 'BAD_INPUT', /the model takes 4 features, the input has 3/);
    await rejects(prover.prove([1, 2, 3, NaN]), 'BAD_INPUT', /NaN/);
    await rejects(prover.prove([1, 2, 3, () => 4]), 'BAD_INPUT', /cannot pass this to the prover/);
    await rejects(prover.prove([1, 2, 3, 4], { disclose: 'everything' }), 'BAD_INPUT', /disclose/);
    const pending = prover.prove([5, 3, 1, 0.2]);
    prover.close();
    await rejects(pending, 'BAD_INPUT', /closed/);
    await rejects(prover.prove([5, 3, 1, 0.2]), 'BAD_INPUT', /this prover is closed/);
  });

  test('a proof that needs more than 1 GiB fails with OUT_OF_MEMORY; the worker is replaced', async () => {
    // The flagship's input with 64 balanced trees of 1023 splits: 65,472 rows of walk, so a
    // 2^17-row trace whose extension alone needs 800 MB.
    const model = JSON.parse(flagship.text);
    // Node i's children are nodes 2i + 1 and 2i + 2; nodes from 1023 on are the leaves.
    const splits = 1023;
    const tree = {
      target: 0,
      feature: new Array(splits).fill(0),
      threshold: new Array(splits).fill(1),
      left: Array.from({ length: splits }, (_, i) => 2 * i + 1),
      right: Array.from({ length: splits }, (_, i) => 2 * i + 2),
      leaf_value: new Array(splits + 1).fill(0),
    };
    model.body.trees.trees = new Array(64).fill(tree);
    const prover = await createProver({ model, worker: true });
    const values = prover.features.map((f) => input[f]);
    await rejects(prover.prove(values), 'OUT_OF_MEMORY', /out of memory: .* within the module's 1 GiB/);
    // The next request starts a new worker (the trapped module would refuse any call).
    await rejects(prover.prove(values.slice(1)), 'BAD_INPUT', /the model takes 30 features, the input has 29/);
    prover.close();
  });
});
